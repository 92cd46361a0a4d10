"""rb.bootstrap against numpy: every replicate refitted, summaries, errors, intervals, contracts."""

from __future__ import annotations

import math
import time
import tracemalloc
import warnings

import numpy as np
import pytest
import ridgeboot as rb
from reference import condition_number, ridge_auto_reference
from scipy.special import ndtr, ndtri

F64, F32 = np.float64, np.float32


# ----------------------------------------------------------------------------- helpers
def make_data(seed, n, p, t=None, dtype=F64, noise=0.5, offset=2.0, hetero=False):
    """X (n, p) with non-zero column means, y = X w + 1.5 + noise; y 1-D when t is None."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + offset * rng.uniform(-1, 1, p)
    w = rng.standard_normal(p if t is None else (p, t))
    e = rng.standard_normal(n if t is None else (n, t))
    if hetero:
        scale = 0.3 + np.abs(X[:, 0] - X[:, 0].mean())
        e = e * (scale if t is None else scale[:, None])
    y = X @ w + 1.5 + noise * e
    return X.astype(dtype), y.astype(dtype), w


def fit_tol(dtype, cond, n):
    """Normwise relative forward error allowed for a fit: a few eps * condition * sqrt(n)."""
    return 10 * np.finfo(dtype).eps * cond * math.sqrt(n)


def assert_fit_close(coef, icpt, ref, X, weights, dtype, cond, fit_intercept=True, what=""):
    """Normwise comparison of one (alpha) fit, per target."""
    ref_coef, ref_icpt = ref
    coef = np.asarray(coef, dtype=F64)
    icpt = np.asarray(icpt, dtype=F64)
    n = int((np.asarray(weights) > 0).sum()) if weights is not None else len(X)
    tol = fit_tol(dtype, cond, n)
    c2, r2 = coef.reshape(coef.shape[0], -1), ref_coef.reshape(ref_coef.shape[0], -1)
    i2, ri2 = icpt.reshape(-1), np.asarray(ref_icpt).reshape(-1)
    Xd = np.asarray(X, dtype=F64)
    v = np.ones(len(Xd)) if weights is None else np.asarray(weights, dtype=F64)
    xbar = v @ Xd / v.sum() if fit_intercept else np.zeros(Xd.shape[1])
    for u in range(r2.shape[1]):
        scale = np.linalg.norm(r2[:, u])
        err = np.linalg.norm(c2[:, u] - r2[:, u])
        assert err <= tol * scale + 1e3 * np.finfo(dtype).tiny, (what, u, err, tol * scale)
        ib = tol * (abs(ri2[u]) + np.linalg.norm(xbar) * scale + 1.0)
        assert abs(i2[u] - ri2[u]) <= ib, (what, u, i2[u], ri2[u], ib)


def out_shape(alphas, t):
    """Public shape ([k][, t]) of a per-alpha, per-target summary."""
    return ((len(alphas),) if np.ndim(alphas) == 1 else ()) + ((t,) if t is not None else ())


def as_bk(a, has_k):
    """Insert the alpha axis after the replicate axis when absent."""
    return a if has_k else a[:, None]


def check_replicates(boot, X, y, alphas, counts, sw=None, fit_intercept=True, repeat=False):
    """Refit every replicate in numpy and compare coefficients and intercepts."""
    has_k = np.ndim(alphas) == 1
    alist = np.atleast_1d(np.asarray(alphas, dtype=F64))
    coefs, icpts = as_bk(boot.coefs, has_k), as_bk(boot.intercepts, has_k)
    n = len(X)
    for b in range(counts.shape[0]):
        weights = counts[b] * (1.0 if sw is None else np.asarray(sw, dtype=F64))
        for a, alpha in enumerate(alist):
            if repeat:
                idx = np.repeat(np.arange(n), counts[b])  # the replicate, materialised
                w_idx = None if sw is None else sw[idx]
                ref = ridge_auto_reference(X[idx], y[idx], alpha, fit_intercept, w_idx)
            else:
                ref = ridge_auto_reference(X, y, alpha, fit_intercept, weights)
            cond = condition_number(X, alpha, sample_weight=weights, fit_intercept=fit_intercept)
            assert_fit_close(
                coefs[b, a],
                icpts[b, a],
                ref,
                X,
                weights,
                X.dtype,
                cond,
                fit_intercept,
                what=f"replicate {b} alpha {alpha}",
            )


# ----------------------------------------------------------------------------- replicates
REPLICATE_CASES = {
    # name: (scheme, solver, alphas, t, dtype, fit_intercept, sample_weight, block_len)
    "multi-chol-1d": ("multinomial", "cholesky", 1.0, None, F64, True, False, None),
    "multi-eigh-path": ("multinomial", "eigh", [0.1, 1.0, 10.0], 3, F64, True, False, None),
    "multi-svd-path-alpha0": ("multinomial", "svd", [0.0, 0.5, 5.0], 2, F64, True, False, None),
    "multi-chol-path-2": ("multinomial", "cholesky", [0.5, 50.0], 2, F64, True, False, None),
    "multi-auto": ("multinomial", "auto", 2.0, 2, F64, True, False, None),
    "multi-weights": ("multinomial", "cholesky", [0.3, 3.0], 2, F64, True, True, None),
    "multi-nointercept": ("multinomial", "eigh", [0.2, 2.0], None, F64, False, False, None),
    "multi-block": ("multinomial", "cholesky", 1.0, 2, F64, True, False, 5),
    "multi-f32": ("multinomial", "cholesky", [0.5, 5.0], 2, F32, True, False, None),
    "multi-f32-svd": ("multinomial", "svd", [0.0, 1.0], None, F32, True, True, None),
    "pois-chol": ("poisson", "cholesky", [0.3, 3.0], None, F64, True, False, None),
    "pois-eigh": ("poisson", "eigh", 2.0, 2, F64, True, False, None),
    "pois-svd-alpha0": ("poisson", "svd", [0.0, 1.0], None, F64, True, False, None),
    "pois-weights-noint": ("poisson", "eigh", [0.5, 5.0], 3, F64, False, True, None),
    "pois-block": ("poisson", "svd", 1.0, None, F64, True, False, 4),
    "pois-f32": ("poisson", "eigh", [0.5, 5.0], 2, F32, True, True, None),
}


@pytest.mark.parametrize("case", list(REPLICATE_CASES))
def test_replicates_match_numpy_refits(case):
    scheme, solver, alphas, t, dtype, fit_intercept, use_w, block_len = REPLICATE_CASES[case]
    n, p, B, seed = 40, 5, 12, 17
    X, y, _ = make_data(3, n, p, t, dtype)
    sw = None
    if use_w:
        sw = np.random.default_rng(4).uniform(0.2, 3.0, n).astype(dtype)
        sw[[2, 7]] = 0
    boot = rb.bootstrap(
        X,
        y,
        alphas,
        B,
        solver=solver,
        fit_intercept=fit_intercept,
        sample_weight=sw,
        scheme=scheme,
        block_len=block_len,
        seed=seed,
        n_threads=2,
    )
    k = len(alphas) if np.ndim(alphas) else None
    shape_k = () if k is None else (k,)
    shape_t = () if t is None else (t,)
    assert boot.coefs.shape == (B, *shape_k, p, *shape_t)
    assert boot.intercepts.shape == (B, *shape_k, *shape_t)
    assert boot.coef_mean.shape == (*shape_k, p, *shape_t)
    assert boot.coefs.dtype == dtype and boot.coef_mean.dtype == dtype
    if solver != "auto":
        assert boot.solver == solver
    counts = rb.bootstrap_counts(n, B, seed, scheme, block_len)
    check_replicates(boot, X, y, alphas, counts, sw, fit_intercept)
    if scheme == "multinomial":
        check_replicates(boot, X, y, alphas, counts, sw, fit_intercept, repeat=True)
    # the full fit is the ridge fit on all rows
    for a, alpha in enumerate(np.atleast_1d(alphas)):
        full_c = boot.full.coef if k is None else boot.full.coef[a]
        full_b = boot.full.intercept if k is None else boot.full.intercept[a]
        ref = ridge_auto_reference(X, y, alpha, fit_intercept, sw)
        cond = condition_number(X, alpha, sample_weight=sw, fit_intercept=fit_intercept)
        assert_fit_close(full_c, full_b, ref, X, sw, dtype, cond, fit_intercept, "full")


def test_tolerance_is_meaningful():
    # the comparison above must reject a perturbed replicate
    X, y, _ = make_data(3, 40, 5, None)
    boot = rb.bootstrap(X, y, 1.0, 4, seed=1)
    counts = rb.bootstrap_counts(40, 4, 1)
    ref = ridge_auto_reference(X, y, 1.0, sample_weight=counts[0])
    cond = condition_number(X, 1.0, sample_weight=counts[0])
    bad = boot.coefs[0] * (1 + 1e-9)
    with pytest.raises(AssertionError):
        assert_fit_close(bad, boot.intercepts[0], ref, X, counts[0], F64, cond)
    other = ridge_auto_reference(X, y, 1.0, sample_weight=counts[1])  # a different replicate's fit
    with pytest.raises(AssertionError):
        assert_fit_close(other[0], other[1], ref, X, counts[0], F64, cond)


@pytest.mark.parametrize("solver", ["cholesky", "eigh", "svd"])
@pytest.mark.parametrize(
    ("dtype", "offset", "weighted"),
    [(F64, 2.0, False), (F64, 1e4, True), (F32, 1e2, True)],
    ids=["f64", "f64-offset-weighted", "f32-offset-weighted"],
)
def test_wide_problem_dual(solver, dtype, offset, weighted):
    # p > n: the dual (kernel) form, built from one shared centred kernel for all replicates;
    # large column offsets check that re-centring each replicate stays accurate
    n, p, t, B = 25, 60, 2, 8
    X, y, _ = make_data(5, n, p, t, dtype, offset=offset)
    sw = np.random.default_rng(6).uniform(0.2, 2, n).astype(dtype) if weighted else None
    alphas = [0.0, 0.5, 5.0] if solver == "svd" else [0.5, 5.0]
    with warnings.catch_warnings():
        # alpha = 0 with p > n interpolates, and says so (tests/test_interpolation_warning.py)
        warnings.simplefilter("ignore", rb.InterpolationWarning)
        boot = rb.bootstrap(X, y, alphas, B, solver=solver, seed=2, sample_weight=sw)
    assert boot.coefs.shape == (B, len(alphas), p, t)
    check_replicates(boot, X, y, alphas, rb.bootstrap_counts(n, B, 2), sw)


@pytest.mark.parametrize("solver", ["cholesky", "eigh"])
def test_replicates_switching_between_primal_and_dual(solver):
    # n slightly above p: a replicate with fewer distinct rows than p takes the dual
    # form, the next one may take the primal form on the same thread's scratch (one
    # thread here), whose padding columns must still be zero for the Gram kernel.
    n, p, t, B = 14, 9, 2, 40
    X, y, _ = make_data(8, n, p, t)
    counts = rb.bootstrap_counts(n, B, 4)
    distinct = (counts > 0).sum(axis=1)
    assert (distinct < p).any() and (distinct >= p).any()
    boot = rb.bootstrap(X, y, [0.5, 5.0], B, solver=solver, seed=4, n_threads=1)
    check_replicates(boot, X, y, [0.5, 5.0], counts)


def test_float32_is_computed_in_float32():
    X, y, _ = make_data(8, 60, 4, 2)
    b32 = rb.bootstrap(X.astype(F32), y.astype(F32), [0.5, 5.0], 10, seed=1)
    b64 = rb.bootstrap(X.astype(F32).astype(F64), y.astype(F32).astype(F64), [0.5, 5.0], 10, seed=1)
    for name in ("coefs", "intercepts", "coef_mean", "coef_std", "intercept_mean"):
        a32, a64 = getattr(b32, name), getattr(b64, name)
        assert a32.dtype == F32 and a64.dtype == F64, name
        np.testing.assert_allclose(a32, a64, rtol=2e-4, atol=2e-5 * np.abs(a64).max())
    # computed in float32, not float64 rounded at the end
    assert not np.array_equal(b32.coefs, b64.coefs.astype(F32))


# ----------------------------------------------------------------------------- moments
@pytest.mark.parametrize(
    ("alphas", "t", "dtype"),
    [(1.0, None, F64), ([0.1, 1.0, 10.0], 3, F64), ([0.5, 5.0], 2, F32)],
)
def test_keep_coefs_false_same_moments(alphas, t, dtype):
    X, y, _ = make_data(11, 50, 6, t, dtype)
    kept = rb.bootstrap(X, y, alphas, 30, seed=9, keep_coefs=True)
    lean = rb.bootstrap(X, y, alphas, 30, seed=9, keep_coefs=False)
    assert lean.coefs is None and lean.intercepts is None
    for name in ("coef_mean", "coef_std", "intercept_mean", "intercept_std", "oob_mse"):
        np.testing.assert_array_equal(getattr(lean, name), getattr(kept, name), err_msg=name)
    np.testing.assert_array_equal(lean.err632, kept.err632)
    c = kept.coefs.astype(F64)
    i = kept.intercepts.astype(F64)
    rtol = 1e-12 if dtype == F64 else 2e-6
    np.testing.assert_allclose(kept.coef_mean, c.mean(axis=0), rtol=rtol, atol=rtol * 1e-2)
    np.testing.assert_allclose(kept.coef_std, c.std(axis=0, ddof=1), rtol=rtol * 100)
    np.testing.assert_allclose(kept.intercept_mean, i.mean(axis=0), rtol=rtol)
    np.testing.assert_allclose(kept.intercept_std, i.std(axis=0, ddof=1), rtol=rtol * 100)


def test_moments_with_large_offset_are_stable():
    # coefficients with a large common part and a tiny spread: a naive sum of squares loses it
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2))
    y = X @ [1e4, -1e4] + 1e-3 * rng.standard_normal(200)
    boot = rb.bootstrap(X, y, 1e-6, 50, seed=3)
    np.testing.assert_allclose(boot.coef_std, boot.coefs.std(axis=0, ddof=1), rtol=1e-7)
    assert (boot.coef_std > 0).all()


@pytest.mark.parametrize("solver", ["cholesky", "eigh"])
@pytest.mark.parametrize("dtype", [F64, F32])
def test_replicate_far_from_the_data_mean_keeps_its_digits(solver, dtype):
    # Replicates whose means sit far from those of all rows (the lower or upper half of
    # a step column, as in contiguous k-fold) keep every digit: each fit is centred
    # about its own rows (see Fitter::primal_gram).
    from ridgeboot._engine import EngineJob

    n, p, t = 40, 3, 2
    rng = np.random.default_rng(5)
    X = rng.standard_normal((n, p)) + [1.0, -2.0, 0.5]
    X[n // 2 :, 0] += 1e3
    Y = X @ rng.standard_normal((p, t)) + 0.1 * rng.standard_normal((n, t))
    X, Y = X.astype(dtype), Y.astype(dtype)
    counts = np.zeros((3, n), np.int32)
    counts[0, : n // 2] = 1
    counts[1, n // 2 :] = 2
    counts[2] = rb.bootstrap_counts(n, 1, seed=1)[0]
    alphas = [1e-3, 1.0]
    grid = np.repeat(np.array(alphas, dtype)[:, None], t, axis=1)
    job = EngineJob(grid, solver, True, 3, counts=counts, keep_coefs=True)
    raw = job.run(X, Y, None, 2)
    for b in range(3):
        for a, alpha in enumerate(alphas):
            ref = ridge_auto_reference(X, Y, alpha, sample_weight=counts[b])
            cond = condition_number(X, alpha, sample_weight=counts[b])
            assert_fit_close(
                raw["coefs"][b, a],
                raw["intercepts"][b, a],
                ref,
                X,
                counts[b],
                dtype,
                cond,
                what=f"replicate {b} alpha {alpha}",
            )


# ----------------------------------------------------------------------------- determinism
FIELDS = (
    "coefs",
    "intercepts",
    "coef_mean",
    "coef_std",
    "intercept_mean",
    "intercept_std",
    "oob_mse",
    "err632",
    "err632plus",
)


def _all_outputs(b):
    out = {name: getattr(b, name) for name in FIELDS}
    out["full.coef"] = b.full.coef
    out["full.intercept"] = np.asarray(b.full.intercept)
    return out


@pytest.mark.parametrize(
    ("solver", "scheme", "block_len", "dtype"),
    [
        ("eigh", "multinomial", None, F64),
        ("cholesky", "poisson", None, F64),
        ("svd", "multinomial", 7, F64),
        ("eigh", "poisson", None, F32),
    ],
)
def test_bit_identical_for_any_thread_count(solver, scheme, block_len, dtype):
    # several row blocks (n > 256), several coefficient blocks (k p t > 4096), several waves
    n, p, t = 600, 30, 20
    alphas = np.logspace(-1, 3, 8) if solver != "svd" else [0.0, 1.0, 100.0]
    X, y, _ = make_data(21, n, p, t, dtype)
    sw = np.random.default_rng(2).uniform(0, 2, n).astype(dtype)
    runs = {
        th: _all_outputs(
            rb.bootstrap(
                X,
                y,
                alphas,
                40,
                solver=solver,
                scheme=scheme,
                block_len=block_len,
                seed=123,
                n_threads=th,
                sample_weight=sw,
            )
        )
        for th in (1, 2, 3, 8)
    }
    for th in (2, 3, 8):
        for name, val in runs[1].items():
            assert np.array_equal(val, runs[th][name]), (th, name)


def test_bit_identical_threads_large_full_fit():
    # n p^2 > 2e7 and n > one Gram panel: the full fit itself runs on a pool
    X, y, _ = make_data(5, 20000, 40, None)
    runs = {th: _all_outputs(rb.bootstrap(X, y, 1.0, 4, n_threads=th)) for th in (1, 2, 3)}
    for th in (2, 3):
        for name, val in runs[1].items():
            assert np.array_equal(val, runs[th][name]), (th, name)


def test_seed_reproducible_and_seed_matters():
    X, y, _ = make_data(1, 50, 4, 2)
    a = _all_outputs(rb.bootstrap(X, y, [0.5, 5.0], 20, seed=42))
    b = _all_outputs(rb.bootstrap(X, y, [0.5, 5.0], 20, seed=42))
    c = _all_outputs(rb.bootstrap(X, y, [0.5, 5.0], 20, seed=43))
    d = _all_outputs(rb.bootstrap(X, y, [0.5, 5.0], 20, seed=2**64 - 1))
    for name in a:
        assert np.array_equal(a[name], b[name]), name
    for name in ("coefs", "coef_mean", "coef_std", "oob_mse", "err632"):
        assert not np.array_equal(a[name], c[name]), name
        assert not np.array_equal(a[name], d[name]), name
    np.testing.assert_array_equal(a["full.coef"], c["full.coef"])


# ----------------------------------------------------------------------------- out-of-bag errors
def _weights(sw, n):
    return np.ones(n) if sw is None else np.asarray(sw, dtype=F64)


def _kept_bkpt(boot, has_k, has_t):
    c = boot.coefs.astype(F64)
    i = boot.intercepts.astype(F64)
    if not has_k:
        c, i = c[:, None], i[:, None]
    if not has_t:
        c, i = c[..., None], i[..., None]
    return c, i  # (B, k, p, t), (B, k, t)


def oob_mse_reference(X, Y, coefs, icpts, counts, sw):
    """Mean over replicates with held-out rows of the (weighted) MSE on rows with count 0."""
    v = _weights(sw, len(X))
    total, reps = 0.0, 0
    for b in range(counts.shape[0]):
        held = (counts[b] == 0) & (v > 0)
        if not held.any():
            continue
        pred = np.einsum("np,kpt->knt", X[held], coefs[b]) + icpts[b][:, None, :]
        e2 = (Y[held][None] - pred) ** 2
        total = total + np.einsum("n,knt->kt", v[held], e2) / v[held].sum()
        reps += 1
    return total / reps


def _as_nt(y):
    y = np.asarray(y, dtype=F64)
    return y[:, None] if y.ndim == 1 else y


def oob_mse_tolerance(X, Y, coefs, icpts, counts, sw, dtype):
    """Absolute tolerance (k, t) of an out-of-bag MSE formed from sufficient statistics.

    The core sums, over a replicate's out-of-bag rows, the products of d = value - s (s the
    weighted means of all rows) in the data's dtype, then combines them for each fit: the
    rounding is a few eps(dtype) per row times the squared magnitude of the terms,
    (|y - s_y| + |(x - s_x).w| + |b + s_x.w - s_y|)^2, where predicting every row would
    round the squared error itself. Mean over the replicates of that scale / sum v, times
    n (the worst-case rounding of a sum of n terms) and a factor 20 for the kernels' and the
    combination's constants.
    """
    v = _weights(sw, len(X))
    X, Y = np.asarray(X, F64), np.asarray(Y, F64)
    sx, sy = v @ X / v.sum(), v @ Y / v.sum()
    total, reps = 0.0, 0
    for b in range(counts.shape[0]):
        held = (counts[b] == 0) & (v > 0)
        if not held.any():
            continue
        c, i = coefs[b].astype(F64), icpts[b].astype(F64)  # (k, p, t), (k, t)
        dyhat = np.einsum("np,kpt->knt", np.abs(X[held] - sx), np.abs(c))
        h = np.abs(i + np.einsum("p,kpt->kt", sx, c) - sy)[:, None, :]
        terms = (np.abs(Y[held] - sy)[None] + dyhat + h) ** 2
        total = total + np.einsum("n,knt->kt", v[held], terms) / v[held].sum()
        reps += 1
    return 20 * float(np.finfo(dtype).eps) * len(X) * total / reps


@pytest.mark.parametrize(
    ("alphas", "t", "weighted", "scheme", "dtype"),
    [
        (1.0, None, False, "multinomial", F64),
        ([0.1, 1.0, 10.0], 2, True, "multinomial", F64),
        ([0.5, 5.0], None, True, "poisson", F64),
        # many targets: the cross products run along the targets (kTargetVectorMin)
        ([0.3, 3.0], 20, True, "multinomial", F64),
        ([0.3, 3.0], 20, False, "poisson", F32),
        (2.0, 3, True, "multinomial", F32),
    ],
)
def test_oob_mse_matches_numpy_loop(alphas, t, weighted, scheme, dtype):
    n, B = 30, 25
    X, y, _ = make_data(13, n, 4, t, dtype)
    sw = None
    if weighted:
        sw = np.random.default_rng(1).uniform(0.5, 2.0, n).astype(dtype)
        sw[:3] = 0
    boot = rb.bootstrap(X, y, alphas, B, sample_weight=sw, scheme=scheme, seed=5)
    has_k, has_t = np.ndim(alphas) == 1, t is not None
    coefs, icpts = _kept_bkpt(boot, has_k, has_t)
    counts = rb.bootstrap_counts(n, B, 5, scheme)
    ref = oob_mse_reference(
        X.astype(F64), _as_nt(y), coefs.astype(F64), icpts.astype(F64), counts, sw
    )
    tol = oob_mse_tolerance(X, _as_nt(y), coefs, icpts, counts, sw, dtype)
    expected_shape = out_shape(alphas, t)
    assert np.shape(boot.oob_mse) == expected_shape
    got = np.asarray(boot.oob_mse, F64).reshape(ref.shape)
    assert (np.abs(got - ref) <= tol).all(), np.max(np.abs(got - ref) / tol)
    # a rigorous bound (n eps per sum), far below what a wrong fit or a wrong set of rows
    # changes (see the next test); the errors seen are about 1e-4 of it
    assert (tol < (1e-3 if dtype == F64 else 0.05) * ref).all()


@pytest.mark.parametrize("keep_coefs", [True, False])
def test_oob_mse_and_moments_when_replicates_take_both_routes(keep_coefs):
    # p near 0.632 n: about half the replicates draw fewer than p distinct rows and are
    # formed from their rows (out-of-bag rows predicted in the fold), the others from
    # the sums (out-of-bag errors from statistics): each replicate's fit must reach the
    # fold that reads it, whichever buffer it was solved in
    n, p, t, B, alphas = 48, 30, 3, 40, [0.5, 5.0]
    X, y, _ = make_data(21, n, p, t)
    boot = rb.bootstrap(X, y, alphas, B, seed=7, keep_coefs=True)
    coefs, icpts = _kept_bkpt(boot, True, True)
    counts = rb.bootstrap_counts(n, B, 7)
    distinct = (counts > 0).sum(axis=1)
    assert (distinct < p).any() and (distinct >= p).any()  # both routes ran
    ref = oob_mse_reference(X, y, coefs, icpts, counts, None)
    tol = oob_mse_tolerance(X, y, coefs, icpts, counts, None, F64)
    assert (np.abs(np.asarray(boot.oob_mse) - ref) <= tol).all()
    other = rb.bootstrap(X, y, alphas, B, seed=7, keep_coefs=keep_coefs)
    assert np.array_equal(other.oob_mse, boot.oob_mse)
    assert np.array_equal(other.coef_std, boot.coef_std)
    ref_std = coefs.std(axis=0, ddof=1)
    assert np.allclose(other.coef_std, ref_std, rtol=1e-9, atol=1e-12 * np.abs(coefs).max())


def test_oob_mse_tolerance_is_meaningful():
    # the MSE of predictions from the wrong replicate's fit, or over every row, is far outside
    n, B, alphas = 30, 25, [0.3, 3.0]
    X, y, _ = make_data(13, n, 4, 20)
    boot = rb.bootstrap(X, y, alphas, B, seed=5)
    coefs, icpts = _kept_bkpt(boot, True, True)
    counts = rb.bootstrap_counts(n, B, 5)
    tol = oob_mse_tolerance(X, y, coefs, icpts, counts, None, F64)
    shifted = oob_mse_reference(X, y, np.roll(coefs, 1, 0), np.roll(icpts, 1, 0), counts, None)
    every_row = oob_mse_reference(X, y, coefs, icpts, np.zeros_like(counts), None)
    for wrong in (shifted, every_row):
        assert (np.abs(wrong - boot.oob_mse) > 100 * tol).any()


def test_oob_auto_keeps_err632_within_budget():
    X, y, _ = make_data(14, 40, 4, 2)
    auto = rb.bootstrap(X, y, [0.5, 5.0], 20, seed=1)  # oob="auto", the default
    full = rb.bootstrap(X, y, [0.5, 5.0], 20, seed=1, oob=True)
    np.testing.assert_array_equal(auto.oob_mse, full.oob_mse)
    np.testing.assert_array_equal(auto.err632, full.err632)
    np.testing.assert_array_equal(auto.err632plus, full.err632plus)


def test_oob_auto_skips_costly_per_row_sums_and_says_why():
    # k t = 500 alpha-target pairs against p = 4 features: predicting every out-of-bag row
    # would cost far more than the fits, so "auto" keeps the out-of-bag MSE only
    X, y, _ = make_data(15, 4000, 4, 100)
    alphas = np.logspace(-1, 2, 5)
    auto = rb.bootstrap(X, y, alphas, 40, seed=2, keep_coefs=False)
    mse = rb.bootstrap(X, y, alphas, 40, seed=2, keep_coefs=False, oob="mse")
    np.testing.assert_array_equal(auto.oob_mse, mse.oob_mse)
    for name in ("err632", "err632plus"):
        with pytest.raises(ValueError, match="oob='auto' skipped.*alpha-target pairs.*oob=True"):
            getattr(auto, name)
    assert np.isfinite(rb.bootstrap(X[:200], y[:200], alphas, 4, seed=2, oob=True).err632).all()


def test_oob_rows_budget_rule():
    from ridgeboot._bootstrap import oob_rows_budget

    assert oob_rows_budget(2000, 100, 1, 1, 500) is None  # k t <= p / 16
    assert oob_rows_budget(50, 6, 3, 2, 100) is None  # costly per fit, cheap in all
    memory = oob_rows_budget(100_000, 200, 20, 10, 10)  # 160 MB of per-row sums
    assert memory is not None and "budget 64.0 MiB" in memory and "oob=True" in memory
    cost = oob_rows_budget(5000, 200, 20, 1, 200)  # the path workload: ~12 % of the fits
    assert cost is not None and "12%" in cost and "MiB" not in cost


def test_oob_modes():
    X, y, _ = make_data(14, 40, 4, 2)
    full = rb.bootstrap(X, y, [0.5, 5.0], 20, seed=1, oob=True)
    mse = rb.bootstrap(X, y, [0.5, 5.0], 20, seed=1, oob="mse")
    none = rb.bootstrap(X, y, [0.5, 5.0], 20, seed=1, oob=False)
    np.testing.assert_array_equal(mse.oob_mse, full.oob_mse)
    np.testing.assert_array_equal(mse.coefs, full.coefs)
    np.testing.assert_array_equal(none.coefs, full.coefs)
    np.testing.assert_array_equal(none.coef_std, full.coef_std)
    assert none.oob_mse is None
    for b in (mse, none):
        with pytest.raises(ValueError, match="oob=True"):
            _ = b.err632
        with pytest.raises(ValueError, match="oob=True"):
            _ = b.err632plus
    with pytest.raises(ValueError, match="oob"):
        rb.bootstrap(X, y, 1.0, 5, oob="all")


def test_oob_mse_skips_replicates_without_held_out_rows():
    # n = 3: a replicate holds every row with probability 3!/27; those must not count as 0
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 1))
    y = X[:, 0] + rng.standard_normal(3)
    B = 60
    counts = rb.bootstrap_counts(3, B, 1)
    full_reps = int(((counts > 0).all(axis=1)).sum())
    assert 3 <= full_reps < B
    boot = rb.bootstrap(X, y, 0.5, B, seed=1)
    coefs, icpts = _kept_bkpt(boot, False, False)
    ref = oob_mse_reference(X, _as_nt(y), coefs, icpts, counts, None)
    np.testing.assert_allclose(boot.oob_mse, ref[0, 0], rtol=1e-12)


def err632_reference(X, Y, alphas, counts, sw, fit_intercept=True):
    """Efron & Tibshirani (1997) .632 and .632+ for squared error, by explicit refits.

    err = apparent (training) error of the full fit; Err1 = mean over rows of the mean loss
    over the replicates leaving the row out (rows never left out are skipped); gamma = no-
    information error sum_ij v_i v_j (y_i - yhat_j)^2 / (sum v)^2;
    Err1' = min(Err1, gamma); R' = (Err1' - err) / (gamma - err) if Err1 > err and gamma > err
    else 0; .632+ = err + (Err1' - err) * .632 / (1 - .368 R').
    """
    n = len(X)
    v = _weights(sw, n)
    pos = v > 0
    alist = np.atleast_1d(alphas)
    k, t = len(alist), Y.shape[1]
    out632, outplus, parts = np.empty((k, t)), np.empty((k, t)), {}
    for a, alpha in enumerate(alist):
        coef, icpt = ridge_auto_reference(X, Y, alpha, fit_intercept, sw)
        yhat = X @ coef + icpt
        err = (v[:, None] * (Y - yhat) ** 2).sum(axis=0) / v.sum()
        loss_sum, loss_cnt = np.zeros((n, t)), np.zeros(n)
        for b in range(counts.shape[0]):
            cb, ib = ridge_auto_reference(X, Y, alpha, fit_intercept, counts[b] * v)
            held = (counts[b] == 0) & pos
            loss_sum[held] += (Y[held] - (X[held] @ cb + ib)) ** 2
            loss_cnt[held] += 1
        seen = loss_cnt > 0
        per_row = loss_sum[seen] / loss_cnt[seen][:, None]
        err1 = (v[seen][:, None] * per_row).sum(axis=0) / v[seen].sum()
        vv = v[pos]
        diff2 = (Y[pos][:, None, :] - yhat[pos][None, :, :]) ** 2  # (i, j, t)
        gamma = np.einsum("i,j,ijt->t", vv, vv, diff2) / vv.sum() ** 2
        out632[a] = 0.368 * err + 0.632 * err1
        err1p = np.minimum(err1, gamma)
        R = np.zeros(t)
        ok = (err1 > err) & (gamma > err)
        R[ok] = (err1p[ok] - err[ok]) / (gamma[ok] - err[ok])
        outplus[a] = err + (err1p - err) * (0.632 / (1 - 0.368 * R))
        parts[alpha] = dict(err=err, err1=err1, gamma=gamma, R=R)
    return out632, outplus, parts


@pytest.mark.parametrize(
    ("n", "p", "t", "alphas", "noise", "weighted"),
    [
        (40, 5, None, 1.0, 0.5, False),  # ordinary: 0 < R < 1
        (30, 20, 2, [1e-3, 1.0, 100.0], 1.0, False),  # overfitting: large R
        (30, 25, None, [1e-4, 10.0], 0.0, False),  # pure noise target set below
        (40, 5, 2, [0.5, 5.0], 0.5, True),
    ],
    ids=["ordinary", "overfit", "noise", "weighted"],
)
def test_err632_and_plus_match_efron_tibshirani(n, p, t, alphas, noise, weighted):
    B = 40
    X, y, _ = make_data(31, n, p, t, noise=max(noise, 1e-12))
    if noise == 0.0:  # y unrelated to X: the no-information rate binds (Err1 > gamma)
        y = np.random.default_rng(2).standard_normal(y.shape)
    sw = np.random.default_rng(3).uniform(0.3, 2, n) if weighted else None
    boot = rb.bootstrap(X, y, alphas, B, sample_weight=sw, seed=7, solver="svd")
    counts = rb.bootstrap_counts(n, B, 7)
    r632, rplus, parts = err632_reference(X, _as_nt(y), alphas, counts, sw)
    shape = out_shape(alphas, t)
    np.testing.assert_allclose(boot.err632, r632.reshape(shape), rtol=1e-9)
    np.testing.assert_allclose(boot.err632plus, rplus.reshape(shape), rtol=1e-9)
    Rs = np.concatenate([d["R"] for d in parts.values()])
    if n == 40 and not weighted:
        assert ((Rs > 0) & (Rs < 1)).all()
    if noise == 0.0:
        assert any((d["err1"] > d["gamma"]).any() for d in parts.values())


# ----------------------------------------------------------------------------- intervals
@pytest.mark.parametrize(("alphas", "t"), [(1.0, None), ([0.5, 5.0], 2)])
def test_ci_percentile_basic_normal(alphas, t):
    X, y, _ = make_data(41, 40, 3, t)
    boot = rb.bootstrap(X, y, alphas, 200, seed=4)
    c = boot.coefs
    for level in (0.9, 0.95):
        tail = (1 - level) / 2
        q_lo, q_hi = np.quantile(c, [tail, 1 - tail], axis=0)
        lo, hi = boot.ci(level, "percentile")
        assert lo.shape == boot.coef_mean.shape
        np.testing.assert_allclose(lo, q_lo, rtol=1e-14)
        np.testing.assert_allclose(hi, q_hi, rtol=1e-14)
        lo, hi = boot.ci(level, "basic")
        full = boot.full.coef
        np.testing.assert_allclose(lo, 2 * full - q_hi, rtol=1e-13)
        np.testing.assert_allclose(hi, 2 * full - q_lo, rtol=1e-13)
        lo, hi = boot.ci(level, "normal")
        z = ndtri(1 - tail)
        centre = 2 * full - boot.coef_mean  # full - bias, bias = mean - full
        np.testing.assert_allclose(lo, centre - z * boot.coef_std, rtol=1e-12)
        np.testing.assert_allclose(hi, centre + z * boot.coef_std, rtol=1e-12)
    # defaults: level 0.95, percentile
    np.testing.assert_array_equal(boot.ci()[0], boot.ci(0.95, "percentile")[0])


def test_ci_without_kept_coefs():
    X, y, _ = make_data(41, 40, 3)
    kept = rb.bootstrap(X, y, 1.0, 50, seed=4)
    lean = rb.bootstrap(X, y, 1.0, 50, seed=4, keep_coefs=False)
    np.testing.assert_array_equal(lean.ci(0.9, "normal")[0], kept.ci(0.9, "normal")[0])
    for method in ("percentile", "basic", "bca"):
        with pytest.raises(ValueError, match="keep_coefs=True"):
            lean.ci(0.9, method)
    with pytest.raises(ValueError, match="method"):
        kept.ci(0.9, "studentized")
    for level in (0.0, 1.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="level"):
            kept.ci(level)


def bca_reference(X, Y, alphas, coefs, full, level, fit_intercept=True, sw=None):
    """BCa by brute force: n explicit leave-one-out refits for the jackknife acceleration."""
    n = len(X)
    alist = np.atleast_1d(alphas)

    def loo_fit(i, a):
        w = None if sw is None else np.delete(sw, i)
        return ridge_auto_reference(np.delete(X, i, 0), np.delete(Y, i, 0), a, fit_intercept, w)[0]

    jack = np.stack([np.stack([loo_fit(i, a) for a in alist]) for i in range(n)])  # (n,k,p,t)
    d = jack.mean(axis=0)[None] - jack
    acc = (d**3).sum(axis=0) / (6 * ((d**2).sum(axis=0)) ** 1.5)
    B = coefs.shape[0]
    z0 = ndtri((coefs < full[None]).mean(axis=0) + 0.5 * (coefs == full[None]).mean(axis=0))
    tail = (1 - level) / 2
    out = []
    for q in (tail, 1 - tail):
        zq = ndtri(q)
        lev = ndtr(z0 + (z0 + zq) / (1 - acc * (z0 + zq)))
        res = np.empty(full.shape)
        for idx in np.ndindex(full.shape):
            res[idx] = np.quantile(coefs[(slice(None), *idx)], lev[idx])
        out.append(res)
    assert B > 0
    return out[0], out[1], acc, z0


@pytest.mark.parametrize(
    ("fit_intercept", "weighted"), [(True, False), (False, False), (True, True)]
)
def test_ci_bca_matches_brute_force_jackknife(fit_intercept, weighted):
    n, p, t = 25, 3, 2
    alphas = [0.5, 5.0]
    X, y, _ = make_data(51, n, p, t, hetero=True)
    sw = np.random.default_rng(5).uniform(0.3, 2, n) if weighted else None
    boot = rb.bootstrap(X, y, alphas, 400, seed=8, fit_intercept=fit_intercept, sample_weight=sw)
    coefs, _ = _kept_bkpt(boot, True, True)
    full = np.asarray(boot.full.coef, dtype=F64)
    lo_ref, hi_ref, acc, z0 = bca_reference(X, y, alphas, coefs, full, 0.9, fit_intercept, sw)
    assert np.abs(acc).max() > 1e-3  # the acceleration matters here
    assert np.abs(z0).max() > 0.05
    lo, hi = boot.ci(0.9, "bca")
    np.testing.assert_allclose(lo, lo_ref, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(hi, hi_ref, rtol=1e-8, atol=1e-10)
    # and BCa is not simply the percentile interval
    assert not np.allclose(lo, boot.ci(0.9, "percentile")[0], rtol=1e-6)


# ----------------------------------------------------------------------------- bias / variance
@pytest.mark.parametrize(("alphas", "t"), [(1.0, None), ([0.1, 1.0, 10.0], 2), (3.0, 3)])
def test_bias_variance_matches_numpy(alphas, t):
    X, y, w_true = make_data(61, 40, 4, t)
    boot = rb.bootstrap(X, y, alphas, 60, seed=2)
    has_k, has_t = np.ndim(alphas) == 1, t is not None
    c, _ = _kept_bkpt(boot, has_k, has_t)  # (B, k, p, t)
    shape = out_shape(alphas, t)
    full = np.asarray(boot.full.coef, dtype=F64)
    full = full if has_k else full[None]
    full = full if has_t else full[..., None]
    mean = c.mean(axis=0)
    var = c.var(axis=0, ddof=1).sum(axis=1)
    norm = np.sqrt((c**2).sum(axis=2).mean(axis=0))
    spread2 = ((c - mean) ** 2).sum(axis=2)  # (B, k, t)
    mc_se = spread2.std(axis=0, ddof=1) / np.sqrt(len(c))
    bv = boot.bias_variance()
    assert np.shape(bv.bootstrap_bias2) == shape and np.shape(bv.variance) == shape
    np.testing.assert_allclose(
        bv.bootstrap_bias2, ((mean - full) ** 2).sum(axis=1).reshape(shape), rtol=1e-9, atol=1e-14
    )
    np.testing.assert_allclose(bv.variance, var.reshape(shape), rtol=1e-10)
    np.testing.assert_allclose(bv.variance_mc_se, mc_se.reshape(shape), rtol=1e-9)
    np.testing.assert_allclose(bv.norm, norm.reshape(shape), rtol=1e-10)
    np.testing.assert_allclose(bv.alphas, alphas)
    # without the truth there is no squared bias to report
    assert bv.bias2 is None and bv.true_variance is None and bv.mse is None
    assert bv.estimation_error2 is None
    truth = boot.bias_variance(w_true)
    ref = np.reshape(w_true, (1, 4, -1))
    np.testing.assert_allclose(
        truth.estimation_error2, ((mean - ref) ** 2).sum(axis=1).reshape(shape), rtol=1e-9
    )
    with pytest.raises(ValueError, match="true_coef"):
        boot.bias_variance(np.zeros(5))
    with pytest.raises(ValueError, match="needs true_coef"):
        boot.bias_variance(noise_sd=1.0)


def solve_truth(X, w, sd, alpha, sw=None):
    """E w_alpha and Cov w_alpha by np.linalg.solve on the weighted centred Gram."""
    v = np.ones(len(X)) if sw is None else sw
    Xc = X - (v @ X) / v.sum()
    G = Xc.T @ (v[:, None] * Xc)
    H = Xc.T @ ((v**2 * sd**2)[:, None] * Xc)
    A = G + alpha * np.eye(X.shape[1])
    mean = np.linalg.solve(A, G @ w)
    Ainv_H = np.linalg.solve(A, H)
    return mean, np.linalg.solve(A, Ainv_H.T).T


@pytest.mark.parametrize("t", [None, 2])
def test_bias2_is_the_true_squared_bias(t):
    """bias2 is ||E w_alpha - w||^2 of the training design: 0 at alpha = 0, not the error."""
    X, y, w_true = make_data(63, 50, 4, t, noise=0.5)
    alphas = np.array([0.0, 0.3, 3.0, 30.0])
    sw = np.random.default_rng(3).uniform(0.5, 2.0, 50)
    boot = rb.bootstrap(X, y, alphas, 80, seed=4, sample_weight=sw)
    bv = boot.bias_variance(w_true, noise_sd=0.5)
    W = np.reshape(w_true, (4, -1))
    for j in range(W.shape[1]):
        for i, a in enumerate(alphas):
            mean, cov = solve_truth(X, W[:, j], np.full(50, 0.5), a, sw)
            rtol = (
                100
                * np.finfo(F64).eps
                * np.linalg.cond(
                    (X - sw @ X / sw.sum()).T @ (sw[:, None] * (X - sw @ X / sw.sum()))
                    + a * np.eye(4)
                )
            )
            got = (bv.bias2, bv.true_variance, bv.mse)
            got = [np.reshape(g, (len(alphas), -1))[i, j] for g in got]
            bias2 = ((mean - W[:, j]) ** 2).sum()
            # |d ||b||^2| <= 2 ||b|| ||d mean|| + ||d mean||^2 with ||b|| <= ||w|| and
            # ||d mean|| <= rtol ||w||
            atol = 3 * rtol * (W[:, j] ** 2).sum()
            np.testing.assert_allclose(got[0], bias2, rtol=10 * rtol, atol=atol)
            np.testing.assert_allclose(got[1], np.trace(cov), rtol=10 * rtol)
            np.testing.assert_allclose(got[2], bias2 + np.trace(cov), rtol=10 * rtol)
    # at alpha = 0 the squared bias is 0, while the one sample's error of the mean is not
    assert np.all(np.reshape(bv.bias2, (4, -1))[0] <= (1e-12 * np.linalg.norm(W)) ** 2)
    assert np.all(np.reshape(bv.estimation_error2, (4, -1))[0] > 1e-4)


def test_bias_variance_tradeoff_across_alpha():
    X, y, w_true = make_data(62, 40, 6, None, noise=0.5)
    alphas = np.logspace(-2, 5, 8)
    bv = rb.bootstrap(X, y, alphas, 100, seed=1).bias_variance(w_true, noise_sd=0.5)
    assert bv.variance[-1] < 1e-3 * bv.variance[0]  # much more penalty, much less variance
    assert (np.diff(bv.norm) < 0).all()  # every replicate's ||w(alpha)|| decreases
    assert (np.diff(bv.bias2) > 0).all()  # the true squared bias rises with alpha
    assert (np.diff(bv.true_variance) < 0).all()  # and the true variance falls


# ----------------------------------------------------------------------------- analytic covariance
def hc0_sandwich(X, y, alpha, sw=None, fit_intercept=True):
    X = np.asarray(X, dtype=F64)
    Y = _as_nt(y)
    v = _weights(sw, len(X))
    coef, icpt = ridge_auto_reference(X, Y, alpha, fit_intercept, sw)
    resid = Y - (X @ coef + icpt)
    Xc = X - v @ X / v.sum() if fit_intercept else X
    V = np.diag(v)
    bread = np.linalg.inv(Xc.T @ V @ Xc + alpha * np.eye(X.shape[1]))
    out = []
    for u in range(Y.shape[1]):
        omega = np.diag(resid[:, u] ** 2)
        out.append(bread @ (Xc.T @ V @ omega @ V @ Xc) @ bread)
    return np.stack(out)  # (t, p, p)


@pytest.mark.parametrize(
    ("alphas", "t", "weighted", "fit_intercept"),
    [
        (1.0, None, False, True),
        ([0.5, 5.0], 2, True, True),
        (2.0, 3, False, False),
        ([0.0, 1.0], None, True, True),
    ],
)
def test_coef_cov_analytic_matches_hc0_sandwich(alphas, t, weighted, fit_intercept):
    n, p = 50, 4
    X, y, _ = make_data(71, n, p, t, hetero=True)
    sw = np.random.default_rng(0).uniform(0.5, 2, n) if weighted else None
    boot = rb.bootstrap(X, y, alphas, 10, sample_weight=sw, fit_intercept=fit_intercept, seed=0)
    cov = boot.coef_cov_analytic()
    alist = np.atleast_1d(alphas)
    ref = np.stack([hc0_sandwich(X, y, a, sw, fit_intercept) for a in alist])  # (k, t, p, p)
    if t is None:
        ref = ref[:, 0]
    if np.ndim(alphas) == 0:
        ref = ref[0]
    assert cov.shape == ref.shape
    np.testing.assert_allclose(cov, ref, rtol=1e-9, atol=1e-14)


def test_pairs_bootstrap_se_approaches_hc0():
    n, p, B = 400, 3, 2000
    X, y, _ = make_data(81, n, p, None, noise=1.0, hetero=True)
    boot = rb.bootstrap(X, y, 0.0, B, seed=5, keep_coefs=False)
    se_boot = boot.coef_std
    se_hc0 = np.sqrt(np.diag(hc0_sandwich(X, y, 0.0)[0]))
    np.testing.assert_allclose(np.sqrt(np.diag(boot.coef_cov_analytic())), se_hc0, rtol=1e-9)
    # Monte Carlo error of a bootstrap SD ~ 1/sqrt(2B) relative; HC0 differs at O(p/n)
    tol = 3 / math.sqrt(2 * B) + 2 * (p + 1) / n
    np.testing.assert_allclose(se_boot, se_hc0, rtol=tol)
    # ... while the homoscedastic OLS standard errors are visibly different
    Xc = X - X.mean(axis=0)
    resid = y - rb.ridge(X, y, 0.0).predict(X)
    se_ols = np.sqrt(np.diag(np.linalg.inv(Xc.T @ Xc)) * resid.var() * n / (n - p - 1))
    assert np.abs(se_ols / se_hc0 - 1).max() > 2 * tol


def test_percentile_ci_coverage():
    # seeded simulation: OLS-like fit (alpha ~ 0), 100 datasets, nominal 95 %
    rng = np.random.default_rng(2024)
    n, p, B, reps = 40, 2, 200, 100
    w_true = np.array([1.0, -0.5])
    hits = 0
    for r in range(reps):
        X = rng.standard_normal((n, p))
        y = X @ w_true + 0.7 + rng.standard_normal(n)
        lo, hi = rb.bootstrap(X, y, 1e-8, B, seed=r, oob=False, n_threads=1).ci(0.95)
        hits += int(((lo <= w_true) & (w_true <= hi)).sum())
    coverage = hits / (reps * p)
    assert 0.85 <= coverage <= 0.99, coverage


# ----------------------------------------------------------------------------- contracts
def test_memory_error_for_huge_keep_coefs_without_allocating():
    X, y, _ = make_data(0, 6, 2000, None)
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        with pytest.raises(MemoryError, match="keep_coefs=False") as exc:
            rb.bootstrap(X, y, 1.0, 2**32 - 1)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 50 * 2**20
    assert "iB" in str(exc.value)  # says how much


def _small():
    X, y, _ = make_data(0, 20, 3, None)
    return X, y


@pytest.mark.parametrize("n_boot", [1, 0, -5])
def test_n_boot_too_small(n_boot):
    X, y = _small()
    with pytest.raises(ValueError, match="n_boot"):
        rb.bootstrap(X, y, 1.0, n_boot)


@pytest.mark.parametrize("n_boot", [2.5, 10.0, "10", None, True])
def test_n_boot_not_int(n_boot):
    X, y = _small()
    with pytest.raises(TypeError, match="n_boot"):
        rb.bootstrap(X, y, 1.0, n_boot)


def test_numpy_int_n_boot_and_seed_accepted():
    X, y = _small()
    a = rb.bootstrap(X, y, 1.0, np.int64(5), seed=np.uint64(2**64 - 1))
    b = rb.bootstrap(X, y, 1.0, 5, seed=2**64 - 1)
    np.testing.assert_array_equal(a.coefs, b.coefs)
    assert a.n_boot == 5 and a.seed == 2**64 - 1


@pytest.mark.parametrize("scheme", ["Poisson", "bayesian", "", None, 1])
def test_bad_scheme(scheme):
    X, y = _small()
    with pytest.raises(ValueError, match="scheme"):
        rb.bootstrap(X, y, 1.0, 5, scheme=scheme)


@pytest.mark.parametrize("block_len", [0, -1, 21, 1000])
def test_bad_block_len(block_len):
    X, y = _small()
    with pytest.raises(ValueError, match="block_len"):
        rb.bootstrap(X, y, 1.0, 5, block_len=block_len)
    with pytest.raises(TypeError, match="block_len"):
        rb.bootstrap(X, y, 1.0, 5, block_len=2.0)


@pytest.mark.parametrize("seed", [-1, 2**64, 2**70])
def test_bad_seed(seed):
    X, y = _small()
    with pytest.raises(ValueError, match="seed"):
        rb.bootstrap(X, y, 1.0, 5, seed=seed)
    with pytest.raises(TypeError, match="seed"):
        rb.bootstrap(X, y, 1.0, 5, seed=1.0)


def test_block_len_edges_valid():
    X, y = _small()
    for L in (1, 20):
        boot = rb.bootstrap(X, y, 1.0, 5, block_len=L, seed=3)
        check_replicates(boot, X, y, 1.0, rb.bootstrap_counts(20, 5, 3, block_len=L))
    # block_len = n: every replicate is the data itself
    boot = rb.bootstrap(X, y, 1.0, 3, block_len=20)
    np.testing.assert_allclose(
        boot.coefs, np.broadcast_to(boot.full.coef, boot.coefs.shape), rtol=1e-12
    )


def test_settings_recorded():
    X, y = _small()
    boot = rb.bootstrap(X, y, [1.0, 2.0], 7, scheme="poisson", block_len=3, seed=11)
    assert (boot.n_boot, boot.seed, boot.scheme, boot.block_len) == (7, 11, "poisson", 3)
    np.testing.assert_array_equal(boot.alphas, [1.0, 2.0])


def test_axes_kept_when_given_with_length_one():
    X, y = _small()
    boot = rb.bootstrap(X, y[:, None], [1.0], 6)
    assert boot.coefs.shape == (6, 1, 3, 1)
    assert boot.intercepts.shape == (6, 1, 1)
    assert boot.coef_mean.shape == (1, 3, 1) and boot.ci()[0].shape == (1, 3, 1)
    assert boot.oob_mse.shape == (1, 1) and boot.err632.shape == (1, 1)
    assert boot.bias_variance().bootstrap_bias2.shape == (1, 1)
    assert boot.coef_cov_analytic().shape == (1, 1, 3, 3)
    scalar = rb.bootstrap(X, y, 1.0, 6)
    np.testing.assert_array_equal(boot.coefs[:, 0, :, 0], scalar.coefs)
    assert np.shape(scalar.oob_mse) == () and np.shape(scalar.err632plus) == ()


def test_ci_accepts_numpy_float_levels():
    X, y = _small()
    boot = rb.bootstrap(X, y, 1.0, 50)
    np.testing.assert_array_equal(boot.ci(np.float32(0.5))[0], boot.ci(0.5)[0])


def test_auto_solver_tiny_alpha_does_not_abort():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 8))
    y = rng.standard_normal(12)
    assert rb.ridge(X, y, 1e-15).solver == "cholesky"  # fine on all rows
    boot = rb.bootstrap(X, y, 1e-15, 200, seed=0)
    # replicates drawing fewer than 8 distinct rows are singular: those (only) are redone by SVD
    assert boot.solver == "cholesky" and boot.full.solver == "cholesky"
    assert 0 < boot.n_fallback < 200
    assert np.isfinite(boot.coef_mean).all()
    svd = rb.bootstrap(X, y, 1e-15, 200, seed=0, solver="svd")
    same = (boot.coefs == svd.coefs).all(axis=1)
    assert same.sum() >= boot.n_fallback  # the SVD route, bit for bit


def test_empty_poisson_block_replicate_does_not_abort():
    # 5 Poisson blocks: P(every block draws 0) = e^-5, so among 1000 replicates a few are empty
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.standard_normal(50)
    counts = rb.bootstrap_counts(50, 1000, 0, "poisson", 10)
    assert (counts.sum(axis=1) == 0).any()
    empty = counts.sum(axis=1) == 0
    with pytest.warns(RuntimeWarning, match=f"{empty.sum()} of 1000 replicates drew no row"):
        boot = rb.bootstrap(X, y, 1.0, 1000, scheme="poisson", block_len=10)
    assert boot.n_valid == 1000 - empty.sum()
    assert np.isnan(boot.coefs[empty]).all() and np.isfinite(boot.coefs[~empty]).all()
    kept = boot.coefs[~empty]
    np.testing.assert_allclose(boot.coef_mean, kept.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(boot.coef_std, kept.std(axis=0, ddof=1), rtol=1e-10)
    np.testing.assert_allclose(boot.ci()[0], np.quantile(kept, 0.025, axis=0), rtol=1e-12)
    assert np.isfinite(boot.oob_mse) and np.isfinite(boot.err632)


# ----------------------------------------------------------------------------- progress, Ctrl-C
def test_progress_bar_reaches_n_boot(monkeypatch, capsys):
    import tqdm.auto

    seen: dict[str, list] = {"n": [], "total": [], "closed": []}
    base = tqdm.auto.tqdm

    class Recorder(base):  # type: ignore[misc, valid-type]
        def update(self, k=1):
            out = super().update(k)
            seen["n"].append(self.n)
            return out

        def close(self):
            if not self.disable:  # tqdm's __del__ closes again (then disabled)
                seen["total"].append(self.total)
                seen["closed"].append(self.n)
            return super().close()

    monkeypatch.setattr(tqdm.auto, "tqdm", Recorder)
    X, y, _ = make_data(0, 200, 10, None)
    B = 300
    boot = rb.bootstrap(X, y, 1.0, B, progress=True)
    assert boot.n_boot == B
    assert seen["closed"] == [B] and seen["total"] == [B]
    assert seen["n"] == sorted(seen["n"]) and max(seen["n"]) == B
    monkeypatch.undo()
    rb.bootstrap(X, y, 1.0, 50, progress=True)
    err = capsys.readouterr().err
    assert "50/50" in err


@pytest.mark.parametrize(
    ("p", "t", "weighted", "offset"),
    [(50, 32, False, 2.0), (13, 16, True, 1e3), (7, 40, True, 5.0)],
    ids=["p50-t32", "p13-t16-weighted-offset", "p7-t40-weighted"],
)
def test_y_in_fortran_order_gives_the_bits_of_c_order(p, t, weighted, offset):
    """Y's rows are read with their strides: a Fortran-ordered Y (never copied) gives the
    bits of a C-ordered one, many targets included, and every replicate matches numpy."""
    n, B = 600, 12
    X, Y, _ = make_data(7, n, p, t, F64, offset=offset)
    Y = Y + offset  # targets whose mean is large against their spread, too
    sw = np.random.default_rng(8).uniform(0.2, 2, n) if weighted else None
    alphas = [0.3, 3.0, 30.0]
    kw = dict(sample_weight=sw, seed=4, oob=True)
    c_order = rb.bootstrap(X, np.ascontiguousarray(Y), alphas, B, **kw)
    f_order = rb.bootstrap(X, np.asfortranarray(Y), alphas, B, **kw)
    for name in ("coefs", "intercepts", "coef_std", "oob_mse", "err632"):
        np.testing.assert_array_equal(getattr(c_order, name), getattr(f_order, name), err_msg=name)
    np.testing.assert_array_equal(c_order.full.coef, f_order.full.coef)
    check_replicates(c_order, X, Y, alphas, rb.bootstrap_counts(n, B, 4), sw)


def test_moments_from_sums_match_numpy_bit_for_bit():
    """The result's mean and spread come from the engine's sums in one native pass, with
    numpy's operations in numpy's order: the same bits, a variance that rounds below zero
    gives 0, a NaN sum stays NaN."""
    from ridgeboot import _core

    g = np.random.default_rng(5)
    B, scale = 37, 2.0**-3
    dev = g.standard_normal((B, 4, 5, 6)) * scale
    s, ss = dev.sum(axis=0), (dev * dev).sum(axis=0)
    ss[0, 0, 0] = s[0, 0, 0] ** 2 / B * (1 - 1e-15)  # rounds below zero
    s[1, 2, 3] = np.nan
    full = g.standard_normal((4, 5, 6))
    s_in, ss_in = s.copy(), ss.copy()
    mean, std = _core.moments_from_sums(s, ss, full, float(B), scale)
    with np.errstate(invalid="ignore"):
        ref_mean = s / B / scale + full
        ref_std = np.sqrt(np.maximum(ss - s * s / B, 0) / (B - 1)) / scale
    np.testing.assert_array_equal(mean, ref_mean)
    np.testing.assert_array_equal(std, ref_std)
    assert std[0, 0, 0] == 0 and np.isnan(std[1, 2, 3]) and mean.shape == s.shape
    np.testing.assert_array_equal(s, s_in)  # left alone unless asked
    np.testing.assert_array_equal(ss, ss_in)
    # overwrite: the same bits, written over the sums (no fresh pages to fault in) ...
    mean2, std2 = _core.moments_from_sums(s, ss, full, float(B), scale, overwrite=True)
    assert mean2 is s and std2 is ss
    np.testing.assert_array_equal(mean2, ref_mean)
    np.testing.assert_array_equal(std2, ref_std)
    # ... unless they are read-only
    s_in.flags.writeable = False
    mean3, _ = _core.moments_from_sums(s_in, ss_in, full, float(B), scale, overwrite=True)
    assert mean3 is not s_in
    np.testing.assert_array_equal(mean3, ref_mean)
    with pytest.raises(ValueError, match="same size"):
        _core.moments_from_sums(s, ss[:2], full, float(B), scale)
