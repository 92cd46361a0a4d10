"""Out-of-core Poisson bootstrap: sufficient statistics per row chunk, merged in a tree.

A replicate is the weighted ridge problem with row weights c_i = Poisson_b(i) * v_i;
Poisson_b(i) depends only on (seed, b, global row index i), so every row chunk
draws its own rows' counts. Per chunk and replicate we keep, about the chunk's
weighted means (centred, so nothing cancels catastrophically):

    w = sum c,  rows = #{c > 0},  mx = sum c x / w,  my = sum c y / w,
    Gxx = sum c (x - mx)(x - mx)^T,  Gxy = sum c (x - mx)(y - my)^T,  Gyy = sum c (y - my)^2

and the same over the replicate's out-of-bag rows (count 0, weights v) for the
out-of-bag error. Two chunks' statistics merge exactly (Chan, Golub & LeVeque
1979): with d = m2 - m1 and f = w1 w2 / (w1 + w2), G = G1 + G2 + f d d^T.
Replicate b is then solved from its Gram: W = (Gxx + alpha I)^-1 Gxy by one
eigendecomposition for all alphas with the core's rules (ridgeboot._linalg: eigenvalues
under the rank cutoff of the replicate's rows count as zero), b = my - mx^T W. The
out-of-bag squared error of (W, b) over rows with statistics (w, mx, my, G) is
Gyy - 2 w^T Gxy + w^T Gxx w + w (my - b - mx^T w)^2 per target.

Against overflow and underflow each chunk's rows, targets and weights are scaled by
powers of two (exact; ``_linalg.power_of_two_scale``), the exponents kept with the
statistics ("ex", "ey", "ew": data' = data 2^e); a merge brings two chunks to the smaller
exponents (the larger data) exactly, and the solve undoes them.

Memory. A chunk task for R replicates over m rows holds the weights of its replicates
(R x m: int32 counts, float64 weights, a boolean mask) next to its statistics
(R x (p^2 + p t + ...) doubles, a few copies while they are formed), so it grows with
rows per chunk x replicates; a merge holds about six sets of statistics.
:mod:`ridgeboot._out_of_core_memory` gives the peaks (checked against
tracemalloc in the tests) and :func:`plan_subblocks` splits the replicates into
sub-blocks so that every task stays within a budget: half of a worker's free memory
below its pause line, per worker thread (:func:`task_budget`). The sub-blocks are
independent (a replicate's statistics never mix with another's) and are concatenated
on the client.
"""

from __future__ import annotations

from typing import Any, Optional, Union

import numpy as np

from . import _core
from ._bootstrap import block_length, check_valid_replicates
from ._bootstrap_result import BootstrapResult, make_result
from ._linalg import power_of_two_scale, shift_factors
from ._out_of_core_memory import OUTER_BYTES, plan_subblocks, stats_bytes, task_budget
from ._validation import (
    MAX_REPLICATES,
    MAX_SEED,
    check_bool,
    check_choice,
    check_int,
    check_memory,
    path_grid,
)

Stats = dict[str, np.ndarray]


