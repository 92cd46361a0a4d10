"""The bootstrap: B weighted refits on native threads (the engine), and their summaries."""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import Any, Callable, Optional, Union

import numpy as np

from . import _core
from ._bias_variance import BiasVariance
from ._bootstrap_result import BootstrapResult, TrainingData, make_result
from ._cv import ridge_cv
from ._engine import REFERENCE_FIT, EngineJob, current_runner
from ._interpolation import warn_if_interpolating
from ._linalg import power_of_two_scale
from ._replicate_selection import ReplicateSelection, make_selection
from ._ridge import fit_grid, path_solver, warn_if_ill_conditioned
from ._sparse import SparseX, check_sparse_solver
from ._validation import (
    MAX_REPLICATES,
    MAX_ROWS,
    MAX_SEED,
    SCHEMES,
    SOLVERS,
    Prepared,
    check_bool,
    check_choice,
    check_int,
    check_memory,
    format_bytes,
    name_non_finite,
    path_grid,
    prepare,
    resolve_threads,
)

__all__ = ["BiasVariance", "BootstrapResult", "bootstrap", "bootstrap_counts"]

OOB_MODES = (True, False, "mse", "auto")
#: oob="auto" keeps the per-row out-of-bag sums behind err632 only within both budgets:
#: their memory (n * k * t doubles) ...
OOB_ROWS_BYTES = 64 * 2**20
#: ... and the cost of predicting every out-of-bag row (0.368 n per replicate) for every alpha
#: and target, 2 k t p flops per row, against a replicate's Gram, p^2 per drawn row (0.632 n):
#: k t <= p / 16 keeps it under ~7 %; or under OOB_ROWS_FLOPS in all (a few milliseconds).
OOB_ROWS_COST = 1.0 / 16
OOB_ROWS_FLOPS = 1e8


def oob_rows_budget(n: int, p: int, k: int, t: int, n_boot: int) -> Optional[str]:
    """Why oob="auto" skips the per-row out-of-bag sums (err632), or None when it keeps them."""
    nbytes = 8.0 * n * k * t
    flops = 2.0 * k * t * p * 0.368 * n * n_boot
    over = []
    if nbytes > OOB_ROWS_BYTES:
        over.append(
            f"they would take {format_bytes(nbytes)} (budget {format_bytes(OOB_ROWS_BYTES)})"
        )
    if k * t > OOB_ROWS_COST * p and flops > OOB_ROWS_FLOPS:
        share = 2 * 0.368 * k * t * p / (0.632 * p * p)
        over.append(
            f"predicting every out-of-bag row for {k * t} alpha-target pairs would cost "
            f"{share:.0%} of the fits (budget: k*t <= p/{1 / OOB_ROWS_COST:g}, or "
            f"{OOB_ROWS_FLOPS:.0e} flops in all)"
        )
    if not over:
        return None
    return (
        "err632 needs per-row out-of-bag sums, which oob='auto' skipped: "
        + "; ".join(over)
        + ". Run bootstrap with oob=True to compute them"
    )


def block_length(block_len: Optional[int], n: int) -> int:
    """Validate block_len (None: rows drawn one by one, the core's 0)."""
    if block_len is None:
        return 0
    return check_int(block_len, "block_len", 1, n)


