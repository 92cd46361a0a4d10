"""ridgeboot.distributed under faults: workers killed by PID at chosen moments, cancellation.

Each test gets its own LocalCluster of 2 single-threaded worker processes under nannies
(a killed worker process is restarted by its nanny, with none of its data). The results
must be bit-identical to ``rb.bootstrap``: a lost worker costs time, not the result.
"""

from __future__ import annotations

import os
import signal
import time
import warnings

import numpy as np
import pytest
import ridgeboot as rb
from ridgeboot._engine import EngineJob

distributed = pytest.importorskip("distributed")
rbd = pytest.importorskip("ridgeboot.distributed")

pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="kills worker processes by PID"),
    pytest.mark.slow,  # a cluster of worker processes per test: ~5-10 s each
]


@pytest.fixture
def cluster():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cluster start-up and worker-death chatter
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster, set_as_default=False)
        client.wait_for_workers(2)
        yield cluster, client
        client.close()
        cluster.close()


def _data(n=200, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n) + 1.0
    return X, y


def _same(a, b):
    for name in ("coefs", "intercepts", "coef_mean", "coef_std", "oob_mse", "err632"):
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(x, y, equal_nan=True), name


def _pids(client, addresses=None):
    return client.run(os.getpid, workers=addresses)


def _kill(client, addresses):
    """SIGKILL the worker processes at ``addresses`` (their nannies start fresh ones)."""
    for pid in _pids(client, list(addresses)).values():
        os.kill(pid, signal.SIGKILL)


def _kill_after_scatter(monkeypatch, client, which):
    """Kill workers the moment the client's first scatter returns."""
    original = client.scatter
    calls = []

    def scatter(data, *args, **kwargs):
        futures = original(data, *args, **kwargs)
        if not calls:
            holders = {w for ws in client.who_has(futures).values() for w in ws}
            everyone = set(client.scheduler_info()["workers"])
            _kill(client, holders if which == "holder" else everyone)
        calls.append(1)
        return futures

    monkeypatch.setattr(client, "scatter", scatter)
    return calls


@pytest.mark.parametrize("which", ["holder", "everyone"])
def test_losing_the_scattered_inputs_costs_time_not_the_result(cluster, monkeypatch, which):
    _, client = cluster
    X, y = _data()
    here = rb.bootstrap(X, y, [0.3, 3.0], 160, seed=4)
    calls = _kill_after_scatter(monkeypatch, client, which)
    there = rbd.bootstrap(X, y, [0.3, 3.0], 160, seed=4, client=client, block=16)
    _same(here, there)
    assert len(calls) >= 2  # the inputs were scattered again


def test_a_worker_killed_mid_run_costs_time_not_the_result(cluster):
    _, client = cluster
    X, y = _data(n=400, p=20)
    here = rb.bootstrap(X, y, 1.0, 640, seed=5)
    killed = []

    def progress(done):
        if not killed and done >= 64:  # some blocks done, others running or queued
            busy = [a for a, ws in client.processing().items() if ws] or list(
                client.scheduler_info()["workers"]
            )
            _kill(client, busy[:1])
            killed.append(done)

    runner = rbd.DaskRunner(client, block=32)
    from ridgeboot._engine import use_runner

    with use_runner(lambda *a, **k: runner(*a[:5], progress=progress)):
        there = rb.bootstrap(X, y, 1.0, 640, seed=5)
    assert killed
    _same(here, there)


def test_every_worker_lost_for_good_says_so(cluster, monkeypatch):
    import threading

    local, client = cluster
    X, y = _data()
    monkeypatch.setattr(rbd, "WORKERS_LOST_TIMEOUT", 1.0, raising=False)
    original = client.scatter

    def scatter(data, *args, **kwargs):
        futures = original(data, *args, **kwargs)
        local.scale(0)  # the workers leave and none come back
        deadline = time.monotonic() + 20
        while client.scheduler_info()["workers"] and time.monotonic() < deadline:
            time.sleep(0.1)
        return futures

    monkeypatch.setattr(client, "scatter", scatter)
    raised = []

    def call():
        try:
            rbd.bootstrap(X, y, 1.0, 64, client=client, block=16)
        except Exception as e:
            raised.append(e)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the call hangs on a cluster without workers"
    assert raised and isinstance(raised[0], rbd.WorkersLost), raised
    assert "every Dask worker was lost" in str(raised[0])


def _executing(client):
    """Task functions still running in worker threads (cancelled or not)."""
    return sum(client.run(lambda dask_worker: len(dask_worker.active_threads)).values())


def test_a_cancelled_run_stops_on_the_workers(cluster):
    # Two blocks: a short one and one of ~30 s. The client is interrupted when the short
    # one finishes; the long one must stop on its worker (the engine polls a Dask Event).
    _, client = cluster
    X, y = _data(n=2000, p=100)
    job = EngineJob(np.array([[1.0]]), "cholesky", True, 8192 + 16)
    runner = rbd.DaskRunner(client, block=8192)
    started = []

    def progress(done):
        started.append(time.monotonic())
        raise KeyboardInterrupt

    # the short block is the second: wait until the long one runs, then hand over
    with pytest.raises(KeyboardInterrupt):
        runner(job, X, y[:, None], None, 1, progress=progress)
    deadline = started[0] + 5.0  # generous: the target is ~0.5 s
    while _executing(client) and time.monotonic() < deadline:
        time.sleep(0.05)
    stopped = time.monotonic() - started[0]
    assert not _executing(client), "the cancelled block still runs on its worker"
    assert stopped < 5.0
