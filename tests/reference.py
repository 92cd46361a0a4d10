"""Independent numpy references for the ridge solvers (no ``ridgeboot`` import).

Everything here is computed in float64 (or exactly, with :class:`fractions.Fraction`) from the
inputs *as given*: to compare a float32 fit, round the inputs to float32 first and pass those
(the reference then solves exactly the problem the library was handed).

Objective (the contract): minimise ``sum_i c_i (y_i - b - x_i.w)^2 + alpha ||w||^2`` with row
weights ``c`` (``sample_weight``); with an intercept, ``X`` and ``y`` are centred by the
*weighted* means and ``b = ybar - xbar.w``; without one, ``b = 0`` and nothing is centred.

References
----------
``ridge_reference``       closed form, ``np.linalg.solve`` on ``Xc' C Xc + alpha I`` (per target).
``ridge_svd_reference``   filter factors ``s / (s^2 + alpha)`` from the thin SVD of ``sqrt(c) Xc``,
                          singular values ``<= rcond * max(s)`` dropped (min-norm at alpha = 0).
``ridge_lstsq_minnorm``   ``np.linalg.lstsq(sqrt(c) Xc, sqrt(c) yc, rcond)`` (alpha = 0).
``ridge_exact``           exact rational arithmetic (full rank or alpha > 0; small problems only).
``ridge_path_reference``  ``ridge_reference`` (or the SVD one) stacked over alphas.

Tolerances: :func:`tolerance` (``rtol = 100 * eps(dtype) * max(cond(Xc' C Xc + alpha I), 10)``)
and the assertion helpers :func:`assert_ridge_close`, :func:`assert_normwise_close`.

Data helpers: :func:`make_weights`, :func:`repeat_rows` / :func:`weights_from_counts` (integer
row weights == repeated rows, for the bootstrap tests), :func:`lre` (NIST log relative
error), and the named test problems :func:`get_problem` (wrapped as fixtures in conftest.py).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, NamedTuple, Optional

import numpy as np

__all__ = [
    "PROBLEM_NAMES",
    "Problem",
    "get_problem",
    "RefFit",
    "assert_normwise_close",
    "assert_ridge_close",
    "centered_problem",
    "default_rcond",
    "lre",
    "make_weights",
    "predict_reference",
    "repeat_rows",
    "ridge_exact",
    "ridge_lstsq_minnorm",
    "ridge_path_reference",
    "ridge_reference",
    "ridge_svd_reference",
    "tolerance",
    "weights_from_counts",
]


class RefFit(NamedTuple):
    """Reference fit: ``coef`` (p,) / (p,t) / (k,p[,t]); ``intercept`` scalar / (t,) / (k[,t])."""

    coef: np.ndarray
    intercept: np.ndarray

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions ``X @ coef + intercept`` for a single-alpha fit."""
        return predict_reference(self.coef, self.intercept, X)


class Centered(NamedTuple):
    """Weighted, centred problem in float64 (rows with zero weight kept, weight 0)."""

    Xc: np.ndarray  # (n, p)
    Yc: np.ndarray  # (n, t)
    xbar: np.ndarray  # (p,)
    ybar: np.ndarray  # (t,)
    w: np.ndarray  # (n,)
    y_was_1d: bool


# ----------------------------------------------------------------------------------------------
# problem preparation
# ----------------------------------------------------------------------------------------------


def centered_problem(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: Optional[np.ndarray] = None,
    fit_intercept: bool = True,
) -> Centered:
    """Return the weighted centred problem in float64 (``y`` always 2-D in the result)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError("X must be 2-D")
    y_was_1d = y.ndim == 1
    Y = y[:, None] if y_was_1d else y
    n, p = X.shape
    if Y.shape[0] != n:
        raise ValueError("X and y have different numbers of rows")
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,) or np.any(w < 0) or not np.any(w > 0):
        raise ValueError("bad sample_weight")
    if fit_intercept:
        sw = w.sum()
        xbar = (w @ X) / sw
        ybar = (w @ Y) / sw
    else:
        xbar = np.zeros(p)
        ybar = np.zeros(Y.shape[1])
    return Centered(X - xbar, Y - ybar, xbar, ybar, w, y_was_1d)


def _alpha_per_target(alpha, t: int) -> np.ndarray:
    a = np.asarray(alpha, dtype=np.float64)
    if a.ndim == 0:
        return np.full(t, float(a))
    if a.shape != (t,):
        raise ValueError(f"alpha has shape {a.shape}, expected () or ({t},)")
    return a


def _finish(c: Centered, coef: np.ndarray) -> RefFit:
    """Intercept from the weighted means; drop the target axis for a 1-D y."""
    intercept = c.ybar - c.xbar @ coef
    if c.y_was_1d:
        return RefFit(coef[:, 0], intercept[0])
    return RefFit(coef, intercept)


def default_rcond(dtype, m: int, p: int) -> float:
    """Contract's cut-off for "svd": ``eps(dtype) * max(m, p)``, m = rows with weight > 0."""
    return float(np.finfo(dtype).eps) * max(m, p)