def bootstrap_counts(
    n: int,
    n_boot: int,
    seed: int = 0,
    scheme: str = "multinomial",
    block_len: Optional[int] = None,
    *,
    n_threads: Optional[int] = None,
) -> np.ndarray:
    """How often each row is in each replicate: exactly the draws of :func:`bootstrap`.

    Draws come from Philox4x32-10 keyed by ``seed``, counter (position, replicate,
    stream), so replicate b depends only on (seed, b, n, scheme, block_len).
    See ``cpp/include/ridgeboot/rng.hpp`` for the exact algorithm.

    Parameters
    ----------
    n : int
        Number of rows.
    n_boot : int
        Number of replicates B.
    seed : int, default=0
        0 <= seed <= 2**64 - 1.
    scheme : {"multinomial", "poisson"}, default="multinomial"
        "multinomial": n rows drawn uniformly with replacement (Lemire's
        unbiased bounded integers); "poisson": an independent Poisson(1) count
        per row.
    block_len : int, optional
        Moving-block bootstrap: ceil(n / L) starts uniform on [0, n - L], L
        consecutive rows each, trimmed to n rows ("multinomial"); one Poisson(1)
        count per non-overlapping block of L rows ("poisson").
    n_threads : int, optional
        Threads used to draw; the draws do not depend on it.

    Returns
    -------
    ndarray of int32, shape (n_boot, n)
    """
    n = check_int(n, "n", 1, MAX_ROWS)
    n_boot = check_int(n_boot, "n_boot", 0, MAX_REPLICATES)
    seed = check_int(seed, "seed", 0, MAX_SEED)
    check_choice(scheme, SCHEMES, "scheme")
    check_memory(4.0 * n * n_boot, f"a ({n_boot}, {n}) table of counts", "draw fewer replicates")
    return _core.bootstrap_counts(
        n, n_boot, seed, scheme, block_length(block_len, n), resolve_threads(n_threads)
    )


