"""ridgeboot.distributed: the same numbers on a Dask cluster as on one machine.

In-memory inputs: bit-identical to rb.bootstrap / rb.ridge_cv for any block size (the
engine sums fixed chunks of SUM_CHUNK replicates; see _engine.py). Out of core (dask
arrays, Poisson): equal to the in-memory run to rounding, the sums being taken in
another order. The cluster is a LocalCluster of 2 single-threaded worker processes.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from dataclasses import replace

import numpy as np
import pytest
import ridgeboot as rb
from reference import condition_number
from ridgeboot import _out_of_core, _out_of_core_memory
from ridgeboot._engine import SUM_CHUNK, EngineJob, merge_blocks, split_blocks

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
rbd = pytest.importorskip("ridgeboot.distributed")

FIELDS = ("coefs", "intercepts", "coef_mean", "coef_std", "intercept_mean", "intercept_std")


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cluster start-up chatter is not ours to judge
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        c = distributed.Client(cluster, set_as_default=False)
    yield c
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c.close()
        cluster.close()


def _data(n=150, p=6, t=None, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1] += 0.8 * X[:, 0]  # correlated features: the weights move between replicates
    w = rng.standard_normal((p, t or 1))
    Y = X @ w + 0.5 * rng.standard_normal((n, t or 1)) + 3.0
    y = Y[:, 0] if t is None else Y
    return X.astype(dtype), y.astype(dtype)


def _assert_identical(a, b, oob):
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        if x is None:
            assert y is None, name
        else:
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), name
    assert (a.n_valid, a.solver, a.n_fallback) == (b.n_valid, b.solver, b.n_fallback)
    if oob:
        assert np.array_equal(a.oob_mse, b.oob_mse)
    if oob is True:
        assert np.array_equal(a.err632, b.err632) and np.array_equal(a.err632plus, b.err632plus)


# ----------------------------------------------------------------- the engine in blocks, no Dask
@pytest.mark.parametrize("block", [16, 32, 48, 80])
@pytest.mark.parametrize("stats", [False, True])
def test_blocks_of_whole_chunks_merge_to_the_bits_of_one_run(block, stats):
    X, Y = _data(n=300, p=5, t=2)  # > 256 rows: several out-of-bag row blocks
    grid = np.array([[0.1, 0.1], [3.0, 3.0]])
    full = rb.ridge_path(X, Y, grid[:, 0])
    ref = (np.ascontiguousarray(full.coef), np.ascontiguousarray(full.intercept))
    job = EngineJob(
        grid,
        "cholesky",
        True,
        90,
        "poisson",
        seed=3,
        keep_coefs=True,
        reference=ref,
        oob_rows=True,
        oob_mse=True,
        replicate_stats=stats,
    )
    one = job.run(X, Y, None, 2)
    parts = [
        job.block(first, count).run(X, Y, None, 1 + first % 2, first=first, chunk_sums=True)
        for first, count in split_blocks(90, block)
    ]
    merged = merge_blocks(parts)
    assert merged.keys() == one.keys()
    for key in one:
        assert np.array_equal(one[key], merged[key]), key


def test_the_engine_outputs_are_its_table_and_it_rejects_an_inconsistent_request():
    from ridgeboot import _core
    from ridgeboot._engine import ENGINE_OUTPUTS, REPLICATE_STATS

    X, Y = _data(n=40, p=3, t=1)
    grid = np.array([[1.0]])
    job = EngineJob(
        grid,
        "cholesky",
        True,
        16,
        keep_coefs=True,
        oob_rows=True,
        oob_mse=True,
        replicate_stats=True,
        reference=(np.zeros((1, 3, 1)), np.zeros((1, 1))),
        select="gcv",
    )
    raw = job.run(X, Y, None, 1)
    # the engine fits the reference itself only without select=
    fitted = replace(job, reference=None, fit_reference=True, select="none").run(X, Y, None, 1)
    # every output of the table, when all are asked for
    assert set(raw) | set(fitted) == set(ENGINE_OUTPUTS)
    assert raw["replicate_stats"].shape == (16, len(REPLICATE_STATS), 1, 1)
    assert fitted["reference_coef"].shape == (1, 3, 1)
    # a reference given and fitted, or fitted with select=: refused
    for inconsistent in (
        replace(job, fit_reference=True),
        replace(job, reference=None, fit_reference=True),
    ):
        with pytest.raises(ValueError, match="reference|request"):
            inconsistent.run(X, Y, None, 1)
    # moments without the reference fit they are taken about: refused, not a crash
    req = job.request(0, 1, False)
    with pytest.raises(ValueError, match="reference"):
        _core.run_engine_float64(X, Y, None, grid, "cholesky", True, req, None, None, None)
    req.first = 5  # a block must start a summation chunk
    with pytest.raises(ValueError, match="multiple of"):
        _core.run_engine_float64(X, Y, None, grid, "cholesky", True, req, None, job.reference, None)


def test_chunk_sums_have_one_row_per_chunk_and_first_must_start_a_chunk():
    X, y = _data(n=40, p=3)
    job = EngineJob(np.array([[1.0]]), "cholesky", True, 20, oob_mse=True)
    raw = job.run(X, y[:, None], None, 1, first=32, chunk_sums=True)
    assert raw["oob_mse_sum"].shape == (2, 1, 1)  # replicates 32..51 touch chunks 2 and 3
    with pytest.raises(ValueError, match=f"multiple of {SUM_CHUNK}"):
        job.run(X, y[:, None], None, 1, first=8)
    with pytest.raises(ValueError, match=f"multiple of {SUM_CHUNK}"):
        split_blocks(100, 24)


def test_first_offsets_the_draws():
    X, y = _data(n=40, p=3)
    job = EngineJob(np.array([[1.0]]), "cholesky", True, 48, keep_coefs=True)
    whole = job.run(X, y[:, None], None, 1)["coefs"]
    tail = job.block(16, 32).run(X, y[:, None], None, 1, first=16)["coefs"]
    assert np.array_equal(whole[16:], tail)


# ----------------------------------------------------------------------- in memory, on Dask
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"oob": "mse", "keep_coefs": False},
        {"scheme": "poisson", "oob": False},
        {"block_len": 7, "sample_weight": "random"},
        {"select": "loo", "alpha_per_target": True},
    ],
    ids=["multinomial", "summaries-only", "poisson", "blocks-weights", "select"],
)
@pytest.mark.parametrize("block", [16, 48, None])
def test_bootstrap_on_the_cluster_is_bit_identical(client, options, block):
    X, Y = _data(n=120, p=5, t=2, seed=1)
    options = dict(options)
    if options.get("sample_weight") == "random":
        options["sample_weight"] = np.random.default_rng(2).uniform(0.5, 2.0, len(X))
    alphas = np.logspace(-4, 4, 9) if "select" in options else [0.3, 3.0]
    here = rb.bootstrap(X, Y, alphas, 100, seed=11, **options)
    there = rbd.bootstrap(X, Y, alphas, 100, seed=11, client=client, block=block, **options)
    _assert_identical(here, there, options.get("oob", True))
    if "select" in options:
        assert np.array_equal(here.selection.alpha_selected, there.selection.alpha_selected)


def test_float32_scalar_alpha_and_1d_y_keep_their_shapes(client):
    X, y = _data(n=90, p=4, dtype=np.float32)
    here = rb.bootstrap(X, y, 1.0, 40)
    there = rbd.bootstrap(X, y, 1.0, 40, client=client, block=16)
    _assert_identical(here, there, True)
    assert there.coefs.shape == (40, 4) and there.coefs.dtype == np.float32


def test_threads_per_task_does_not_change_the_numbers(client):
    X, y = _data(n=300, p=8)
    a = rbd.bootstrap(X, y, 1.0, 64, client=client, block=32, threads_per_task=1)
    b = rbd.bootstrap(X, y, 1.0, 64, client=client, block=64, threads_per_task=3)
    _assert_identical(a, b, True)


def test_auto_falls_back_to_svd_on_the_cluster_too(client):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 8)), rng.standard_normal(12)
    here = rb.bootstrap(X, y, 1e-15, 100, seed=0)
    there = rbd.bootstrap(X, y, 1e-15, 100, seed=0, client=client, block=32)
    # the replicates Cholesky cannot factor are redone by SVD on the workers, the same ones
    assert there.solver == "cholesky" and there.n_fallback == here.n_fallback > 0
    _assert_identical(here, there, True)


def test_progress_reaches_n_boot(client, monkeypatch):
    import tqdm.auto

    seen = []
    base = tqdm.auto.tqdm

    class Recorder(base):  # type: ignore[misc, valid-type]
        def close(self):
            seen.append(self.n)
            super().close()

    monkeypatch.setattr(tqdm.auto, "tqdm", Recorder)
    X, y = _data(n=60, p=3)
    rbd.bootstrap(X, y, 1.0, 70, client=client, block=16, progress=True)
    assert seen and set(seen) == {70}  # closed at 70 (tqdm may close twice)


def test_ridge_cv_on_the_cluster_is_identical(client):
    X, Y = _data(n=200, p=6, t=3, seed=4)
    alphas = np.logspace(-2, 3, 6)
    for cv, extra in (("bootstrap", {"n_boot": 40, "alpha_per_target": True}), (5, {})):
        here = rb.ridge_cv(X, Y, alphas, cv=cv, warn_edges=False, **extra)
        there = rbd.ridge_cv(X, Y, alphas, cv=cv, client=client, warn_edges=False, **extra)
        assert np.array_equal(here.scores, there.scores) and np.array_equal(here.alpha, there.alpha)
        assert np.array_equal(here.coef, there.coef)
        if cv == "bootstrap":
            assert np.array_equal(here.alpha_replicates, there.alpha_replicates)


def test_bad_block_and_missing_client_are_named(client):
    X, y = _data(n=30, p=2)
    with pytest.raises(ValueError, match="multiple of 16"):
        rbd.bootstrap(X, y, 1.0, 20, client=client, block=10)
    code = (
        "import numpy as np, ridgeboot.distributed as d\n"
        "try:\n    d.bootstrap(np.ones((5, 2)), np.ones(5), 1.0, 10)\n"
        "except ValueError as e:\n    print('ValueError:', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "ValueError: no Dask client" in out.stdout, out.stdout + out.stderr


def test_client_memory_does_not_grow_with_n_boot(client):
    # The per-row out-of-bag sums (n, k, t) of every block are folded on the workers, block
    # after block in replicate order: the client receives one set of totals, not n_boot / 16.
    import tracemalloc

    n, alphas = 40000, [0.5, 5.0]
    X, y = _data(n=n, p=3)
    one_set = n * len(alphas) * 8  # bytes of oob_loss (n, k, t=1): 0.6 MiB
    tracemalloc.start()
    try:
        here = rb.bootstrap(X, y, alphas, 800, seed=3, oob=True)
        here_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        there = rbd.bootstrap(X, y, alphas, 800, seed=3, oob=True, client=client, block=16)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    _assert_identical(here, there, True)
    # a few sets and the bookkeeping of 150 futures; 50 blocks' sums would be 50 sets or more
    assert peak < here_peak + 16 * one_set + 8 * 2**20, f"client peak {peak / 2**20:.1f} MiB"


def test_blocks_fold_one_after_another_to_the_bits_of_one_merge():
    from ridgeboot._engine import fold_block

    X, Y = _data(n=100, p=4, t=2)
    job = EngineJob(np.array([[0.2, 0.2]]), "cholesky", True, 64, oob_rows=True, oob_mse=True)
    parts = [
        job.block(f, c).run(X, Y, None, 1, first=f, chunk_sums=True)
        for f, c in split_blocks(64, 16)
    ]
    total = None
    for part in parts:
        total = fold_block(total, part)
    merged = merge_blocks(parts)
    assert total.keys() == merged.keys()
    for key in merged:
        assert np.array_equal(total[key], merged[key])
    assert np.array_equal(merged["oob_loss"], job.run(X, Y, None, 1)["oob_loss"])


def test_a_failing_task_raises_here(client):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 8)), rng.standard_normal(12)  # replicates: singular Grams
    with pytest.raises(np.linalg.LinAlgError):
        rbd.bootstrap(X, y, 1e-15, 64, solver="cholesky", client=client, block=16)


# -------------------------------------------------------------------------------- out of core
def _tolerance(X, alpha, scale):
    """Rounding of another summation order, amplified by the Gram's conditioning."""
    cond = condition_number(X, alpha)
    return 50 * np.finfo(np.float64).eps * cond * len(X) ** 0.5 * scale


