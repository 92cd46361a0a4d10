"""Ridge fits in numpy: the one family every test compares with (no ``ridgeboot`` import).

Everything is computed in float64 (or exactly, with :class:`fractions.Fraction`) from the
inputs *as given*: to compare a float32 fit, round the inputs to float32 first and pass those
(the reference then solves exactly the problem the library was handed).

Objective (the contract): minimise ``sum_i c_i (y_i - b - x_i.w)^2 + alpha ||w||^2`` with row
weights ``c`` (``sample_weight``); with an intercept, ``X`` and ``y`` are centred by the
*weighted* means and ``b = ybar - xbar.w``; without one, ``b = 0`` and nothing is centred.

``ridge_reference``       closed form, ``np.linalg.solve`` on ``Xc' C Xc + alpha I`` (per target).
``ridge_svd_reference``   filter factors ``s / (s^2 + alpha)`` from the thin SVD of ``sqrt(c) Xc``,
                          singular values ``<= rcond * max(s)`` dropped (min-norm at alpha = 0).
``ridge_lstsq_minnorm``   ``np.linalg.lstsq(sqrt(c) Xc, sqrt(c) yc, rcond)`` (alpha = 0).
``ridge_auto_reference``  ``ridge_reference`` when every alpha > 0, else the SVD one.
``ridge_exact``           exact rational arithmetic (full rank or alpha > 0; small problems only).
``ridge_path_reference``  ``ridge_reference`` (or the SVD one) stacked over alphas.
``loo_brute``             leave-one-out residuals by n explicit refits.
``hat_matrix``            ``H`` with ``yhat = H y`` (unpenalised intercept column), and
``gcv_reference``         the GCV score and degrees of freedom from it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple, Optional

import numpy as np


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


def ridge_auto_reference(
    X: np.ndarray,
    y: np.ndarray,
    alpha=1.0,
    fit_intercept: bool = True,
    sample_weight: Optional[np.ndarray] = None,
    rcond: Optional[float] = None,
) -> RefFit:
    """:func:`ridge_reference` when every alpha > 0, else :func:`ridge_svd_reference`.

    At alpha = 0 this is the minimum-norm least-squares solution (``rcond`` as there).
    """
    if np.min(np.asarray(alpha, dtype=np.float64)) > 0:
        return ridge_reference(X, y, alpha, fit_intercept, sample_weight)
    return ridge_svd_reference(X, y, alpha, fit_intercept, sample_weight, rcond)


# ----------------------------------------------------------------------------------------------
# leave-one-out and the hat matrix
# ----------------------------------------------------------------------------------------------


def loo_brute(X, y, alpha, sample_weight=None, fit_intercept: bool = True) -> np.ndarray:
    """Squared leave-one-out residuals (n[, t]) by n explicit refits."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(X)
    out = np.empty(y.shape)
    for i in range(n):
        keep = np.arange(n) != i
        w = None if sample_weight is None else np.asarray(sample_weight)[keep]
        fit = ridge_auto_reference(X[keep], y[keep], alpha, fit_intercept, w)
        out[i] = (y[i] - fit.predict(X[i])) ** 2
    return out


def hat_matrix(X, alpha, sample_weight=None, fit_intercept: bool = True) -> np.ndarray:
    """H with yhat = H y for the weighted ridge with an unpenalised intercept column."""
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    c = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    Xa = np.hstack([np.ones((n, 1)), X]) if fit_intercept else X
    pen = np.eye(Xa.shape[1]) * alpha
    if fit_intercept:
        pen[0, 0] = 0.0
    A = Xa.T @ (c[:, None] * Xa) + pen
    return Xa @ np.linalg.pinv(A) @ (Xa.T * c[None, :])


def gcv_reference(X, y, alpha, fit_intercept: bool = True) -> tuple[np.ndarray, float]:
    """GCV ``(RSS / n) / (1 - tr(H) / n)^2`` per target, and ``tr(H)``, from :func:`hat_matrix`."""
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    H = hat_matrix(X, alpha, None, fit_intercept)
    rss = ((y - H @ y) ** 2).sum(axis=0)
    dof = float(np.trace(H))
    return (rss / n) / (1 - dof / n) ** 2, dof