def bootstrap(
    X: Any,
    y: Any,
    alphas: Any,
    n_boot: int = 1000,
    *,
    solver: str = "auto",
    fit_intercept: bool = True,
    sample_weight: Any = None,
    scheme: str = "multinomial",
    block_len: Optional[int] = None,
    seed: int = 0,
    n_threads: Optional[int] = None,
    keep_coefs: bool = True,
    progress: bool = False,
    oob: Union[bool, str] = "auto",
    select: Optional[str] = None,
    alpha_per_target: bool = False,
    check_finite: bool = True,
) -> BootstrapResult:
    """Bootstrap the ridge fit: B resampled training sets, fitted in parallel.

    Replicate b is the weighted ridge problem with row weights
    ``sample_weight * counts[b]``, ``counts = bootstrap_counts(n, n_boot, seed,
    scheme, block_len)``: rows drawn zero times cost nothing and nothing is
    copied; with an intercept each replicate is centred by its own weighted means.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix/array of shape (n, p)
        A sparse X is never densified: each replicate forms the Gram of its
        sparse rows weighted by its counts, from the same draws as for dense X
        (solvers "auto", "cholesky", "eigh"; see :func:`ridge`).
    y : array_like of shape (n,) or (n, t)
    alphas : float or array_like of shape (k,)
        One penalty, or a path (one factorization per replicate serves all);
        with ``select``, the grid each replicate chooses from.
    n_boot : int, default=1000
        Number of replicates B (>= 2).
    solver : {"auto", "cholesky", "svd", "eigh"}, default="auto"
        As in :func:`ridge_path`; "auto" is fixed once for all replicates.
    fit_intercept : bool, default=True
    sample_weight : array_like of shape (n,), optional
    scheme : {"multinomial", "poisson"}, default="multinomial"
    block_len : int, optional
        Moving-block bootstrap for time series (see :func:`bootstrap_counts`).
    seed : int, default=0
    n_threads : int, optional
        Native threads (None: all cores). Results are bit-identical for any value.
    keep_coefs : bool, default=True
        Keep every replicate's weights; False keeps streaming mean and spread
        only (memory O(threads p^2 + k p t)).
    progress : bool, default=False
        Show a tqdm progress bar.
    oob : {"auto", True, "mse", False}, default="auto"
        Out-of-bag errors. "mse": ``oob_mse`` only, from each replicate's
        sufficient statistics of its out-of-bag rows (formed in the same pass
        over the rows as its fit: it costs little; O(k*t) memory). True: also
        ``err632`` and ``err632plus``, which need n*k*t per-row sums and every
        out-of-bag row of every replicate predicted for every alpha and target.
        "auto": "mse", and the per-row sums too when they take at most 64 MiB
        and either k*t <= p/16 (their predictions then cost under ~7 % of the
        fits) or the predictions take 1e8 flops in all; otherwise ``err632``
        raises, saying why and to pass oob=True. False: none.
    select : {None, "gcv", "loo"}, default=None
        Re-select alpha inside every replicate: replicate b chooses from the grid
        the alpha that ``ridge_cv(X, y, alphas, cv=select, sample_weight=w *
        counts[b], alpha_per_target=alpha_per_target)`` chooses (the same closed
        form and tie rule, from the one factorization the replicate needs
        anyway), and its coefficients are those at its choice. Cost: "gcv" about
        that of the plain path bootstrap on the same grid (its tr H in O(p) per
        alpha from the tridiagonal form); "loo" about 3x (every in-bag row's
        leverage needs the rows in the eigenbasis: 2 m p^2 more flops). The spread and the
        intervals then include the variability of the choice (they are about the
        whole procedure "choose alpha by GCV, then fit"), the result is centred on
        ``ridge_cv``'s fit on all rows, ``result.selection`` says what each
        replicate chose, and ``result.smoothed()`` gives Efron's bagged estimate
        with its delta-method standard error. With solver "auto" or "eigh" a
        replicate's fit comes from its criterion's eigendecomposition; "cholesky"
        and "svd" refit at the chosen alpha.
    alpha_per_target : bool, default=False
        With ``select``: each target its own alpha (else one for all, the best
        mean score over targets), as in :func:`ridge_cv`.
    check_finite : bool, default=True

    Returns
    -------
    BootstrapResult

    Raises
    ------
    MemoryError
        When kept coefficients (or out-of-bag sums) would not fit in memory.
    KeyboardInterrupt
        Ctrl-C stops the run within about 0.1 s plus one replicate.
    """
    # Without select=, the engine checks a dense X and y for NaN and infinity itself,
    # from the sums of all rows it takes anyway: a pass over the data less.
    data = prepare(
        X, y, sample_weight, check_finite, n_threads=n_threads, defer_finite=select is None
    )
    if isinstance(data.X, SparseX):
        check_sparse_solver(solver)
    n_boot = check_int(n_boot, "n_boot", 2, MAX_REPLICATES)
    seed = check_int(seed, "seed", 0, MAX_SEED)
    check_choice(scheme, SCHEMES, "scheme")
    check_choice(solver, SOLVERS, "solver")
    grid, has_k = path_grid(alphas, data.t, data.dtype)
    alpha_per_target = check_bool(alpha_per_target, "alpha_per_target")
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    selection = None
    if select is not None:
        check_choice(select, ("gcv", "loo"), "select")
        if isinstance(data.X, SparseX):
            raise TypeError(
                "select= needs a dense X (each replicate's criterion reads its rows); "
                "pass X.toarray(), or select alpha once with ridge_cv"
            )
        full_cv = ridge_cv(
            data.X,
            data.Y,
            grid[:, 0],
            cv=select,
            alpha_per_target=alpha_per_target,
            fit_intercept=fit_intercept,
            sample_weight=data.weight,
            solver=solver,
            n_threads=n_threads,
            check_finite=False,
        )
        grid = np.ascontiguousarray(np.sort(grid, axis=0))
        chosen = np.broadcast_to(np.asarray(full_cv.alpha, dtype=data.dtype), (data.t,))
        selection = (select, grid[:, 0].astype(np.float64), chosen, full_cv)
    # with select, the fit on all rows is at the alpha chosen on them
    warn_if_interpolating(
        data,
        np.asarray(selection[2]) if selection else grid[:, 0],
        fit_intercept,
    )
    L = block_length(block_len, data.n)
    k, p, t = (1 if selection else grid.shape[0]), data.p, data.t
    if keep_coefs:
        check_memory(
            float(n_boot) * k * (p + 1) * t * data.dtype.itemsize,
            f"keeping {n_boot} replicates' coefficients",
            "pass keep_coefs=False to keep only their mean and spread (or lower n_boot)",
        )
    if not any(oob is mode or (isinstance(oob, str) and oob == mode) for mode in OOB_MODES):
        raise ValueError(f"oob must be 'auto', True, 'mse' or False; got {oob!r}")
    skipped = oob_rows_budget(data.n, p, k, t, n_boot) if oob == "auto" else None
    oob_rows = oob is True or (oob == "auto" and skipped is None)
    if oob_rows:
        check_memory(
            8.0 * data.n * k * t,
            "the per-row out-of-bag sums for err632",
            "pass oob='mse' (out-of-bag MSE only) or oob=False",
        )
    auto, requested = solver == "auto", solver
    # The engine fits the reference itself from the sums of all rows it takes anyway
    # (dense X): no pass over the data for it.
    own_reference = selection is None and not isinstance(data.X, SparseX)
    full: Optional[tuple[np.ndarray, np.ndarray]] = None
    if own_reference:
        solver = path_solver(grid) if auto else solver
    elif selection is None:
        full_coef, full_icpt, solver, _ = fit_grid(
            data, grid, solver, fit_intercept, n_threads, auto_choice=path_solver(grid)
        )
        full = (full_coef, full_icpt)
    else:
        fitted = selection[3]
        full_coef = np.ascontiguousarray(np.asarray(fitted.coef, data.dtype).reshape(1, p, t))
        full_icpt = np.ascontiguousarray(np.asarray(fitted.intercept, data.dtype).reshape(1, t))
        # auto: each replicate's fit comes from its criterion's eigendecomposition
        solver = "eigh" if auto else solver
        auto = False
        full = (full_coef, full_icpt)
    job = EngineJob(
        grid,
        solver,
        fit_intercept,
        n_boot,
        scheme,
        L,
        seed,
        keep_coefs=keep_coefs,
        reference=full,
        fit_reference=own_reference,
        oob_rows=oob_rows,
        oob_mse=bool(oob),
        svd_fallback=auto,
        coef_scale=1.0 if full is None else power_of_two_scale(full[0]),
        intercept_scale=1.0 if full is None else power_of_two_scale(full[1]),
        select=selection[0] if selection else "none",
        select_per_target=alpha_per_target,
        check_finite=data.finite_unchecked,
    )
    bar, callback = _progress_bar(progress, n_boot)
    try:
        threads = resolve_threads(n_threads)
        try:
            raw = current_runner()(job, data.X, data.Y, data.weight, threads, callback)
        except _core.NonFiniteInput:
            name_non_finite(data.X, data.Y)
            raise
        if full is None:
            info = dict(zip(REFERENCE_FIT, map(float, raw["reference_fit"])))
            full = (raw["reference_coef"], raw["reference_intercept"])
            warn_if_ill_conditioned(
                requested,
                "svd" if info["fell_back"] else solver,
                info["condition_bound"],
                data.dtype,
                stacklevel=3,
            )
            job = replace(
                job, coef_scale=info["coef_scale"], intercept_scale=info["intercept_scale"]
            )
            if info["fell_back"]:  # the solver failed on all rows: every replicate by the SVD
                job = replace(
                    job, solver="svd", reference=full, fit_reference=False, check_finite=False
                )
                raw = current_runner()(job, data.X, data.Y, data.weight, threads, callback)
        if bar is not None:
            bar.update(n_boot - bar.n)
    finally:
        if bar is not None:
            bar.close()
    if selection is None:
        return _result(raw, data, job, has_k, full, block_len, skipped)
    method, values, chosen, _ = selection
    record = make_selection(
        method, values, raw["alpha_index"], chosen, alpha_per_target, not data.y_1d
    )
    one = replace(job, grid=np.ascontiguousarray(chosen.reshape(1, t)))
    return _result(raw, data, one, False, full, block_len, skipped, record)


