"""Choosing alpha: GCV and leave-one-out in closed form, k-fold, and the bootstrap."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from ._engine import REPLICATE_STATS, EngineJob, current_runner
from ._ridge import fit_grid, path_solver
from ._validation import (
    MAX_REPLICATES,
    MAX_SEED,
    FloatArray,
    Prepared,
    check_bool,
    check_choice,
    check_int,
    check_memory,
    path_grid,
    prepare,
    resolve_threads,
)

SCORINGS = ("mse", "r2", "corr")


@dataclass(frozen=True)
class RidgeCVResult:
    """Result of :func:`ridge_cv`.

    Attributes
    ----------
    alpha : float or ndarray of shape (t,)
        The chosen penalty (one per target with ``alpha_per_target=True``).
    alphas : ndarray of shape (k,)
        The grid, as given.
    scores : ndarray of shape (k,) or (k, t)
        Criterion per alpha (and target). Lower is better for "gcv", "loo" and
        scoring="mse" (mean squared error); higher is better for "r2" and
        "corr". ``greater_is_better`` says which.
    greater_is_better : bool
    best_score : float or ndarray of shape (t,)
        The score of the chosen alpha.
    coef : ndarray of shape (p,) or (p, t)
        Refit on all rows with the chosen alpha.
    intercept : float or ndarray of shape (t,)
    dof : ndarray of shape (k,)
        Effective degrees of freedom tr(H) per alpha (counting the intercept).
    cv : str or int
        The method.
    solver : str
        Solver of the final refit.
    alpha_replicates : ndarray of shape (B,) or (B, t), or None
        With cv="bootstrap": each replicate's best alpha (selection uncertainty).
    heldout : ndarray of shape (B, n_chunks), or None
        With cv="bootstrap": the held-out chunk indices of each replicate (rows
        ``c * chunk_len`` to ``(c + 1) * chunk_len - 1`` of chunk c).
    chunk_len : int or None
    """

    alpha: Union[float, FloatArray]
    alphas: FloatArray
    scores: FloatArray
    greater_is_better: bool
    best_score: Union[float, FloatArray]
    coef: FloatArray
    intercept: Union[float, FloatArray]
    dof: FloatArray
    cv: Union[str, int]
    solver: str
    alpha_replicates: Optional[FloatArray] = None
    heldout: Optional[np.ndarray] = None
    chunk_len: Optional[int] = None

    def predict(self, X: Any) -> FloatArray:
        """Predictions of the final fit for X (n, p)."""
        Xa = np.asarray(X, dtype=self.coef.dtype)
        return Xa @ self.coef + self.intercept


def _weighted_centred(data: Prepared, fit_intercept: bool) -> tuple[np.ndarray, ...]:
    """Rows of positive weight v as sqrt(v) (X - xbar) (m, p), sqrt(v) (Y - ybar) (m, t); v (m,)."""
    v = data.weight.astype(np.float64) if data.weight is not None else np.ones(data.n)
    keep = v > 0
    X, Y, v = data.X[keep].astype(np.float64), data.Y[keep].astype(np.float64), v[keep]
    if fit_intercept:
        X = X - (v @ X) / v.sum()
        Y = Y - (v @ Y) / v.sum()
    sv = np.sqrt(v)[:, None]
    return sv * X, sv * Y, v


def _rank_cut(s: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Singular values above lstsq's default cutoff eps * max(m, p) * s_max."""
    return s > np.finfo(np.float64).eps * max(shape) * (s[0] if s.size else 0)


def _weighted_svd(data: Prepared, fit_intercept: bool) -> tuple[np.ndarray, ...]:
    """Thin SVD of sqrt(v) (X - xbar): U (m, r), s (r,), sqrt(v) (Y - ybar) (m, t), v (m,)."""
    Xt, Yt, v = _weighted_centred(data, fit_intercept)
    U, s, _ = np.linalg.svd(Xt, full_matrices=False)
    keep = _rank_cut(s, Xt.shape)
    return U[:, keep], s[keep], Yt, v


