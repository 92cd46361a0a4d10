"""The numpy mirror of the core's linear-algebra rules, for the Python paths that need them.

Every model is fitted by the C++ core (``cpp/include/ridgeboot/``). Three analyses still
do linear algebra in numpy: the BCa jackknife (:mod:`ridgeboot._intervals`), the sandwich
covariance and the out-of-core solve from sufficient statistics
(:mod:`ridgeboot._out_of_core`). They use these functions, which apply the core's rules:

- **weighted centring**: only rows of positive weight count; with an intercept they are
  centred by their weighted means;
- **rank cutoff** (``rank_cutoff`` in ``shifted_solve.hpp``, exported as
  ``_core.rank_cutoff_float64``): an eigenvalue of a Gram at or below
  ``eps * max(m, p)`` times the largest counts as zero, m rows used, p features;
- **shifted eigen-solve**: ``1 / (lambda + alpha)`` with the cut eigenvalues as 0, and
  0 where ``lambda + alpha`` is at the rounding level (1 / alpha would amplify noise).

``tests/test_linalg.py`` pins these to the core.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import _core

_CUTOFF = {
    np.dtype(np.float64): _core.rank_cutoff_float64,
    np.dtype(np.float32): _core.rank_cutoff_float32,
}


def rank_cutoff(m: int, p: int, dtype: Any = np.float64) -> float:
    """Return the core's relative rank cutoff, eps(dtype) * max(m, p).

    Parameters
    ----------
    m, p : int
        Rows used (positive weight) and features.
    dtype : float32 or float64
        The precision the spectrum was computed in.
    """
    return float(_CUTOFF[np.dtype(dtype)](m, p))


def power_of_two_scale(a: np.ndarray) -> float:
    """Return 2^-e, e the exponent of max|a| (as the core's scaling.hpp); 1 for 0 or non-finite.

    Multiplying by it is exact and brings the largest magnitude into [1, 2): a ridge problem
    scaled so (alpha by the square of X's factor) has exactly scaled solutions.
    """
    top = float(np.max(np.abs(a))) if np.size(a) else 0.0
    if not (top > 0 and np.isfinite(top)):
        return 1.0
    # kept a normal float64 (a subnormal max|a| would otherwise give 2^1024 = inf)
    return float(np.ldexp(1.0, min(max(1 - int(np.frexp(top)[1]), -1022), 1023)))


def positive_rows(v: Optional[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the mask of rows with positive weight and their weights in float64, (n,) and (m,)."""
    w = np.ones(n) if v is None else np.asarray(v, dtype=np.float64)
    keep = w > 0
    return keep, w[keep]


def weighted_mean(A: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Weighted column means of A (m, ...) with weights v (m,), in float64."""
    return np.asarray(v @ A / v.sum())


def weighted_centred(
    X: np.ndarray, Y: np.ndarray, v: Optional[np.ndarray], fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of positive weight, centred by their weighted means when fit_intercept.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    Y : ndarray of shape (n, t)
    v : ndarray of shape (n,) or None (all ones)
    fit_intercept : bool

    Returns
    -------
    Xc : ndarray of shape (m, p), float64
    Yc : ndarray of shape (m, t), float64
    w : ndarray of shape (m,), the weights of those rows
    """
    keep, w = positive_rows(v, len(X))
    Xc, Yc = np.asarray(X[keep], dtype=np.float64), np.asarray(Y[keep], dtype=np.float64)
    if fit_intercept:
        Xc = Xc - weighted_mean(Xc, w)
        Yc = Yc - weighted_mean(Yc, w)
    return Xc, Yc, w


def shift_factors(lam: np.ndarray, alphas: np.ndarray, m: Any, p: int) -> np.ndarray:
    """Filter factors 1 / (lambda + alpha) of the core's eigen route.

    Parameters
    ----------
    lam : ndarray of shape (..., r)
        Eigenvalues of a symmetric positive semi-definite matrix (each row one matrix).
    alphas : ndarray of shape (k,) or (k, t)
    m : int or ndarray of shape (...)
        Rows used (one per matrix).
    p : int
        Features (the rank cutoff).

    Returns
    -------
    ndarray of shape (..., k, r) or (..., k, t, r)
        Zero for eigenvalues at or below the cutoff (counted as 0) where alpha is at
        the rounding level of the spectrum too.
    """
    lam = np.asarray(lam, dtype=np.float64)
    top = np.max(np.abs(lam), axis=-1, keepdims=True)
    # rank_cutoff(m, p) = eps * max(m, p), one m per matrix
    cutoff = rank_cutoff(1, 1) * np.maximum(np.asarray(m, dtype=np.float64), p)[..., None]
    kept = np.where(lam > cutoff * np.maximum(top, 0), lam, 0.0)
    a = np.asarray(alphas, dtype=np.float64)[..., None]  # (k[, t], 1)
    extra = a.ndim - 1
    kept = kept.reshape(kept.shape[:-1] + (1,) * extra + kept.shape[-1:])
    tiny = (np.finfo(np.float64).eps * top).reshape(top.shape[:-1] + (1,) * extra + (1,))
    denom = kept + a
    with np.errstate(divide="ignore", over="ignore"):
        f = np.where(denom > tiny, 1.0 / np.where(denom > tiny, denom, 1.0), 0.0)
    return np.where(np.isfinite(f), f, 0.0)


def psd_pinv(A: np.ndarray, m: int, p: int) -> np.ndarray:
    """Pseudo-inverse of a symmetric positive semi-definite A by the core's rank cutoff.

    Parameters
    ----------
    A : ndarray of shape (..., q, q)
    m, p : int
        Rows used and features (the rank cutoff).

    Returns
    -------
    ndarray of shape (..., q, q)
    """
    lam, V = np.linalg.eigh(np.asarray(A, dtype=np.float64))
    f = shift_factors(lam, np.zeros(1), m, p)[..., 0, :]
    return np.asarray((V * f[..., None, :]) @ np.swapaxes(V, -1, -2))
