"""The bootstrap and alpha selection on a Dask cluster, with the numbers of one machine.

Needs ``dask.distributed`` (``pip install ridgeboot[distributed]``).

- :func:`bootstrap` with in-memory ``X, y``: X and y are scattered to the
  workers once, the replicates are split into blocks run by the C++ engine on
  the workers (native threads inside each task), and the blocks' results are
  merged in replicate order. The result is **bit-identical** to
  :func:`ridgeboot.bootstrap` with the same seed, for any number of workers and
  any block size: draws depend on (seed, replicate) only, and the engine sums
  fixed chunks of ``SUM_CHUNK`` (16) replicates that the merge adds in the same
  order (``block`` is therefore a multiple of 16).
- :func:`bootstrap` with ``dask.array`` inputs chunked by rows and
  ``scheme="poisson"``: out of core. Each row chunk computes, for all replicates
  at once, its weighted sufficient statistics with the Poisson counts of its
  global rows; partial statistics are merged pairwise in a fixed tree and every
  replicate is solved from them. X is never gathered on one machine.
- :func:`ridge_cv` runs the held-out fits of ``cv="bootstrap"`` (and k-fold) as
  cluster tasks, with the numbers of :func:`ridgeboot.ridge_cv`.

Point it at a cluster with ``client=distributed.Client("tcp://scheduler:8786")``
or create a client first (it becomes the default).
"""

from __future__ import annotations

import math
import uuid
from typing import Any, Callable, Optional

import numpy as np

from ._bootstrap import BootstrapResult
from ._bootstrap import bootstrap as _local_bootstrap
from ._cv import RidgeCVResult
from ._cv import ridge_cv as _local_ridge_cv
from ._engine import SUM_CHUNK, EngineJob, merge_blocks, split_blocks, use_runner
from ._sparse import SparseX, sparse_only_error
from ._validation import MAX_REPLICATES, check_int

__all__ = ["SUM_CHUNK", "DaskRunner", "bootstrap", "ridge_cv"]

TASKS_PER_WORKER = 4  # default blocks per worker: load balance vs per-task overhead
MAX_TASK_RESULT = 256 * 2**20  # bytes of chunk sums one task sends back, for the default block


def _client(client: Any) -> Any:
    try:
        from distributed import get_client
    except ImportError as e:  # pragma: no cover - exercised only without dask installed
        raise ImportError(
            "ridgeboot.distributed needs dask.distributed: pip install 'ridgeboot[distributed]'"
        ) from e
    if client is not None:
        return client
    try:
        return get_client()
    except ValueError:
        raise ValueError(
            "no Dask client: pass client=distributed.Client(...) or create one first "
            "(e.g. distributed.Client(LocalCluster()) or Client('tcp://scheduler:8786'))"
        ) from None


def _run_block(
    job: EngineJob,
    X: np.ndarray,
    Y: np.ndarray,
    weight: Optional[np.ndarray],
    first: int,
    n_threads: Optional[int],
) -> dict[str, np.ndarray]:
    """On a worker: replicates first .. first + job.n_boot - 1, one sum per summation chunk."""
    if n_threads is None:
        from distributed import get_worker

        n_threads = get_worker().state.nthreads
    return job.run(X, Y, weight, n_threads, first=first, chunk_sums=True)


