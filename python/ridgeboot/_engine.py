"""Calls of the C++ bootstrap engine, here or split into blocks run elsewhere (Dask).

The engine sums each chunk of ``SUM_CHUNK`` consecutive replicates from zero and
adds the chunk sums to the totals in order. A block of whole chunks run with
``chunk_sums=True`` returns one sum per chunk; :func:`merge_blocks` adds them in
order with the same IEEE additions, so any split into such blocks gives the bits
of one run.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Callable, Optional

import numpy as np

from . import _core
from ._sparse import SparseX
from ._validation import aligned

SUM_CHUNK: int = _core.SUM_CHUNK
# name -> "chunk_summed" | "per_replicate" | "counted" | "shared": how blocks of replicates combine
ENGINE_OUTPUTS: dict[str, str] = dict(_core.ENGINE_OUTPUTS)
REPLICATE_STATS: tuple[str, ...] = tuple(_core.REPLICATE_STATS)  # axis 1 of replicate_stats
REFERENCE_FIT: tuple[str, ...] = tuple(_core.REFERENCE_FIT)  # the entries of reference_fit


@dataclass(frozen=True)
class EngineJob:
    """One bootstrap-engine run over replicates 0 .. n_boot - 1 (everything but the data).

    ``counts`` are explicit (n_boot, n) draws (k-fold, hold-out); None draws them
    from (seed, scheme, block_len). ``reference`` is the full fit the moments are
    taken about.
    """

    grid: np.ndarray
    solver: str
    fit_intercept: bool
    n_boot: int
    scheme: str = "multinomial"
    block_len: int = 0
    seed: int = 0
    counts: Optional[np.ndarray] = None
    keep_coefs: bool = False
    reference: Optional[tuple[np.ndarray, np.ndarray]] = None
    # the engine fits the reference on all rows itself (outputs reference_coef,
    # reference_intercept, reference_fit), from the sums its complement form takes
    # anyway; the moments are then taken about it with the engine's own scales
    fit_reference: bool = False
    oob_rows: bool = False
    oob_mse: bool = False
    replicate_stats: bool = False
    svd_fallback: bool = False  # solver="auto": replicates the solver fails on are redone by SVD
    # powers of two the moments' deviations are multiplied by (their squares stay in range)
    coef_scale: float = 1.0
    intercept_scale: float = 1.0
    # "gcv" | "loo": each replicate chooses its alpha from the grid (outputs for one alpha)
    select: str = "none"
    select_per_target: bool = False
    # NaN or infinity in X or y raises _core.NonFiniteInput: the engine's check, which
    # reads the values again only where its sums of all rows do not settle it
    check_finite: bool = False

    @property
    def moments(self) -> bool:
        """Whether the run sums the coefficients' deviations from the reference fit."""
        return self.reference is not None or self.fit_reference

    def block(self, first: int, count: int) -> EngineJob:
        """Replicates first .. first + count - 1 only (their explicit counts travel with them)."""
        counts = None if self.counts is None else self.counts[first : first + count]
        return replace(self, n_boot=count, counts=counts)

    def request(self, first: int, n_threads: int, chunk_sums: bool) -> Any:
        """Return the core's EngineRequest for replicates first .. first + n_boot - 1."""
        req = _core.EngineRequest()
        req.first, req.n_boot, req.chunk_sums = first, self.n_boot, chunk_sums
        req.n_threads, req.scheme, req.seed, req.block_len = (
            n_threads,
            self.scheme,
            self.seed,
            self.block_len,
        )
        req.keep_coefs, req.moments = self.keep_coefs, self.moments
        req.fit_reference = self.fit_reference
        req.coef_scale, req.intercept_scale = self.coef_scale, self.intercept_scale
        req.oob_rows, req.oob_mse = self.oob_rows, self.oob_mse
        req.replicate_stats, req.svd_fallback = self.replicate_stats, self.svd_fallback
        req.select, req.select_per_target = self.select, self.select_per_target
        req.check_finite = self.check_finite
        return req

    def run(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        weight: Optional[np.ndarray],
        n_threads: int,
        *,
        first: int = 0,
        chunk_sums: bool = False,
        progress: Optional[Callable[[int], None]] = None,
    ) -> dict[str, np.ndarray]:
        """Run on this machine: replicates first .. first + n_boot - 1."""
        # arrays unpickled from a network frame (Dask) may sit at any byte offset
        Y, weight = aligned(Y), aligned(weight)
        if isinstance(X, SparseX):  # CSR arrays: each replicate's Gram from its sparse rows
            data = tuple(aligned(a) if isinstance(a, np.ndarray) else a for a in X.core_args())
            f32 = X.dtype == np.float32
            run = partial(
                _core.run_engine_sparse_float32 if f32 else _core.run_engine_sparse_float64, *data
            )
        else:
            X = aligned(X)
            f32 = X.dtype == np.float32
            run = partial(_core.run_engine_float32 if f32 else _core.run_engine_float64, X)
        counts = (
            None if self.counts is None else aligned(np.ascontiguousarray(self.counts, np.int32))
        )
        reference = None if self.reference is None else tuple(map(aligned, self.reference))
        raw: dict[str, np.ndarray] = run(
            Y,
            weight,
            aligned(self.grid),
            self.solver,
            self.fit_intercept,
            self.request(first, n_threads, chunk_sums),
            counts,
            reference,
            progress,
        )
        return raw