# ----------------------------------------------------------------------------------------------
# references
# ----------------------------------------------------------------------------------------------


def ridge_reference(
    X: np.ndarray,
    y: np.ndarray,
    alpha=1.0,
    fit_intercept: bool = True,
    sample_weight: Optional[np.ndarray] = None,
) -> RefFit:
    """Closed-form ridge: ``np.linalg.solve(Xc' C Xc + alpha I, Xc' C yc)`` per target.

    ``alpha`` is a scalar or one value per target (2-D ``y``).  Needs ``alpha > 0`` or a
    non-singular weighted Gram matrix (use :func:`ridge_svd_reference` otherwise).
    """
    c = centered_problem(X, y, sample_weight, fit_intercept)
    p, t = c.Xc.shape[1], c.Yc.shape[1]
    alphas = _alpha_per_target(alpha, t)
    WX = c.w[:, None] * c.Xc
    G = c.Xc.T @ WX
    B = WX.T @ c.Yc
    coef = np.empty((p, t))
    for a in np.unique(alphas):
        cols = np.flatnonzero(alphas == a)
        coef[:, cols] = np.linalg.solve(G + a * np.eye(p), B[:, cols])
    return _finish(c, coef)


def _scaled_rows(c: Centered) -> tuple[np.ndarray, np.ndarray]:
    keep = c.w > 0
    s = np.sqrt(c.w[keep])
    return s[:, None] * c.Xc[keep], s[:, None] * c.Yc[keep]


def ridge_svd_reference(
    X: np.ndarray,
    y: np.ndarray,
    alpha=1.0,
    fit_intercept: bool = True,
    sample_weight: Optional[np.ndarray] = None,
    rcond: Optional[float] = None,
) -> RefFit:
    """Ridge from the thin SVD of ``sqrt(c) Xc`` (rows with ``c = 0`` dropped).

    Singular values ``s <= rcond * max(s)`` count as zero; ``rcond=None`` means
    ``eps(float64) * max(m, p)`` (m = rows with positive weight), as in the contract.
    At ``alpha = 0`` this is the minimum-norm least-squares solution.
    """
    c = centered_problem(X, y, sample_weight, fit_intercept)
    Xs, Ys = _scaled_rows(c)
    m, p = Xs.shape
    alphas = _alpha_per_target(alpha, Ys.shape[1])
    if rcond is None:
        rcond = default_rcond(np.float64, m, p)
    U, s, Vt = np.linalg.svd(Xs, full_matrices=False)
    keep = s > rcond * (s[0] if s.size else 0.0)
    UtY = U.T @ Ys
    coef = np.empty((p, Ys.shape[1]))
    for j, a in enumerate(alphas):
        f = np.zeros_like(s)
        f[keep] = s[keep] / (s[keep] ** 2 + a)
        coef[:, j] = Vt.T @ (f * UtY[:, j])
    return _finish(c, coef)


def ridge_lstsq_minnorm(
    X: np.ndarray,
    y: np.ndarray,
    fit_intercept: bool = True,
    sample_weight: Optional[np.ndarray] = None,
    rcond: Optional[float] = None,
) -> RefFit:
    """Alpha = 0: ``np.linalg.lstsq`` on the sqrt(weight)-scaled centred rows with weight > 0.

    ``rcond=None`` is numpy's default, ``eps * max(m, p)`` (the contract's cut-off).
    """
    c = centered_problem(X, y, sample_weight, fit_intercept)
    Xs, Ys = _scaled_rows(c)
    coef = np.linalg.lstsq(Xs, Ys, rcond=rcond)[0]
    return _finish(c, coef)


