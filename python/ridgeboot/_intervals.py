"""Bootstrap confidence intervals for the coefficients: percentile, basic, normal and BCa.

Each function takes the replicates' coefficients c (B, k, p, t) -- or their mean and
standard deviation for "normal" -- and the full-data fit (k, p, t), and returns the
lower and upper bounds (k, p, t). They are intervals for the coefficients of the ridge
fit at the given alpha (the shrunken coefficients), with alpha held fixed.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from ._linalg import positive_rows, power_of_two_scale, psd_pinv, rank_cutoff

CI_METHODS = ("percentile", "basic", "normal", "bca")

_ND = NormalDist()


def percentile(c: np.ndarray, tail: float) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles tail and 1 - tail of the replicates."""
    lo, hi = np.quantile(c, [tail, 1 - tail], axis=0)
    return lo, hi


def basic(c: np.ndarray, full: np.ndarray, tail: float) -> tuple[np.ndarray, np.ndarray]:
    """2 w_full minus the replicates' quantiles (the reflected, "basic" interval)."""
    qlo, qhi = np.quantile(c, [tail, 1 - tail], axis=0)
    return 2 * full - qhi, 2 * full - qlo


def normal(
    full: np.ndarray, mean: np.ndarray, std: np.ndarray, tail: float
) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected w_full - (mean - w_full) +- z std."""
    z = _ND.inv_cdf(1 - tail)
    centre = 2 * full - mean
    return centre - z * std, centre + z * std


def bca(
    c: np.ndarray, full: np.ndarray, tail: float, acceleration: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected and accelerated percentile interval (Efron 1987).

    Parameters
    ----------
    c : ndarray of shape (B, k, p, t)
    full : ndarray of shape (k, p, t)
    tail : float
    acceleration : ndarray of shape (k, p, t)
        See :func:`jackknife_acceleration`.
    """
    B = c.shape[0]
    below = (c < full[None]).sum(axis=0) + 0.5 * (c == full[None]).sum(axis=0)
    prop = np.clip(below / B, 1 / (2 * B), 1 - 1 / (2 * B))
    z0 = np.vectorize(_ND.inv_cdf)(prop)
    cdf = np.vectorize(_ND.cdf)
    srt = np.sort(c, axis=0)
    out = []
    for q in (tail, 1 - tail):
        zq = _ND.inv_cdf(q)
        with np.errstate(divide="ignore", invalid="ignore"):
            lev = cdf(z0 + (z0 + zq) / (1 - acceleration * (z0 + zq)))
        lev = np.where(np.isfinite(lev), lev, q)  # undefined correction: percentile level
        pos = np.clip(lev * (B - 1), 0, B - 1)
        i0 = np.floor(pos).astype(int)
        i1 = np.minimum(i0 + 1, B - 1)
        frac = pos - i0
        v0 = np.take_along_axis(srt, i0[None], axis=0)[0]
        v1 = np.take_along_axis(srt, i1[None], axis=0)[0]
        out.append(v0 + frac * (v1 - v0))
    return out[0], out[1]