def _progress_bar(progress: bool, total: int) -> tuple[Any, Optional[Callable[[int], None]]]:
    if not progress:
        return None, None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="replicate", desc="bootstrap")

    def update(done: int) -> None:
        bar.update(done - bar.n)

    return bar, update


def check_valid_replicates(n_valid: int, n_boot: int) -> int:
    """Replicates with a fit: an error below 2, a warning when some were skipped."""
    if n_valid < n_boot:
        if n_valid < 2:
            raise ValueError(
                f"only {n_valid} of {n_boot} replicates drew a row with positive weight; "
                "increase n_boot or use more (or shorter) blocks"
            )
        warnings.warn(
            f"{n_boot - n_valid} of {n_boot} replicates drew no row with positive weight and "
            "were skipped: statistics use the other replicates (their kept coefficients are NaN)",
            RuntimeWarning,
            stacklevel=4,
        )
    return n_valid


def _moments(
    full: np.ndarray, s: np.ndarray, ss: np.ndarray, B: int, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean and the sample standard deviation from the engine's sums, in float64.

    mean = full + s / B / scale, std = sqrt(max(ss - s²/B, 0) / (B - 1)) / scale,
    natively with numpy's operations in numpy's order, written over the engine's sums.
    """
    f64 = np.float64
    mean, std = _core.moments_from_sums(
        np.ascontiguousarray(s, f64),
        np.ascontiguousarray(ss, f64),
        np.ascontiguousarray(full, f64),
        float(B),
        float(scale),
        overwrite=True,
    )
    return mean, std


def _result(
    raw: dict[str, np.ndarray],
    data: Prepared,
    job: EngineJob,
    has_k: bool,
    full: tuple[np.ndarray, np.ndarray],
    block_len: Optional[int],
    skipped: Optional[str] = None,
    selection: Optional[ReplicateSelection] = None,
) -> BootstrapResult:
    """Turn the engine's sums into means and spreads about the full fit, and the result."""
    B = check_valid_replicates(int(raw["n_valid"][0]), job.n_boot)
    full_coef, full_icpt = full
    # the sums are of deviations times job.coef_scale / intercept_scale (powers of two)
    s, ss, cs = raw["coef_sum"], raw["coef_sumsq"], job.coef_scale
    i_s, i_ss, ics = raw["intercept_sum"], raw["intercept_sumsq"], job.intercept_scale
    moments = (*_moments(full_coef, s, ss, B, cs), *_moments(full_icpt, i_s, i_ss, B, ics))
    oob_mse = None
    if job.oob_mse:
        reps = int(raw["oob_replicates"][0])
        oob_mse = raw["oob_mse_sum"] / reps if reps else np.full(job.grid.shape, np.nan)
    oob_rows: Union[tuple[np.ndarray, np.ndarray], str] = skipped or (
        "err632 needs per-row out-of-bag sums: run bootstrap with oob=True"
    )
    if job.oob_rows:
        oob_rows = (raw["oob_loss"], raw["oob_count"])
    settings = {
        "n_boot": job.n_boot,
        "n_valid": B,
        "n_fallback": int(raw["n_fallback"][0]),
        "seed": job.seed,
        "scheme": job.scheme,
        "block_len": block_len,
        "solver": job.solver,
        "fit_intercept": job.fit_intercept,
        "feature_names": data.feature_names,
        "target_names": data.target_names,
    }
    return make_result(
        grid=job.grid,
        axes=(has_k, not data.y_1d),
        dtype=data.dtype,
        full=full,
        moments=moments,
        replicates=(raw.get("coefs"), raw.get("intercepts")),
        oob_mse=oob_mse,
        settings=settings,
        training=TrainingData(data.X, data.Y, data.weight),
        oob_rows=oob_rows,
        selection=selection,
    )