# (job, X, Y, weight, n_threads, progress) -> the engine's dict for all job.n_boot replicates
Runner = Callable[..., dict[str, np.ndarray]]


def run_here(
    job: EngineJob,
    X: np.ndarray,
    Y: np.ndarray,
    weight: Optional[np.ndarray],
    n_threads: int,
    progress: Optional[Callable[[int], None]] = None,
) -> dict[str, np.ndarray]:
    """Run the job here, in one engine call on this machine's threads (the default runner)."""
    return job.run(X, Y, weight, n_threads, progress=progress)


_RUNNER: contextvars.ContextVar[Runner] = contextvars.ContextVar(
    "ridgeboot_runner", default=run_here
)


def current_runner() -> Runner:
    """Return the runner rb.bootstrap and rb.ridge_cv use in this context."""
    return _RUNNER.get()


@contextlib.contextmanager
def use_runner(runner: Runner) -> Iterator[None]:
    """Run the engine calls made inside the block with ``runner`` (ridgeboot.distributed)."""
    token = _RUNNER.set(runner)
    try:
        yield
    finally:
        _RUNNER.reset(token)


def split_blocks(n_boot: int, block: int) -> list[tuple[int, int]]:
    """(first, count) of consecutive blocks; ``block`` must be a multiple of SUM_CHUNK."""
    if block < 1 or block % SUM_CHUNK:
        raise ValueError(f"block must be a positive multiple of {SUM_CHUNK}, got {block}")
    return [(first, min(block, n_boot - first)) for first in range(0, n_boot, block)]


def fold_block(
    total: Optional[dict[str, np.ndarray]], part: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Fold the next block's chunk_sums=True result into the running ``total`` (None: none yet).

    Chunk sums are added to the totals one chunk at a time, in replicate order, with
    the engine's own ``total += chunk``: folding blocks one after another, wherever
    that happens, gives the bits of one run. ``total`` is not modified.
    """
    merged: dict[str, np.ndarray] = {}
    for key, value in part.items():
        kind = ENGINE_OUTPUTS.get(key)
        if kind == "chunk_summed":
            acc = (
                np.zeros(value.shape[1:], dtype=np.float64)
                if total is None
                else np.array(total[key], dtype=np.float64)
            )
            for chunk in value:
                acc += chunk  # the engine's own `total += chunk`, chunk by chunk
            merged[key] = acc
        elif kind == "per_replicate":
            merged[key] = value if total is None else np.concatenate([total[key], value], axis=0)
        elif kind == "counted":
            merged[key] = np.asarray(value if total is None else total[key] + value, dtype=np.int64)
        elif kind == "shared":  # the reference fit: every block computes the same
            merged[key] = value if total is None else total[key]
        else:
            raise KeyError(f"unknown engine output {key!r}")
    return merged


def merge_blocks(parts: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Fold blocks' chunk_sums=True results, in replicate order, into one run's result."""
    total: Optional[dict[str, np.ndarray]] = None
    for part in parts:
        total = fold_block(total, part)
    if total is None:
        raise ValueError("no blocks to merge")
    return total