def jackknife_acceleration(
    X: np.ndarray,
    Y: np.ndarray,
    weight: np.ndarray | None,
    alphas: np.ndarray,
    fit_intercept: bool,
) -> np.ndarray:
    """Jackknife acceleration a = sum d^3 / (6 (sum d^2)^1.5) per alpha and coefficient.

    d = mean - w_(i), with the exact leave-one-out fits w_(i) from Sherman-Morrison on
    the augmented system A = [1, X]^T V [1, X] + diag(0, alpha I): no n refits. Rows of
    weight 0 are not in the fit and are not left out. X, Y and the weights are scaled by
    powers of two (alpha with them) so that A cannot overflow or underflow: exact, and the
    acceleration does not depend on the scale.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    Y : ndarray of shape (n, t)
    weight : ndarray of shape (n,) or None
    alphas : ndarray of shape (k,)
    fit_intercept : bool

    Returns
    -------
    ndarray of shape (k, p, t)
    """
    keep, v = positive_rows(weight, len(X))
    X, Y = X[keep].astype(np.float64), Y[keep].astype(np.float64)
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):  # check_finite=False: no value
        return np.full((len(alphas), X.shape[1], Y.shape[1]), np.nan)
    # powers of two (exact) against overflow: v and alpha alike, X (alpha by its square)
    # and Y; the acceleration is scale-free
    sx, sy, sv = power_of_two_scale(X), power_of_two_scale(Y), 2.0 ** -np.floor(np.log2(v.max()))
    v, X, Y = v * sv, X * sx, Y * sy
    scale = sv * sx * sx
    m, p = X.shape
    Xa = np.hstack([np.ones((m, 1)), X]) if fit_intercept else X
    off = 1 if fit_intercept else 0
    acc = np.zeros((len(alphas), p, Y.shape[1]))
    for a_idx, alpha in enumerate(np.asarray(alphas, dtype=np.float64) * scale):
        A = Xa.T @ (v[:, None] * Xa)
        A[np.arange(off, Xa.shape[1]), np.arange(off, Xa.shape[1])] += alpha
        Ainv = psd_pinv(A, m, Xa.shape[1])
        theta = Ainv @ (Xa.T @ (v[:, None] * Y))  # (q, t)
        resid = Y - Xa @ theta  # (m, t)
        AX = Xa @ Ainv  # (m, q): row i = (A^-1 x_i)^T
        lev = np.einsum("iq,iq->i", AX, Xa) * v
        # a row with leverage 1 (to the rank cutoff) determines its own fit: no jackknife value
        room = 1 - lev
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(room > rank_cutoff(m, Xa.shape[1]), v / room, 0.0)
        # theta_(i) = theta - A^-1 x_i v_i e_i / (1 - v_i h_i); keep the feature rows
        delta = AX[:, off:, None] * (factor[:, None] * resid)[:, None, :]  # (m, p, t)
        jack = theta[off:][None] - delta
        dev = jack.mean(axis=0)[None] - jack
        # the acceleration is scale-free: scale first so that cubes cannot overflow
        top = np.max(np.abs(dev), axis=0)
        dev = dev / np.where(top > 0, top, 1.0)[None]
        num = (dev**3).sum(axis=0)
        den = 6 * (dev**2).sum(axis=0) ** 1.5
        acc[a_idx] = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return acc


def sandwich_covariance(
    X: np.ndarray,
    Y: np.ndarray,
    weight: np.ndarray | None,
    coef: np.ndarray,
    intercept: np.ndarray,
    alphas: np.ndarray,
    fit_intercept: bool,
) -> np.ndarray:
    """HC0 sandwich covariance of the full-data ridge weights, per alpha and target.

    (Xc^T V Xc + alpha I)^-1 Xc^T V Omega V Xc (Xc^T V Xc + alpha I)^-1 with Omega =
    diag(e_i^2) from the full fit's residuals, Xc centred by the weighted means.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    Y : ndarray of shape (n, t)
    weight : ndarray of shape (n,) or None
    coef : ndarray of shape (k, p, t)
    intercept : ndarray of shape (k, t)
    alphas : ndarray of shape (k,)
    fit_intercept : bool

    Returns
    -------
    ndarray of shape (k, t, p, p)
    """
    keep, v = positive_rows(weight, len(X))
    X, Y = X[keep].astype(np.float64), Y[keep].astype(np.float64)
    # powers of two (exact) against overflow: the covariance scales by (sy / sx)^2
    sx, sy = power_of_two_scale(X), power_of_two_scale(Y)
    X, Y, coef, intercept = X * sx, Y * sy, coef * (sy / sx), intercept * sy
    alphas = np.asarray(alphas, dtype=np.float64) * sx * sx
    Xc = X - v @ X / v.sum() if fit_intercept else X
    m, p = X.shape
    out = np.empty((len(alphas), Y.shape[1], p, p))
    for a_idx, alpha in enumerate(np.asarray(alphas, dtype=np.float64)):
        Ainv = psd_pinv(Xc.T @ (v[:, None] * Xc) + alpha * np.eye(p), m, p)
        resid = Y - (X @ coef[a_idx].astype(np.float64) + intercept[a_idx].astype(np.float64))
        for u in range(Y.shape[1]):
            meat = (Xc * ((v * resid[:, u]) ** 2)[:, None]).T @ Xc
            out[a_idx, u] = Ainv @ meat @ Ainv
    return out * (sx / sy) ** 2
