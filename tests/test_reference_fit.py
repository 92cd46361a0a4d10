"""The bootstrap's fit on all rows: the reference its spread is taken about, ``boot.full``.

For a dense X the engine fits it from the sums of all rows its complement form takes
anyway, so it costs no pass over the data of its own. It must agree with the numpy
reference as rb.ridge's fit does, keep the solver's contract (an explicit Cholesky
raises or warns; "auto" falls back to the SVD, and then every replicate is fitted by the
SVD), and scale exactly with X.
"""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref
import ridgeboot as rb
import ridgeboot._bootstrap as bootstrap_module
from hypothesis import given
from hypothesis import strategies as st
from property_settings import property_settings

pytestmark = pytest.mark.filterwarnings("ignore::ridgeboot.InterpolationWarning")

PROPS = property_settings(60)


def _problem(seed: int, n: int, p: int, t: int, weights: str, dtype) -> tuple:
    g = np.random.default_rng(seed)
    X = g.standard_normal((n, p)) @ np.diag(2.0 ** g.integers(-3, 4, p)) + g.normal(3, 1, p)
    Y = X @ g.standard_normal((p, max(t, 1))) + g.standard_normal((n, max(t, 1))) + 5.0
    y = Y[:, 0] if t == 0 else Y
    w = None
    if weights == "positive":
        w = g.uniform(0.2, 3.0, n)
    elif weights == "zeros":
        w = g.uniform(0.2, 3.0, n) * (g.random(n) < 0.7)
        w[: p + 2] = 1.0  # enough rows of positive weight for a primal fit
    return X.astype(dtype), y.astype(dtype), None if w is None else w.astype(dtype)


def _check_full(boot, X, y, w, alphas, fit_intercept, dtype):
    grid = np.atleast_1d(alphas)
    coef = np.asarray(boot.full.coef, dtype=np.float64).reshape(grid.size, X.shape[1], -1)
    icpt = np.asarray(boot.full.intercept, dtype=np.float64).reshape(grid.size, -1)
    for a, alpha in enumerate(grid):
        c, b = coef[a], icpt[a]
        if y.ndim == 1:
            c, b = c[:, 0], b[0]
        ref.assert_ridge_close(
            c,
            b,
            X.astype(np.float64),
            y.astype(np.float64),
            float(alpha),
            fit_intercept=fit_intercept,
            sample_weight=None if w is None else w.astype(np.float64),
            dtype=dtype,
            err_msg=f"alpha={alpha}",
        )