@pytest.mark.parametrize(
    "chunks, options",
    [
        ((37, 80, 13, 70), {}),
        ((200,), {"fit_intercept": False}),
        ((50, 50, 50, 50), {"block_len": 9}),
        ((64, 64, 72), {"sample_weight": "random", "t": 3}),
    ],
    ids=["uneven", "one-chunk-no-intercept", "blocks", "weights-3-targets"],
)
def test_out_of_core_poisson_equals_in_memory(client, chunks, options):
    options = dict(options)
    X, y = _data(n=sum(chunks), p=7, t=options.pop("t", None), seed=5)
    if options.get("sample_weight") == "random":
        options["sample_weight"] = np.random.default_rng(6).uniform(0.2, 3.0, len(X))
    alphas = [0.05, 2.0]
    here = rb.bootstrap(X, y, alphas, 150, scheme="poisson", oob="mse", seed=9, **options)
    Xd = da.from_array(X, chunks=(chunks, 7))
    yd = da.from_array(y, chunks=(chunks,) + y.shape[1:])
    there = rbd.bootstrap(Xd, yd, alphas, 150, seed=9, client=client, **options)
    tol = _tolerance(X, alphas[0], np.abs(here.coefs).max())
    np.testing.assert_allclose(there.coefs, here.coefs, rtol=0, atol=tol)
    np.testing.assert_allclose(there.coef_mean, here.coef_mean, rtol=0, atol=tol)
    np.testing.assert_allclose(there.coef_std, here.coef_std, rtol=0, atol=tol)
    itol = tol * (1 + np.abs(X).max()) * X.shape[1] + 1e-13 * np.abs(here.intercepts).max()
    np.testing.assert_allclose(there.intercepts, here.intercepts, rtol=0, atol=itol)
    np.testing.assert_allclose(there.full.coef, here.full.coef, rtol=0, atol=tol)
    np.testing.assert_allclose(there.oob_mse, here.oob_mse, rtol=1e-9)
    assert there.n_valid == here.n_valid and there.coefs.shape == here.coefs.shape


