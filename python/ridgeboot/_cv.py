"""Choosing alpha: GCV and leave-one-out in closed form, k-fold, and the bootstrap."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from . import _core
from ._describe import short_repr
from ._engine import REPLICATE_STATS, EngineJob, current_runner
from ._ridge import fit_grid, path_solver
from ._scoring import (
    SCORINGS,
    best_alpha_index,
    greater_is_better,
    mean_defined,
    stats_scores,
    sums_from_predictions,
)
from ._sparse import SparseX, check_sparse_solver, is_sparse, predict_sparse
from ._validation import (
    MAX_REPLICATES,
    MAX_SEED,
    FloatArray,
    Names,
    Prepared,
    all_finite,
    check_bool,
    check_choice,
    check_int,
    check_memory,
    from_pandas,
    path_grid,
    prepare,
    resolve_threads,
)


@dataclass(frozen=True, repr=False)
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
    feature_names, target_names : tuple of str or None
        The column names of X and y when they were pandas objects.
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
    feature_names: Names = None
    target_names: Names = None

    def predict(self, X: Any) -> FloatArray:
        """Predictions of the final fit for X (n, p)."""
        if is_sparse(X):
            return predict_sparse(X, self.coef, self.intercept, self.coef.dtype)  # type: ignore[no-any-return]
        Xa = np.asarray(from_pandas(X, "X")[0], dtype=self.coef.dtype)
        return Xa @ self.coef + self.intercept

    def __repr__(self) -> str:
        return short_repr(
            self,
            {
                "alpha": self.alpha,
                "alphas": self.alphas,
                "cv": self.cv,
                "best_score": self.best_score,
                "greater_is_better": self.greater_is_better,
                "coef": self.coef,
                "solver": self.solver,
                "feature_names": self.feature_names,
                "target_names": self.target_names,
            },
        )


def closed_form(
    data: Prepared,
    grid: np.ndarray,
    fit_intercept: bool,
    method: str,
    n_threads: Optional[int],
    keep_rows: bool = False,
) -> tuple[np.ndarray, np.ndarray, Any, Optional[np.ndarray]]:
    """GCV or exact leave-one-out scores (k, t), dof (k,), the fits and the rows, from the core.

    One eigendecomposition of the weighted, centred Gram (the kernel when p > n),
    then every alpha (``cpp/include/ridgeboot/cv.hpp``): GCV = (weighted RSS / sum v)
    / (1 - tr(H) / m)^2, leave-one-out = sum_i v_i (e_i / (1 - h_ii))^2 / sum v, tr(H)
    counting the intercept. The fits are coef (k, p, t) and intercept (k, t) for every
    alpha from the same eigendecomposition, in float64. ``method="dof"`` gives the dof
    alone (scores NaN, fits None). With ``keep_rows`` (``method="loo"``), the rows are
    every row's leave-one-out residual y_i - yhat_(-i), (n, k, t) in float64 (NaN for
    rows of weight 0, which no fit uses); else None.
    """
    if isinstance(data.X, SparseX):
        run_sparse = (
            _core.cv_scores_sparse_float32
            if data.dtype == np.float32
            else _core.cv_scores_sparse_float64
        )
        scores, dof, fits, rows = run_sparse(
            *data.X.core_args(), data.Y, data.weight, grid, fit_intercept, method, keep_rows
        )
        return scores, dof[:, 0], fits, rows
    run = _core.cv_scores_float32 if data.dtype == np.float32 else _core.cv_scores_float64
    scores, dof, fits, rows = run(
        data.X,
        data.Y,
        data.weight,
        grid,
        fit_intercept,
        method,
        resolve_threads(n_threads),
        keep_rows,
    )
    return scores, dof[:, 0], fits, rows


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
    if isinstance(data.X, SparseX):
        return _heldout_sparse(data, data.X, grid, counts, solver, fit_intercept, scoring)
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
    scores = stats_scores(raw["replicate_stats"], scoring)
    if not np.isfinite(scores).all() and not all_finite(data.X, data.Y, resolve_threads(n_threads)):
        raise ValueError(
            "X or y contains NaN or infinity (check_finite=False skips that check): the "
            "held-out scores are undefined; remove or impute those values"
        )
    return scores


def _heldout_sparse(
    data: Prepared,
    X: SparseX,
    grid: np.ndarray,
    counts: np.ndarray,
    solver: str,
    fit_intercept: bool,
    scoring: str,
) -> np.ndarray:
    """:func:`_run_heldout` for a sparse X: one fit of the whole grid per replicate.

    Each replicate fits the rows of count 1 (weights ``count * sample_weight``) from
    the Gram of its sparse rows and predicts its held-out rows (count 0, positive
    sample weight) by sparse products; the held-out sums and scores are those the
    engine forms for dense X (:func:`ridgeboot._scoring.sums_from_predictions`).
    """
    check_sparse_solver(solver)
    base = data.weight
    k, t = grid.shape
    stats = np.zeros((counts.shape[0], len(REPLICATE_STATS), k, t))
    for b, count in enumerate(counts):
        weight = count.astype(data.dtype) * (1 if base is None else base)
        held = (count == 0) if base is None else (count == 0) & (base > 0)
        if not (weight > 0).any():
            continue  # no fit: every sum 0, the scores undefined (as the engine's)
        rep = Prepared(data.X, data.Y, weight, data.y_1d)
        coef, intercept, _, _ = fit_grid(
            rep, grid, solver, fit_intercept, None, auto_choice=path_solver(grid)
        )
        rows = X.rows(held)
        pred = np.stack([np.asarray(rows @ coef[a]) + intercept[a] for a in range(k)])
        sums = sums_from_predictions(data.Y[held], pred, None if base is None else base[held])
        stats[b] = np.stack([np.broadcast_to(sums[name], (k, t)) for name in REPLICATE_STATS])
    scores = stats_scores(stats, scoring)
    if not np.isfinite(scores).all() and not np.isfinite(data.Y).all():
        raise ValueError(
            "y contains NaN or infinity (check_finite=False skips that check): the "
            "held-out scores are undefined; remove or impute those values"
        )
    return scores


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
    X : array_like or scipy.sparse matrix/array of shape (n, p)
        A sparse X is never densified (see :func:`ridge`): GCV and leave-one-out
        from the eigendecomposition of its Gram, k-fold and "bootstrap" by one
        sparse fit per split.
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
    data = prepare(X, y, sample_weight, check_finite, min_rows=2, n_threads=n_threads)
    if isinstance(data.X, SparseX):
        check_sparse_solver(solver)
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    resolve_threads(n_threads)  # checked before any work
    grid, _ = path_grid(alphas, data.t, data.dtype)
    if grid.shape[0] < 1:
        raise ValueError("alphas is empty")
    order = np.argsort(grid[:, 0], kind="stable")
    grid = grid[order]
    alpha_values = grid[:, 0].astype(np.float64)
    check_choice(scoring, SCORINGS, "scoring")
    seed = check_int(seed, "seed", 0, MAX_SEED)
    alpha_reps = heldout = fits = None
    used_chunk_len = None
    if isinstance(cv, str):
        check_choice(cv, ("gcv", "loo", "bootstrap"), "cv")
    else:
        cv = check_int(cv, "cv", 2, data.n)
    if cv in ("gcv", "loo"):
        scores, dof, fits, _ = closed_form(data, grid, fit_intercept, str(cv), n_threads)
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
        greater = greater_is_better(scoring)
        scores = mean_defined(rep_scores, scoring)
        best_rep = best_alpha_index(np.moveaxis(rep_scores, 0, 1), alpha_values, greater)  # (B, t)
        if not alpha_per_target:
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN replicate: no vote
                per_rep = np.nanmean(np.moveaxis(rep_scores, 0, 1), axis=2)
            best_rep = best_alpha_index(per_rep, alpha_values, greater)
        alpha_reps = alpha_values[best_rep]
        dof = closed_form(data, grid, fit_intercept, "dof", n_threads)[1]
        fits = None
    else:
        folds = np.array_split(
            np.random.default_rng(seed).permutation(data.n) if shuffle else np.arange(data.n),
            int(cv),
        )
        counts = np.ones((len(folds), data.n), dtype=np.int32)
        for f, rows in enumerate(folds):
            counts[f, rows] = 0
        rep_scores = _run_heldout(data, grid, counts, solver, fit_intercept, n_threads, scoring)
        greater = greater_is_better(scoring)
        scores = mean_defined(rep_scores, scoring)
        dof = closed_form(data, grid, fit_intercept, "dof", n_threads)[1]
        fits = None
    if alpha_per_target:
        best = best_alpha_index(scores, alpha_values, greater)  # (t,)
    else:
        best = np.full(data.t, best_alpha_index(scores.mean(axis=1), alpha_values, greater))
    if warn_edges:
        _warn_edges(best, len(alpha_values), data.y_1d)
    chosen = alpha_values[best]
    targets = np.arange(data.t)
    if fits is not None and solver == "auto":
        # the closed form's own eigendecomposition fitted every alpha already
        coef = fits[0][best, :, targets].T[None].astype(data.dtype)  # (1, p, t)
        intercept = fits[1][best, targets][None].astype(data.dtype)
        solver_ran = "eigh"
    else:
        final_grid = np.ascontiguousarray(grid[best, targets].reshape(1, data.t))
        coef, intercept, solver_ran, _ = fit_grid(
            data, final_grid, solver, fit_intercept, n_threads
        )
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
            data.feature_names,
            data.target_names,
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
        data.feature_names,
        data.target_names,
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