def chunk_stats(X: np.ndarray, Y: np.ndarray, C: np.ndarray, centre: bool, with_yy: bool) -> Stats:
    """Weighted statistics of rows X (m, p), Y (m, t) for each weight row of C (R, m).

    All R replicates at once: sums of outer products as GEMMs over row blocks, about
    the rows' plain means (so the replicates' own means differ from the shift by
    O(sd / sqrt(m)) and removing them cancels nothing of note).
    """
    R, (m, p), t = C.shape[0], X.shape, Y.shape[1]
    shift_x = X.mean(axis=0) if centre and m else np.zeros(p)
    shift_y = Y.mean(axis=0) if centre and m else np.zeros(t)
    X0, Y0 = X - shift_x, Y - shift_y
    w = C.sum(axis=1)
    Sxx, Sxy = np.zeros((R, p * p)), np.zeros((R, p * t))
    rows = max(1, OUTER_BYTES // 8 // max(p * p, p * t))  # outer products of ~32 MiB at a time
    for r0 in range(0, m, rows):
        Xb, Yb, Cb = X0[r0 : r0 + rows], Y0[r0 : r0 + rows], C[:, r0 : r0 + rows]
        Sxx += Cb @ (Xb[:, :, None] * Xb[:, None, :]).reshape(len(Xb), p * p)
        Sxy += Cb @ (Xb[:, :, None] * Yb[:, None, :]).reshape(len(Xb), p * t)
    has = w > 0
    mx0, my0 = np.zeros((R, p)), np.zeros((R, t))  # replicate means less the shift
    if centre:
        np.divide(C @ X0, w[:, None], out=mx0, where=has[:, None])
        np.divide(C @ Y0, w[:, None], out=my0, where=has[:, None])
    Gyy = C @ (Y0 * Y0) - w[:, None] * my0**2 if with_yy else np.zeros((R, t))
    return {
        "w": w,
        "rows": (C > 0).sum(axis=1).astype(np.float64),
        # an empty row set has means 0, so that merging it is exact
        "mx": np.where(has[:, None], shift_x + mx0, 0.0),
        "my": np.where(has[:, None], shift_y + my0, 0.0),
        "Gxx": Sxx.reshape(R, p, p) - w[:, None, None] * mx0[:, :, None] * mx0[:, None, :],
        "Gxy": Sxy.reshape(R, p, t) - w[:, None, None] * mx0[:, :, None] * my0[:, None, :],
        "Gyy": Gyy,
    }


def _with_exponents(s: Stats, ex: float, ey: float, ew: float) -> Stats:
    """Rescale the statistics s to the exponents (ex, ey, ew): exact, powers of two."""
    fx, fy, fw = 2.0 ** (ex - s["ex"]), 2.0 ** (ey - s["ey"]), 2.0 ** (ew - s["ew"])
    return {
        "w": s["w"] * fw,
        "rows": s["rows"],
        "mx": s["mx"] * fx,
        "my": s["my"] * fy,
        "Gxx": s["Gxx"] * (fw * fx * fx),
        "Gxy": s["Gxy"] * (fw * fx * fy),
        "Gyy": s["Gyy"] * (fw * fy * fy),
        "ex": np.asarray(ex),
        "ey": np.asarray(ey),
        "ew": np.asarray(ew),
    }


def merge_stats(a: Stats, b: Stats) -> Stats:
    """Statistics of the union of two row sets (exact; vectorized over replicates)."""
    ex, ey, ew = (min(float(a[e]), float(b[e])) for e in ("ex", "ey", "ew"))
    a, b = _with_exponents(a, ex, ey, ew), _with_exponents(b, ex, ey, ew)
    w = a["w"] + b["w"]
    share = np.divide(b["w"], w, out=np.zeros_like(w), where=w > 0)  # w2 / w
    f = a["w"] * share  # w1 w2 / w, zero when either side is empty
    dx, dy = b["mx"] - a["mx"], b["my"] - a["my"]
    return {
        "w": w,
        "rows": a["rows"] + b["rows"],
        "mx": a["mx"] + dx * share[:, None],
        "my": a["my"] + dy * share[:, None],
        "Gxx": a["Gxx"] + b["Gxx"] + f[:, None, None] * dx[:, :, None] * dx[:, None, :],
        "Gxy": a["Gxy"] + b["Gxy"] + f[:, None, None] * dx[:, :, None] * dy[:, None, :],
        "Gyy": a["Gyy"] + b["Gyy"] + f[:, None] * dy * dy,
        "ex": a["ex"],
        "ey": a["ey"],
        "ew": a["ew"],
    }


def _chunk_task(
    X: np.ndarray,
    Y: np.ndarray,
    v: Optional[np.ndarray],
    row_start: int,
    first: int,
    count: int,
    seed: int,
    block_len: int,
    fit_intercept: bool,
    oob: bool,
    check_finite: bool,
    n_threads: Optional[int] = None,
) -> dict[str, Stats]:
    """One row chunk, replicates first .. first + count - 1: in-bag statistics, out-of-bag.

    The sub-block starting at replicate 0 also carries the full fit (weight row 0).
    ``n_threads``: threads for the draws and the BLAS products (default: the worker's).
    """
    if n_threads is None:
        n_threads = _worker_threads()
    with _blas_threads(n_threads):
        return _chunk_stats_task(
            X,
            Y,
            v,
            row_start,
            first,
            count,
            seed,
            block_len,
            fit_intercept,
            oob,
            check_finite,
            n_threads,
        )


def _chunk_stats_task(
    X: np.ndarray,
    Y: np.ndarray,
    v: Optional[np.ndarray],
    row_start: int,
    first: int,
    count: int,
    seed: int,
    block_len: int,
    fit_intercept: bool,
    oob: bool,
    check_finite: bool,
    n_threads: int,
) -> dict[str, Stats]:
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64).reshape(len(X), -1)
    v = np.ones(len(X)) if v is None else np.asarray(v, dtype=np.float64)
    if check_finite and not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise ValueError(
            f"X or y has NaN or infinite values in rows {row_start}..{row_start + len(X) - 1}"
        )
    if not np.isfinite(v).all() or (v < 0).any():
        raise ValueError(
            f"sample_weight must be finite and >= 0 (rows {row_start}..{row_start + len(X) - 1})"
        )
    counts = _core.poisson_counts(row_start, len(X), first, count, seed, block_len, n_threads)
    sx, sy, sw = power_of_two_scale(X), power_of_two_scale(Y), power_of_two_scale(v)
    X, Y, v = X * sx, Y * sy, v * sw
    exponents = {"ex": np.log2(sx), "ey": np.log2(sy), "ew": np.log2(sw)}
    full = int(first == 0)  # the full fit is row 0 of the first sub-block
    weights = np.empty((full + count, len(X)))  # (full + count, m), reused out of bag
    if full:
        weights[0] = v
    np.multiply(counts, v[None], out=weights[full:])
    out = {"in": {**chunk_stats(X, Y, weights, fit_intercept, with_yy=False), **exponents}}
    if oob:
        oob_rows = weights[full:]
        np.multiply(counts == 0, v[None], out=oob_rows)  # v on the rows left out, else 0
        out["oob"] = {**chunk_stats(X, Y, oob_rows, True, with_yy=True), **exponents}
    return out


