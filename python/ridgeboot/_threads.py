"""How many native threads ``n_threads=None`` means: every core, within a surrounding limit.

Nested parallelism oversubscribes the cores: ``GridSearchCV(n_jobs=2)`` runs two
fits at once, each of which would start a thread per core. ridgeboot's native
threads therefore respect the two limits that scikit-learn's own native code
respects:

- ``OMP_NUM_THREADS``: joblib's process workers (the default "loky" backend) run
  with it set to ``cores // n_jobs``;
- :func:`threadpoolctl.threadpool_limits`: ridgeboot registers a threadpoolctl
  controller (internal_api "ridgeboot", user_api "openmp": the role OpenMP plays
  in other libraries), so ``threadpool_limits(1)`` or
  ``threadpool_limits(1, user_api="openmp")`` limits ridgeboot too, and
  ``threadpool_info()`` lists it. The limit lives in the extension module
  (``ridgeboot_get_num_threads`` / ``ridgeboot_set_num_threads``, exported C
  symbols through which threadpoolctl finds and sets it).

An explicit ``n_threads`` is never limited. Results do not depend on the thread count.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from . import _core


@lru_cache(maxsize=1)
def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _env_limit() -> int:
    """OMP_NUM_THREADS as a positive int, else 0 (no limit)."""
    value = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    return int(value) if value.isdigit() and int(value) > 0 else 0


# Read once at import, as an OpenMP runtime reads it at start-up: a library that
# later sets OMP_NUM_THREADS in this process for the workers it spawns (dask's
# LocalCluster does) must not throttle the fits run here.
ENV_LIMIT = _env_limit()


def default_threads() -> int:
    """Threads for ``n_threads=None``: the available cores within the surrounding limits."""
    threads = available_cpus()
    for limit in (ENV_LIMIT, int(_core.thread_limit())):
        if 0 < limit < threads:
            threads = limit
    return max(1, threads)


def _register_threadpoolctl() -> None:
    """Make threadpoolctl see ridgeboot's native threads (no-op without threadpoolctl)."""
    try:
        import threadpoolctl
    except ImportError:  # pragma: no cover - threadpoolctl not installed
        return
    if not hasattr(threadpoolctl, "register"):  # pragma: no cover - threadpoolctl < 3.5
        return

    class RidgebootController(threadpoolctl.LibController):  # type: ignore[misc]
        """ridgeboot's native thread pool, as threadpoolctl sees it."""

        user_api = "openmp"
        internal_api = "ridgeboot"
        filename_prefixes = ("_core",)
        check_symbols = ("ridgeboot_get_num_threads", "ridgeboot_set_num_threads")

        def get_num_threads(self) -> Any:
            return self.dynlib.ridgeboot_get_num_threads()

        def set_num_threads(self, num_threads: int) -> Any:
            return self.dynlib.ridgeboot_set_num_threads(int(num_threads))

        def get_version(self) -> Any:
            return _core.build_info()["version"]

    threadpoolctl.register(RidgebootController)


_register_threadpoolctl()