def ridge_path_reference(
    X: np.ndarray,
    y: np.ndarray,
    alphas,
    fit_intercept: bool = True,
    sample_weight: Optional[np.ndarray] = None,
    method: str = "solve",
) -> RefFit:
    """Stack of single-alpha references: coef (k, p[, t]), intercept (k[, t]).

    ``method="solve"`` uses :func:`ridge_reference` (alpha > 0), ``"svd"`` the SVD reference.
    """
    fits = []
    for a in np.asarray(alphas, dtype=np.float64).ravel():
        if method == "svd":
            fits.append(ridge_svd_reference(X, y, a, fit_intercept, sample_weight))
        else:
            fits.append(ridge_reference(X, y, a, fit_intercept, sample_weight))
    return RefFit(np.stack([f.coef for f in fits]), np.stack([f.intercept for f in fits]))


def predict_reference(coef: np.ndarray, intercept, X: np.ndarray) -> np.ndarray:
    """``X @ coef + intercept`` in float64."""
    return np.asarray(X, dtype=np.float64) @ np.asarray(coef, dtype=np.float64) + np.asarray(
        intercept, dtype=np.float64
    )


def _solve_exact(A: list[list[Fraction]], B: list[list[Fraction]]) -> list[list[Fraction]]:
    """Gauss-Jordan elimination in exact rationals; ``A`` square non-singular."""
    p = len(A)
    t = len(B[0])
    M = [A[i][:] + B[i][:] for i in range(p)]
    for col in range(p):
        piv = next((r for r in range(col, p) if M[r][col] != 0), None)
        if piv is None:
            raise np.linalg.LinAlgError("singular matrix in ridge_exact")
        M[col], M[piv] = M[piv], M[col]
        inv = 1 / M[col][col]
        M[col] = [v * inv for v in M[col]]
        for r in range(p):
            if r != col and M[r][col] != 0:
                f = M[r][col]
                M[r] = [a - f * b for a, b in zip(M[r], M[col])]
    return [row[p : p + t] for row in M]