def _worker_threads() -> int:
    try:
        from distributed import get_worker

        return int(get_worker().state.nthreads)
    except (ImportError, ValueError):
        return 1


def _blas_threads(n_threads: int) -> Any:
    """Return a context limiting BLAS to n_threads (a no-op without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a test dependency
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(n_threads, user_api="blas")


def _merge_task(a: dict[str, Stats], b: dict[str, Stats]) -> dict[str, Stats]:
    return {key: merge_stats(a[key], b[key]) for key in a}


def solve_stats(stats: Stats, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ridge fits of every replicate from its statistics, by one eigh per replicate.

    Returns coef (R, k, p, t), intercept (R, k, t) in the data's units and the valid
    mask (R,): a replicate with no positive weight has no fit (NaN).
    """
    valid = stats["w"] > 0
    ex, ey, ew = float(stats["ex"]), float(stats["ey"]), float(stats["ew"])
    lam, V = np.linalg.eigh(stats["Gxx"])  # (R, p), (R, p, p)
    rot = np.einsum("rpq,rpt->rqt", V, stats["Gxy"])  # V^T Gxy
    alphas = grid * 2.0 ** (ew + 2 * ex)  # the penalty of the scaled problem
    factors = shift_factors(lam, alphas, stats["rows"], lam.shape[1])  # (R, k, t, p)
    scaled = np.moveaxis(factors, 3, 2) * rot[:, None]  # (R, k, p, t)
    coef = np.einsum("rpq,rkqt->rkpt", V, scaled)
    icpt = stats["my"][:, None, :] - np.einsum("rp,rkpt->rkt", stats["mx"], coef)
    coef, icpt = coef * 2.0 ** (ex - ey), icpt * 2.0**-ey
    coef[~valid], icpt[~valid] = np.nan, np.nan
    return coef, icpt, valid


def oob_mse(oob: Stats, coef: np.ndarray, icpt: np.ndarray) -> np.ndarray:
    """Out-of-bag weighted mean squared error of fits (R, k, p, t), (R, k, t) -> (R, k, t)."""
    ex, ey = float(oob["ex"]), float(oob["ey"])
    coef, icpt = coef * 2.0 ** (ey - ex), icpt * 2.0**ey  # into the statistics' units
    with np.errstate(invalid="ignore", divide="ignore"):
        return _sse(oob, coef, icpt) / oob["w"][:, None, None] * 2.0 ** (-2 * ey)  # type: ignore[no-any-return]


def _sse(oob: Stats, coef: np.ndarray, icpt: np.ndarray) -> np.ndarray:
    quad = np.einsum("rkpt,rpq,rkqt->rkt", coef, oob["Gxx"], coef)
    cross = np.einsum("rkpt,rpt->rkt", coef, oob["Gxy"])
    bias = oob["my"][:, None, :] - icpt - np.einsum("rp,rkpt->rkt", oob["mx"], coef)
    return oob["Gyy"][:, None, :] - 2 * cross + quad + oob["w"][:, None, None] * bias**2  # type: ignore[no-any-return]