def _closed_form_scores(
    data: Prepared, alphas: np.ndarray, fit_intercept: bool, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """GCV or exact leave-one-out scores (k, t) and dof (k,) from one SVD.

    After the SVD, GCV costs O(p t) per alpha and leave-one-out O(n p t).

    With sqrt(v)-scaled, centred data the hat matrix is
    H = U diag(s^2 / (s^2 + alpha)) U^T (+ sqrt(v) sqrt(v)^T / sum v for the
    intercept). LOO residuals are e_i / (1 - h_ii); their squares are averaged
    with the weights v_i. GCV = (weighted RSS / sum v) / (1 - tr(H) / m)^2.
    """
    U, s, Yt, v = _weighted_svd(data, fit_intercept)
    m = len(v)
    UtY = U.T @ Yt  # (r, t)
    resid_base = Yt - U @ UtY  # part of y outside span(U): alpha-independent
    rss_base = (resid_base**2).sum(axis=0)
    UtY2 = UtY**2
    h_icpt = v / v.sum() if fit_intercept else np.zeros(m)
    k = len(alphas)
    scores = np.empty((k, data.t))
    dof = np.empty(k)
    U2 = U**2
    for a_idx, alpha in enumerate(alphas):
        shrink = alpha / (s**2 + alpha) if alpha > 0 else np.zeros_like(s)  # 1 - filter
        filt = 1 - shrink
        dof[a_idx] = filt.sum() + (1 if fit_intercept else 0)
        if method == "loo":
            resid = resid_base + U @ (shrink[:, None] * UtY)  # sqrt(v) (y - yhat)
            h = U2 @ filt + h_icpt
            with np.errstate(divide="ignore", invalid="ignore"):
                loo = resid / (1 - h)[:, None]  # still scaled by sqrt(v): squares carry v
            scores[a_idx] = (loo**2).sum(axis=0) / v.sum()
        else:
            # RSS from the spectrum alone (resid_base is orthogonal to span(U)): O(r t)
            rss = (rss_base + (shrink**2) @ UtY2) / v.sum()
            # an interpolating fit (tr(H) >= m) has no GCV estimate: score it +inf
            room = 1 - dof[a_idx] / m
            scores[a_idx] = rss / room**2 if room > 1e-12 else np.inf
    return scores, dof


def _dof(data: Prepared, alphas: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """Effective degrees of freedom tr(H) per alpha, from the singular values alone."""
    Xt, _, _ = _weighted_centred(data, fit_intercept)
    s = np.linalg.svd(Xt, compute_uv=False)
    s = s[_rank_cut(s, Xt.shape)]
    return np.array([(s**2 / (s**2 + a)).sum() if a > 0 else float(s.size) for a in alphas]) + (
        1 if fit_intercept else 0
    )


def _score_from_stats(stats: np.ndarray, scoring: str) -> np.ndarray:
    """Turn the engine's held-out sums into scores.

    ``stats`` (..., len(REPLICATE_STATS), k, t) holds the sums named by REPLICATE_STATS.
    """
    s = {name: stats[..., q, :, :] for q, name in enumerate(REPLICATE_STATS)}
    sv, se2, sy, sy2 = s["sum_v"], s["sum_v_e2"], s["sum_v_y"], s["sum_v_y2"]
    sp, sp2, syp = s["sum_v_yhat"], s["sum_v_yhat2"], s["sum_v_y_yhat"]
    with np.errstate(divide="ignore", invalid="ignore"):
        if scoring == "mse":
            return se2 / sv  # type: ignore[no-any-return]
        ss_tot = sy2 - sy**2 / sv
        if scoring == "r2":
            return 1 - se2 / ss_tot  # type: ignore[no-any-return]
        cov = syp - sy * sp / sv
        var_p = sp2 - sp**2 / sv
        return cov / np.sqrt(ss_tot * var_p)  # type: ignore[no-any-return]


def _run_heldout(
    data: Prepared,
    grid: np.ndarray,
    counts: np.ndarray,
    solver: str,
    fit_intercept: bool,
    n_threads: Optional[int],
    scoring: str,
) -> np.ndarray:
    """Fit every (replicate, alpha) on rows with count 1; score the rows with count 0.

    Returns the (B, k, t) scores.
    """
    chosen = path_solver(grid) if solver == "auto" else solver
    job = EngineJob(
        grid,
        chosen,
        fit_intercept,
        counts.shape[0],
        counts=counts,
        replicate_stats=True,
        svd_fallback=solver == "auto",
    )
    raw = current_runner()(job, data.X, data.Y, data.weight, resolve_threads(n_threads))
    # undefined scores (0/0, overflowing huge weights) come out non-finite: no vote
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _score_from_stats(raw["replicate_stats"], scoring)


def _mean_defined(rep_scores: np.ndarray, scoring: str) -> np.ndarray:
    """Mean over replicates/folds (axis 0) of the scores that are defined (finite)."""
    ok = np.isfinite(rep_scores)
    if not ok.any(axis=0).all():
        raise ValueError(
            f"scoring={scoring!r} is undefined on every held-out set for some alpha/target "
            "(too few held-out rows, or a constant target): use scoring='mse' or larger folds"
        )
    return np.where(ok, rep_scores, 0).sum(axis=0) / ok.sum(axis=0)  # type: ignore[no-any-return]


def _best(scores: np.ndarray, greater: bool) -> np.ndarray:
    """Index of the best alpha along axis 0 (alphas ascending); ties go to the larger alpha."""
    s = -scores if greater else scores
    s = np.where(np.isnan(s), np.inf, s)
    rev = s[::-1]
    return s.shape[0] - 1 - np.argmin(rev, axis=0)  # type: ignore[no-any-return]


def ridge_cv(
    X: Any,
    y: Any,
    alphas: Any,
    *,
    cv: Union[str, int] = "gcv",
    alpha_per_target: bool = False,
    scoring: str = "mse",
    fit_intercept: bool = True,
    sample_weight: Any = None,
    solver: str = "auto",
    shuffle: bool = False,
    n_boot: int = 20,
    chunk_len: Optional[int] = None,
    n_chunks: Optional[int] = None,
    heldout_fraction: float = 0.2,
    seed: int = 0,
    n_threads: Optional[int] = None,
    check_finite: bool = True,
    warn_edges: bool = True,
) -> RidgeCVResult:
    """Choose alpha from a grid and refit.

    The penalty convention is scikit-learn's: alpha multiplies ||w||^2 against
    the un-normalised sum of squares (see :mod:`ridgeboot.conventions` for
    glmnet, statsmodels and Huth-lab alphas).

    Parameters
    ----------
    X : array_like of shape (n, p)
    y : array_like of shape (n,) or (n, t)
    alphas : array_like of shape (k,)
        Candidate penalties (>= 0).
    cv : {"gcv", "loo", "bootstrap"} or int, default="gcv"
        "gcv": generalized cross-validation (Golub, Heath & Wahba),
        (RSS / n) / (1 - tr(H) / n)^2 with tr(H) counting the intercept.
        "loo": exact leave-one-out squared error from one SVD (as scikit-learn's
        RidgeCV). int k >= 2: k-fold (contiguous folds unless ``shuffle``), each
        fold fitted once for all alphas on native threads. "bootstrap": for
        ``n_boot`` replicates hold out ``n_chunks`` random contiguous chunks of
        ``chunk_len`` rows, fit the rest, score the held-out rows.
    alpha_per_target : bool, default=False
        Choose an alpha for each target (else the alpha best on average).
    scoring : {"mse", "r2", "corr"}, default="mse"
        Held-out score for k-fold and bootstrap ("gcv" and "loo" are squared errors).
    fit_intercept, sample_weight, solver, n_threads, check_finite
        As in :func:`ridge`.
    shuffle : bool, default=False
        Shuffle rows into folds (with ``seed``).
    n_boot, chunk_len, n_chunks, heldout_fraction
        cv="bootstrap": replicates; chunk length (default max(1, n // 50));
        chunks held out (default round(heldout_fraction * number of chunks)).
    seed : int, default=0

    Returns
    -------
    RidgeCVResult

    Notes
    -----
    Ties between alphas go to the larger alpha (the more stable model). A
    UserWarning names the targets whose chosen alpha is on the edge of the grid
    (``warn_edges=False`` skips it, e.g. when the caller reports it itself).
    """
    data = prepare(X, y, sample_weight, check_finite, min_rows=2)
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    grid, _ = path_grid(alphas, data.t, data.dtype)
    if grid.shape[0] < 1:
        raise ValueError("alphas is empty")
    order = np.argsort(grid[:, 0], kind="stable")
    grid = grid[order]
    alpha_values = grid[:, 0].astype(np.float64)
    check_choice(scoring, SCORINGS, "scoring")
    seed = check_int(seed, "seed", 0, MAX_SEED)
    alpha_reps = heldout = None
    used_chunk_len = None
    if isinstance(cv, str):
        check_choice(cv, ("gcv", "loo", "bootstrap"), "cv")
    else:
        cv = check_int(cv, "cv", 2, data.n)
    if cv in ("gcv", "loo"):
        scores, dof = _closed_form_scores(data, alpha_values, fit_intercept, str(cv))
        greater = False
    elif cv == "bootstrap":
        n_boot = check_int(n_boot, "n_boot", 1, MAX_REPLICATES)
        check_memory(4.0 * n_boot * data.n, f"{n_boot} hold-out masks", "lower n_boot")
        used_chunk_len = (
            max(1, data.n // 50)
            if chunk_len is None
            else check_int(chunk_len, "chunk_len", 1, data.n)
        )
        total_chunks = -(-data.n // used_chunk_len)
        if n_chunks is None:
            if (
                isinstance(heldout_fraction, bool)
                or not isinstance(heldout_fraction, numbers.Real)
                or not 0 < heldout_fraction < 1
            ):
                raise ValueError(f"heldout_fraction must be in (0, 1), got {heldout_fraction}")
            n_chunks = max(1, round(heldout_fraction * total_chunks))
        n_chunks = check_int(n_chunks, "n_chunks", 1, total_chunks - 1 if total_chunks > 1 else 1)
        if total_chunks < 2:
            raise ValueError("cv='bootstrap' needs at least 2 chunks: lower chunk_len")
        heldout = np.empty((n_boot, n_chunks), dtype=np.int64)
        counts = np.ones((n_boot, data.n), dtype=np.int32)
        for b in range(n_boot):
            chosen = np.sort(
                np.random.default_rng([seed, b]).choice(total_chunks, n_chunks, replace=False)
            )
            heldout[b] = chosen
            for c in chosen:
                counts[b, c * used_chunk_len : (c + 1) * used_chunk_len] = 0
        rep_scores = _run_heldout(data, grid, counts, solver, fit_intercept, n_threads, scoring)
        greater = scoring != "mse"
        scores = _mean_defined(rep_scores, scoring)
        best_rep = _best(np.moveaxis(rep_scores, 0, 1), greater)  # (B, t)
        if not alpha_per_target:
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN replicate: no vote
                per_rep = np.nanmean(np.moveaxis(rep_scores, 0, 1), axis=2)
            best_rep = _best(per_rep, greater)
        alpha_reps = alpha_values[best_rep]
        dof = _dof(data, alpha_values, fit_intercept)
    else:
        folds = np.array_split(
            np.random.default_rng(seed).permutation(data.n) if shuffle else np.arange(data.n),
            int(cv),
        )
        counts = np.ones((len(folds), data.n), dtype=np.int32)
        for f, rows in enumerate(folds):
            counts[f, rows] = 0
        rep_scores = _run_heldout(data, grid, counts, solver, fit_intercept, n_threads, scoring)
        greater = scoring != "mse"
        scores = _mean_defined(rep_scores, scoring)
        dof = _dof(data, alpha_values, fit_intercept)
    if alpha_per_target:
        best = _best(scores, greater)  # (t,)
    else:
        best = np.full(data.t, _best(scores.mean(axis=1), greater))
    if warn_edges:
        _warn_edges(best, len(alpha_values), data.y_1d)
    chosen = alpha_values[best]
    final_grid = np.ascontiguousarray(grid[best, np.arange(data.t)].reshape(1, data.t))
    coef, intercept, solver_ran = fit_grid(data, final_grid, solver, fit_intercept, n_threads)
    best_score = scores[best, np.arange(data.t)]
    # restore the caller's alpha order in the public scores
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))
    scores_out = scores[inv]
    c, b = coef[0], intercept[0]
    if data.y_1d:
        return RidgeCVResult(
            float(chosen[0]),
            np.asarray(alpha_values[inv]),
            scores_out[:, 0],
            greater,
            float(best_score[0]),
            c[:, 0],
            float(b[0]),
            dof[inv],
            cv,
            solver_ran,
            None if alpha_reps is None else alpha_reps.reshape(-1),
            heldout,
            used_chunk_len,
        )
    alpha_out: Union[float, FloatArray] = chosen.copy() if alpha_per_target else float(chosen[0])
    score_out: Union[float, FloatArray] = (
        best_score if alpha_per_target else float(best_score.mean())
    )
    return RidgeCVResult(
        alpha_out,
        np.asarray(alpha_values[inv]),
        scores_out,
        greater,
        score_out,
        c,
        b,
        dof[inv],
        cv,
        solver_ran,
        alpha_reps,
        heldout,
        used_chunk_len,
    )


def _warn_edges(best: np.ndarray, k: int, y_1d: bool) -> None:
    if k < 2:
        return
    low, high = np.flatnonzero(best == 0), np.flatnonzero(best == k - 1)
    for where, idx in (("smallest", low), ("largest", high)):
        if idx.size:
            who = (
                "the target"
                if y_1d
                else f"targets {idx.tolist()[:10]}{'...' if idx.size > 10 else ''}"
            )
            warnings.warn(
                f"the chosen alpha for {who} is the {where} of the grid; the optimum may lie "
                "outside it: extend alphas",
                UserWarning,
                stacklevel=3,
            )
