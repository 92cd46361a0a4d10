"""ridgeboot.distributed against rb.bootstrap on this machine: what the cluster costs.

Two measurements, medians of ``--repeat`` runs, same process:

1. In memory, the `bootstrap` workload of workloads.py at B=2000 (n=2000, p=100, one alpha):
   ``rb.bootstrap(n_threads=2)`` vs ``ridgeboot.distributed.bootstrap`` on the
   cluster (default: a LocalCluster of 2 single-threaded worker processes, i.e.
   the same 2 cores). Results are checked bit-identical first; the overhead is
   the difference in wall time (scatter, task scheduling, merging chunk sums).
2. Out of core, Poisson, n=50000 p=50 B=200 in 10 row chunks of a dask array vs
   the in-memory Poisson bootstrap (checked equal to rounding).
3. Client memory under the default ``oob=True`` (per-row out-of-bag sums): the
   client's tracemalloc peak at two values of B (it must not grow with B).
4. Faults, on a fresh LocalCluster (skipped with ``--scheduler``): the same run with a
   worker killed (SIGKILL by PID) mid-run, with the holder of the scattered inputs
   killed right after the scatter, and with every worker killed right after the
   scatter (their nannies restart them empty), each checked bit-identical, against
   the undisturbed run; and the time a cancelled block keeps running on its worker.

Usage::

    python benchmarks/cluster.py [--scheduler tcp://host:8786] [--quick] [--repeat N]
                                     [--json FILE]

``--scheduler`` points it at a running cluster (``dask scheduler`` + ``dask worker``
on the machines); the data are then sent over the network once per run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from typing import Any, Callable

import numpy as np
import ridgeboot as rb
from workloads import WORKLOADS


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scheduler", help="address of a running Dask scheduler")
    parser.add_argument("--quick", action="store_true", help="B=400 and a smaller out-of-core run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    import dask.array as da
    import ridgeboot.distributed as rbd
    from distributed import Client, LocalCluster

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if args.scheduler:
            cluster = None
            client = Client(args.scheduler)
        else:
            cluster = LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
    workers = client.scheduler_info()["workers"]
    threads = sum(w["nthreads"] for w in workers.values())
    print(
        f"cluster: {len(workers)} workers, {threads} threads ({args.scheduler or 'LocalCluster'})"
    )
    print(f"ridgeboot {rb.__version__}, isa {rb.build_info()['isa']}")
    out: dict[str, Any] = {"workers": len(workers), "threads": threads}

    rng = np.random.default_rng(0)
    sizes = WORKLOADS["bootstrap"].full  # its n and p, more replicates
    n, p, B = sizes.n, sizes.p, 400 if args.quick else 2000
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    here = rb.bootstrap(X, y, 1.0, B, n_threads=2, oob="mse")
    there = rbd.bootstrap(X, y, 1.0, B, client=client, oob="mse")
    assert np.array_equal(here.coefs, there.coefs) and np.array_equal(here.oob_mse, there.oob_mse)
    t_here = median_time(lambda: rb.bootstrap(X, y, 1.0, B, n_threads=2, oob="mse"), args.repeat)
    t_there = median_time(
        lambda: rbd.bootstrap(X, y, 1.0, B, client=client, oob="mse"), args.repeat
    )
    print(f"\nin memory, n={n} p={p} B={B}, 1 alpha, oob='mse' (bit-identical: checked)")
    print(f"  rb.bootstrap(n_threads=2)        {t_here * 1e3:9.1f} ms")
    print(f"  ridgeboot.distributed.bootstrap  {t_there * 1e3:9.1f} ms")
    print(f"  overhead {1e3 * (t_there - t_here):+.1f} ms ({t_there / t_here:.2f}x)")
    out["in_memory"] = {"n": n, "p": p, "B": B, "local_s": t_here, "dask_s": t_there}

    n, p, B, chunks = (10000, 30, 100, 4) if args.quick else (50000, 50, 200, 10)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    Xd = da.from_array(X, chunks=(n // chunks, p))
    yd = da.from_array(y, chunks=n // chunks)
    mem = rb.bootstrap(X, y, 1.0, B, scheme="poisson", oob="mse", n_threads=2)
    ooc = rbd.bootstrap(Xd, yd, 1.0, B, client=client)
    err = np.abs(mem.coefs - ooc.coefs).max() / np.abs(mem.coefs).max()
    assert err < 1e-10, err
    t_mem = median_time(
        lambda: rb.bootstrap(X, y, 1.0, B, scheme="poisson", oob="mse", n_threads=2), args.repeat
    )
    t_ooc = median_time(lambda: rbd.bootstrap(Xd, yd, 1.0, B, client=client), args.repeat)
    print(
        f"\nout of core, Poisson, n={n} p={p} B={B} in {chunks} row chunks (max rel diff {err:.1e})"
    )
    print(f"  rb.bootstrap in memory (n_threads=2)    {t_mem * 1e3:9.1f} ms")
    print(
        f"  distributed, sufficient statistics       {t_ooc * 1e3:9.1f} ms ({t_ooc / t_mem:.2f}x)"
    )
    out["out_of_core"] = {
        "n": n,
        "p": p,
        "B": B,
        "chunks": chunks,
        "memory_s": t_mem,
        "dask_s": t_ooc,
    }

    out["client_memory"] = client_memory(client, rng, args.quick)
    if not args.scheduler:
        out["faults"] = faults(rng, args.quick)

    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.close()
        if cluster is not None:
            cluster.close()


def client_memory(client: Any, rng: np.random.Generator, quick: bool) -> dict[str, Any]:
    """Client tracemalloc peak of ridgeboot.distributed.bootstrap (oob=True) at two B."""
    import tracemalloc

    import ridgeboot.distributed as rbd

    n, p, k = 20000, 5, 10
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    alphas = np.logspace(-2, 2, k)
    print(f"\nclient memory, oob=True, n={n} p={p} {k} alphas, block=16 (tracemalloc peak)")
    print(f"  one set of per-row sums (n k 8 bytes): {n * k * 8 / 2**20:.1f} MiB")
    res = {}
    for B in (320, 1280) if quick else (800, 3200):
        tracemalloc.start()
        rbd.bootstrap(X, y, alphas, B, client=client, block=16, keep_coefs=False, oob=True)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"  B={B:5d}: {peak / 2**20:7.1f} MiB")
        res[str(B)] = peak
    return res


def faults(rng: np.random.Generator, quick: bool) -> dict[str, float]:
    """Wall time of one run under each fault, on a fresh LocalCluster of 2 workers."""
    import os
    import signal

    import ridgeboot.distributed as rbd
    from distributed import Client, LocalCluster
    from ridgeboot._engine import EngineJob, use_runner

    n, p, B = 2000, 100, 400 if quick else 1600
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    here = rb.bootstrap(X, y, 1.0, B, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster, set_as_default=False)

    def kill(addresses: Any) -> None:
        for pid in client.run(os.getpid, workers=list(addresses)).values():
            os.kill(pid, signal.SIGKILL)

    def timed(fault: str) -> float:
        client.wait_for_workers(2)
        original = rbd._replicated
        state = {"done": False}

        def replicated(c: Any, data: Any) -> Any:
            if not state["done"] and fault in ("holder", "everyone"):
                state["done"] = True
                holders = {w for ws in c.who_has(data).values() for w in ws}
                kill(holders if fault == "holder" else c.scheduler_info()["workers"])
            return original(c, data)

        def progress(done: int) -> None:
            if fault == "mid-run" and not state["done"]:
                state["done"] = True
                kill([a for a, ts in client.processing().items() if ts][:1])

        runner = rbd.DaskRunner(client, block=64)
        rbd._replicated = replicated  # type: ignore[assignment]
        try:
            t0 = time.perf_counter()
            with use_runner(lambda *a, **k: runner(*a[:5], progress=progress)):
                there = rb.bootstrap(X, y, 1.0, B, seed=1)
            elapsed = time.perf_counter() - t0
        finally:
            rbd._replicated = original  # type: ignore[assignment]
        assert np.array_equal(here.coefs, there.coefs) and np.array_equal(
            here.err632, there.err632
        ), fault
        return elapsed

    print(f"\nfaults, n={n} p={p} B={B}, block=64, LocalCluster 2x1 (bit-identical: checked)")
    res = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fault in ("none", "mid-run", "holder", "everyone"):
            res[fault] = timed(fault)
            extra = "" if fault == "none" else f"  ({res[fault] - res['none']:+.2f} s)"
            print(f"  {fault:>9}: {res[fault]:6.2f} s{extra}")
        # a cancelled block: how long it keeps its worker busy after the client gives up
        client.wait_for_workers(2)
        job = EngineJob(np.array([[1.0]]), "cholesky", True, 2048 + 16)
        marks: list[float] = []

        def interrupt(done: int) -> None:
            marks.append(time.perf_counter())
            raise KeyboardInterrupt

        try:
            rbd.DaskRunner(client, block=2048)(job, X, y[:, None], None, 1, progress=interrupt)
        except KeyboardInterrupt:
            pass

        def busy() -> int:
            return sum(client.run(lambda dask_worker: len(dask_worker.state.executing)).values())

        while busy() and time.perf_counter() - marks[0] < 60:
            time.sleep(0.01)
        res["cancel_stop_s"] = time.perf_counter() - marks[0]
        print(
            f"  cancelled block stopped on its worker {res['cancel_stop_s'] * 1e3:.0f} ms "
            "after the client was interrupted"
        )
        client.close()
        cluster.close()
    return res


if __name__ == "__main__":
    main()
