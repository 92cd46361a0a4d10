"""Thread safety, memory stability and 64-bit index arithmetic."""

from __future__ import annotations

import resource
import threading

import numpy as np
import pytest
import ridgeboot as rb
from reference import ridge_lstsq_minnorm, ridge_reference, ridge_svd_reference


def _problem(seed: int = 0, n: int = 300, p: int = 12, t: int = 2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    Y = X @ rng.standard_normal((p, t)) + rng.standard_normal((n, t))
    return X, Y


def test_concurrent_python_threads_give_serial_numbers():
    X, Y = _problem()
    X.setflags(write=False)
    Y.setflags(write=False)
    serial_boot = rb.bootstrap(X, Y, [0.1, 10.0], 64, seed=3, n_threads=2)
    serial_fit = rb.ridge(X, Y, 2.0)
    results: list[tuple] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                b = rb.bootstrap(X, Y, [0.1, 10.0], 64, seed=3, n_threads=2)
                r = rb.ridge(X, Y, 2.0)
                results.append((b.coefs, b.oob_mse, b.err632, r.coef, r.intercept))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert len(results) == 12
    for coefs, oob, e632, coef, icpt in results:
        np.testing.assert_array_equal(coefs, serial_boot.coefs)
        np.testing.assert_array_equal(oob, serial_boot.oob_mse)
        np.testing.assert_array_equal(e632, serial_boot.err632)
        np.testing.assert_array_equal(coef, serial_fit.coef)
        np.testing.assert_array_equal(icpt, serial_fit.intercept)


def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


def test_repeated_fits_and_bootstraps_keep_memory_flat():
    X, Y = _problem(n=200, p=20)
    for _ in range(50):  # warm-up: allocator pools, caches
        rb.ridge(X, Y, 1.0)
        rb.bootstrap(X, Y, [1.0, 3.0], 8, seed=1)
    before = _rss_mib()
    for i in range(1000):
        rb.ridge(X, Y, 1.0, solver=("cholesky", "svd", "eigh")[i % 3])
        rb.bootstrap(X, Y, [1.0, 3.0], 8, seed=i, n_threads=2)
    grown = _rss_mib() - before
    # one leaked replicate buffer per call would be >= 1000 * 8 * 2 * 20 * 2 * 8 B = 5 MiB
    assert grown < 5.0, f"resident memory grew by {grown:.1f} MiB over 1000 calls"


def test_rows_beyond_32_bit_element_offsets():
    # n * p > 2**31 elements through a zero-stride view (one real row), so the index
    # arithmetic of the core runs past 32 bits without allocating the matrix.
    p = 1000
    n = 2**31 // p + 1000
    rng = np.random.default_rng(0)
    base = rng.standard_normal(p)
    X = np.lib.stride_tricks.as_strided(base, shape=(n, p), strides=(0, base.itemsize))
    assert X.shape[0] * X.shape[1] > 2**31
    y = np.zeros(n)
    w = np.zeros(n)
    last = np.arange(n - 40, n)
    w[last] = 1.0 + (last % 3)
    y[last] = rng.standard_normal(40)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB, the high-water mark
    r = rb.ridge(X, y, 5.0, sample_weight=w, fit_intercept=False, check_finite=False)
    # the 40 weighted rows are gathered, not all n (n x p doubles would be 17 GB)
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
    assert grown < 512, f"the fit of 40 weighted rows raised peak memory by {grown:.0f} MiB"
    # reference on the 40 weighted rows: all equal to `base`
    ref = ridge_reference(np.tile(base, (40, 1)), y[last], 5.0, False, w[last])
    np.testing.assert_allclose(r.coef, ref.coef, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n_threads", [0, -2])
def test_bad_thread_counts(n_threads):
    X, Y = _problem()
    with pytest.raises(ValueError, match="n_threads"):
        rb.ridge(X, Y, 1.0, n_threads=n_threads)


def test_huge_thread_count_is_capped_and_identical():
    X, Y = _problem()
    a = rb.bootstrap(X, Y, 1.0, 20, seed=2, n_threads=10_000)
    b = rb.bootstrap(X, Y, 1.0, 20, seed=2, n_threads=1)
    np.testing.assert_array_equal(a.coefs, b.coefs)


def _nearly_collinear(n: int = 200):
    rng = np.random.default_rng(7)
    a = rng.standard_normal(n)
    X = np.column_stack([a, a + 1e-7 * rng.standard_normal(n), rng.standard_normal(n)])
    y = X @ [1.0, 1.0, -2.0] + 0.01 * rng.standard_normal(n)
    return X, y


def test_auto_leaves_cholesky_when_it_would_lose_the_digits():
    X, y = _nearly_collinear()
    alpha = 1e-12  # cond(X^T X + alpha I) ~ 1e15: Cholesky keeps ~1 digit
    r = rb.ridge(X, y, alpha)
    assert r.solver == "svd"
    ref = rb.ridge(X, y, alpha, solver="svd")
    np.testing.assert_array_equal(r.coef, ref.coef)
    assert rb.ridge(X, y, 1.0).solver == "cholesky"  # well conditioned: the fast route


def test_explicit_cholesky_warns_or_raises_when_ill_conditioned():
    X, y = _nearly_collinear()
    try:
        with pytest.warns(RuntimeWarning, match="ill-conditioned.*svd"):
            rb.ridge(X, y, 1e-12, solver="cholesky")
    except np.linalg.LinAlgError as exc:  # the factorization may fail outright instead
        assert "svd" in str(exc)


def test_wide_single_fit_identical_for_any_thread_count():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((300, 3000))  # dual form; kernel blocks in parallel
    y = rng.standard_normal(300)
    fits = [rb.ridge(X, y, 3.0, n_threads=k) for k in (1, 2, 3)]
    for f in fits[1:]:
        np.testing.assert_array_equal(f.coef, fits[0].coef)
        assert f.intercept == fits[0].intercept
    ref = ridge_svd_reference(X, y, 3.0)  # no p x p Gram
    np.testing.assert_allclose(fits[0].coef, ref.coef, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_misaligned_buffers_are_copied_not_loaded_misaligned(dtype):
    # np.frombuffer at an odd byte offset gives arrays whose values straddle alignment;
    # the core loads whole values, so they are copied first (tools/sanitize.sh checks the UB)
    rng = np.random.default_rng(3)
    X, y, w = (
        rng.standard_normal((30, 4)).astype(dtype),
        rng.standard_normal(30).astype(dtype),
        rng.uniform(1, 2, 30).astype(dtype),
    )

    def misaligned(a):
        raw = np.zeros(a.nbytes + 1, dtype=np.uint8)
        raw[1:] = np.frombuffer(a.tobytes(), dtype=np.uint8)
        out = np.frombuffer(raw.data, dtype=dtype, offset=1).reshape(a.shape)
        assert not out.flags.aligned
        return out

    Xm, ym, wm = misaligned(X), misaligned(y), misaligned(w)
    for f in (
        lambda *a, **k: rb.ridge(*a, **k).coef,
        lambda *a, **k: rb.bootstrap(*a, n_boot=20, **k).coefs,
    ):
        np.testing.assert_array_equal(
            f(Xm, ym, 1.0, sample_weight=wm), f(X, y, 1.0, sample_weight=w)
        )


# one row, no intercept, alpha = 0: it interpolates, and says so
@pytest.mark.filterwarnings("ignore::ridgeboot.InterpolationWarning")
def test_svd_of_a_single_weighted_row_with_many_features():
    # one row of positive weight, p >= 16: Eigen's BDCSVD would bind a null reference
    # (UBSan); the single row is factored by JacobiSVD: minimum-norm interpolation
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((3, 20)), rng.standard_normal(3)
    w = np.array([0.0, 2.0, 0.0])
    r = rb.ridge(X, y, 0.0, solver="svd", fit_intercept=False, sample_weight=w)
    ref = ridge_lstsq_minnorm(X, y, fit_intercept=False, sample_weight=w)
    np.testing.assert_allclose(r.coef, ref.coef, rtol=1e-12, atol=1e-14)
