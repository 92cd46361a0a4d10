"""Side-by-side benchmark: ridgeboot against what users write today.

Runs, in ONE process and interleaved (the implementations alternate within every
repetition), each workload of the table in ``workloads.py`` (sizes, model flop counts,
performance targets) against what users write today:

    bootstrap  rb.bootstrap, 1 alpha           numpy loop, numpy vectorized, sklearn resample+Ridge
    path       rb.bootstrap, 20 alphas         numpy eigh loop, numpy vectorized, sklearn per alpha
    select     rb.bootstrap(select="gcv")      rb plain path, numpy eigh+GCV loop, sklearn RidgeCV
    targets    rb.bootstrap, 1000 targets      numpy eigh loop, numpy vectorized, sklearn per alpha
    wide       rb.bootstrap, p > n             numpy kernel-form loop, numpy kernel once, sklearn
    small      rb.ridge, one small fit         sklearn Ridge().fit, hand-written numpy
    gram       Gram kernel throughput          numpy DGEMM GFLOP/s (same run)
    threads    rb.bootstrap n_threads=1 vs 2
    tall       rb.ridge, one tall fit          hand-written numpy, sklearn Ridge().fit
    widefit    rb.ridge, one wide fit (dual)   numpy kernel form, sklearn Ridge().fit
    pathfit    rb.ridge_path                   numpy one eigh, sklearn Ridge per alpha
    cv         rb.ridge_cv, alpha per target   sklearn RidgeCV (LOO), himalaya k-fold

Every target (PASS / MISS) and information ratio (INFO) printed is a row of that table; the
default call of each bootstrap workload is reported against both flop floors, the numpy loop,
the numpy expert's vectorized form and scikit-learn.

"numpy vectorized" is the best a numpy user writes: no Python loop over replicates, every
replicate's Gram from one GEMM ``counts (B x n) @ KR`` (KR: the n x p(p+1)/2 products of each
row's entries), the mean correction and one batched solve (or eigh for a grid); for wide data
the kernel XXᵀ once and each replicate's dual solve from its rows of it.

Before timing, every workload checks that the implementations agree (the numpy
loops refit exactly the rows ridgeboot drew, via rb.bootstrap_counts) and stops
with an AssertionError if they do not.

Usage::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/compare.py \
        [--quick] [--workload NAME ...] [--json FILE] [--repeat N] [--settle S] [--wait-idle S]

Notes on the numbers
--------------------
* "eff. GFLOP/s" is the workload's *model* flop count (the same for every
  implementation; see ``flop model`` in the output) divided by the median time,
  so an implementation that does redundant work is not credited for it.
* The Gram XᵀX is symmetric: its model cost is n·p² (what a SYRK does), and a
  multinomial replicate touches only the ≈63.2 % of rows drawn at least once.
* "numpy DGEMM GFLOP/s" is A.T @ B with two *distinct* (n, p) operands, counted
  as 2·n·p² flops.  numpy turns ``X.T @ X`` (same buffer) into a SYRK doing n·p²
  flops; that rate is reported too, counted honestly as n·p².
* The flop floor is the workload's model flop count divided by the numpy DGEMM
  rate measured in this run: a lower bound on the time of any implementation. The
  targets are stated against the floor at the 4000 x 400 DGEMM rate (the gate); the floor
  at the best DGEMM rate over the GEMM shapes the run's workloads imply (each timed
  before the workloads and printed; ``Workload.gemm_shapes``) is the physical limit and
  is reported for every bootstrap workload too.
* OpenBLAS worker threads busy-wait for ~0.1 s after each BLAS call and would
  steal a core from whatever runs next, so every timed call is preceded by a
  pause (``--settle``, default 0.15 s) that is not timed.
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import json
import os
import platform
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.utils import resample
from threadpoolctl import threadpool_info, threadpool_limits
from workloads import NAMES, NOOOB, WORKLOADS, Ratio, Sizes, Workload, kr_rows, xcy_batch

try:  # the library may not be built yet: the baselines still run on their own
    import ridgeboot as rb

    RB_IMPORT_ERROR: str | None = None
except Exception as exc:  # noqa: BLE001 - report any import failure, keep going
    rb = None
    RB_IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

OPENBLAS_VARS = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)


# agreement tolerances (float64 throughout)
RTOL = 1e-6
ATOL_REL = 1e-8  # absolute tolerance, relative to the largest |reference| entry


# --------------------------------------------------------------------------- data
def make_data(n: int, p: int, t: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Correlated features with non-zero means, a linear signal plus noise, an offset."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X += 0.5 * rng.standard_normal((n, 1))  # a common factor correlates the features
    X += rng.normal(0.0, 2.0, size=p)  # non-zero column means: the intercept matters
    shape = (p,) if t is None else (p, t)
    w = rng.standard_normal(shape) / np.sqrt(p)
    noise = rng.standard_normal(n if t is None else (n, t))
    y = X @ w + 3.0 + noise
    return X, y


def counts_for(n: int, n_boot: int, seed: int) -> np.ndarray:
    """The (B, n) row counts ridgeboot uses; a numpy stand-in when ridgeboot is absent."""
    if rb is not None:
        return np.asarray(rb.bootstrap_counts(n, n_boot, seed=seed))
    rng = np.random.default_rng(seed)
    return np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(n_boot)])


RowSource = Callable[[int], np.ndarray]


def rows_from_counts(counts: np.ndarray) -> RowSource:
    """Row indices of replicate b: row i repeated counts[b, i] times."""
    ar = np.arange(counts.shape[1])
    return lambda b: np.repeat(ar, counts[b])


def rows_random(n: int, seed: int) -> RowSource:
    """What users write: ``rng.integers(0, n, n)`` per replicate."""
    rng = np.random.default_rng(seed)
    return lambda b: rng.integers(0, n, n)


def counts_random(n: int, n_boot: int, seed: int) -> np.ndarray:
    """What a numpy expert writes: every replicate's (B, n) row counts from one draw."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, (n_boot, n)) + n * np.arange(n_boot)[:, None]
    return np.bincount(idx.ravel(), minlength=n_boot * n).reshape(n_boot, n)


# ------------------------------------------------------------------ numpy baselines
def numpy_bootstrap(
    X: np.ndarray, y: np.ndarray, alpha: float, n_boot: int, rows: RowSource
) -> tuple[np.ndarray, np.ndarray]:
    """The classic loop: X[idx], centre, ``np.linalg.solve(Xb.T@Xb + a*I, Xb.T@yb)``."""
    p = X.shape[1]
    eye = np.eye(p)
    coefs = np.empty((n_boot, p))
    intercepts = np.empty(n_boot)
    for b in range(n_boot):
        idx = rows(b)
        Xb = X[idx]
        yb = y[idx]
        xm = Xb.mean(axis=0)
        ym = yb.mean()
        Xb -= xm
        yb = yb - ym
        w = np.linalg.solve(Xb.T @ Xb + alpha * eye, Xb.T @ yb)
        coefs[b] = w
        intercepts[b] = ym - xm @ w
    return coefs, intercepts


def numpy_bootstrap_eigh(
    X: np.ndarray, y: np.ndarray, alphas: np.ndarray, n_boot: int, rows: RowSource
) -> tuple[np.ndarray, np.ndarray]:
    """One ``np.linalg.eigh`` of the Gram per replicate, then every alpha in O(p²·t).

    y may be (n,) or (n, t); returns coefs (B, k, p[, t]) and intercepts (B, k[, t]).
    """
    p = X.shape[1]
    tail = y.shape[1:]
    alphas = np.asarray(alphas, dtype=float)
    coefs = np.empty((n_boot, alphas.size, p, *tail))
    intercepts = np.empty((n_boot, alphas.size, *tail))
    for b in range(n_boot):
        idx = rows(b)
        Xb = X[idx]
        yb = y[idx]
        xm = Xb.mean(axis=0)
        ym = yb.mean(axis=0)
        Xb -= xm
        yb = yb - ym
        evals, V = np.linalg.eigh(Xb.T @ Xb)
        z = V.T @ (Xb.T @ yb)  # (p,) or (p, t)
        if y.ndim == 1:
            w = (V @ (z[:, None] / (evals[:, None] + alphas[None, :]))).T  # (k, p)
            coefs[b] = w
            intercepts[b] = ym - w @ xm
        else:
            for k, a in enumerate(alphas):
                w = V @ (z / (evals + a)[:, None])  # (p, t)
                coefs[b, k] = w
                intercepts[b, k] = ym - xm @ w
    return coefs, intercepts