def test_out_of_core_float32_and_numpy_y(client):
    X, y = _data(n=120, p=4, dtype=np.float32)
    here = rb.bootstrap(X, y, 1.0, 60, scheme="poisson", oob=False)
    there = rbd.bootstrap(da.from_array(X, chunks=(50, 4)), y, 1.0, 60, client=client, oob=False)
    assert there.coefs.dtype == np.float32 and there.oob_mse is None
    np.testing.assert_allclose(
        there.coefs, here.coefs, rtol=0, atol=2e-5 * np.abs(here.coefs).max()
    )


def test_out_of_core_refusals_are_named(client):
    X, y = _data(n=100, p=50)
    Xd = da.from_array(X, chunks=(50, 50))
    with pytest.raises(ValueError, match='scheme="poisson"'):
        rbd.bootstrap(Xd, y, 1.0, 10, scheme="multinomial", client=client)
    with pytest.raises(ValueError, match="oob='mse'"):
        rbd.bootstrap(Xd, y, 1.0, 10, oob=True, client=client)
    with pytest.raises(MemoryError, match="GiB"):
        rbd.bootstrap(Xd, y, 1.0, 2**24, client=client)
    bad = X.copy()
    bad[77, 3] = np.nan
    with pytest.raises(ValueError, match="rows 50..99"):
        rbd.bootstrap(da.from_array(bad, chunks=(50, 50)), y, 1.0, 10, client=client)
    boot = rbd.bootstrap(Xd, y, 1.0, 10, client=client)
    with pytest.raises(ValueError, match="out-of-core"):
        boot.ci(method="bca")