class DaskRunner:
    """Runs the bootstrap engine's replicates as blocks of Dask tasks.

    Parameters
    ----------
    client : distributed.Client, optional
        Default: the current client.
    block : int, optional
        Replicates per task, a multiple of ``SUM_CHUNK``; it does not change the
        numbers. Default: about four tasks per worker, within 256 MiB of
        per-chunk sums per task.
    threads_per_task : int, optional
        Native threads of one task (default: the worker's thread count).
    """

    def __init__(
        self,
        client: Any = None,
        block: Optional[int] = None,
        threads_per_task: Optional[int] = None,
    ):
        self.client = _client(client)
        if block is not None:
            block = check_int(block, "block", 1, MAX_REPLICATES)
            split_blocks(1, block)  # validates the multiple of SUM_CHUNK
        self.block = block
        self.threads_per_task = (
            None if threads_per_task is None else check_int(threads_per_task, "threads_per_task", 1)
        )

    def _default_block(self, job: EngineJob, n: int) -> int:
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        kt = job.grid.size
        per_chunk = 8.0 * kt * (1 + (n if job.oob_rows else 0))  # oob_mse_sum, oob_loss
        if job.reference is not None:  # coef_sum, coef_sumsq, intercept_sum, intercept_sumsq
            per_chunk += 16.0 * (job.reference[0].size + kt)
        chunks_by_memory = max(1, int(MAX_TASK_RESULT // per_chunk))
        chunks = math.ceil(job.n_boot / (TASKS_PER_WORKER * workers) / SUM_CHUNK)
        return SUM_CHUNK * max(1, min(chunks, chunks_by_memory))

    def __call__(
        self,
        job: EngineJob,
        X: np.ndarray,
        Y: np.ndarray,
        weight: Optional[np.ndarray],
        n_threads: int,
        progress: Optional[Callable[[int], None]] = None,
    ) -> dict[str, np.ndarray]:
        """Run ``job`` on the cluster; same dict as the engine run here (``n_threads`` unused)."""
        from distributed import as_completed

        if isinstance(X, SparseX):
            raise sparse_only_error("ridgeboot.distributed")
        block = self.block or self._default_block(job, X.shape[0])
        blocks = split_blocks(job.n_boot, block)
        # Sent once; each worker then fetches its copy once. Unique keys (hash=False):
        # a content-hashed key could be released by an earlier call's cleanup.
        data = self.client.scatter([X, Y] + ([weight] if weight is not None else []), hash=False)
        X_f, Y_f = data[0], data[1]
        run_id = uuid.uuid4().hex
        w_f = data[2] if weight is not None else None
        futures = [
            self.client.submit(
                _run_block,
                job.block(first, count),
                X_f,
                Y_f,
                w_f,
                first,
                self.threads_per_task,
                pure=False,
                key=f"ridgeboot-block-{first}-{run_id}",
            )
            for first, count in blocks
        ]
        order = {f.key: i for i, f in enumerate(futures)}
        parts: list[Optional[dict[str, np.ndarray]]] = [None] * len(futures)
        done = 0
        try:
            for future in as_completed(futures, loop=self.client.loop):
                i = order[future.key]
                parts[i] = future.result()  # re-raises a task's error (LinAlgError, ...)
                done += blocks[i][1]
                if progress is not None:
                    progress(done)
        except BaseException:
            self.client.cancel(futures)
            raise
        return merge_blocks([p for p in parts if p is not None])


def bootstrap(
    X: Any,
    y: Any,
    alphas: Any,
    n_boot: int = 1000,
    *,
    client: Any = None,
    block: Optional[int] = None,
    threads_per_task: Optional[int] = None,
    **options: Any,
) -> BootstrapResult:
    """:func:`ridgeboot.bootstrap` on a Dask cluster: the same result, bit for bit.

    Parameters
    ----------
    X : array_like of shape (n, p), or dask.array chunked by rows
    y : array_like of shape (n,) or (n, t), or dask.array with X's row chunks
    alphas, n_boot
        As in :func:`ridgeboot.bootstrap`.
    client : distributed.Client, optional
        Default: the current client (a ValueError if there is none).
    block : int, optional
        Replicates per task (a multiple of 16); does not change the numbers.
    threads_per_task : int, optional
        Native threads per task (default: the worker's thread count).
    **options
        Any keyword of :func:`ridgeboot.bootstrap` (``n_threads`` is replaced by
        ``threads_per_task``).

    Returns
    -------
    BootstrapResult

    Notes
    -----
    With dask arrays the bootstrap runs out of core (one pass over the row
    chunks) and needs ``scheme="poisson"``; the result equals the in-memory
    one to rounding (the sums are taken in another order). Memory per worker is
    O(B p^2) for the partial statistics (a MemoryError gives the figure).
    """
    if _is_dask_array(X) or _is_dask_array(y):
        from ._out_of_core import bootstrap_poisson

        return bootstrap_poisson(_client(client), X, y, alphas, n_boot, **options)
    runner = DaskRunner(client, block, threads_per_task)
    with use_runner(runner):
        return _local_bootstrap(X, y, alphas, n_boot, **options)


def ridge_cv(
    X: Any,
    y: Any,
    alphas: Any,
    *,
    cv: Any = "bootstrap",
    client: Any = None,
    block: Optional[int] = None,
    threads_per_task: Optional[int] = None,
    **options: Any,
) -> RidgeCVResult:
    """:func:`ridgeboot.ridge_cv` with the held-out fits on a Dask cluster; the same result.

    ``cv="bootstrap"`` (default) and k-fold run their fits as cluster tasks;
    "gcv" and "loo" are closed forms computed here. Other parameters as in
    :func:`ridgeboot.ridge_cv` and :func:`bootstrap`.
    """
    runner = DaskRunner(client, block, threads_per_task)
    with use_runner(runner):
        return _local_ridge_cv(X, y, alphas, cv=cv, **options)


def _is_dask_array(a: Any) -> bool:
    return type(a).__module__.startswith("dask.array")