def numpy_bootstrap_select(
    X: np.ndarray, y: np.ndarray, alphas: np.ndarray, n_boot: int, rows: RowSource
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Alpha re-chosen per replicate by GCV: one ``np.linalg.eigh`` per replicate.

    Replicate b is the problem weighted by its row counts (as rb.bootstrap's select=):
    GCV(alpha) = RSS / sum(v) / (1 - tr H / m)² with m the distinct rows drawn, the
    smallest score winning (ties to the larger alpha). Returns the chosen alphas (B,),
    coefs (B, p) and intercepts (B,) at them.
    """
    n, p = X.shape
    alphas = np.asarray(alphas, dtype=float)
    chosen, coefs, intercepts = np.empty(n_boot), np.empty((n_boot, p)), np.empty(n_boot)
    for b in range(n_boot):
        v = np.bincount(rows(b), minlength=n).astype(float)
        keep = v > 0
        Xb, yb, v = X[keep], y[keep], v[keep]
        sv, root = v.sum(), np.sqrt(v)
        xm, ym = v @ Xb / sv, v @ yb / sv
        Z = (Xb - xm) * root[:, None]
        yz = (yb - ym) * root
        evals, V = np.linalg.eigh(Z.T @ Z)
        z = V.T @ (Z.T @ yz)
        shrink = evals[:, None] + alphas[None, :]  # (p, k)
        rss = yz @ yz - (z[:, None] ** 2 * (evals[:, None] + 2 * alphas) / shrink**2).sum(axis=0)
        room = 1 - (1 + (evals[:, None] / shrink).sum(axis=0)) / keep.sum()
        gcv = rss / sv / room**2
        best = alphas.size - 1 - int(np.argmin(gcv[::-1]))
        chosen[b] = alphas[best]
        coefs[b] = V @ (z / shrink[:, best])
        intercepts[b] = ym - xm @ coefs[b]
    return chosen, coefs, intercepts


def sklearn_bootstrap_select(
    X: np.ndarray, y: np.ndarray, alphas: np.ndarray, n_boot: int, seed: int
) -> np.ndarray:
    """``resample`` + ``RidgeCV(alphas).fit`` per replicate (its exact LOO: no GCV option)."""
    return np.array(
        [
            RidgeCV(alphas=alphas).fit(*resample(X, y, random_state=seed + b)).alpha_
            for b in range(n_boot)
        ]
    )


def numpy_bootstrap_kernel(
    X: np.ndarray, y: np.ndarray, alpha: float, n_boot: int, rows: RowSource
) -> tuple[np.ndarray, np.ndarray]:
    """Wide data (p > n): dual form, solve (K + a*I) d = y with K = Xb Xbᵀ (n x n)."""
    n, p = X.shape
    eye = np.eye(n)
    coefs = np.empty((n_boot, p))
    intercepts = np.empty(n_boot)
    for b in range(n_boot):
        idx = rows(b)
        Xb = X[idx]
        yb = y[idx]
        xm = Xb.mean(axis=0)
        ym = yb.mean()
        Xb -= xm
        yb = yb - ym
        dual = np.linalg.solve(Xb @ Xb.T + alpha * eye[: len(idx), : len(idx)], yb)
        w = Xb.T @ dual
        coefs[b] = w
        intercepts[b] = ym - xm @ w
    return coefs, intercepts


def numpy_bootstrap_vec(
    X: np.ndarray, y: np.ndarray, alphas: Any, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every replicate at once, as a numpy expert writes it (no Python loop over replicates).

    All replicates' Grams are one GEMM ``counts (B x n) @ KR``, KR (n x p(p+1)/2) holding each
    row's products x_ij·x_ik (built in row blocks of ``workloads.KR_BYTES``), then the mean
    correction ``- S_b S_bᵀ / N_b`` and a scatter into (B, p, p); XᵀC_b y likewise (for a
    matrix Y: ``[XᵀC_b]`` of a batch of replicates stacked as one GEMM with Y); then one
    batched ``np.linalg.solve`` (one alpha) or ``np.linalg.eigh`` (a grid). X and y are
    centred once about their means first, so that the correction cancels little.
    Returns coefs (B[, k], p[, t]) and intercepts (B[, k][, t]) as rb.bootstrap lays them out.
    """
    n, p = X.shape
    B = counts.shape[0]
    xbar, ybar = X.mean(axis=0), y.mean(axis=0)
    X0, y0 = X - xbar, y - ybar
    c = counts.astype(float)
    N = c.sum(axis=1)
    iu0, iu1 = np.triu_indices(p)
    G = np.zeros((B, iu0.size))
    r = kr_rows(n, p)
    for s in range(0, n, r):
        Xs = X0[s : s + r]
        G += c[:, s : s + r] @ (Xs[:, iu0] * Xs[:, iu1])
    S = c @ X0  # (B, p) weighted column sums
    xm = S / N[:, None]
    G -= S[:, iu0] * xm[:, iu1]
    A = np.empty((B, p, p))
    A[:, iu0, iu1] = G
    A[:, iu1, iu0] = G
    if y.ndim == 1:
        ym = (c @ y0) / N
        R = (c * y0) @ X0 - S * ym[:, None]  # (B, p)
    else:
        t = y.shape[1]
        ym = (c @ y0) / N[:, None]  # (B, t)
        R = np.empty((B, p, t))
        bc = xcy_batch(n, p, B)
        for b0 in range(0, B, bc):
            W = c[b0 : b0 + bc, None, :] * X0.T[None]  # (bc, p, n): XᵀC_b stacked
            R[b0 : b0 + bc] = (W.reshape(-1, n) @ y0).reshape(-1, p, t)
        R -= S[:, :, None] * ym[:, None, :]
    if np.ndim(alphas) == 0:
        A[:, np.arange(p), np.arange(p)] += alphas
        rhs = R[..., None] if y.ndim == 1 else R
        w = np.linalg.solve(A, rhs)
        w = w[..., 0] if y.ndim == 1 else w
        icpt = ybar + ym - np.einsum("bp,bp...->b...", xm + xbar, w)
        return w, icpt
    alphas = np.asarray(alphas, dtype=float)
    evals, V = np.linalg.eigh(A)
    if y.ndim == 1:
        z = np.einsum("bji,bj->bi", V, R)  # Vᵀ r
        w = np.einsum("bij,bjk->bki", V, z[:, :, None] / (evals[:, :, None] + alphas))
        return w, ybar + ym[:, None] - np.einsum("bkp,bp->bk", w, xm + xbar)
    z = np.swapaxes(V, 1, 2) @ R  # (B, p, t)
    coefs = np.empty((B, alphas.size, p, y.shape[1]))
    for k, a in enumerate(alphas):
        coefs[:, k] = V @ (z / (evals + a)[:, :, None])
    icpt = ybar + ym[:, None, :] - np.einsum("bp,bkpt->bkt", xm + xbar, coefs)
    return coefs, icpt


def numpy_bootstrap_kernel_vec(
    X: np.ndarray, y: np.ndarray, alpha: float, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Wide data as a numpy expert writes it: the kernel XXᵀ once, each replicate from it.

    Per replicate (its m distinct rows u, counts c): the weighted-centred kernel from
    K[u, u], the dual solve ``(D K̃ D + a I) v = D ỹ`` with D = diag(sqrt(c)), and
    ``w = X̃ᵀ D v`` as one product of X with two n-vectors. O(m³/3 + n·p) per replicate
    after the n²·p kernel.
    """
    n, p = X.shape
    B = counts.shape[0]
    xbar, ybar = X.mean(axis=0), y.mean()
    X0, y0 = X - xbar, y - ybar
    K = X0 @ X0.T  # one SYRK for every replicate
    V = np.zeros((n, 2 * B))  # per replicate: D v scattered to all rows, and the counts
    ym = np.empty(B)
    for b in range(B):
        u = np.flatnonzero(counts[b])
        cu = counts[b, u].astype(float)
        N = cu.sum()
        Kuu = K[np.ix_(u, u)]
        kc = Kuu @ cu / N  # x̃_i · mean, about the global mean
        Kt = Kuu - kc[:, None] - kc[None, :] + (cu @ kc) / N
        d = np.sqrt(cu)
        M = d[:, None] * Kt * d[None, :]
        M[np.diag_indices_from(M)] += alpha
        ym[b] = cu @ y0[u] / N
        v = d * np.linalg.solve(M, d * (y0[u] - ym[b]))
        V[u, 2 * b] = v
        V[u, 2 * b + 1] = cu / N
    XV = X0.T @ V  # (p, 2B): Xᵀ(D v) and the replicate means
    xm = XV[:, 1::2].T  # (B, p)
    coefs = XV[:, 0::2].T - xm * V[:, 0::2].sum(axis=0)[:, None]
    return coefs, ybar + ym - np.einsum("bp,bp->b", xm + xbar, coefs)


def numpy_ridge(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    """Hand-written closed form for one fit with intercept."""
    xm = X.mean(axis=0)
    ym = y.mean()
    Xc = X - xm
    w = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ (y - ym))
    return w, float(ym - xm @ w)


def numpy_ridge_kernel(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    """Hand-written closed form in kernel (dual) form, for p > n: w = Xcᵀ(XcXcᵀ + a·I)⁻¹yc."""
    xm = X.mean(axis=0)
    ym = y.mean()
    Xc = X - xm
    K = Xc @ Xc.T  # numpy sees one buffer: a SYRK, n²·p flops
    K[np.diag_indices_from(K)] += alpha
    w = Xc.T @ np.linalg.solve(K, y - ym)
    return w, float(ym - xm @ w)


def numpy_ridge_path(
    X: np.ndarray, y: np.ndarray, alphas: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One ``np.linalg.eigh`` of the centred Gram serves every alpha: coefs (k, p), intercepts."""
    xm = X.mean(axis=0)
    ym = y.mean()
    Xc = X - xm
    evals, V = np.linalg.eigh(Xc.T @ Xc)
    z = V.T @ (Xc.T @ (y - ym))
    w = (V @ (z[:, None] / (evals[:, None] + np.asarray(alphas)[None, :]))).T  # (k, p)
    return w, ym - w @ xm


def numpy_gcv(X: np.ndarray, Y: np.ndarray, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCV scores (k, t) with intercept from one thin SVD, in O(p·t) per alpha.

    GCV(a) = (RSS/n) / (1 - dof/n)², dof = 1 + Σ s²/(s² + a); the residual sum of
    squares needs no n x t residual matrix: RSS = ‖Yc - UUᵀYc‖² + Σ_j (a/(s_j² + a))² (UᵀYc)_j².
    Returns the scores and the chosen alpha per target (ties to the larger alpha).
    """
    n = X.shape[0]
    Xc = X - X.mean(axis=0)
    Yc = Y - Y.mean(axis=0)
    U, s, _ = np.linalg.svd(Xc, full_matrices=False)
    keep = s > np.finfo(float).eps * max(X.shape) * s[0]
    U, s = U[:, keep], s[keep]
    UtY = U.T @ Yc
    base = (Yc**2).sum(axis=0) - (UtY**2).sum(axis=0)  # ‖(I - UUᵀ)Yc‖² per target
    s2 = s[:, None] ** 2
    alphas = np.asarray(alphas, dtype=float)
    shrink = alphas[None, :] / (s2 + alphas[None, :])  # (r, k)
    rss = base[None, :] + (shrink**2).T @ UtY**2  # (k, t)
    dof = 1.0 + (1.0 - shrink).sum(axis=0)  # (k,)
    scores = rss / n / (1.0 - dof / n)[:, None] ** 2
    best = scores.shape[0] - 1 - np.argmin(scores[::-1], axis=0)
    return scores, alphas[best]


# ---------------------------------------------------------------- sklearn baselines
def sklearn_bootstrap(
    X: np.ndarray,
    y: np.ndarray,
    alpha: float,
    n_boot: int,
    seed: int,
    rows: RowSource | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``sklearn.utils.resample`` + ``Ridge(alpha).fit`` per replicate."""
    coefs = np.empty((n_boot, X.shape[1]))
    intercepts = np.empty(n_boot)
    for b in range(n_boot):
        if rows is None:
            Xb, yb = resample(X, y, random_state=seed + b)
        else:
            idx = rows(b)
            Xb, yb = X[idx], y[idx]
        m = Ridge(alpha=alpha).fit(Xb, yb)
        coefs[b] = m.coef_
        intercepts[b] = m.intercept_
    return coefs, intercepts


def sklearn_path(
    X: np.ndarray,
    y: np.ndarray,
    alphas: np.ndarray,
    n_boot: int,
    seed: int,
    rows: RowSource | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``Ridge(alpha=a).fit`` for every alpha of every replicate."""
    tail = y.shape[1:]
    coefs = np.empty((n_boot, len(alphas), X.shape[1], *tail))
    intercepts = np.empty((n_boot, len(alphas), *tail))
    for b in range(n_boot):
        if rows is None:
            Xb, yb = resample(X, y, random_state=seed + b)
        else:
            idx = rows(b)
            Xb, yb = X[idx], y[idx]
        for k, a in enumerate(alphas):
            m = Ridge(alpha=float(a)).fit(Xb, yb)
            coefs[b, k] = m.coef_.T
            intercepts[b, k] = m.intercept_
    return coefs, intercepts


def sklearn_ridge_path(
    X: np.ndarray, y: np.ndarray, alphas: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``Ridge(alpha=a).fit`` on all rows for every alpha of a path."""
    fits = [Ridge(alpha=float(a)).fit(X, y) for a in alphas]
    return np.array([m.coef_ for m in fits]), np.array([m.intercept_ for m in fits])


def sklearn_ridgecv(X: np.ndarray, Y: np.ndarray, alphas: np.ndarray) -> Any:
    """``RidgeCV(alphas, alpha_per_target=True).fit``: its default efficient exact LOO."""
    return RidgeCV(alphas=alphas, alpha_per_target=True).fit(X, Y)


def himalaya_ridge_cv() -> Callable[..., Any] | None:
    """``himalaya.ridge.solve_ridge_cv_svd`` when himalaya is importable (imported lazily)."""
    try:
        from himalaya.ridge import solve_ridge_cv_svd
    except ImportError:  # optional baseline
        return None
    return solve_ridge_cv_svd  # type: ignore[no-any-return]


def himalaya_cv(X: np.ndarray, Y: np.ndarray, alphas: np.ndarray, folds: int) -> Any:
    """k-fold (contiguous KFold) per-target alpha with himalaya's numpy backend.

    Returns (best_alphas (t,), coefs (p, t), cv_scores (t,) = -mean fold MSE, intercept (t,)).
    """
    solve = himalaya_ridge_cv()
    if solve is None:
        raise ImportError("himalaya is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve(X, Y, alphas=alphas, fit_intercept=True, cv=folds, local_alpha=True)


# ----------------------------------------------------------------------- agreement
def agree(name: str, got: Any, ref: Any) -> str:
    """Assert got ≈ ref (rtol RTOL, atol ATOL_REL·max|ref|); return a one-line summary."""
    got = np.asarray(got, dtype=float)
    ref = np.asarray(ref, dtype=float)
    assert got.shape == ref.shape, f"{name}: shape {got.shape} != reference {ref.shape}"
    scale = float(np.max(np.abs(ref))) if ref.size else 1.0
    diff = float(np.max(np.abs(got - ref))) if ref.size else 0.0
    np.testing.assert_allclose(
        got, ref, rtol=RTOL, atol=ATOL_REL * scale, err_msg=f"{name} disagrees"
    )
    return f"{name}: max|diff| {diff:.1e} (max|ref| {scale:.2g})"


# ------------------------------------------------------------------------- timing
@dataclass
class Impl:
    """One implementation of a workload, timed as ``fn()`` then scaled."""

    key: str
    label: str
    fn: Callable[[], object]
    flops: float  # model flops of what one *scaled* measurement represents
    replicates: int  # replicates (or fits) one scaled measurement represents
    scale: float = 1.0  # measured time x scale = time for the whole workload (extrapolation)
    inner: int = 1  # fn() does `inner` units; times are per unit
    is_rb: bool = False
    note: str = ""
    max_runs: int | None = None  # time at most this many repetitions (very slow baselines)
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


@dataclass
class Run:
    """One workload as this script runs it: its row of the table, the sizes, what is timed."""

    name: str
    sizes: Sizes
    title: str
    impls: list[Impl] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ref: str | None = None  # key of the ridgeboot row the "vs rb" column divides by
    sizes_json: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> Workload:
        return WORKLOADS[self.name]

    @property
    def flops(self) -> float:
        """The workload's model flop count at these sizes."""
        return float(self.spec.flops(self.sizes))


def describe(s: Sizes) -> str:
    """``n=2000 p=100 B=500, 1 alpha`` and the like."""
    parts = [f"n={s.n} p={s.p}"] + [
        f"{name}={value}" for name, value in (("t", s.t), ("B", s.B)) if value is not None
    ]
    text = " ".join(parts) + f", {s.k} alpha{'s' if s.k > 1 else ''}"
    return text + (f", {s.folds} folds" if s.folds else "")


def new_run(name: str, quick: bool, extra: str = "") -> Run:
    """The run of a workload of the table at its full (or quick) sizes."""
    spec = WORKLOADS[name]
    s = spec.quick if quick else spec.full
    sizes = {"n": s.n, "p": s.p, "t": s.t, "B": s.B, "alphas": s.k, "folds": s.folds}
    title = f"{spec.description}, {describe(s)}" + (f" {extra}" if extra else "")
    return Run(name, s, title, sizes_json={k: v for k, v in sizes.items() if v is not None})


class CpuMonitor:
    """CPU time used by *other* processes while we run: the noise indicator.

    /proc/stat's busy time of the whole machine minus this process's own CPU time,
    as a fraction of (wall time x cores); hypervisor steal is reported separately.
    """

    def __init__(self) -> None:
        self.start = self._snapshot()

    @staticmethod
    def _snapshot() -> tuple[float, float, float, float] | None:
        try:
            with open("/proc/stat", encoding="utf-8") as fh:
                f = [int(v) for v in fh.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        hz = os.sysconf("SC_CLK_TCK")
        busy = (f[0] + f[1] + f[2] + f[5] + f[6]) / hz  # user nice system irq softirq
        steal = (f[7] if len(f) > 7 else 0) / hz
        own = os.times()
        return busy, steal, own.user + own.system, time.perf_counter()

    def others(self) -> dict[str, float] | None:
        end = self._snapshot()
        if end is None or self.start is None:
            return None
        busy, steal, own, wall = (e - s for e, s in zip(end, self.start))
        cores = os.cpu_count() or 1
        return {
            "others_busy": max(busy - own, 0.0) / (wall * cores),
            "steal": steal / (wall * cores),
            "seconds": wall,
        }


def run_interleaved(impls: list[Impl], repeat: int, settle: float) -> None:
    """Time every implementation `repeat` times, rotating the order each repetition."""
    m = len(impls)
    if m == 0:
        return
    for r in range(repeat):
        order = impls[r % m :] + impls[: r % m]
        for impl in order:
            if impl.max_runs is not None and len(impl.times) >= impl.max_runs:
                continue
            time.sleep(settle)  # let BLAS / pool threads stop spinning (not timed)
            t0 = time.perf_counter()
            impl.fn()
            dt = time.perf_counter() - t0
            impl.times.append(dt / impl.inner * impl.scale)


# --------------------------------------------------------------- DGEMM reference
def measure_dgemm(
    n: int = 4000, p: int = 400, repeat: int = 7, settle: float = 0.15
) -> dict[str, float]:
    """numpy DGEMM (A.T @ B, distinct operands) and SYRK (X.T @ X) rates, honest flops."""
    X = np.random.default_rng(1).standard_normal((n, p))
    X2 = X.copy()
    X.T @ X2  # warm-up
    X.T @ X
    impls = [
        Impl("gemm", "A.T@B", lambda: X.T @ X2, 2.0 * n * p * p, 1),
        Impl("syrk", "X.T@X", lambda: X.T @ X, 1.0 * n * p * p, 1),
    ]
    run_interleaved(impls, repeat, settle)
    return {
        "n": n,
        "p": p,
        "dgemm_gflops": impls[0].flops / impls[0].median / 1e9,
        "dgemm_seconds": impls[0].median,
        "syrk_gflops": impls[1].flops / impls[1].median / 1e9,
        "syrk_seconds": impls[1].median,
        "syrk_as_2np2_gflops": 2.0 * n * p * p / impls[1].median / 1e9,
    }


GEMM_CAP = 8e9  # flops of one timed product: larger shapes are narrowed (fewer columns)


def measure_gemm_shapes(
    shapes: list[tuple[str, int, int, int]], repeat: int = 3, settle: float = 0.15
) -> list[dict[str, Any]]:
    """numpy DGEMM rate (distinct operands, 2·m·k·n flops) on each (m x k) @ (k x n) shape.

    A product above GEMM_CAP flops is timed with fewer output rows or columns (the larger
    of m and n shrunk), which keeps its inner dimension and so its blocking.
    """
    rng = np.random.default_rng(2)
    out = []
    for label, m, k, n in shapes:
        mm, nn = m, n
        while 2.0 * mm * k * nn > GEMM_CAP:
            if nn >= mm:
                nn = (nn + 1) // 2
            else:
                mm = (mm + 1) // 2
        A = rng.standard_normal((mm, k))
        Bm = rng.standard_normal((k, nn))
        A @ Bm  # warm-up
        impl = Impl("gemm", label, lambda A=A, Bm=Bm: A @ Bm, 2.0 * mm * k * nn, 1)
        run_interleaved([impl], repeat, settle)
        out.append(
            {
                "label": label,
                "shape": [m, k, n],
                "timed_shape": [mm, k, nn],
                "seconds": impl.median,
                "gflops": impl.flops / impl.median / 1e9,
            }
        )
        del A, Bm
    return out


# --------------------------------------------------------------------- workloads
def rb_impl(
    label: str,
    fn: Callable[[], object],
    flops: float,
    replicates: int,
    key: str = "ridgeboot",
    note: str = "",
) -> list[Impl]:
    if rb is None:
        return []
    return [Impl(key, label, fn, flops, replicates, is_rb=True, note=note)]


def rb_has_oob_switch() -> bool:
    """Whether rb.bootstrap accepts ``oob=`` (skip the out-of-bag error accumulators)."""
    if rb is None:
        return False
    try:
        return "oob" in inspect.signature(rb.bootstrap).parameters
    except (TypeError, ValueError):
        return False


def rb_bootstrap_impls(
    X: np.ndarray, y: np.ndarray, alphas: Any, B: int, seed: int, flops: float
) -> list[Impl]:
    """rb.bootstrap as documented (default outputs), plus oob=False when available.

    The default call (``oob="auto"``) also computes the out-of-bag MSE of every replicate,
    alpha and target from sufficient statistics, which the baselines do not; the oob=False
    row computes coefficients only, as they do.
    """
    impls = rb_impl(
        "ridgeboot rb.bootstrap (default)",
        lambda: rb.bootstrap(X, y, alphas, n_boot=B, keep_coefs=True, seed=seed),
        flops,
        B,
    )
    if rb_has_oob_switch():
        impls += rb_impl(
            "ridgeboot rb.bootstrap oob=False",
            lambda: rb.bootstrap(X, y, alphas, n_boot=B, keep_coefs=True, seed=seed, oob=False),
            flops,
            B,
            key=NOOOB,
            note="no out-of-bag errors",
        )
    return impls


def add_vectorized(
    wl: Run,
    X: np.ndarray,
    y: np.ndarray,
    counts: np.ndarray,
    ref: tuple[np.ndarray, np.ndarray],
    ref_name: str,
    kernel: bool = False,
) -> None:
    """The numpy expert's vectorized baseline: checked on ``counts`` against ``ref``, timed."""
    s = wl.sizes
    fn = numpy_bootstrap_kernel_vec if kernel else numpy_bootstrap_vec
    coefs, intercepts = fn(X, y, s.alphas, counts)
    m = counts.shape[0]
    wl.checks.append(
        agree(f"numpy vectorized vs {ref_name}, coefs of {m} replicates", coefs, ref[0][:m])
    )
    wl.checks.append(agree(f"numpy vectorized vs {ref_name}, intercepts", intercepts, ref[1][:m]))
    label = "numpy vectorized, kernel once" if kernel else "numpy vectorized, counts@KR"
    wl.impls.append(
        Impl(
            "numpy_vec",
            label,
            lambda: fn(X, y, s.alphas, counts_random(s.n, s.B, s.boot_seed)),
            wl.flops,
            s.B,
        )
    )


def add_sklearn_sample(wl: Run, label: str, fn: Callable[[], object], B: int, b_sk: int) -> None:
    """A scikit-learn loop timed on b_sk of the B replicates, its time extrapolated to B."""
    note = f"extrapolated x{B / b_sk:g} from B={b_sk}" if b_sk < B else ""
    wl.impls.append(Impl("sklearn", label, fn, wl.flops, B, scale=B / b_sk, note=note))


def add_sklearn_path(
    wl: Run, X: np.ndarray, y: np.ndarray, sk_alphas: np.ndarray, B: int, b_sk: int, seed: int
) -> None:
    """scikit-learn's Ridge per alpha, timed on b_sk replicates x sk_alphas (its cost does
    not depend on alpha) and extrapolated to B replicates x the workload's alphas."""
    scale = (B / b_sk) * (wl.sizes.k / sk_alphas.size)
    wl.impls.append(
        Impl(
            "sklearn",
            "sklearn Ridge per alpha",
            lambda: sklearn_path(X, y, sk_alphas, b_sk, seed),
            wl.flops,
            B,
            scale=scale,
            note=f"EXTRAPOLATED x{scale:g} from {b_sk} replicate(s) x {sk_alphas.size} alphas",
        )
    )


def wl_bootstrap(quick: bool) -> Run:
    wl = new_run("bootstrap", quick)
    n, p, B, alpha, seed = wl.sizes.n, wl.sizes.p, wl.sizes.B, wl.sizes.alphas, wl.sizes.boot_seed
    b_sk = 10 if quick else 50
    n_check = min(B, 20)
    X, y = make_data(n, p, seed=wl.sizes.seed)

    # agreement on the same rows
    counts = counts_for(n, n_check, seed)
    ref_c, ref_i = numpy_bootstrap(X, y, alpha, n_check, rows_from_counts(counts))
    sk_c, sk_i = sklearn_bootstrap(X, y, alpha, 3, seed, rows_from_counts(counts))
    if rb is not None:
        boot = rb.bootstrap(X, y, alpha, n_boot=B, keep_coefs=True, seed=seed)
        wl.checks.append(
            agree(
                f"ridgeboot vs numpy loop, coefs of {n_check} replicates",
                boot.coefs[:n_check],
                ref_c,
            )
        )
        wl.checks.append(
            agree("ridgeboot vs numpy loop, intercepts", boot.intercepts[:n_check], ref_i)
        )
        wl.checks.append(
            agree("ridgeboot vs sklearn Ridge, coefs of 3 replicates", boot.coefs[:3], sk_c)
        )
    else:
        wl.checks.append(agree("sklearn vs numpy loop, coefs of 3 replicates", sk_c, ref_c[:3]))

    wl.impls += rb_bootstrap_impls(X, y, alpha, B, seed, wl.flops)
    rb_ref = (boot.coefs, boot.intercepts) if rb is not None else (ref_c, ref_i)
    add_vectorized(wl, X, y, counts, rb_ref, "ridgeboot" if rb is not None else "numpy loop")
    wl.impls.append(
        Impl(
            "numpy",
            "numpy loop X[idx], solve",
            lambda: numpy_bootstrap(X, y, alpha, B, rows_random(n, seed)),
            wl.flops,
            B,
        )
    )
    add_sklearn_sample(
        wl, "sklearn resample+Ridge", lambda: sklearn_bootstrap(X, y, alpha, b_sk, seed), B, b_sk
    )
    return wl


def wl_path(quick: bool) -> Run:
    wl = new_run("path", quick)
    n, p, B, alphas, seed = wl.sizes.n, wl.sizes.p, wl.sizes.B, wl.sizes.alphas, wl.sizes.boot_seed
    b_sk = 1 if quick else 2
    k = alphas.size
    sk_alphas = alphas[::4] if quick else alphas  # sklearn's cost does not depend on alpha
    X, y = make_data(n, p, seed=wl.sizes.seed)
    n_check = min(B, 5)
    counts = counts_for(n, n_check, seed)
    ref_c, ref_i = numpy_bootstrap_eigh(X, y, alphas, n_check, rows_from_counts(counts))
    sk_c, sk_i = sklearn_path(X, y, alphas, 1, seed, rows_from_counts(counts))
    if rb is not None:
        boot = rb.bootstrap(X, y, alphas, n_boot=B, keep_coefs=True, seed=seed)
        wl.checks.append(
            agree(
                f"ridgeboot vs numpy eigh loop, coefs of {n_check} replicates",
                boot.coefs[:n_check],
                ref_c,
            )
        )
        wl.checks.append(
            agree("ridgeboot vs numpy eigh loop, intercepts", boot.intercepts[:n_check], ref_i)
        )
        wl.checks.append(
            agree(f"ridgeboot vs sklearn Ridge, replicate 0, {k} alphas", boot.coefs[:1], sk_c)
        )
    else:
        wl.checks.append(agree("sklearn vs numpy eigh loop, replicate 0", sk_c, ref_c[:1]))
    wl.impls += rb_bootstrap_impls(X, y, alphas, B, seed, wl.flops)
    rb_ref = (boot.coefs, boot.intercepts) if rb is not None else (ref_c, ref_i)
    add_vectorized(wl, X, y, counts, rb_ref, "ridgeboot" if rb is not None else "numpy loop")
    wl.impls.append(
        Impl(
            "numpy",
            "numpy loop, eigh per replicate",
            lambda: numpy_bootstrap_eigh(X, y, alphas, B, rows_random(n, seed)),
            wl.flops,
            B,
        )
    )
    add_sklearn_path(wl, X, y, sk_alphas, B, b_sk, seed)
    return wl


def wl_select(quick: bool) -> Run:
    wl = new_run("select", quick)
    n, p, B, alphas, seed = wl.sizes.n, wl.sizes.p, wl.sizes.B, wl.sizes.alphas, wl.sizes.boot_seed
    b_sk = 2 if quick else 5
    X, y = make_data(n, p, seed=wl.sizes.seed)
    n_check = min(B, 10)
    ref = numpy_bootstrap_select(
        X, y, alphas, n_check, rows_from_counts(counts_for(n, n_check, seed))
    )
    if rb is not None:

        def rb_select(select: str | None) -> Any:
            return quiet(lambda: rb.bootstrap(X, y, alphas, n_boot=B, seed=seed, select=select))

        boot = rb_select("gcv")()
        got = boot.selection.alpha_selected[:n_check]
        assert np.array_equal(got, ref[0]), "ridgeboot and the numpy GCV loop chose differently"
        wl.checks.append(
            f"ridgeboot vs numpy GCV loop: same alpha in {n_check}/{n_check} replicates"
        )
        wl.checks.append(agree("ridgeboot vs numpy GCV loop, coefs", boot.coefs[:n_check], ref[1]))
        wl.checks.append(
            agree("ridgeboot vs numpy GCV loop, intercepts", boot.intercepts[:n_check], ref[2])
        )
        for key, label, select in (
            ("ridgeboot", "rb.bootstrap select='gcv'", "gcv"),
            ("rb_path", "rb.bootstrap, plain path (same grid)", None),
            ("rb_loo", "rb.bootstrap select='loo'", "loo"),
        ):
            wl.impls += rb_impl(label, rb_select(select), wl.flops, B, key=key)
    wl.impls.append(
        Impl(
            "numpy",
            "numpy loop, eigh + GCV per replicate",
            lambda: numpy_bootstrap_select(X, y, alphas, B, rows_random(n, seed)),
            wl.flops,
            B,
        )
    )
    add_sklearn_sample(
        wl,
        "sklearn resample + RidgeCV (LOO)",
        lambda: sklearn_bootstrap_select(X, y, alphas, b_sk, seed),
        B,
        b_sk,
    )
    return wl


def wl_targets(quick: bool) -> Run:
    wl = new_run("targets", quick)
    n, p, t, B = wl.sizes.n, wl.sizes.p, wl.sizes.t, wl.sizes.B
    alphas, seed = wl.sizes.alphas, wl.sizes.boot_seed
    X, Y = make_data(n, p, t, seed=wl.sizes.seed)
    n_check = min(B, 2)
    counts = counts_for(n, n_check, seed)
    ref_c, ref_i = numpy_bootstrap_eigh(X, Y, alphas, n_check, rows_from_counts(counts))
    if rb is not None:
        boot = rb.bootstrap(X, Y, alphas, n_boot=B, keep_coefs=True, seed=seed)
        wl.checks.append(
            agree(
                f"ridgeboot vs numpy eigh loop, coefs of {n_check} replicates",
                boot.coefs[:n_check],
                ref_c,
            )
        )
        wl.checks.append(
            agree("ridgeboot vs numpy eigh loop, intercepts", boot.intercepts[:n_check], ref_i)
        )
        rb_ref = (boot.coefs[:n_check], boot.intercepts[:n_check])
        del boot
    else:
        wl.checks.append("(ridgeboot absent: nothing to compare the numpy loop with)")
        rb_ref = (ref_c, ref_i)
    b_sk, sk_alphas = 1, alphas[:2]  # sklearn's cost does not depend on alpha
    sk_c, sk_i = sklearn_path(X, Y, sk_alphas, 1, seed, rows_from_counts(counts))
    wl.checks.append(
        agree(
            f"sklearn Ridge vs numpy eigh loop, replicate 0, {sk_alphas.size} alphas",
            sk_c,
            ref_c[:1, :2],
        )
    )
    del ref_c, ref_i, sk_c, sk_i
    wl.impls += rb_bootstrap_impls(X, Y, alphas, B, seed, wl.flops)
    add_vectorized(wl, X, Y, counts, rb_ref, "ridgeboot" if rb is not None else "numpy loop")
    del rb_ref
    add_sklearn_path(wl, X, Y, sk_alphas, B, b_sk, seed)
    wl.impls.append(
        Impl(
            "numpy",
            "numpy loop, eigh per replicate",
            lambda: numpy_bootstrap_eigh(X, Y, alphas, B, rows_random(n, seed)),
            wl.flops,
            B,
        )
    )
    return wl


def wl_wide(quick: bool) -> Run:
    wl = new_run("wide", quick)
    n, p, B, alpha, seed = wl.sizes.n, wl.sizes.p, wl.sizes.B, wl.sizes.alphas, wl.sizes.boot_seed
    X, y = make_data(n, p, seed=wl.sizes.seed)
    n_check = min(B, 3)
    counts = counts_for(n, n_check, seed)
    ref_c, ref_i = numpy_bootstrap_kernel(X, y, alpha, n_check, rows_from_counts(counts))
    if rb is not None:
        boot = rb.bootstrap(X, y, alpha, n_boot=B, keep_coefs=True, seed=seed)
        wl.checks.append(
            agree(
                f"ridgeboot vs numpy kernel loop, coefs of {n_check} replicates",
                boot.coefs[:n_check],
                ref_c,
            )
        )
        wl.checks.append(
            agree("ridgeboot vs numpy kernel loop, intercepts", boot.intercepts[:n_check], ref_i)
        )
    else:
        prim_c, _ = numpy_bootstrap(X, y, alpha, 1, rows_from_counts(counts))
        wl.checks.append(agree("numpy kernel loop vs primal solve, replicate 0", ref_c[:1], prim_c))
    b_sk = min(B, 10)
    sk_c, _ = sklearn_bootstrap(X, y, alpha, 1, seed, rows_from_counts(counts))
    wl.checks.append(agree("sklearn Ridge vs numpy kernel loop, replicate 0", sk_c, ref_c[:1]))
    wl.impls += rb_bootstrap_impls(X, y, alpha, B, seed, wl.flops)
    rb_ref = (boot.coefs, boot.intercepts) if rb is not None else (ref_c, ref_i)
    add_vectorized(
        wl, X, y, counts, rb_ref, "ridgeboot" if rb is not None else "numpy loop", kernel=True
    )
    add_sklearn_sample(
        wl, "sklearn resample+Ridge", lambda: sklearn_bootstrap(X, y, alpha, b_sk, seed), B, b_sk
    )
    wl.impls.append(
        Impl(
            "numpy",
            "numpy loop, kernel (n x n) form",
            lambda: numpy_bootstrap_kernel(X, y, alpha, B, rows_random(n, seed)),
            wl.flops,
            B,
        )
    )
    return wl


def wl_small(quick: bool) -> Run:
    inner = 100 if quick else 400
    wl = new_run("small", quick, f"({inner} fits per timing)")
    n, p, alpha = wl.sizes.n, wl.sizes.p, wl.sizes.alphas
    X, y = make_data(n, p, seed=wl.sizes.seed)
    flops = wl.flops
    wl.sizes_json["fits_per_timing"] = inner
    ref_w, ref_b = numpy_ridge(X, y, alpha)
    sk = Ridge(alpha=alpha).fit(X, y)
    wl.checks.append(agree("sklearn vs numpy closed form, coef", sk.coef_, ref_w))
    if rb is not None:
        r = rb.ridge(X, y, alpha)
        wl.checks.append(agree("ridgeboot vs numpy closed form, coef", r.coef, ref_w))
        wl.checks.append(agree("ridgeboot vs numpy closed form, intercept", r.intercept, ref_b))

    def loop(fn: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(inner):
                fn()

        return run

    wl.impls += [
        Impl(i.key, i.label, loop(i.fn), flops, 1, inner=inner, is_rb=True)
        for i in rb_impl("ridgeboot rb.ridge", lambda: rb.ridge(X, y, alpha), flops, 1)
    ]
    wl.impls.append(
        Impl(
            "numpy",
            "hand-written numpy closed form",
            loop(lambda: numpy_ridge(X, y, alpha)),
            flops,
            1,
            inner=inner,
        )
    )
    wl.impls.append(
        Impl(
            "sklearn",
            "sklearn Ridge().fit",
            loop(lambda: Ridge(alpha=alpha).fit(X, y)),
            flops,
            1,
            inner=inner,
        )
    )
    return wl


def wl_gram(quick: bool) -> Run:
    wl = new_run("gram", quick, "(ridgeboot: keep_coefs=False)")
    n, p, B, alpha, seed = wl.sizes.n, wl.sizes.p, wl.sizes.B, wl.sizes.alphas, wl.sizes.boot_seed
    X, y = make_data(n, p, seed=wl.sizes.seed)
    X2 = X.copy()
    wl.checks.append(agree("numpy A.T@B vs X.T@X", X.T @ X2, X.T @ X))
    if rb is not None:
        counts = counts_for(n, 2, seed)
        ref_c, _ = numpy_bootstrap(X, y, alpha, 2, rows_from_counts(counts))
        boot = rb.bootstrap(X, y, alpha, n_boot=2, keep_coefs=True, seed=seed)
        wl.checks.append(agree("ridgeboot vs numpy loop, coefs of 2 replicates", boot.coefs, ref_c))
        rb.bootstrap(X, y, alpha, n_boot=B, keep_coefs=False, seed=seed)  # warm-up
    wl.impls += rb_impl(
        "ridgeboot rb.bootstrap (eff.)",
        lambda: rb.bootstrap(X, y, alpha, n_boot=B, keep_coefs=False, seed=seed),
        wl.flops,
        B,
    )
    wl.impls.append(
        Impl("numpy", "numpy DGEMM A.T@B (2 BLAS thr.)", lambda: X.T @ X2, 2.0 * n * p * p, 1)
    )
    wl.impls.append(
        Impl("numpy_syrk", "numpy X.T@X (SYRK, n·p² flops)", lambda: X.T @ X, 1.0 * n * p * p, 1)
    )
    return wl


def wl_threads(quick: bool) -> Run:
    wl = new_run("threads", quick)
    n, p, B, alpha, seed = wl.sizes.n, wl.sizes.p, wl.sizes.B, wl.sizes.alphas, wl.sizes.boot_seed
    ncpu = os.cpu_count() or 1
    X, y = make_data(n, p, seed=wl.sizes.seed)
    if rb is None:
        wl.notes.append("ridgeboot not importable: nothing to time")
        return wl
    if ncpu < 2:
        wl.notes.append(f"only {ncpu} CPU visible: 2 threads cannot run in parallel")
    one = rb.bootstrap(X, y, alpha, n_boot=B, keep_coefs=True, seed=seed, n_threads=1)
    two = rb.bootstrap(X, y, alpha, n_boot=B, keep_coefs=True, seed=seed, n_threads=2)
    wl.checks.append(agree("n_threads=2 vs n_threads=1, coefs", two.coefs, one.coefs))
    same = bool(
        np.array_equal(two.coefs, one.coefs) and np.array_equal(two.intercepts, one.intercepts)
    )
    wl.checks.append(f"bit-identical across thread counts: {same}")
    if not same:
        wl.notes.append(
            "DISAGREEMENT: results differ between n_threads=1 and 2 "
            "(the contract says bit-identical)"
        )
    wl.impls.append(
        Impl(
            "rb1",
            "rb.bootstrap n_threads=1",
            lambda: rb.bootstrap(X, y, alpha, n_boot=B, keep_coefs=True, seed=seed, n_threads=1),
            wl.flops,
            B,
            is_rb=True,
        )
    )
    wl.impls.append(
        Impl(
            "rb2",
            "rb.bootstrap n_threads=2",
            lambda: rb.bootstrap(X, y, alpha, n_boot=B, keep_coefs=True, seed=seed, n_threads=2),
            wl.flops,
            B,
            is_rb=True,
        )
    )
    return wl


def wl_tall(quick: bool) -> Run:
    wl = new_run("tall", quick)
    n, p, alpha = wl.sizes.n, wl.sizes.p, wl.sizes.alphas
    X, y = make_data(n, p, seed=wl.sizes.seed)
    flops = wl.flops
    ref_w, ref_b = numpy_ridge(X, y, alpha)
    sk = Ridge(alpha=alpha).fit(X, y)
    wl.checks.append(agree("sklearn vs numpy closed form, coef", sk.coef_, ref_w))
    if rb is not None:
        r = rb.ridge(X, y, alpha)
        wl.checks.append(agree(f"ridgeboot ({r.solver}) vs numpy closed form, coef", r.coef, ref_w))
        wl.checks.append(agree("ridgeboot vs numpy closed form, intercept", r.intercept, ref_b))
    wl.impls += rb_impl("ridgeboot rb.ridge", lambda: rb.ridge(X, y, alpha), flops, 1)
    wl.impls.append(
        Impl("numpy", "hand-written numpy closed form", lambda: numpy_ridge(X, y, alpha), flops, 1)
    )
    wl.impls.append(
        Impl("sklearn", "sklearn Ridge().fit", lambda: Ridge(alpha=alpha).fit(X, y), flops, 1)
    )
    return wl


def wl_widefit(quick: bool) -> Run:
    wl = new_run("widefit", quick)
    n, p, alpha = wl.sizes.n, wl.sizes.p, wl.sizes.alphas
    X, y = make_data(n, p, seed=wl.sizes.seed)
    flops = wl.flops
    ref_w, ref_b = numpy_ridge_kernel(X, y, alpha)
    sk = Ridge(alpha=alpha).fit(X, y)
    wl.checks.append(agree("sklearn vs numpy kernel form, coef", sk.coef_, ref_w))
    wl.checks.append(agree("sklearn vs numpy kernel form, intercept", sk.intercept_, ref_b))
    if rb is not None:
        r = rb.ridge(X, y, alpha)
        wl.checks.append(agree(f"ridgeboot ({r.solver}) vs numpy kernel form, coef", r.coef, ref_w))
        wl.checks.append(agree("ridgeboot vs numpy kernel form, intercept", r.intercept, ref_b))
    wl.impls += rb_impl("ridgeboot rb.ridge", lambda: rb.ridge(X, y, alpha), flops, 1)
    wl.impls.append(
        Impl(
            "numpy",
            "numpy kernel form, solve(XXᵀ+aI)",
            lambda: numpy_ridge_kernel(X, y, alpha),
            flops,
            1,
        )
    )
    wl.impls.append(
        Impl("sklearn", "sklearn Ridge().fit", lambda: Ridge(alpha=alpha).fit(X, y), flops, 1)
    )
    return wl


def wl_pathfit(quick: bool) -> Run:
    wl = new_run("pathfit", quick)
    n, p, alphas = wl.sizes.n, wl.sizes.p, wl.sizes.alphas
    k = alphas.size
    sk_alphas = alphas[::4] if quick else alphas  # sklearn's cost per fit does not depend on a
    sk_scale = k / sk_alphas.size
    X, y = make_data(n, p, seed=wl.sizes.seed)
    flops = wl.flops
    ref_c, ref_i = numpy_ridge_path(X, y, alphas)
    step = 4 if quick else 1
    sk_c, sk_i = sklearn_ridge_path(X, y, alphas[::step])
    wl.checks.append(
        agree(f"sklearn Ridge vs numpy eigh, coefs of {sk_c.shape[0]} alphas", sk_c, ref_c[::step])
    )
    wl.checks.append(agree("sklearn Ridge vs numpy eigh, intercepts", sk_i, ref_i[::step]))
    if rb is not None:
        path = rb.ridge_path(X, y, alphas)
        wl.checks.append(
            agree(f"ridgeboot ({path.solver}) vs numpy eigh, coefs of {k} alphas", path.coef, ref_c)
        )
        wl.checks.append(agree("ridgeboot vs numpy eigh, intercepts", path.intercept, ref_i))
    wl.impls += rb_impl("ridgeboot rb.ridge_path", lambda: rb.ridge_path(X, y, alphas), flops, k)
    wl.impls.append(
        Impl(
            "numpy",
            "numpy one eigh, all alphas",
            lambda: numpy_ridge_path(X, y, alphas),
            flops,
            k,
        )
    )
    wl.impls.append(
        Impl(
            "sklearn",
            "sklearn Ridge per alpha",
            lambda: sklearn_ridge_path(X, y, sk_alphas),
            flops,
            k,
            scale=sk_scale,
            note=f"extrapolated x{sk_scale:g} from {sk_alphas.size} alphas" if quick else "",
        )
    )
    return wl


def quiet(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Call fn with warnings silenced (grid-edge and convergence chatter, not errors)."""

    def run() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()

    return run


def wl_cv(quick: bool) -> Run:
    wl = new_run("cv", quick)
    n, p, t, folds, alphas = wl.sizes.n, wl.sizes.p, wl.sizes.t, wl.sizes.folds, wl.sizes.alphas
    k = wl.sizes.k
    X, Y = make_data(n, p, t, seed=wl.sizes.seed)
    flops = wl.flops
    himalaya = himalaya_ridge_cv() is not None
    sk = quiet(lambda: sklearn_ridgecv(X, Y, alphas))()
    gcv_scores, gcv_alpha = numpy_gcv(X, Y, alphas)
    if rb is not None:

        def rb_cv(cv: str | int) -> Any:
            return quiet(lambda: rb.ridge_cv(X, Y, alphas, cv=cv, alpha_per_target=True))()

        loo = rb_cv("loo")
        same = int((loo.alpha == sk.alpha_).sum())
        assert same == t, (
            f"rb cv='loo' and sklearn RidgeCV chose different alphas for {t - same} of {t} targets"
        )
        wl.checks.append(
            f"rb cv='loo' vs sklearn RidgeCV (exact LOO): same alpha for {same}/{t} targets"
        )
        wl.checks.append(agree("rb cv='loo' vs sklearn RidgeCV, refit coefs", loo.coef, sk.coef_.T))
        wl.checks.append(
            agree("rb cv='loo' vs sklearn RidgeCV, best LOO MSE", loo.best_score, -sk.best_score_)
        )
        gcv = rb_cv("gcv")
        assert np.array_equal(gcv.alpha, gcv_alpha), "rb cv='gcv' and numpy GCV chose differently"
        wl.checks.append(
            agree("rb cv='gcv' vs numpy GCV (one SVD), scores", gcv.scores, gcv_scores)
        )
        wl.notes.append(
            f"GCV picks the same alpha as exact LOO for {int((gcv.alpha == loo.alpha).sum())}/{t} "
            "targets (GCV is a rotation-invariant approximation of LOO: it may choose differently)"
        )
        if himalaya:
            # himalaya's cost does not shrink much with t (see the note below): check the
            # first th targets (per-target alphas are independent of the others)
            th = min(t, 100)
            kf = rb_cv(folds)
            h_alpha, h_coef, h_score, h_icpt = himalaya_cv(X, Y[:, :th], alphas, folds)
            same_h = int(np.isclose(kf.alpha[:th], h_alpha, rtol=1e-9).sum())
            assert same_h == th, (
                f"rb cv={folds} and himalaya chose different alphas for {th - same_h} of {th} "
                "targets"
            )
            wl.checks.append(
                f"rb cv={folds} vs himalaya {folds}-fold (contiguous folds): same alpha for "
                f"{same_h}/{th} targets checked"
            )
            wl.checks.append(
                agree(f"rb cv={folds} vs himalaya, refit coefs", kf.coef[:, :th], h_coef)
            )
            wl.checks.append(
                agree(f"rb cv={folds} vs himalaya, intercepts", kf.intercept[:th], h_icpt)
            )
            wl.checks.append(
                agree(
                    f"rb cv={folds} vs himalaya, best mean fold MSE",
                    kf.best_score[:th],
                    -np.ravel(h_score),
                )
            )
            del h_coef
    elif himalaya:
        h_alpha = himalaya_cv(X, Y[:, : min(t, 100)], alphas, folds)[0]
        wl.checks.append(
            f"(ridgeboot absent) himalaya chose {np.unique(h_alpha).size} distinct alphas"
        )
    else:
        wl.checks.append("(ridgeboot absent: sklearn RidgeCV only)")
    same_np = int((sk.alpha_ == gcv_alpha).sum())
    wl.notes.append(f"numpy GCV vs sklearn exact LOO: same alpha for {same_np}/{t} targets")
    del sk

    if rb is not None:
        for key, label, cv in (
            ("ridgeboot", "rb.ridge_cv cv='gcv'", "gcv"),
            ("rb_loo", "rb.ridge_cv cv='loo'", "loo"),
            ("rb_kfold", f"rb.ridge_cv cv={folds} (k-fold)", folds),
        ):
            wl.impls += rb_impl(
                label,
                quiet(lambda cv=cv: rb.ridge_cv(X, Y, alphas, cv=cv, alpha_per_target=True)),
                flops,
                t,
                key=key,
            )
    wl.impls.append(
        Impl(
            "sklearn",
            "sklearn RidgeCV (LOO, alpha/target)",
            quiet(lambda: sklearn_ridgecv(X, Y, alphas)),
            flops,
            t,
        )
    )
    if himalaya:
        # himalaya forms the (k, n_test, n_train) operator Xtest (XᵀX + aI)⁻¹ Xtrainᵀ of
        # every fold: O(k·n²·(p + t)) flops and k·n²/f² · 8·(f-1) bytes
        big = not quick
        wl.impls.append(
            Impl(
                "himalaya",
                f"himalaya solve_ridge_cv_svd cv={folds}",
                lambda: himalaya_cv(X, Y, alphas, folds),
                flops,
                t,
                max_runs=1,
                note="timed once" + (" (about 2 min)" if big else ""),
            )
        )
        op_bytes = k * (n // folds) * (n - n // folds) * 8
        wl.notes.append(
            f"himalaya builds a (k, n_test, n_train) prediction operator per fold "
            f"({op_bytes / 2**30:.1f} GiB here): its cost grows as n², not n"
        )
    wl.impls.append(
        Impl(
            "numpy_gcv",
            "hand-written numpy GCV, one SVD",
            lambda: numpy_gcv(X, Y, alphas),
            flops,
            t,
            note="info: GCV in O(p·t) per alpha",
        )
    )
    return wl


BUILDERS: dict[str, Callable[[bool], Run]] = {
    "bootstrap": wl_bootstrap,
    "path": wl_path,
    "select": wl_select,
    "targets": wl_targets,
    "wide": wl_wide,
    "small": wl_small,
    "gram": wl_gram,
    "threads": wl_threads,
    "tall": wl_tall,
    "widefit": wl_widefit,
    "pathfit": wl_pathfit,
    "cv": wl_cv,
}


# ------------------------------------------------------------------------ report
def fmt_time(s: float) -> str:
    if not np.isfinite(s):
        return "n/a"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1.0:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def impl_by_key(wl: Run, key: str | None) -> Impl | None:
    for impl in wl.impls:
        if impl.key == key:
            return impl
    return None


def measure(wl: Run, ratio: Ratio, rates: dict[str, float]) -> float | None:
    """The ratio's value in this run (see workloads.Ratio), None when a side did not run.

    ``rates``: the DGEMM GFLOP/s of the floors, ``"gate"`` (4000 x 400) and ``"best"``.
    """
    cont = impl_by_key(wl, ratio.contender)
    if cont is None or not cont.times:
        return None
    if ratio.kind == "floor":
        return cont.median / (wl.flops / (rates[ratio.rate] * 1e9))
    base = impl_by_key(wl, ratio.baseline)
    if base is None or not base.times:
        return None
    if ratio.kind == "rate":
        return (cont.flops / cont.median) / (base.flops / base.median)
    if ratio.kind == "overhead":
        return cont.median / base.median
    return base.median / cont.median  # speedup


def evaluate(wl: Run, rates: dict[str, float], quick: bool) -> list[dict[str, Any]]:
    """Every target (PASS / MISS) and information ratio (INFO) of the workload's row."""
    out = []
    for ratio in (*wl.spec.targets, *wl.spec.info):
        measured = measure(wl, ratio, rates)
        if measured is None:
            status = "N/A"
        elif ratio.bound is None:
            status = "INFO"
        else:
            status = "PASS" if ratio.met(measured) else "MISS"
        out.append(
            {
                "target": ratio.label,
                "kind": ratio.kind,
                "bound": ratio.bound,
                "measured": measured,
                "status": status,
                "indicative_only": quick,
                "baseline": ratio.baseline,
                "contender": ratio.contender,
                "floor_rate": ratio.rate if ratio.kind == "floor" else None,
            }
        )
    return out


def fmt_measured(r: dict[str, Any]) -> str:
    value = r["measured"]
    if value is None:
        return "n/a"
    if r["kind"] == "rate":
        return f"{value * 100:.0f} %"
    return f"{value:.2f}x" + (" floor" if r["kind"] == "floor" else "")


def fmt_bound(r: dict[str, Any]) -> str:
    """``<= 1.4x floor``, ``>= 15x``, ``>= 70 %``; empty for information."""
    bound = r["bound"]
    if bound is None:
        return ""
    if r["kind"] == "rate":
        return f">= {bound * 100:.0f} %"
    if r["kind"] == "floor":
        return f"<= {bound:g}x floor"
    return f"<= {bound:g}x" if r["kind"] == "overhead" else f">= {bound:g}x"


def print_workload(
    wl: Run, rates: dict[str, float], results: list[dict[str, Any]], quick: bool
) -> None:
    print(f"\n== {wl.name}: {wl.title}")
    for line in wl.checks:
        print(f"   agreed: {line}")
    for line in wl.notes:
        print(f"   note: {line}")
    if not wl.impls:
        return
    keys = (wl.ref,) if wl.ref is not None else ("ridgeboot", "rb2")
    ref = next((i for i in wl.impls if i.is_rb and i.key in keys), None)
    hdr = (
        f"   {'implementation':<34} {'median':>10} {'vs rb':>8} {'repl/s':>10} "
        f"{'eff.GFLOP/s':>11}  note"
    )
    print(hdr)
    print("   " + "-" * (len(hdr) - 3))
    for impl in wl.impls:
        med = impl.median
        if ref is not None and wl.name != "gram" and ref.times:
            ratio = f"{med / ref.median:.2f}x"
        else:
            ratio = "-"
        rps = impl.replicates / med if (wl.name != "gram" or impl.is_rb) else float("nan")
        rps_s = f"{rps:,.0f}" if np.isfinite(rps) else "-"
        gf = impl.flops / med / 1e9
        print(
            f"   {impl.label:<34} {fmt_time(med):>10} {ratio:>8} {rps_s:>10} {gf:>11.1f}  "
            f"{impl.note}"
        )
    if wl.name != "gram":
        floor = wl.flops / (rates["gate"] * 1e9)
        best = wl.flops / (rates["best"] * 1e9)
        print(f"   flop model: {wl.spec.flop_model}")
        print(
            f"   flop floor: {wl.flops / 1e9:.3g} GFLOP / {rates['gate']:.1f} GFLOP/s "
            f"(numpy DGEMM 4000x400, this run; the gate) = {fmt_time(floor)}; at the best "
            f"DGEMM rate of the run's shapes, {rates['best']:.1f} GFLOP/s: {fmt_time(best)}"
        )
    for r in results:
        what = "info" if r["bound"] is None else f"target {fmt_bound(r)}"
        tag = " (quick sizes: indicative)" if quick and r["status"] != "N/A" else ""
        print(f"   {what}: {r['target']}: measured {fmt_measured(r)} -> {r['status']}{tag}")


# -------------------------------------------------------------------- machine info
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> list[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("flags"):
                    have = set(line.split(":", 1)[1].split())
                    return sorted(
                        have & {"avx", "avx2", "fma", "avx512f", "avx512dq", "avx512vl", "avx512bw"}
                    )
    except OSError:
        pass
    return []


def numpy_blas_config() -> Any:
    try:
        cfg = np.show_config(mode="dicts")
        return cfg.get("Build Dependencies", cfg)
    except Exception as exc:  # noqa: BLE001 - older numpy: record why
        return f"unavailable: {exc}"


def ridgeboot_info() -> dict[str, Any]:
    if rb is None:
        return {"importable": False, "error": RB_IMPORT_ERROR}
    info: dict[str, Any] = {
        "importable": True,
        "version": getattr(rb, "__version__", None),
        "file": getattr(rb, "__file__", None),
    }
    build_info = getattr(rb, "build_info", None)
    if callable(build_info):
        try:
            info["build_info"] = build_info()
        except Exception as exc:  # noqa: BLE001 - record, do not fail the benchmark
            info["build_info"] = f"error: {exc!r}"
    else:
        info["build_info"] = "rb.build_info() not available"
    return info


def machine_info() -> dict[str, Any]:
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    versions = {"python": sys.version.split()[0], "numpy": np.__version__}
    for mod in ("scipy", "sklearn", "threadpoolctl"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001
            versions[mod] = None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "hostname": platform.node(),
        "platform": platform.platform(),
        "cpu_model": cpu_model(),
        "cpu_flags": cpu_flags(),
        "cores": os.cpu_count(),
        "cores_usable": affinity,
        "loadavg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "versions": versions,
        "env": {v: os.environ.get(v) for v in OPENBLAS_VARS},
    }


# --------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small B: the whole run takes < 60 s")
    ap.add_argument(
        "--workload",
        nargs="+",
        choices=NAMES,
        default=list(NAMES),
        metavar="NAME",
        help=f"workloads to run (default all: {' '.join(NAMES)})",
    )
    ap.add_argument("--json", metavar="FILE", help="write machine info and all timings here")
    ap.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="timed repetitions per implementation (default 5, 3 with --quick)",
    )
    ap.add_argument(
        "--settle",
        type=float,
        default=0.15,
        help="untimed pause before each timed call, seconds (default 0.15)",
    )
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="S",
        help="wait up to S seconds for other processes to use < 10 %% of the "
        "machine before starting (default 0: start at once)",
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    repeat = args.repeat if args.repeat is not None else (3 if args.quick else 5)
    if repeat < 1:
        raise SystemExit("--repeat must be >= 1")
    t_start = time.perf_counter()
    meta = machine_info()
    ncpu = os.cpu_count() or 1

    print(
        f"ridgeboot benchmark ({'quick' if args.quick else 'full'}, repeat={repeat}, "
        f"interleaved, median), {meta['date']}"
    )
    print(
        f"machine: {meta['cpu_model']}, {ncpu} cores ({meta['cores_usable']} usable), "
        f"{' '.join(meta['cpu_flags'])}; load avg {meta['loadavg_start']}"
    )
    deadline = time.perf_counter() + args.wait_idle
    while True:
        mon = CpuMonitor()
        time.sleep(1.0)
        idle = mon.others()
        if idle is None or idle["others_busy"] + idle["steal"] <= 0.10:
            break
        if time.perf_counter() >= deadline:
            break
        time.sleep(4.0)
    meta["other_load_before"] = idle
    if idle is not None:
        print(
            f"other processes before start: {idle['others_busy'] * 100:.0f} % of {ncpu} cores "
            f"busy, steal {idle['steal'] * 100:.0f} % (1 s sample)"
        )
        if idle["others_busy"] + idle["steal"] > 0.10:
            print(
                "WARNING: the machine is busy: timings will be noisy, multi-threaded ones "
                "(2-thread BLAS, ridgeboot's pool) pessimistic."
            )
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if meta["env"][var] is not None:
            print(
                f"WARNING: {var}={meta['env'][var]} is set: numpy's OpenBLAS may not use its "
                "best kernels. Run with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`."
            )
    rbinfo = ridgeboot_info()
    if rb is None:
        print(f"WARNING: ridgeboot not importable ({RB_IMPORT_ERROR}): baselines only")
    else:
        print(f"ridgeboot {rbinfo['version']}: build_info {rbinfo['build_info']}")

    # numpy baselines get their best shot: every core for BLAS (numpy's and scipy's,
    # both loaded by the sklearn import at the top)
    limiter = threadpool_limits(limits=ncpu, user_api="blas")
    blas = threadpool_info()
    for lib in blas:
        print(
            f"threadpool: {lib.get('internal_api')} {lib.get('version')} "
            f"({lib.get('architecture', '-')}) {lib.get('num_threads')} threads "
            f"[{os.path.basename(lib.get('filepath', ''))}]"
        )
    print(
        "ridgeboot threads: n_threads=None (library default) unless stated; "
        "ridgeboot does not call BLAS"
    )

    dg = measure_dgemm(settle=args.settle)
    print(
        f"numpy DGEMM (A.T@B, {dg['n']}x{dg['p']}): {dg['dgemm_gflops']:.1f} GFLOP/s; "
        f"X.T@X (SYRK, n·p² flops) {dg['syrk_gflops']:.1f} GFLOP/s "
        f"(= {dg['syrk_as_2np2_gflops']:.1f} if counted as 2·n·p²)"
    )
    shapes: list[tuple[str, int, int, int]] = []
    for name in [w for w in NAMES if w in args.workload]:
        spec = WORKLOADS[name]
        for shape in spec.gemm_shapes(spec.quick if args.quick else spec.full):
            if all(shape[1:] != other[1:] for other in shapes):
                shapes.append(shape)
    gemms = measure_gemm_shapes(shapes, settle=args.settle)
    for g in gemms:
        timed = (
            ""
            if g["timed_shape"] == g["shape"]
            else " (timed as {}x{}x{})".format(*g["timed_shape"])
        )
        print(
            "numpy DGEMM {}x{} @ {}x{} ({}){}: {:.1f} GFLOP/s".format(
                g["shape"][0],
                g["shape"][1],
                g["shape"][1],
                g["shape"][2],
                g["label"],
                timed,
                g["gflops"],
            )
        )
    rates = {
        "gate": dg["dgemm_gflops"],
        "best": max([dg["dgemm_gflops"], *(g["gflops"] for g in gemms)]),
    }
    print(
        f"flop floors: the gate at {rates['gate']:.1f} GFLOP/s (4000x400, targets judged on "
        f"it), the physical limit at {rates['best']:.1f} GFLOP/s (best DGEMM above)"
    )

    report: dict[str, Any] = {
        "meta": meta,
        "ridgeboot": rbinfo,
        "threadpool_info": blas,
        "numpy_blas_config": numpy_blas_config(),
        "settings": {
            "quick": args.quick,
            "repeat": repeat,
            "settle": args.settle,
            "rtol": RTOL,
            "atol_rel": ATOL_REL,
        },
        "dgemm": dg,
        "gemm_shapes": gemms,
        "floor_rates_gflops": rates,
        "workloads": {},
    }
    summary = []
    failures = []
    for name in [w for w in NAMES if w in args.workload]:
        t_wl = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            try:
                wl = BUILDERS[name](args.quick)
            except AssertionError as exc:
                print(f"\n== {name}: DISAGREEMENT before timing\n{exc}")
                failures.append(name)
                report["workloads"][name] = {"error": str(exc)}
                continue
            full, nooob = impl_by_key(wl, "ridgeboot"), impl_by_key(wl, NOOOB)
            if full is not None and nooob is not None:  # also a warm-up of both
                got, ref = nooob.fn(), full.fn()
                wl.checks.append(agree("rb oob=False vs rb default, coefs", got.coefs, ref.coefs))
                del got, ref
            mon = CpuMonitor()
            run_interleaved(wl.impls, repeat, args.settle)
            wl_load = mon.others()
        results = evaluate(wl, rates, args.quick)
        print_workload(wl, rates, results, args.quick)
        if wl_load is not None:
            busy = wl_load["others_busy"] + wl_load["steal"]
            print(
                f"   other processes during timing: {wl_load['others_busy'] * 100:.0f} % busy, "
                f"steal {wl_load['steal'] * 100:.0f} %" + ("  <- NOISY" if busy > 0.10 else "")
            )
        wl_wall = time.perf_counter() - t_wl
        print(f"   workload wall time (checks + timing): {wl_wall:.1f} s")
        noisy = wl_load is not None and wl_load["others_busy"] + wl_load["steal"] > 0.10
        for r in results:
            r["noisy"] = noisy
            summary.append((name, r))
        report["workloads"][name] = {
            "title": wl.title,
            "sizes": wl.sizes_json,
            "flops": wl.flops,
            "flop_model": wl.spec.flop_model,
            "flop_floor_seconds": wl.flops / (rates["gate"] * 1e9),
            "flop_floor_best_seconds": wl.flops / (rates["best"] * 1e9),
            "checks": wl.checks,
            "notes": wl.notes,
            "targets": results,
            "other_load_during_timing": wl_load,
            "wall_seconds": wl_wall,
            "implementations": [
                {
                    "key": i.key,
                    "label": i.label,
                    "ridgeboot": i.is_rb,
                    "note": i.note,
                    "extrapolation_factor": i.scale,
                    "units_per_timing": i.inner,
                    "replicates": i.replicates,
                    "flops": i.flops,
                    "median_seconds": i.median,
                    "times_seconds": i.times,
                    "gflops": i.flops / i.median / 1e9,
                }
                for i in wl.impls
            ],
        }
    limiter.unregister()

    print(
        "\n== summary (targets and information of benchmarks/workloads.py, same machine, same run"
        + (", QUICK sizes: indicative only" if args.quick else "")
        + ")"
    )
    for name, r in summary:
        flag = "  (noisy: other processes busy)" if r.get("noisy") else ""
        print(
            f"   {name:<10} {r['target']:<44} {fmt_bound(r):>14}  measured {fmt_measured(r):>12}"
            f"  {r['status']}{flag}"
        )
    for name in failures:
        print(f"   {name:<10} DISAGREEMENT (see above)")
    meta["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    meta["wall_seconds"] = time.perf_counter() - t_start
    print(f"wall time {meta['wall_seconds']:.1f} s; load avg at end {meta['loadavg_end']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=2, default=_json_default)
        print(f"wrote {args.json}")
    return 1 if failures else 0


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return str(obj)


if __name__ == "__main__":
    sys.exit(main())