@pytest.mark.parametrize("c", [2.0**-500, 2.0**500])
def test_out_of_core_is_scale_equivariant(client, c):
    # X^T X of X * 2^500 overflows, of X * 2^-500 underflows: each chunk is scaled by powers
    # of two and the merge and the solve undo it, exactly
    X, y = _data(n=400, p=4)
    Xd = da.from_array(X, chunks=(100, 4))
    ref = rbd.bootstrap(Xd, y, 1.0, 32, scheme="poisson", client=client)
    boot = rbd.bootstrap(Xd * c, y, c * (c * 1.0), 32, scheme="poisson", client=client)
    np.testing.assert_allclose(boot.full.coef * c, ref.full.coef, rtol=1e-12)
    np.testing.assert_allclose(boot.coef_std * c, ref.coef_std, rtol=1e-12)
    np.testing.assert_allclose(boot.oob_mse, ref.oob_mse, rtol=1e-12)


def test_out_of_core_takes_n_threads_and_shows_progress_over_chunk_tasks(client, monkeypatch):
    import tqdm.auto

    seen = []

    class Recorder(tqdm.auto.tqdm):  # type: ignore[misc, valid-type]
        def close(self):
            seen.append((self.n, self.total))
            super().close()

    monkeypatch.setattr(tqdm.auto, "tqdm", Recorder)
    X, y = _data(n=200, p=4)
    Xd = da.from_array(X, chunks=(50, 4))
    ref = rbd.bootstrap(Xd, y, 1.0, 40, client=client)
    boot = rbd.bootstrap(Xd, y, 1.0, 40, client=client, n_threads=1, progress=True)
    assert seen and seen[0] == (4, 4)  # one task per row chunk (one sub-block)
    np.testing.assert_array_equal(boot.coefs, ref.coefs)


