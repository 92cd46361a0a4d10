"""Scale safety: data whose Gram would overflow or underflow give the right answer.

The property: ridge(c X, y, c^2 alpha).coef * c == ridge(X, y, alpha).coef, for c a power of
two far from 1 (float64: 2^-500, 2^500, 2^530 -- X^T X overflows; float32: 2^-60, 2^60),
for every entry point, solver and dtype, and likewise for the bootstrap's spread and
intervals. The core rescales such data by powers of two (exact) and undoes it on the
solutions, so the scaled answers come out equal to rounding -- in fact to the bit, but the
tests allow a few ulps.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import ridgeboot as rb
from hypothesis import given, settings
from hypothesis import strategies as st

SCALES = {np.float64: [2.0**-500, 2.0**500, 2.0**530], np.float32: [2.0**-60, 2.0**60]}
CASES = [(dt, c) for dt, cs in SCALES.items() for c in cs]
RTOL = {np.float64: 1e-12, np.float32: 1e-5}


def _data(n, p, t=None, seed=0, dtype=np.float64):
    g = np.random.default_rng(seed)
    X = g.standard_normal((n, p)) + g.uniform(-2, 2, p)
    y = X @ g.standard_normal(p if t is None else (p, t)) + g.standard_normal(
        n if t is None else (n, t)
    )
    return X.astype(dtype), y.astype(dtype), g.uniform(0.2, 2.0, n).astype(dtype)


def _alpha(c, base=0.5):
    # c^2 alpha must stay finite: take alpha small where c^2 overflows
    return base * 2.0**-200 if c > 2.0**510 else base


def _scaled(X, c):
    return (X.astype(np.float64) * c).astype(X.dtype)


def _close(scaled, ref, dtype, what=""):
    scaled, ref = np.asarray(scaled, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    assert np.isfinite(scaled).all(), what
    tol = RTOL[dtype] * max(np.max(np.abs(ref)), np.finfo(np.float64).tiny)
    np.testing.assert_allclose(scaled, ref, rtol=0, atol=tol, err_msg=what)


# ----------------------------------------------------------------------- the findings
def test_float32_gram_overflow_is_not_zeros():
    g = np.random.default_rng(0)
    X = g.standard_normal((1000, 3))
    y = X @ [1.0, -2, 0.5] + g.standard_normal(1000)
    X32, y32 = (X * 1e18).astype(np.float32), y.astype(np.float32)
    r = rb.ridge(X32, y32, 1.0)
    svd = rb.ridge(X32, y32, 1.0, solver="svd")
    assert r.solver == "cholesky"
    np.testing.assert_allclose(r.coef, svd.coef, rtol=1e-4)
    np.testing.assert_allclose(r.coef * 1e18, [0.949, -1.944, 0.535], atol=5e-3)
    boot = rb.bootstrap(X32, y32, 1.0, 50)
    assert (boot.coef_std > 0).all()
    ref = rb.bootstrap(X.astype(np.float32), y32, 1e-36, 50)
    np.testing.assert_allclose(boot.coef_std * 1e18, ref.coef_std, rtol=1e-3)


@pytest.mark.parametrize("fn", ["ridge", "ridge_path", "bootstrap", "ridge_cv", "sklearn"])
def test_float64_gram_overflow_is_not_nan(fn):
    g = np.random.default_rng(0)
    X = g.standard_normal((1000, 3))
    y = X @ [1.0, -2, 0.5] + g.standard_normal(1000)
    c = 1e160
    # alpha / c^2 = 1e-320 is nothing against X^T X: least squares, scaled
    ref = rb.ridge(X, y, 0.0).coef / c
    if fn == "ridge":
        coef = rb.ridge(X * c, y, 1.0).coef
    elif fn == "ridge_path":
        coef = rb.ridge_path(X * c, y, [1.0, 2.0]).coef[0]
    elif fn == "bootstrap":
        coef = rb.bootstrap(X * c, y, 1.0, 20).full.coef
    elif fn == "ridge_cv":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            coef = rb.ridge_cv(X * c, y, [1.0]).coef
    else:
        from ridgeboot.sklearn import Ridge

        coef = Ridge(alpha=1.0).fit(X * c, y).coef_
    assert np.isfinite(coef).all()
    np.testing.assert_allclose(coef, ref, rtol=1e-10)


def test_bca_on_huge_data_gives_the_interval_of_the_unscaled_data():
    X, y, _ = _data(60, 3, seed=4)
    c = 1e200
    boot = rb.bootstrap(X * c, y, 1.0, 40)
    ref = rb.bootstrap(X, y, 0.0, 40)  # alpha / c^2 underflows: nothing against the Gram
    lo, hi = boot.ci(0.9, "bca")
    rlo, rhi = ref.ci(0.9, "bca")
    np.testing.assert_allclose(lo * c, rlo, rtol=1e-10)
    np.testing.assert_allclose(hi * c, rhi, rtol=1e-10)


# ----------------------------------------------------------------------- the property
@pytest.mark.parametrize(("dtype", "c"), CASES)
@pytest.mark.parametrize("solver", ["auto", "cholesky", "eigh", "svd"])
@pytest.mark.parametrize("shape", [(40, 5), (12, 20)])
# a tiny alpha with p > n interpolates, and warns alike at every scale
@pytest.mark.filterwarnings("ignore::ridgeboot.InterpolationWarning")
def test_ridge_is_scale_equivariant(dtype, c, solver, shape):
    X, y, w = _data(*shape, dtype=dtype)
    a = _alpha(c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # explicit Cholesky on a tiny alpha
        try:
            ref = rb.ridge(X, y, a, solver=solver, sample_weight=w)
        except np.linalg.LinAlgError:  # the singular kernel of a wide problem, a tiny alpha:
            with pytest.raises(np.linalg.LinAlgError):  # refused alike at any scale
                rb.ridge(_scaled(X, c), y, c * (c * a), solver=solver, sample_weight=w)
            return
        r = rb.ridge(_scaled(X, c), y, c * (c * a), solver=solver, sample_weight=w)
    _close(r.coef * c, ref.coef, dtype, "coef")
    _close(r.intercept, ref.intercept, dtype, "intercept")


@pytest.mark.parametrize(("dtype", "c"), CASES)
@pytest.mark.parametrize("solver", ["auto", "eigh", "svd"])
def test_path_and_per_target_alphas_are_scale_equivariant(dtype, c, solver):
    X, Y, _ = _data(50, 4, t=3, dtype=dtype)
    alphas = np.array([0.1, 1.0, 10.0]) * _alpha(c, 1.0)
    ref = rb.ridge_path(X, Y, alphas, solver=solver)
    r = rb.ridge_path(_scaled(X, c), Y, c * (c * alphas), solver=solver)
    _close(r.coef * c, ref.coef, dtype, "path")
    ref = rb.ridge(X, Y, alphas, solver=solver)
    r = rb.ridge(_scaled(X, c), Y, c * (c * alphas), solver=solver)
    _close(r.coef * c, ref.coef, dtype, "per-target")


@pytest.mark.parametrize(("dtype", "c"), CASES)
@pytest.mark.parametrize("scheme", ["multinomial", "poisson"])
@pytest.mark.parametrize("shape", [(60, 4), (14, 20)])
# a tiny alpha with p > n interpolates, and warns alike at every scale
@pytest.mark.filterwarnings("ignore::ridgeboot.InterpolationWarning")
def test_bootstrap_spread_and_intervals_are_scale_equivariant(dtype, c, scheme, shape):
    X, y, w = _data(*shape, seed=2, dtype=dtype)
    a = _alpha(c)
    ref = rb.bootstrap(X, y, a, 40, scheme=scheme, sample_weight=w, seed=3)
    boot = rb.bootstrap(_scaled(X, c), y, c * (c * a), 40, scheme=scheme, sample_weight=w, seed=3)
    _close(boot.coef_std * c, ref.coef_std, dtype, "coef_std")
    _close(boot.coefs * c, ref.coefs, dtype, "coefs")
    _close(boot.oob_mse, ref.oob_mse, dtype, "oob_mse")
    for method in ("percentile", "basic", "normal", "bca"):
        lo, hi = boot.ci(0.9, method)
        rlo, rhi = ref.ci(0.9, method)
        _close(lo * c, rlo, dtype, method)
        _close(hi * c, rhi, dtype, method)


@pytest.mark.parametrize(("dtype", "c"), CASES)
@pytest.mark.parametrize("cv", ["gcv", "loo", 3])
def test_ridge_cv_is_scale_equivariant(dtype, c, cv):
    X, y, _ = _data(40, 4, seed=5, dtype=dtype)
    alphas = np.logspace(-2, 2, 5) * _alpha(c, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the grid edge
        ref = rb.ridge_cv(X, y, alphas, cv=cv)
        r = rb.ridge_cv(_scaled(X, c), y, c * (c * alphas), cv=cv)
    assert r.alpha == pytest.approx(ref.alpha * c * c, rel=1e-12)
    _close(r.coef * c, ref.coef, dtype, "coef")
    _close(r.scores, ref.scores, dtype, "scores")


@settings(max_examples=40, deadline=None)
# p >= n with a tiny alpha interpolates, and warns alike at every scale
@pytest.mark.filterwarnings("ignore::ridgeboot.InterpolationWarning")
@given(
    n=st.integers(3, 30),
    p=st.integers(1, 12),
    exponent=st.sampled_from([-520, -480, -300, 300, 480, 520]),
    intercept=st.booleans(),
    weighted=st.booleans(),
    solver=st.sampled_from(["auto", "cholesky", "eigh", "svd"]),
    seed=st.integers(0, 2**16),
)
def test_scale_equivariance_property(n, p, exponent, intercept, weighted, solver, seed):
    X, y, w = _data(n, p, seed=seed)
    c = 2.0**exponent
    # c^2 alpha stays a normal number (a subnormal alpha would not be the same problem)
    a = 0.7 * 2.0 ** (-60 if exponent > 500 else 40 if exponent < -500 else 0)
    opts = {"solver": solver, "fit_intercept": intercept, "sample_weight": w if weighted else None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            ref = rb.ridge(X, y, a, **opts)
        except np.linalg.LinAlgError:
            # equivariance includes failure: a Cholesky factorization that fails on the
            # unscaled problem (alpha tiny against a singular Gram) fails on the scaled one
            with pytest.raises(np.linalg.LinAlgError):
                rb.ridge(X * c, y, c * (c * a), **opts)
            return
        r = rb.ridge(X * c, y, c * (c * a), **opts)
    _close(r.coef * c, ref.coef, np.float64)
