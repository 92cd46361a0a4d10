"""The truth the bootstrap estimates: bias, variance and error of the ridge weights.

On data simulated from a known model ``y = X w + noise`` (noise of mean 0 and standard
deviation ``noise_sd``, independent across rows) the ridge weights ŵ_α of a training set
are a random vector. Across training sets drawn afresh:

- squared bias ``bias2 = ||E ŵ_α - w||^2``,
- total variance ``variance = tr Cov ŵ_α = sum_j Var(ŵ_αj)``,
- mean squared error ``mse = E ||ŵ_α - w||^2 = bias2 + variance``.

:func:`ridge_truth` computes them in closed form for a fixed design (X held at the
training rows, fresh noise): with ``A_α = (Xc' V Xc + α I)^+ Xc' V`` (Xc centred by the
weighted means, V the row weights) the fit is ``ŵ_α = A_α y``, so ``E ŵ_α = A_α X w``
and ``Cov ŵ_α = A_α diag(noise_sd^2) A_α'``. :func:`simulate_ridge_truth` estimates the
same by refitting R fresh noise vectors on the fixed X (one multi-target fit through
the core), and :func:`simulate_random_design_truth` draws a fresh X as well for each
training set. Both report Monte-Carlo standard errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

import numpy as np

from ._ridge import ridge_path

__all__ = [
    "RidgeTruth",
    "SimulatedTruth",
    "ridge_truth",
    "simulate_random_design_truth",
    "simulate_ridge_truth",
]

NoiseSD = Union[float, np.ndarray]
#: at most this many noise vectors (x rows) are fitted in one multi-target call
_CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class RidgeTruth:
    """Bias, variance and error of the ridge weights over fresh noise, X fixed (closed form).

    Attributes
    ----------
    alphas : ndarray of shape (k,)
    mean : ndarray of shape (k, p)
        E ŵ_α, the shrunken target the ridge fit estimates.
    cov : ndarray of shape (k, p, p)
        Cov ŵ_α.
    bias2 : ndarray of shape (k,)
        Squared bias ||E ŵ_α - w||^2.
    variance : ndarray of shape (k,)
        Total variance tr Cov ŵ_α.
    mse : ndarray of shape (k,)
        Mean squared error of the weights E ||ŵ_α - w||^2 = bias2 + variance.
    """

    alphas: np.ndarray
    mean: np.ndarray
    cov: np.ndarray
    bias2: np.ndarray
    variance: np.ndarray
    mse: np.ndarray


@dataclass(frozen=True)
class SimulatedTruth:
    """Bias, variance and error of the ridge weights estimated from R simulated training sets.

    The three estimates are unbiased and add up exactly: ``bias2 = ||mean - w||^2 -
    variance / R`` (the plain squared distance of the mean would carry variance / R of
    Monte-Carlo noise, so this may be slightly negative where the true squared bias is
    0), ``variance`` uses ddof=1, and ``mse = mean_r ||ŵ_r - w||^2 = bias2 + variance``.

    Attributes
    ----------
    alphas : ndarray of shape (k,)
    mean : ndarray of shape (k, p)
        Average of the R fits, estimating E ŵ_α.
    bias2, variance, mse : ndarray of shape (k,)
        Estimates of the squared bias, the total variance and the mean squared error.
    bias2_se, variance_se, mse_se : ndarray of shape (k,)
        Their Monte-Carlo standard errors (delta method from the R fits).
    n_sets : int
        R, the number of simulated training sets.
    """

    alphas: np.ndarray
    mean: np.ndarray
    bias2: np.ndarray
    variance: np.ndarray
    mse: np.ndarray
    bias2_se: np.ndarray
    variance_se: np.ndarray
    mse_se: np.ndarray
    n_sets: int


def _weights(sample_weight: Any, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    v = np.asarray(sample_weight, dtype=np.float64)
    if v.shape != (n,) or not np.isfinite(v).all() or (v < 0).any() or not (v > 0).any():
        raise ValueError(f"sample_weight must be {n} finite non-negative numbers, not all 0")
    return v


def _problem(
    X: Any, true_coef: Any, noise_sd: Any, alphas: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validate X (n, p), w (p,), the noise SDs (n,) and alphas (k,), as float64."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or 0 in X.shape or not np.isfinite(X).all():
        raise ValueError(f"X must be a finite 2-D array with rows and columns, got {X.shape}")
    n, p = X.shape
    w = np.asarray(true_coef, dtype=np.float64)
    if w.shape != (p,) or not np.isfinite(w).all():
        raise ValueError(f"true_coef must be {p} finite numbers, got shape {w.shape}")
    sd = np.asarray(noise_sd, dtype=np.float64)
    if sd.shape not in ((), (n,)) or not np.isfinite(sd).all() or (sd < 0).any():
        raise ValueError(f"noise_sd must be a non-negative number or {n} of them")
    a = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    if a.ndim != 1 or a.size == 0 or not np.isfinite(a).all() or (a < 0).any():
        raise ValueError("alphas must be a non-empty 1-D array of finite penalties >= 0")
    return X, w, np.broadcast_to(sd, (n,)).copy(), a


def ridge_truth(
    X: Any,
    true_coef: Any,
    noise_sd: Any,
    alphas: Any,
    *,
    fit_intercept: bool = True,
    sample_weight: Any = None,
) -> RidgeTruth:
    """Squared bias, total variance and MSE of the ridge weights in closed form, X fixed.

    The model is ``y = b + X w + noise`` with independent noise of mean 0 and standard
    deviation ``noise_sd`` (the intercept b is any constant when ``fit_intercept``, else
    0); the fit is :func:`ridgeboot.ridge` with the same ``alphas``, ``fit_intercept``
    and ``sample_weight``. At alpha = 0 the fit is the minimum-norm least-squares
    solution (singular values of the weighted, centred X at or below ``eps * max(m, p)``
    times the largest count as zero, m rows of positive weight), so where that design
    is rank-deficient the bias is the part of w outside its row space.

    Parameters
    ----------
    X : array_like of shape (n, p)
        The fixed design.
    true_coef : array_like of shape (p,)
        The true weights w.
    noise_sd : float or array_like of shape (n,)
        Standard deviation of the noise, one for all rows or one per row.
    alphas : float or array_like of shape (k,)
        Non-negative penalties.
    fit_intercept : bool, default=True
    sample_weight : array_like of shape (n,), optional
        Row weights of the fit (not of the noise).

    Returns
    -------
    RidgeTruth
        ``mean`` (k, p), ``cov`` (k, p, p), ``bias2``, ``variance``, ``mse`` (k,).
    """
    X, w, sd, a = _problem(X, true_coef, noise_sd, alphas)
    n, p = X.shape
    v = _weights(sample_weight, n)
    Xc = X - (v @ X) / v.sum() if fit_intercept else X
    root = np.sqrt(v)
    U, s, Vt = np.linalg.svd(root[:, None] * Xc, full_matrices=False)
    m = int(np.count_nonzero(v > 0))
    keep = s > np.finfo(np.float64).eps * max(m, p) * (s[0] if s.size else 0.0)
    U, s, Vt = U[:, keep], s[keep], Vt[keep]
    # noise covariance seen by the fit, in the left singular basis: U' diag(v sd^2) U
    M = (U * (v * sd**2)[:, None]).T @ U
    s2 = s**2
    mean = np.empty((a.size, p))
    cov = np.empty((a.size, p, p))
    for i, alpha in enumerate(a):
        shrink = s2 / (s2 + alpha)  # E ŵ = V diag(s^2 / (s^2 + a)) V' w
        mean[i] = Vt.T @ (shrink * (Vt @ w))
        d = s / (s2 + alpha)  # A = V diag(s / (s^2 + a)) U' diag(sqrt v)
        inner = d[:, None] * M * d[None, :]
        cov[i] = Vt.T @ inner @ Vt
    bias2 = ((mean - w) ** 2).sum(axis=1)
    variance = np.trace(cov, axis1=1, axis2=2)
    return RidgeTruth(a, mean, cov, bias2, variance, bias2 + variance)


def summarize_fits(coefs: np.ndarray, true_coef: np.ndarray, alphas: np.ndarray) -> SimulatedTruth:
    """Reduce R fits to unbiased estimates of bias², variance and MSE with their errors.

    Parameters
    ----------
    coefs : ndarray of shape (R, k, p)
        The fits of R independent training sets.
    true_coef : ndarray of shape (p,)
    alphas : ndarray of shape (k,)

    Returns
    -------
    SimulatedTruth
    """
    R = coefs.shape[0]
    if R < 2:
        raise ValueError("at least 2 simulated training sets are needed")
    mean = coefs.mean(axis=0)  # (k, p)
    dev = coefs - mean  # (R, k, p)
    spread2 = (dev**2).sum(axis=2)  # (R, k)
    variance = spread2.sum(axis=0) / (R - 1)
    offset = mean - true_coef
    bias2 = (offset**2).sum(axis=1) - variance / R
    err2 = ((coefs - true_coef) ** 2).sum(axis=2)  # (R, k)
    mse = err2.mean(axis=0)
    # Var(tr S) ~ Var_r(||d_r||^2) / R. Var(bias2) = 4 b'Sb / R + 2 tr(S^2) / R^2 for
    # Gaussian fits (the second term dominates where b = 0); b'Sb is estimated without
    # the tr(S^2) / R that the noise of the mean adds to it
    variance_se = spread2.std(axis=0, ddof=1) / np.sqrt(R)
    proj = np.einsum("rkp,kp->rk", dev, offset)  # (w_r - mean)'b
    cov = np.einsum("rkp,rkq->kpq", dev, dev) / (R - 1)
    trace_s2 = (cov**2).sum(axis=(1, 2))
    bsb = np.maximum((proj**2).sum(axis=0) / (R - 1) - trace_s2 / R, 0.0)
    bias2_se = np.sqrt(4 * bsb / R + 2 * trace_s2 / R**2)
    mse_se = err2.std(axis=0, ddof=1) / np.sqrt(R)
    return SimulatedTruth(alphas, mean, bias2, variance, mse, bias2_se, variance_se, mse_se, int(R))


def simulate_ridge_truth(
    X: Any,
    true_coef: Any,
    noise_sd: Any,
    alphas: Any,
    n_sets: int = 2000,
    *,
    seed: int = 0,
    fit_intercept: bool = True,
    sample_weight: Any = None,
    solver: str = "auto",
    n_threads: Optional[int] = None,
) -> SimulatedTruth:
    """Estimate bias², variance and MSE of the ridge weights by refitting fresh noise, X fixed.

    R = ``n_sets`` noise vectors ``noise_sd * N(0, 1)`` make R targets ``y_r = X w +
    noise_r``, fitted in one multi-target :func:`ridgeboot.ridge_path` call (in chunks
    for large R): the simulation counterpart of :func:`ridge_truth`.

    Parameters
    ----------
    X : array_like of shape (n, p)
    true_coef : array_like of shape (p,)
    noise_sd : float or array_like of shape (n,)
    alphas : float or array_like of shape (k,)
    n_sets : int, default=2000
        R, the simulated training sets (>= 2).
    seed : int, default=0
        Seed of the noise (numpy's default generator).
    fit_intercept, sample_weight, solver, n_threads
        As in :func:`ridgeboot.ridge_path`.

    Returns
    -------
    SimulatedTruth
    """
    X, w, sd, a = _problem(X, true_coef, noise_sd, alphas)
    n = X.shape[0]
    if int(n_sets) != n_sets or n_sets < 2:
        raise ValueError(f"n_sets must be an integer >= 2, got {n_sets!r}")
    rng = np.random.default_rng(seed)
    signal = X @ w
    chunk = max(1, _CHUNK_ELEMENTS // n)
    parts = []
    for start in range(0, int(n_sets), chunk):
        r = min(chunk, int(n_sets) - start)
        Y = signal[:, None] + sd[:, None] * rng.standard_normal((n, r))
        fit = ridge_path(
            X,
            Y,
            a,
            solver=solver,
            fit_intercept=fit_intercept,
            sample_weight=sample_weight,
            n_threads=n_threads,
        )
        parts.append(np.moveaxis(np.asarray(fit.coef, dtype=np.float64), 2, 0))  # (r, k, p)
    return summarize_fits(np.concatenate(parts), w, a)


def simulate_random_design_truth(
    draw_design: Callable[[np.random.Generator], np.ndarray],
    true_coef: Any,
    noise_sd: Union[float, Callable[[np.ndarray], np.ndarray]],
    alphas: Any,
    n_sets: int = 2000,
    *,
    seed: int = 0,
    fit_intercept: bool = True,
    solver: str = "auto",
    n_threads: Optional[int] = None,
) -> SimulatedTruth:
    """Estimate bias², variance and MSE of the ridge weights over fresh designs and noise.

    Each of the R = ``n_sets`` training sets draws its own X from ``draw_design`` and
    its own noise, and is fitted by :func:`ridgeboot.ridge_path` over ``alphas``: the
    expectation is over X as well, as when a new training set is sampled from scratch.

    Parameters
    ----------
    draw_design : callable
        ``draw_design(rng) -> X`` of shape (n, p), with ``rng`` a
        :class:`numpy.random.Generator`.
    true_coef : array_like of shape (p,)
    noise_sd : float or callable
        The noise standard deviation, or ``noise_sd(X) -> (n,)`` per row.
    alphas : float or array_like of shape (k,)
    n_sets : int, default=2000
        R (>= 2).
    seed : int, default=0
    fit_intercept, solver, n_threads
        As in :func:`ridgeboot.ridge_path`.

    Returns
    -------
    SimulatedTruth
    """
    if int(n_sets) != n_sets or n_sets < 2:
        raise ValueError(f"n_sets must be an integer >= 2, got {n_sets!r}")
    rng = np.random.default_rng(seed)
    w = np.asarray(true_coef, dtype=np.float64)
    a = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    coefs = np.empty((int(n_sets), a.size, w.size))
    for r in range(int(n_sets)):
        X = np.asarray(draw_design(rng), dtype=np.float64)
        sd = noise_sd(X) if callable(noise_sd) else noise_sd
        X, w, sd_rows, a = _problem(X, w, sd, a)
        y = X @ w + sd_rows * rng.standard_normal(X.shape[0])
        fit = ridge_path(X, y, a, solver=solver, fit_intercept=fit_intercept, n_threads=n_threads)
        coefs[r] = fit.coef
    return summarize_fits(coefs, w, a)