def test_the_fit_on_all_rows_costs_no_pass_of_its_own(monkeypatch):
    """Before, rb.bootstrap fitted all rows once more in Python (fit_grid): a whole pass
    over X and Y beside the engine's, ~10 % of a bootstrap with many targets."""

    def refuse(*args, **kwargs):
        raise AssertionError("the fit on all rows was computed outside the engine")

    monkeypatch.setattr(bootstrap_module, "fit_grid", refuse)
    X, Y, w = _problem(0, 300, 6, 40, "zeros", np.float64)
    alphas = np.logspace(-2, 3, 6)
    boot = rb.bootstrap(X, Y, alphas, 8, sample_weight=w, seed=1)
    _check_full(boot, X, Y, w, alphas, True, np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", ["none", "positive", "zeros"])
@pytest.mark.parametrize("alphas", [0.7, np.logspace(-3, 3, 7)], ids=["one", "path"])
@pytest.mark.parametrize("t", [0, 3, 20, 32])
def test_the_fit_on_all_rows_agrees_with_numpy(dtype, fit_intercept, weights, alphas, t):
    X, y, w = _problem(1, 120, 7, t, weights, dtype)
    boot = rb.bootstrap(X, y, alphas, 8, fit_intercept=fit_intercept, sample_weight=w, seed=2)
    _check_full(boot, X, y, w, alphas, fit_intercept, dtype)
    # the spread is taken about it: the replicates' mean deviation is what the sums say
    kept = np.asarray(boot.coefs, dtype=np.float64)
    np.testing.assert_allclose(
        kept.mean(axis=0).reshape(np.shape(boot.coef_mean)),
        boot.coef_mean,
        rtol=10 * float(np.finfo(dtype).eps) * 8,
        atol=10 * float(np.finfo(dtype).eps) * float(np.abs(kept).max()),
    )


@PROPS
@given(
    seed=st.integers(0, 2**31),
    n_extra=st.integers(2, 60),
    p=st.integers(1, 9),
    t=st.sampled_from([0, 1, 4, 17]),
    log_alpha=st.floats(-3, 4),
    weights=st.sampled_from(["none", "positive", "zeros"]),
    fit_intercept=st.booleans(),
    dtype=st.sampled_from([np.float64, np.float32]),
    solver=st.sampled_from(["auto", "cholesky", "eigh"]),
)
def test_property_the_fit_on_all_rows_agrees_with_numpy(
    seed, n_extra, p, t, log_alpha, weights, fit_intercept, dtype, solver
):
    X, y, w = _problem(seed, p + 2 + n_extra, p, t, weights, dtype)
    alpha = 10.0**log_alpha * max(X.shape[0], 1)
    boot = rb.bootstrap(
        X, y, alpha, 4, fit_intercept=fit_intercept, sample_weight=w, solver=solver, seed=seed
    )
    _check_full(boot, X, y, w, alpha, fit_intercept, dtype)


def test_an_explicit_cholesky_raises_on_a_singular_fit_on_all_rows():
    X, y, _ = _problem(3, 50, 4, 0, "none", np.float64)
    X = np.column_stack([X, np.zeros(50)])
    with pytest.raises(np.linalg.LinAlgError, match="svd"):
        rb.bootstrap(X, y, 0.0, 8, solver="cholesky")


def test_an_explicit_cholesky_warns_when_the_fit_on_all_rows_is_ill_conditioned():
    g = np.random.default_rng(4)
    X = g.standard_normal((60, 3))
    X = np.column_stack([X, X[:, 0] + 1e-7 * g.standard_normal(60)])
    y = g.standard_normal(60)
    with pytest.warns(RuntimeWarning, match="ill-conditioned.*svd"):
        rb.bootstrap(X, y, 1e-15, 8, solver="cholesky", seed=1)


def test_auto_falls_back_to_the_svd_for_every_replicate_when_the_fit_on_all_rows_needs_it():
    g = np.random.default_rng(5)
    X = g.standard_normal((40, 3))
    X = np.column_stack([X, X[:, 0] + 1e-9 * g.standard_normal(40)])
    y = g.standard_normal(40)
    boot = rb.bootstrap(X, y, 1e-12, 8, seed=3, keep_coefs=True)
    assert boot.solver == "svd"
    svd = rb.bootstrap(X, y, 1e-12, 8, seed=3, solver="svd", keep_coefs=True)
    np.testing.assert_array_equal(boot.coefs, svd.coefs)
    np.testing.assert_array_equal(boot.full.coef, svd.full.coef)


@pytest.mark.parametrize("power", [500, -500])
def test_the_fit_on_all_rows_scales_exactly_with_x(power):
    """X * 2^e and alpha * 2^(2e): the same fit divided by 2^e (sums out of range are
    rescaled by the Fitter's route, never turned into zeros or NaN)."""
    X, y, _ = _problem(6, 80, 5, 3, "positive", np.float64)
    alphas = np.array([0.5, 4.0])
    base = rb.bootstrap(X, y, alphas, 8, seed=4)
    scaled = rb.bootstrap(X * 2.0**power, y, alphas * 2.0 ** (2 * power), 8, seed=4)
    np.testing.assert_allclose(scaled.full.coef * 2.0**power, base.full.coef, rtol=1e-12)
    np.testing.assert_allclose(scaled.full.intercept, base.full.intercept, rtol=1e-12)
    np.testing.assert_allclose(scaled.coef_std * 2.0**power, base.coef_std, rtol=1e-10)
