"""Tolerances for comparing a ridge fit with the references, and the assertions using them.

:func:`tolerance` is ``rtol = 100 * eps(dtype) * max(cond(Xc' C Xc + alpha I), 10)``;
:func:`assert_ridge_close` compares one fit with a reference at that tolerance (plus the
absolute terms it documents), :func:`assert_normwise_close` compares arrays normwise.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .fits import (
    Centered,
    RefFit,
    _alpha_per_target,
    _scaled_rows,
    centered_problem,
    default_rcond,
    ridge_auto_reference,
)

#: default safety factor of :func:`tolerance`
DEFAULT_C = 100.0
#: smallest condition number used (floor of the tolerance: ``C * eps * COND_FLOOR``)
COND_FLOOR = 10.0


def _gram_eigenvalues(c: Centered) -> np.ndarray:
    Xs, _ = _scaled_rows(c)
    if Xs.shape[0] == 0:
        return np.zeros(c.Xc.shape[1])
    s = np.linalg.svd(Xs, compute_uv=False)
    lam = np.zeros(c.Xc.shape[1])
    lam[: s.size] = s**2
    return lam


def condition_number(
    X: np.ndarray,
    alpha,
    *,
    sample_weight: Optional[np.ndarray] = None,
    fit_intercept: bool = True,
    dtype=np.float64,
    rcond: Optional[float] = None,
) -> float:
    """2-norm condition number of ``A = Xc' C Xc + min(alpha) I`` (weighted, centred).

    With ``min(alpha) == 0`` only the eigenvalues kept by the SVD solver count
    (``s > rcond * max(s)``, ``rcond`` as in the contract for ``dtype``), i.e. this is
    ``cond(X_kept)^2``, the sensitivity of the minimum-norm least-squares solution.
    """
    X = np.asarray(X, dtype=np.float64)
    c = centered_problem(X, np.zeros(X.shape[0]), sample_weight, fit_intercept)
    lam = _gram_eigenvalues(c)
    amin = float(np.min(np.asarray(alpha, dtype=np.float64)))
    lmax = float(lam.max()) if lam.size else 0.0
    if amin > 0:
        return (lmax + amin) / (float(lam.min()) + amin)
    if lmax == 0:
        return 1.0
    m = int(np.count_nonzero(c.w > 0))
    if rcond is None:
        rcond = default_rcond(dtype, m, X.shape[1])
    kept = lam[np.sqrt(lam) > rcond * math.sqrt(lmax)]
    return lmax / float(kept.min())


def tolerance(
    X: np.ndarray,
    dtype,
    alpha,
    *,
    sample_weight: Optional[np.ndarray] = None,
    fit_intercept: bool = True,
    C: float = DEFAULT_C,
) -> float:
    """Relative tolerance for comparing a ridge fit computed in ``dtype`` with the references.

    ``rtol = C * eps(dtype) * max(cond(A), COND_FLOOR)`` with ``A = Xc' C Xc + alpha I`` the
    weighted centred regularised Gram matrix (smallest alpha for per-target alphas; at
    alpha = 0 the condition number over the singular values the SVD solver keeps, see
    :func:`condition_number`), ``C = 100`` and ``COND_FLOOR = 10``.

    Why this is the right size: a backward-stable solve of the (regularised) normal
    equations, or of the SVD / dual form, has forward error ``~ eps * cond(A)`` relative to
    ``||w||`` (plus the part coming from ``||Xc' C yc||``, which the assertion helpers add as
    an absolute term ``rtol * ||yc|| / ||Xc||``); both the library and the float64 reference
    carry such an error, and ``C = 100`` absorbs the dimension-dependent constants of the
    error bounds for the small sizes used in the tests.  The floor keeps the tolerance from
    asking for less than ~1000 ulps (2e-13 in float64, 1.2e-4 in float32).

    It is tight enough to catch real bugs: for the test problems an alpha off by one, alpha
    scaled by n or by the weight sum, unweighted instead of weighted centring, no centring, or
    weights applied twice move the coefficients by far more than ``rtol`` (checked by
    ``test_tolerance_detects_plausible_bugs``).
    """
    cond = condition_number(
        X, alpha, sample_weight=sample_weight, fit_intercept=fit_intercept, dtype=dtype
    )
    return C * float(np.finfo(dtype).eps) * max(cond, COND_FLOOR)


def assert_normwise_close(
    actual: np.ndarray,
    desired: np.ndarray,
    rtol: float,
    atol=0.0,
    *,
    axis: Optional[int] = 0,
    what: str = "coef",
    err_msg: str = "",
) -> None:
    """Assert ``||a - d|| <= rtol * ||d|| + atol`` with norms along ``axis`` (the feature axis).

    The remaining axes (targets, alphas) are compared one by one; ``atol`` broadcasts against
    them.  ``axis=None`` compares element by element (intercepts).  The message gives the
    worst ratio error / allowed.
    """
    a = np.asarray(actual, dtype=np.float64)
    d = np.asarray(desired, dtype=np.float64)
    if a.shape != d.shape:
        raise AssertionError(f"{what}: shape {a.shape} != reference shape {d.shape}. {err_msg}")
    if not np.all(np.isfinite(a)):
        raise AssertionError(f"{what}: non-finite values {a!r}. {err_msg}")
    if a.ndim == 0 or axis is None:
        err = np.abs(a - d)
        ref = np.abs(d)
    else:
        err = np.linalg.norm(a - d, axis=axis)
        ref = np.linalg.norm(d, axis=axis)
    allowed = rtol * ref + atol
    ok = err <= allowed
    if not np.all(ok):
        ratio = np.max(err / np.maximum(allowed, np.finfo(float).tiny))
        raise AssertionError(
            f"{what}: error {np.max(err):.3e} exceeds allowed {np.min(allowed):.3e} "
            f"(worst error/allowed = {ratio:.3g}, rtol={rtol:.3e}); "
            f"actual={a!r} desired={d!r}. {err_msg}"
        )


def _coef_atol_scale(c: Centered, alpha) -> np.ndarray:
    """Per-target absolute scale ``||sqrt(c) yc|| / max(||sqrt(c) Xc||_2, sqrt(alpha))``."""
    Xs, Ys = _scaled_rows(c)
    xnorm = np.linalg.norm(Xs, 2) if Xs.size else 0.0
    alphas = _alpha_per_target(alpha, Ys.shape[1])
    denom = np.maximum(np.maximum(xnorm, np.sqrt(alphas)), np.finfo(float).tiny)
    return np.linalg.norm(Ys, axis=0) / denom


def assert_ridge_close(
    coef,
    intercept,
    X: np.ndarray,
    y: np.ndarray,
    alpha,
    *,
    fit_intercept: bool = True,
    sample_weight: Optional[np.ndarray] = None,
    dtype=np.float64,
    ref: Optional[RefFit] = None,
    rtol: Optional[float] = None,
    C: float = DEFAULT_C,
    err_msg: str = "",
) -> None:
    """Compare a single-alpha fit (coef, intercept) with a reference at :func:`tolerance`.

    ``ref`` defaults to :func:`ridge_auto_reference` (the SVD one, with the contract's
    cut-off for ``dtype``, when some alpha is 0).  Coefficients: per target
    ``||coef - ref|| <= rtol * (||ref|| + ||yc||/||Xc||) + centring`` =: ``err_w`` with
    ``centring`` from :func:`_centring_error` (rounding of the weighted means).  Intercept:
    ``|b - bref| <= rtol * (|ybar| + ||xbar|| ||ref||) + ||xbar|| * err_w + rtol * |bref|``.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    c = centered_problem(X, y, sample_weight, fit_intercept)
    if ref is None:
        rc = default_rcond(dtype, int(np.count_nonzero(c.w > 0)), X.shape[1])
        ref = ridge_auto_reference(X, y, alpha, fit_intercept, sample_weight, rcond=rc)
    if rtol is None:
        rtol = tolerance(
            X, dtype, alpha, sample_weight=sample_weight, fit_intercept=fit_intercept, C=C
        )
    scale = _coef_atol_scale(c, alpha)  # (t,)
    ref_coef = np.asarray(ref.coef, dtype=np.float64)
    coef = np.asarray(coef)
    if coef.shape != ref_coef.shape:
        raise AssertionError(f"coef shape {coef.shape} != expected {ref_coef.shape}. {err_msg}")
    wnorm = np.linalg.norm(ref_coef.reshape(X.shape[1], -1), axis=0)  # (t,)
    centring = _centring_error(c, alpha, dtype, C, wnorm)  # (t,)
    atol_coef = rtol * scale + centring
    err_w = rtol * wnorm + atol_coef  # allowed coefficient error per target
    xbar_norm = np.linalg.norm(c.xbar)
    atol_b = rtol * (np.abs(c.ybar) + xbar_norm * wnorm) + xbar_norm * err_w
    if c.y_was_1d:
        atol_coef, atol_b = atol_coef[0], atol_b[0]
    assert_normwise_close(coef, ref_coef, rtol, atol_coef, what="coef", err_msg=err_msg)
    assert_normwise_close(
        np.asarray(intercept, dtype=np.float64),
        np.asarray(ref.intercept, dtype=np.float64),
        rtol,
        atol_b,
        axis=None,
        what="intercept",
        err_msg=err_msg,
    )