def _as_row_chunked(X: Any, y: Any, sample_weight: Any) -> tuple[Any, Any, Any]:
    import dask.array as da

    if not isinstance(X, da.Array):
        raise TypeError("out of core: X must be a dask.array chunked by rows (y may be numpy)")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got {X.ndim}-D")
    X = X.rechunk({1: -1})  # whole rows per chunk
    rows = X.chunks[0]
    if not isinstance(y, da.Array):
        y = np.asarray(y)
    if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have shape ({X.shape[0]},) or ({X.shape[0]}, t), got {y.shape}")
    if not isinstance(y, da.Array):
        y = da.from_array(y, chunks=(rows,) + (-1,) * (y.ndim - 1))
    y = y.rechunk((rows,) + (-1,) * (y.ndim - 1))
    if sample_weight is not None:
        w = sample_weight
        if not isinstance(w, da.Array):
            w = np.asarray(w, dtype=np.float64)
            if w.ndim != 1 or len(w) != X.shape[0]:
                raise ValueError(f"sample_weight must have shape ({X.shape[0]},), got {w.shape}")
            w = da.from_array(w, chunks=(rows,))
        sample_weight = w.rechunk((rows,))
    return X, y, sample_weight


def bootstrap_poisson(
    client: Any,
    X: Any,
    y: Any,
    alphas: Any,
    n_boot: int = 1000,
    *,
    solver: str = "auto",
    fit_intercept: bool = True,
    sample_weight: Any = None,
    scheme: str = "poisson",
    block_len: Optional[int] = None,
    seed: int = 0,
    keep_coefs: bool = True,
    oob: Union[bool, str] = "auto",
    check_finite: bool = True,
    n_threads: Optional[int] = None,
    progress: bool = False,
) -> BootstrapResult:
    """Poisson bootstrap of dask arrays chunked by rows, in one pass (see the module notes).

    ``n_threads`` are the threads of one task (draws and BLAS; default: the worker's
    thread count); ``progress=True`` shows a bar over the chunk tasks.
    """
    if scheme != "poisson":
        raise ValueError(
            'out-of-core bootstrap (dask arrays) needs scheme="poisson": a multinomial draw '
            "couples all rows; compute the arrays (X.compute()) to use it in memory"
        )
    check_choice(solver, ("auto", "eigh"), "solver (out of core: from the Gram, by eigh)")
    if oob is True:
        raise ValueError(
            "out of core, oob=True (err632) needs per-row passes over the data: "
            "use oob='mse' (out-of-bag MSE, one pass) or oob=False"
        )
    if not (oob is False or oob in ("mse", "auto")):
        raise ValueError(f"oob must be 'auto', 'mse' or False out of core; got {oob!r}")
    oob = "mse" if oob == "auto" else oob  # err632 needs the rows in memory (see oob_rows below)
    X, yd, wd = _as_row_chunked(X, y, sample_weight)
    n, p = X.shape
    t = 1 if yd.ndim == 1 else yd.shape[1]
    dtype = np.float32 if X.dtype == np.float32 else np.float64
    n_boot = check_int(n_boot, "n_boot", 2, MAX_REPLICATES)
    seed = check_int(seed, "seed", 0, MAX_SEED)
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    keep_coefs = check_bool(keep_coefs, "keep_coefs")
    L = block_length(block_len, n)
    grid, has_k = path_grid(alphas, t, np.dtype(dtype))
    grid64 = grid.astype(np.float64)
    k = grid.shape[0]
    if n_threads is not None and n_threads != -1:  # None, -1: the worker's thread count
        n_threads = check_int(n_threads, "n_threads", 1)
    else:
        n_threads = None
    progress = check_bool(progress, "progress")
    rows = max(X.chunks[0])
    per_sub, _ = plan_subblocks(n_boot, rows, p, t, bool(oob), task_budget(client))
    check_memory(
        stats_bytes(n_boot + 1, p, t, bool(oob)) + n_boot * k * (p + 1) * t * 8.0,
        "the replicates' statistics",
        "lower n_boot",
    )
    subs = [(f, min(per_sub, n_boot - f)) for f in range(0, n_boot, per_sub)]
    stats = _run_tree(
        client,
        X,
        yd,
        wd,
        subs,
        (seed, L, fit_intercept, bool(oob)),
        check_finite,
        n_threads,
        progress,
    )
    coef, icpt, valid = solve_stats(stats["in"], grid64)
    full_coef, full_icpt = coef[0], icpt[0]
    coef, icpt, valid = coef[1:], icpt[1:], valid[1:]
    cs, ics = power_of_two_scale(full_coef), power_of_two_scale(full_icpt)
    B = check_valid_replicates(int(valid.sum()), n_boot)
    mean_oob = None
    if oob:
        o = stats["oob"]  # replicates only (the full fit has no out-of-bag rows)
        has_oob = valid & (o["w"] > 0)
        mse = oob_mse(o, coef, icpt)
        mean_oob = mse[has_oob].mean(axis=0) if has_oob.any() else np.full((k, t), np.nan)
    settings = {
        "n_boot": n_boot,
        "n_valid": B,
        "n_fallback": 0,
        "seed": seed,
        "scheme": "poisson",
        "block_len": block_len,
        "solver": "eigh",
        "fit_intercept": fit_intercept,
    }
    return make_result(
        grid=grid,
        axes=(has_k, yd.ndim == 2),
        dtype=np.dtype(dtype),
        full=(full_coef.astype(dtype), full_icpt.astype(dtype)),
        moments=(
            coef[valid].mean(axis=0),
            # scaled by powers of two so that the squares stay in range
            (coef[valid] * cs).std(axis=0, ddof=1) / cs,
            icpt[valid].mean(axis=0),
            (icpt[valid] * ics).std(axis=0, ddof=1) / ics,
        ),
        replicates=(coef.astype(dtype), icpt.astype(dtype)) if keep_coefs else (None, None),
        oob_mse=None if mean_oob is None else mean_oob.astype(dtype),
        settings=settings,
        training=None,
        oob_rows="err632 needs the rows in memory (per-row out-of-bag sums): compute X and y "
        "and run ridgeboot.bootstrap with oob=True",
    )