def test_out_of_core_sub_blocks_keep_each_task_within_its_budget(client, monkeypatch):
    # 20000 rows in one chunk, 200 replicates: the task of all replicates at once needs
    # ~100 MiB; with a budget of 24 MiB the replicates run in sub-blocks, same numbers.
    X, y = _data(n=20000, p=5, seed=2)
    Xd = da.from_array(X, chunks=(20000, 5))
    whole = rbd.bootstrap(Xd, y, [0.1, 1.0], 200, seed=3, client=client)
    budget = 24 * 2**20
    per_sub, need = _out_of_core_memory.plan_subblocks(200, 20000, 5, 1, True, budget)
    assert per_sub < 200 and need <= budget
    monkeypatch.setattr(_out_of_core, "task_budget", lambda client: budget)
    split = rbd.bootstrap(Xd, y, [0.1, 1.0], 200, seed=3, client=client)
    tol = 1e-12 * np.abs(whole.coefs).max()
    np.testing.assert_allclose(split.coefs, whole.coefs, rtol=0, atol=tol)
    np.testing.assert_allclose(split.oob_mse, whole.oob_mse, rtol=1e-10)
    np.testing.assert_allclose(split.full.coef, whole.full.coef, rtol=0, atol=tol)


def test_out_of_core_memory_error_up_front_against_the_workers_limit():
    # one worker process, 1 GiB, 2 threads: < 205 MiB per task; a chunk of 3e6 rows
    # cannot fit even one replicate. The error comes before anything runs (the data stay lazy).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with (
            distributed.LocalCluster(
                n_workers=1,
                threads_per_worker=2,
                processes=True,
                memory_limit="1GiB",
                dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster, set_as_default=False) as c,
        ):
            budget = _out_of_core_memory.task_budget(
                c
            )  # half of 0.8 GiB less what it uses, per thread
            assert 0 < budget < 0.2 * 2**30
            Xd = da.zeros((3_000_000, 5), chunks=(3_000_000, 5))
            yd = da.zeros(3_000_000, chunks=3_000_000)
            with pytest.raises(MemoryError, match=r"needs about .*MiB.*budget of [0-9.]+ [KM]iB"):
                rbd.bootstrap(Xd, yd, 1.0, 10, client=c)


# ------------------------------------------------------------ the statistics, without a cluster
@pytest.mark.parametrize(
    "R, m, p, t, oob", [(200, 20000, 5, 1, True), (50, 3000, 40, 2, True), (400, 500, 3, 1, False)]
)
def test_the_memory_model_bounds_a_chunk_task_and_a_merge(R, m, p, t, oob):
    import tracemalloc

    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((m, p)), rng.standard_normal((m, t))
    tracemalloc.start()
    try:
        a = _out_of_core._chunk_task(X, Y, None, 0, 0, R - 1, 1, 0, True, oob, True, 1)
        chunk_peak = tracemalloc.get_traced_memory()[1]
        b = _out_of_core._chunk_task(X, Y, None, m, 0, R - 1, 1, 0, True, oob, True, 1)
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        _out_of_core._merge_task(a, b)
        merge_peak = (
            tracemalloc.get_traced_memory()[1] - base + 2 * _out_of_core.stats_bytes(R, p, t, oob)
        )  # its two inputs
    finally:
        tracemalloc.stop()
    chunk_model = _out_of_core_memory.chunk_task_bytes(R, m, p, t, oob)
    merge_model = _out_of_core_memory.merge_task_bytes(R, p, t, oob)
    assert chunk_peak <= chunk_model <= 2 * chunk_peak + 2**20, (chunk_peak, chunk_model)
    assert merge_peak <= merge_model <= 2 * merge_peak + 2**20, (merge_peak, merge_model)


