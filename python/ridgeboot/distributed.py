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
import time
import uuid
from typing import Any, Callable, Optional

import numpy as np

from ._bootstrap import BootstrapResult
from ._bootstrap import bootstrap as _local_bootstrap
from ._cv import RidgeCVResult
from ._cv import ridge_cv as _local_ridge_cv
from ._engine import ENGINE_OUTPUTS, SUM_CHUNK, EngineJob, fold_block, split_blocks, use_runner
from ._sparse import SparseX, sparse_only_error
from ._validation import MAX_REPLICATES, check_int

__all__ = ["SUM_CHUNK", "DaskRunner", "RunCancelled", "WorkersLost", "bootstrap", "ridge_cv"]

TASKS_PER_WORKER = 4  # default blocks per worker: load balance vs per-task overhead
MAX_TASK_RESULT = 256 * 2**20  # bytes of chunk sums one task sends back, for the default block
REPLICAS = 2  # workers holding a copy of the scattered inputs
MAX_RESTARTS = 3  # runs again after the scattered inputs were lost
WORKERS_LOST_TIMEOUT = 60.0  # seconds without any worker before the call gives up
POLL = 1.0  # seconds between checks for a cluster without workers


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


class RunCancelled(RuntimeError):
    """A block stopped on its worker because its client cancelled the run."""


class WorkersLost(RuntimeError):
    """The cluster had no worker left to run the bootstrap on."""


def _cancel_poll(name: str) -> Callable[[int], None]:
    """On a worker: the engine's progress hook, stopping the run once Event ``name`` is set."""
    from distributed import Event

    event = Event(name)

    def poll(done: int) -> None:
        if event.is_set():
            raise RunCancelled(f"replicates stopped at {done}: the client cancelled the run")

    return poll


def _run_block(
    job: EngineJob,
    X: np.ndarray,
    Y: np.ndarray,
    weight: Optional[np.ndarray],
    first: int,
    n_threads: Optional[int],
    cancel: Optional[str] = None,
) -> dict[str, np.ndarray]:
    """On a worker: replicates first .. first + job.n_boot - 1, one sum per summation chunk.

    ``cancel`` names a ``distributed.Event``: the engine polls it about every 100 ms and
    stops when it is set (the client cancelled the run).
    """
    if n_threads is None:
        from distributed import get_worker

        n_threads = get_worker().state.nthreads
    progress = None if cancel is None else _cancel_poll(cancel)
    return job.run(X, Y, weight, n_threads, first=first, chunk_sums=True, progress=progress)


def _fold(total: Optional[dict[str, np.ndarray]], part: dict[str, np.ndarray]) -> dict[str, Any]:
    """On a worker: add the next block's chunk sums and counts to the running totals."""
    return fold_block(total, {k: v for k, v in part.items() if not _per_replicate(k)})