def ridge_exact(
    X: np.ndarray,
    y: np.ndarray,
    alpha=0.0,
    fit_intercept: bool = True,
    sample_weight: Optional[np.ndarray] = None,
) -> RefFit:
    """Exact solution (rational arithmetic) of the ridge problem for the given float inputs.

    Every float is an exact rational, so the weighted means, the Gram matrix and the solve are
    done without rounding; only the final conversion to float64 rounds.  Needs a non-singular
    ``Xc' C Xc + alpha I``.  Cost grows fast: keep n*p^2 below ~1e5.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    y_was_1d = y.ndim == 1
    Y = y[:, None] if y_was_1d else y
    n, p = X.shape
    t = Y.shape[1]
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    alphas = [Fraction(float(a)) for a in _alpha_per_target(alpha, t)]
    F = [[Fraction(float(v)) for v in row] for row in X]
    FY = [[Fraction(float(v)) for v in row] for row in Y]
    W = [Fraction(float(v)) for v in w]
    if fit_intercept:
        sw = sum(W)
        xbar = [sum(W[i] * F[i][j] for i in range(n)) / sw for j in range(p)]
        ybar = [sum(W[i] * FY[i][k] for i in range(n)) / sw for k in range(t)]
    else:
        xbar = [Fraction(0)] * p
        ybar = [Fraction(0)] * t
    Fc = [[F[i][j] - xbar[j] for j in range(p)] for i in range(n)]
    Yc = [[FY[i][k] - ybar[k] for k in range(t)] for i in range(n)]
    G = [[sum(W[i] * Fc[i][a] * Fc[i][b] for i in range(n)) for b in range(p)] for a in range(p)]
    B = [[sum(W[i] * Fc[i][a] * Yc[i][k] for i in range(n)) for k in range(t)] for a in range(p)]
    coef = np.empty((p, t))
    intercept = np.empty(t)
    for k in range(t):
        A = [[G[a][b] + (alphas[k] if a == b else 0) for b in range(p)] for a in range(p)]
        sol = [row[0] for row in _solve_exact(A, [[B[a][k]] for a in range(p)])]
        coef[:, k] = [float(v) for v in sol]
        intercept[k] = float(ybar[k] - sum(xbar[j] * sol[j] for j in range(p)))
    if y_was_1d:
        return RefFit(coef[:, 0], intercept[0])
    return RefFit(coef, intercept)


# ----------------------------------------------------------------------------------------------
# tolerances and assertions
# ----------------------------------------------------------------------------------------------

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

    ``ref`` defaults to :func:`ridge_reference` (or :func:`ridge_svd_reference` when some
    alpha is 0, with the contract's cut-off for ``dtype``).  Coefficients: per target
    ``||coef - ref|| <= rtol * (||ref|| + ||yc||/||Xc||) + centring`` =: ``err_w`` with
    ``centring`` from :func:`_centring_error` (rounding of the weighted means).  Intercept:
    ``|b - bref| <= rtol * (|ybar| + ||xbar|| ||ref||) + ||xbar|| * err_w + rtol * |bref|``.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    c = centered_problem(X, y, sample_weight, fit_intercept)
    if ref is None:
        if np.min(np.asarray(alpha, dtype=np.float64)) > 0:
            ref = ridge_reference(X, y, alpha, fit_intercept, sample_weight)
        else:
            m = int(np.count_nonzero(c.w > 0))
            rc = default_rcond(dtype, m, X.shape[1])
            ref = ridge_svd_reference(X, y, alpha, fit_intercept, sample_weight, rcond=rc)
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


# ----------------------------------------------------------------------------------------------
# data helpers (also for the bootstrap tests)
# ----------------------------------------------------------------------------------------------


def make_weights(kind: Optional[str], n: int, rng: np.random.Generator, min_nonzero: int = 1):
    """Sample weights: ``None``; ``"positive"`` uniform on [0.2, 3]; ``"zeros"`` like
    positive with about a quarter of the rows (at most ``n - min_nonzero``) set to 0;
    ``"integer"`` bootstrap-like counts in {0, 1, 2, 3} with at least ``min_nonzero`` > 0.
    """
    if kind is None or kind == "none":
        return None
    if kind == "positive":
        return rng.uniform(0.2, 3.0, n)
    if kind == "zeros":
        w = rng.uniform(0.2, 3.0, n)
        n_zero = min(max(1, n // 4), n - min_nonzero)
        if n_zero > 0:
            w[rng.choice(n, n_zero, replace=False)] = 0.0
        return w
    if kind == "integer":
        w = rng.integers(0, 4, n).astype(np.float64)
        short = min_nonzero - np.count_nonzero(w)
        if short > 0:
            w[rng.choice(np.flatnonzero(w == 0), short, replace=False)] = 1.0
        return w
    raise ValueError(f"unknown weight kind {kind!r}")


def repeat_rows(X: np.ndarray, y: np.ndarray, counts, sample_weight=None):
    """Materialise integer row weights: each row ``i`` repeated ``counts[i]`` times (np.repeat).

    Returns ``(X_rep, y_rep)`` or ``(X_rep, y_rep, w_rep)`` when ``sample_weight`` is given.
    Fitting ``(X_rep, y_rep)`` unweighted must equal fitting ``(X, y)`` with
    ``sample_weight = counts`` (times ``sample_weight`` when given).
    """
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.shape[0] != np.shape(X)[0]:
        raise ValueError("counts must be 1-D with one entry per row")
    if not np.issubdtype(counts.dtype, np.integer):
        if not np.all(counts == np.round(counts)):
            raise ValueError("counts must be integers")
        counts = counts.astype(np.int64)
    idx = np.repeat(np.arange(counts.shape[0]), counts)
    out = (np.asarray(X)[idx], np.asarray(y)[idx])
    if sample_weight is not None:
        out = (*out, np.asarray(sample_weight)[idx])
    return out


def weights_from_counts(counts, sample_weight=None) -> np.ndarray:
    """Row weights of a bootstrap replicate: ``sample_weight * counts`` as float64."""
    c = np.asarray(counts, dtype=np.float64)
    return c if sample_weight is None else c * np.asarray(sample_weight, dtype=np.float64)


def lre(estimate, certified) -> np.ndarray:
    """Log relative error ``-log10(|est - cert| / |cert|)`` (number of correct digits).

    Capped at 17 for exact agreement.
    """
    est = np.asarray(estimate, dtype=np.float64)
    cert = np.asarray(certified, dtype=np.float64)
    rel = np.abs(est - cert) / np.abs(cert)
    with np.errstate(divide="ignore"):
        out = -np.log10(rel)
    return np.minimum(out, 17.0)


# ----------------------------------------------------------------------------------------------
# named test problems (wrapped as fixtures in conftest.py)
# ----------------------------------------------------------------------------------------------
#
# ``well_conditioned``  n=60,  p=8   independent Gaussian features with non-zero means
# ``correlated``        n=80,  p=10  AR(1) correlated features (rho=0.95), cond(Xc) ~ 20
# ``wide``              n=20,  p=45  more features than rows (p > n)
# ``rank_deficient``    n=50,  p=9   exact linear dependencies (x5 = 2 x0, x6 = -x1,
#                                    x7 = x2/2, x8 = 0): rank 5, exactly, also after centring
# ``vandermonde``       n=40,  p=7   polynomial columns x, x^2, ..., x^7 on [0, 1]
#
# Every problem has three targets ``Y`` (n, 3) with non-zero means (so the intercept matters).

PROBLEM_SEED = 20240611


@dataclass(frozen=True)
class Problem:
    """A named regression problem; ``full_rank`` says whether the centred X has rank p."""

    name: str
    X: np.ndarray
    Y: np.ndarray
    full_rank: bool

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def p(self) -> int:
        return self.X.shape[1]

    def y(self, ndim: int = 1) -> np.ndarray:
        """Target: first column (1-D) or all three (2-D)."""
        return self.Y[:, 0].copy() if ndim == 1 else self.Y.copy()

    def alpha_scale(self) -> float:
        """Mean eigenvalue of the centred Gram matrix: a natural unit for alpha."""
        Xc = self.X - self.X.mean(axis=0)
        return float(np.sum(Xc * Xc) / self.p)


def _targets(X: np.ndarray, rng: np.random.Generator, t: int = 3, noise: float = 0.5):
    n, p = X.shape
    W = rng.normal(size=(p, t))
    return X @ W + noise * rng.normal(size=(n, t)) + rng.uniform(1.0, 5.0, t)


def _well_conditioned(rng: np.random.Generator) -> Problem:
    X = rng.normal(size=(60, 8)) + rng.uniform(-3.0, 3.0, 8)
    return Problem("well_conditioned", X, _targets(X, rng), True)


def _correlated(rng: np.random.Generator) -> Problem:
    n, p, rho = 80, 10, 0.95
    Z = rng.normal(size=(n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    X += rng.uniform(-2.0, 2.0, p)
    return Problem("correlated", X, _targets(X, rng), True)


def _wide(rng: np.random.Generator) -> Problem:
    X = rng.normal(size=(20, 45)) + rng.uniform(-1.0, 1.0, 45)
    return Problem("wide", X, _targets(X, rng), False)


def _rank_deficient(rng: np.random.Generator) -> Problem:
    A = rng.normal(size=(50, 5)) + rng.uniform(-0.5, 0.5, 5)
    # scaling by powers of two and negation are exact, so the dependencies survive rounding
    X = np.column_stack([A, 2.0 * A[:, 0], -A[:, 1], 0.5 * A[:, 2], np.zeros(50)])
    return Problem("rank_deficient", X, _targets(X, rng), False)


def _vandermonde(rng: np.random.Generator) -> Problem:
    x = np.linspace(0.0, 1.0, 40)
    X = np.column_stack([x**k for k in range(1, 8)])
    Y = np.column_stack([np.sin(4 * x), np.exp(x), 1 / (1 + 4 * x**2)])
    Y = Y + 1e-3 * rng.normal(size=Y.shape)
    return Problem("vandermonde", X, Y, True)


PROBLEM_GENERATORS: dict[str, Callable[[np.random.Generator], Problem]] = {
    "well_conditioned": _well_conditioned,
    "correlated": _correlated,
    "wide": _wide,
    "rank_deficient": _rank_deficient,
    "vandermonde": _vandermonde,
}
PROBLEM_NAMES = tuple(PROBLEM_GENERATORS)
_CACHE: dict[str, Problem] = {}


def get_problem(name: str) -> Problem:
    """The named problem (deterministic; arrays are read-only, copy before modifying)."""
    if name not in _CACHE:
        seed = zlib.crc32(name.encode()) ^ PROBLEM_SEED
        prob = PROBLEM_GENERATORS[name](np.random.default_rng(seed))
        prob.X.setflags(write=False)
        prob.Y.setflags(write=False)
        _CACHE[name] = prob
    return _CACHE[name]