def _run_tree(
    client: Any,
    X: Any,
    yd: Any,
    wd: Any,
    subs: list[tuple[int, int]],
    draw: tuple[int, int, bool, bool],
    check_finite: bool,
    n_threads: Optional[int],
    progress: bool,
) -> dict[str, Stats]:
    """Statistics of every sub-block of replicates: chunk tasks merged in a fixed tree."""
    import uuid

    from dask.delayed import delayed
    from distributed import as_completed

    seed, L, fit_intercept, oob = draw
    xs, ys = X.to_delayed().ravel(), yd.to_delayed().ravel()
    ws = wd.to_delayed().ravel() if wd is not None else [None] * len(xs)
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]])
    run = uuid.uuid4().hex
    roots, chunks = [], []
    for first, count in subs:
        level = [
            delayed(_chunk_task, pure=True)(
                xb,
                yb,
                wb,
                int(r0),
                first,
                count,
                seed,
                L,
                fit_intercept,
                oob,
                check_finite,
                n_threads,
                dask_key_name=f"ridgeboot-chunk-{first}-{i}-{run}",
            )
            for i, (xb, yb, wb, r0) in enumerate(zip(xs, ys, ws, starts))
        ]
        chunks += level
        while len(level) > 1:  # fixed pairwise tree: the result does not depend on scheduling
            pairs = [delayed(_merge_task, pure=True)(a, b) for a, b in zip(level[::2], level[1::2])]
            level = pairs + ([level[-1]] if len(level) % 2 else [])
        roots.append(level[0])
    # with a progress bar, futures of the chunk tasks too, each dropped once counted
    futures = client.compute(roots + (chunks if progress else []))
    done = as_completed(futures[len(roots) :], loop=client.loop) if progress else None
    futures = futures[: len(roots)]
    bar = None
    try:
        if done is not None:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(chunks), unit="task", desc="bootstrap (chunk tasks)")
            for chunk in done:
                chunk.release()
                bar.update(1)
        parts = client.gather(futures)
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        if bar is not None:
            bar.close()
    return {
        key: {
            name: (
                np.concatenate([part[key][name] for part in parts], axis=0)
                if np.ndim(parts[0][key][name])
                else parts[0][key][name]
            )
            for name in parts[0][key]
        }
        for key in parts[0]
    }