def _replicate_values(part: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """On a worker: the block's per-replicate outputs (kept coefficients, statistics)."""
    return {k: v for k, v in part.items() if _per_replicate(k)}


def _per_replicate(key: str) -> bool:
    return ENGINE_OUTPUTS.get(key) == "per_replicate"


def _lost(future: Any) -> bool:
    """Whether a future was cancelled by the scheduler (its inputs were lost), not by us."""
    return bool(future.status in ("cancelled", "lost"))


class DaskRunner:
    """Runs the bootstrap engine's replicates as blocks of Dask tasks.

    The blocks run in parallel; their chunk sums are folded on the workers in a fixed
    chain, block after block in replicate order (the additions of one machine), so the
    client receives one set of totals whatever ``n_boot`` is. The inputs are scattered
    to two workers (all, with fewer); a lost block is recomputed by Dask, and if the
    scattered inputs themselves are lost the call scatters them again and restarts its
    blocks (at most ``MAX_RESTARTS`` times). Interrupting the call (Ctrl-C) stops the
    blocks running on the workers within about 0.1 s.

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

    def _default_block(self, job: EngineJob, n: int, p: int) -> int:
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        kt = job.grid.size
        per_chunk = 8.0 * kt * (1 + (n if job.oob_rows else 0))  # oob_mse_sum, oob_loss
        if job.moments:  # coef_sum, coef_sumsq, intercept_sum, intercept_sumsq
            per_chunk += 16.0 * (job.grid.size * p + kt)
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
        if isinstance(X, SparseX):
            raise sparse_only_error("ridgeboot.distributed")
        block = self.block or self._default_block(job, X.shape[0], X.shape[1])
        blocks = split_blocks(job.n_boot, block)
        arrays = [X, Y] + ([weight] if weight is not None else [])
        for _ in range(MAX_RESTARTS + 1):
            result = self._attempt(job, arrays, blocks, progress)
            if result is not None:
                return result
        raise RuntimeError(
            f"the scattered inputs were lost {MAX_RESTARTS + 1} times (workers died); "
            "the bootstrap was abandoned"
        )

    def _scatter(self, arrays: list[np.ndarray]) -> list[Any]:
        """Send the inputs to two workers (every worker when there are fewer)."""
        _wait_for_workers(self.client)
        # Unique keys (hash=False): a content-hashed key could be released by an earlier
        # call's cleanup.
        data: list[Any] = self.client.scatter(arrays, hash=False)
        return _replicated(self.client, data)

    def _attempt(
        self,
        job: EngineJob,
        arrays: list[np.ndarray],
        blocks: list[tuple[int, int]],
        progress: Optional[Callable[[int], None]],
    ) -> Optional[dict[str, np.ndarray]]:
        """One run of every block; None when the scattered inputs were lost (run again)."""
        from distributed import as_completed

        client = self.client
        data = self._scatter(arrays)
        X_f, Y_f = data[0], data[1]
        w_f = data[2] if len(data) > 2 else None
        run_id = uuid.uuid4().hex
        cancel = f"ridgeboot-cancel-{run_id}"
        pending: dict[Any, int] = {}
        values: list[Any] = []
        total: Any = None
        for i, (first, count) in enumerate(blocks):
            part = client.submit(
                _run_block,
                job.block(first, count),
                X_f,
                Y_f,
                w_f,
                first,
                self.threads_per_task,
                cancel,
                pure=False,
                key=f"ridgeboot-block-{first}-{run_id}",
            )
            # the fold chain: block i is added after blocks 0 .. i-1, on a worker
            total = client.submit(
                _fold, total, part, pure=False, key=f"ridgeboot-fold-{i}-{run_id}"
            )
            if job.keep_coefs or job.replicate_stats or job.select != "none":
                values.append(
                    client.submit(
                        _replicate_values, part, pure=False, key=f"ridgeboot-rep-{i}-{run_id}"
                    )
                )
            pending[part] = count
        for future in values + [total]:
            pending[future] = 0  # waited for like the blocks, no progress
        done = 0
        try:
            finished = as_completed(list(pending), loop=client.loop)
            checked = time.monotonic()
            while not finished.is_empty():
                batch = finished.next_batch(block=False)
                if not batch:
                    time.sleep(0.01)
                    if time.monotonic() - checked > POLL:
                        _wait_for_workers(client)  # WorkersLost after WORKERS_LOST_TIMEOUT
                        checked = time.monotonic()
                    continue
                for future in batch:
                    if _lost(future) or _lost(X_f):
                        _release(client, pending, values, total, cancel)
                        return None
                    if future.status == "error":
                        future.result()  # re-raises the task's error (LinAlgError, ...)
                    count = pending.pop(future)
                    done += count
                    if progress is not None and count:
                        progress(done)
            result: dict[str, np.ndarray] = total.result()
            parts = client.gather(values)
        except BaseException:
            _release(client, pending, values, total, cancel)
            raise
        for key in parts[0] if parts else ():
            result[key] = np.concatenate([p[key] for p in parts], axis=0)
        return result


def _replicated(client: Any, data: list[Any]) -> list[Any]:
    """Copy the scattered ``data`` to two workers, so that losing one loses nothing."""
    workers = len(client.scheduler_info().get("workers", {}))
    if workers > 1:
        try:
            client.replicate(data, n=min(REPLICAS, workers))
        except Exception:  # a worker lost while copying: the loss is handled when noticed
            pass
    return data


def _wait_for_workers(client: Any) -> None:
    """Return once the cluster has a worker; WorkersLost after WORKERS_LOST_TIMEOUT s."""
    deadline = time.monotonic() + WORKERS_LOST_TIMEOUT
    while not client.scheduler_info().get("workers"):
        if time.monotonic() > deadline:
            raise WorkersLost(
                f"every Dask worker was lost: the cluster has had no worker for "
                f"{WORKERS_LOST_TIMEOUT:g} s, so the bootstrap cannot run (restart workers "
                "and call again)"
            )
        time.sleep(0.1)


def _release(client: Any, pending: Any, values: list[Any], total: Any, cancel: str) -> None:
    """Stop the run: the blocks still running on workers poll ``cancel`` and stop."""
    from distributed import Event

    futures = list(pending) + list(values) + ([total] if total is not None else [])
    try:
        Event(cancel, client=client).set()
    except Exception:  # the client may already be closing
        pass
    # Released, not cancelled: the scheduler forgets what no one wants (cancelling a block
    # and then its already-cancelled dependents trips an assertion in the scheduler).
    for future in futures:
        future.release()


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
    one to rounding (the sums are taken in another order). A chunk task's memory
    grows with rows per chunk x replicates: the replicates are split into
    sub-blocks so that each task stays within half of a worker's free memory
    below the line where Dask pauses it, per worker thread, and a MemoryError
    says so up front when even one replicate over the largest chunk would not
    fit. ``n_threads`` (or ``threads_per_task``) are the threads of one task,
    ``progress=True`` a bar over the chunk tasks.

    In memory, the client receives one set of totals whatever ``n_boot`` is (the
    blocks' sums are added on the workers, in replicate order); inputs lost with
    a worker are scattered again and the blocks rerun, with the same result;
    ``WorkersLost`` when the cluster has no worker left; Ctrl-C stops the blocks
    on the workers too.
    """
    if _is_dask_array(X) or _is_dask_array(y):
        from ._out_of_core import bootstrap_poisson

        if threads_per_task is not None:
            options.setdefault("n_threads", threads_per_task)
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
