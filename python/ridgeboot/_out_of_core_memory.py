"""The memory model of the out-of-core bootstrap's tasks (see ``_out_of_core``).

A chunk task for R replicates over m rows holds the weights of its replicates (R x m:
int32 counts, float64 weights, a boolean mask) next to its statistics (R x (p^2 + p t +
...) doubles, a few copies while they are formed); a merge holds about six sets of
statistics. :func:`chunk_task_bytes` and :func:`merge_task_bytes` give the peaks
(checked against tracemalloc in the tests); :func:`plan_subblocks` splits the
replicates so that every task stays within :func:`task_budget`.
"""

from __future__ import annotations

from typing import Any

from ._validation import format_bytes

MEMORY_FRACTION = 0.5  # of the smallest worker's memory limit, shared by its threads' tasks
DEFAULT_TASK_BYTES = 512 * 2**20  # a task's budget when the workers have no memory limit
OUTER_BYTES = 8 * 2**22  # chunk_stats forms outer products of ~32 MiB at a time


def stats_bytes(R: int, p: int, t: int, oob: bool) -> float:
    """Bytes of the statistics of R replicates (in-bag, and out-of-bag when ``oob``)."""
    one = 8.0 * R * (p * p + p * t + p + 2 * t + 2)  # Gxx, Gxy, mx, my, Gyy, w, rows
    return one * (2 if oob else 1)


def chunk_task_bytes(R: int, m: int, p: int, t: int, oob: bool) -> float:
    """Peak bytes of one chunk task: R weight rows over m rows, p features, t targets.

    From the code: the chunk as given, scaled and centred (3 m (p + t + 1) doubles); the
    int32 counts, float64 weights and a boolean mask (R m (4 + 8 + 1)); chunk_stats'
    sums, their products and the result (about 4 R (p^2 + p t) doubles) next to the
    in-bag statistics when computing the out-of-bag ones; one block of outer products.
    """
    data = 8.0 * 3 * m * (p + t + 1)
    weights = 13.0 * R * m
    forming = 8.0 * 4 * R * (p * p + p * t + p + t)
    outer = float(min(OUTER_BYTES, 8 * m * max(p * p, p * t)))
    return data + weights + forming + stats_bytes(R, p, t, False) * (1 if oob else 0) + outer


def merge_task_bytes(R: int, p: int, t: int, oob: bool) -> float:
    """Peak bytes of one merge of two chunks' statistics of R replicates.

    From the code: both inputs, both rescaled to common exponents and the result (five
    sets of statistics), and the rank-one terms being formed (two R (p^2 + p t) arrays,
    four R (p + t) ones) for each of the in-bag and out-of-bag statistics.
    """
    forming = 8.0 * R * (2 * (p * p + p * t) + 4 * (p + t) + 8) * (2 if oob else 1)
    return 5.0 * stats_bytes(R, p, t, oob) + forming


def plan_subblocks(
    n_boot: int, rows: int, p: int, t: int, oob: bool, budget: float
) -> tuple[int, float]:
    """Replicates per sub-block so that every task fits ``budget`` bytes, and that task peak.

    ``rows`` is the largest row chunk. MemoryError, with the figure, when even a task of
    one replicate would not fit.
    """

    def need(R: int) -> float:
        return max(chunk_task_bytes(R + 1, rows, p, t, oob), merge_task_bytes(R + 1, p, t, oob))

    if need(1) > budget:
        raise MemoryError(
            f"out-of-core bootstrap: one task over a chunk of {rows} rows (p={p}, t={t}) needs "
            f"about {format_bytes(need(1))} even for a single replicate, more than the budget "
            f"of {format_bytes(budget)} per task ({MEMORY_FRACTION:g} of a worker's free memory "
            "below the line where Dask pauses it, per worker thread); use smaller row chunks "
            "(X.rechunk) or workers with more memory"
        )
    lo, hi = 1, n_boot  # the largest R with need(R) <= budget (need grows with R)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if need(mid) <= budget else (lo, mid - 1)
    return lo, need(lo)


def task_budget(client: Any) -> float:
    """Bytes one task may use: a share of the workers' free memory below their pause line.

    For each worker with a memory limit: MEMORY_FRACTION of what lies between its
    current memory and the fraction of its limit at which Dask pauses it
    (``distributed.worker.memory.pause``, default 0.8), per worker thread; the
    smallest over the workers. DEFAULT_TASK_BYTES when no worker has a limit.
    """
    pause = _pause_fraction()
    shares = []
    for w in client.scheduler_info().get("workers", {}).values():
        limit = w.get("memory_limit") or 0
        if limit:
            used = float((w.get("metrics") or {}).get("memory") or 0)
            free = max(0.0, pause * limit - used)
            shares.append(MEMORY_FRACTION * free / max(1, int(w.get("nthreads") or 1)))
    return min(shares, default=float(DEFAULT_TASK_BYTES))


def _pause_fraction() -> float:
    try:
        import dask

        value = dask.config.get("distributed.worker.memory.pause", 0.8)
    except ImportError:  # pragma: no cover - dask is installed with distributed
        value = 0.8
    return float(value) if value else 1.0