def _centring_error(c: Centered, alpha, dtype, C: float, wnorm: np.ndarray) -> np.ndarray:
    """Coefficient error (per target) that rounding the weighted means may cause.

    Centring in precision ``eps`` perturbs ``sqrt(c) Xc`` by ``E`` with
    ``||E|| <~ eps ||xbar|| sqrt(sum c)`` and ``sqrt(c) yc`` by ``e`` with
    ``||e|| <~ eps |ybar| sqrt(sum c)``; to first and second order the solution moves by
    ``(||E|| (||yc|| + 2 ||Xc|| ||w|| + ||E|| ||w||) + (||Xc|| + ||E||) ||e||) / lambda_min(A)``.
    This matters when the data are nearly constant (e.g. one weighted row), where ``Xc`` and
    ``yc`` are themselves rounding noise; it is 0 without an intercept.
    """
    t = c.Yc.shape[1]
    if not (np.any(c.xbar) or np.any(c.ybar)):
        return np.zeros(t)
    eps = float(np.finfo(dtype).eps)
    sw = math.sqrt(float(c.w.sum()))
    ex = C * eps * float(np.linalg.norm(c.xbar)) * sw
    ey = C * eps * np.abs(c.ybar) * sw
    Xs, Ys = _scaled_rows(c)
    xn = float(np.linalg.norm(Xs, 2)) if Xs.size else 0.0
    yn = np.linalg.norm(Ys, axis=0)
    lam = _gram_eigenvalues(c)
    alphas = _alpha_per_target(alpha, t)
    lmax = float(lam.max())
    m = int(np.count_nonzero(c.w > 0))
    kept = lam[np.sqrt(lam) > default_rcond(dtype, m, c.Xc.shape[1]) * math.sqrt(lmax)]
    lam_kept = float(kept.min()) if kept.size else math.inf
    den = np.where(alphas > 0, float(lam.min()) + alphas, lam_kept)
    num = ex * (yn + 2 * xn * wnorm + ex * wnorm) + (xn + ex) * ey
    return num / den