def test_merged_statistics_equal_those_of_all_rows():
    rng = np.random.default_rng(7)
    X, Y = rng.standard_normal((40, 3)) + 5.0, rng.standard_normal((40, 2)) - 2.0
    C = rng.poisson(1.0, (4, 40)).astype(float)
    C[1, :25] = 0  # the first piece is empty for replicate 1
    unscaled = {"ex": 0.0, "ey": 0.0, "ew": 0.0}
    whole = {**_out_of_core.chunk_stats(X, Y, C, True, True), **unscaled}
    # each piece scaled by its own powers of two, as the chunk tasks do (data' = data 2^e)
    exponents = [(3.0, -2.0, 0.0), (0.0, 0.0, -5.0), (-7.0, 4.0, 1.0)]
    parts = [
        {
            **_out_of_core.chunk_stats(X[s] * 2**ex, Y[s] * 2**ey, C[:, s] * 2**ew, True, True),
            "ex": ex,
            "ey": ey,
            "ew": ew,
        }
        for s, (ex, ey, ew) in zip(np.split(np.arange(40), [25, 31]), exponents)
    ]
    merged = _out_of_core.merge_stats(_out_of_core.merge_stats(parts[0], parts[1]), parts[2])
    merged = _out_of_core._with_exponents(merged, 0.0, 0.0, 0.0)  # back to the data's units
    for key in whole:
        np.testing.assert_allclose(merged[key], whole[key], rtol=1e-12, atol=1e-12)
    # and the out-of-bag error from statistics equals the direct sum over rows
    coef = rng.standard_normal((4, 2, 3, 2))
    icpt = rng.standard_normal((4, 2, 2))
    direct = np.einsum(
        "rn,rknt->rkt",
        C,
        (Y[None, None] - (np.einsum("np,rkpt->rknt", X, coef) + icpt[:, :, None])) ** 2,
    )
    mse = _out_of_core.oob_mse(whole, coef, icpt)
    np.testing.assert_allclose(mse, direct / C.sum(axis=1)[:, None, None], rtol=1e-10)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda c, X, y: rbd.bootstrap(X, y, 1.0, 32, client=c, block=0), ValueError, "block"),
        (lambda c, X, y: rbd.bootstrap(X, y, 1.0, 32, client=c, block=True), TypeError, "block"),
        (
            lambda c, X, y: rbd.bootstrap(X, y, 1.0, 32, client=c, threads_per_task=0),
            ValueError,
            "threads_per_task",
        ),
        (lambda c, X, y: rbd.bootstrap(X, y[:-1], 1.0, 32, client=c), ValueError, "rows"),
        (lambda c, X, y: rbd.bootstrap(X, y, -1.0, 32, client=c), ValueError, "alpha"),
        (
            lambda c, X, y: rbd.bootstrap(da.from_array(X), y[:-1], 1.0, 8, client=c),
            ValueError,
            "y must have shape",
        ),
        (
            lambda c, X, y: rbd.bootstrap(da.from_array(X[None]), y, 1.0, 8, client=c),
            ValueError,
            "2-D",
        ),
        (
            lambda c, X, y: rbd.bootstrap(X, da.from_array(y), 1.0, 8, client=c),
            TypeError,
            "dask.array",
        ),
        (
            lambda c, X, y: rbd.bootstrap(
                da.from_array(X), y, 1.0, 8, client=c, sample_weight=-np.ones(len(y))
            ),
            ValueError,
            "sample_weight",
        ),
        (
            lambda c, X, y: rbd.bootstrap(da.from_array(X), y, 1.0, 8, client=c, solver="svd"),
            ValueError,
            "solver",
        ),
        (
            lambda c, X, y: rbd.bootstrap(da.from_array(X), y, 1.0, 1, client=c),
            ValueError,
            "n_boot",
        ),
        (
            lambda c, X, y: rbd.ridge_cv(X, y, [1.0, 2.0], client=c, block=17),
            ValueError,
            "multiple of 16",
        ),
    ],
)
def test_bad_input_is_named(client, call, error, match):
    X, y = _data(n=40, p=3)
    with pytest.raises(error, match=match):
        call(client, X, y)


def test_bad_dask_sample_weight_is_named(client):
    X, y = _data(n=40, p=3)
    w = np.ones(40)
    w[33] = -1.0
    with pytest.raises(ValueError, match="sample_weight must be finite and >= 0"):
        rbd.bootstrap(
            da.from_array(X, chunks=(20, 3)),
            y,
            1.0,
            8,
            client=client,
            sample_weight=da.from_array(w, chunks=20),
        )
