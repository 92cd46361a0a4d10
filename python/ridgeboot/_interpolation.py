"""Fits that interpolate the training data say so (:class:`InterpolationWarning`).

With at least as many coefficients as rows of positive weight, alpha = 0 (or an alpha
the solvers treat as 0) reproduces every training target; the check costs one pass over
X unless some alpha could be that small.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._sparse import SparseX
from ._validation import Prepared, finish_finite_check

# the interpolation check densifies the weighted rows of a sparse X up to this size
SPARSE_CHECK_ELEMENTS = 2**24


class InterpolationWarning(UserWarning):
    """A fit with at least as many coefficients as rows and no penalty interpolates.

    It reproduces the training targets exactly (rows in general position).
    """


def interpolating_alphas(data: Prepared, alphas: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """Which alphas give a fit that interpolates the training rows.

    The fit reproduces every training target when the weighted, centred design of the m
    rows of positive weight has rank m - fit_intercept (possible only with ``p +
    fit_intercept >= m``) and alpha is none at all: 0, or at or below ``eps * max(m, p) *
    s_max^2``, under which the solvers treat it as 0. Columns constant to rounding
    (centred norm below ``m * eps`` times their norm) count as 0. The rank costs one SVD
    of an m x p matrix, computed only when p + fit_intercept >= m and some alpha is
    negligible against the squared Frobenius norm (a bound on s_max^2): O(m p) otherwise.

    Parameters
    ----------
    data : Prepared
    alphas : ndarray of shape (k,)
    fit_intercept : bool

    Returns
    -------
    ndarray of bool, shape (k,)
    """
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    none = np.zeros(alphas.shape, dtype=bool)
    rows = slice(None) if data.weight is None else np.asarray(data.weight) > 0
    if isinstance(data.X, SparseX):
        m_rows = data.n if data.weight is None else int(np.count_nonzero(rows))
        if m_rows * data.p > SPARSE_CHECK_ELEMENTS:
            return none  # too large to densify for a warning: not checked
        X = np.asarray(data.X.csr[rows].toarray(), dtype=np.float64)
    else:
        X = np.asarray(data.X, dtype=np.float64)[rows]
    m, p = X.shape
    if p + int(fit_intercept) < m or m - int(fit_intercept) < 1:
        return none  # residual degrees of freedom; or one row that the intercept alone fits
    v = np.ones(m) if data.weight is None else np.asarray(data.weight, np.float64)[rows]
    eps = float(np.finfo(np.float64).eps)
    cutoff = max(m, p) * eps

    def negligible(s_max2: float, *scales: float) -> np.ndarray:
        # alpha <= cutoff * s_max2 * (product of scales)^2, divided step by step: no overflow
        with np.errstate(over="ignore", under="ignore"):  # inf or 0 compare correctly
            scaled = alphas
            for factor in scales:
                scaled = (scaled / factor) / factor
        return np.asarray((alphas == 0) | (scaled <= cutoff * s_max2), dtype=bool)

    # s_max^2 of the weighted centred rows <= sum_i v_i |x_i|^2 (centring at the weighted
    # mean only lowers it): when no alpha is negligible even against that bound (any
    # alpha > 0 of a usual grid), no fit interpolates. One pass over X and no BLAS call,
    # whose spinning threads would slow the fit that follows; a bound that overflows or
    # comes near underflow leaves the decision to the scaled SVD below.
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        bound = float((np.einsum("ij,ij->i", X, X) * v).sum())
    if np.finfo(np.float64).tiny / eps < bound < np.inf and not negligible(bound).any():
        return none
    top = float(np.abs(X).max())
    if not np.isfinite(top) or top == 0:
        return none
    X = X / top  # in units of the largest entry: no overflow for huge data
    if fit_intercept:
        Xc = X - (v / v.sum()) @ X
        constant = np.linalg.norm(Xc, axis=0) <= m * eps * np.linalg.norm(X, axis=0)
        Xc[:, constant] = 0.0
    else:
        Xc = X
    with np.errstate(over="ignore", invalid="ignore"):
        Xs = np.sqrt(v)[:, None] * Xc
        scale = float(np.abs(Xs).max())
        if not np.isfinite(scale) or scale == 0:
            return none
        Xs /= scale
    s = np.linalg.svd(Xs, compute_uv=False)
    if np.count_nonzero(s > cutoff * s[0]) < m - int(fit_intercept):
        return none
    return negligible(float(s[0] ** 2), top, scale)


def warn_if_interpolating(
    data: Prepared, alphas: np.ndarray, fit_intercept: bool, stacklevel: int = 3
) -> None:
    """Warn with :class:`InterpolationWarning` when some alpha gives an interpolating fit."""
    m = data.n if data.weight is None else int(np.count_nonzero(data.weight > 0))
    if data.p + int(fit_intercept) < m:
        return  # the common case, at no cost
    finish_finite_check(data)  # the values are read here first
    hit = interpolating_alphas(data, alphas, fit_intercept)
    if not hit.any():
        return
    which = "alpha = 0" if (np.asarray(alphas)[hit] == 0).all() else "alpha at or near 0"
    coefs = f"{data.p} coefficients" + (" + intercept" if fit_intercept else "")
    warnings.warn(
        f"{which} with {coefs} and {m} rows (p >= n): the fit interpolates the training "
        "data (zero training error) and is the minimum-norm solution among infinitely many; "
        "its training error says nothing about new data. Use alpha > 0.",
        InterpolationWarning,
        stacklevel=stacklevel,
    )
