"""ridgeboot.distributed against rb.bootstrap on this machine: what the cluster costs.

Two measurements, medians of ``--repeat`` runs, same process:

1. In memory, the `bootstrap` workload of workloads.py at B=2000 (n=2000, p=100, one alpha):
   ``rb.bootstrap(n_threads=2)`` vs ``ridgeboot.distributed.bootstrap`` on the
   cluster (default: a LocalCluster of 2 single-threaded worker processes, i.e.
   the same 2 cores). Results are checked bit-identical first; the overhead is
   the difference in wall time (scatter, task scheduling, merging chunk sums).
2. Out of core, Poisson, n=50000 p=50 B=200 in 10 row chunks of a dask array vs
   the in-memory Poisson bootstrap (checked equal to rounding).

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

    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    main()
