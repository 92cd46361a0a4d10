"""rb.bootstrap(select=...): alpha re-chosen inside every replicate.

The reference is a numpy loop over the replicates that selects by its own GCV or
leave-one-out (weighted, centred hat matrices from np.linalg.solve: no code shared
with the core), then fits at the chosen alpha with the tests' oracle
(``reference.ridge_reference``, np.linalg.solve).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import ridgeboot as rb
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import ridge_reference

ALPHAS = np.logspace(-3, 3, 13)


def _data(n=60, p=5, t=1, seed=0, rho=0.8):
    g = np.random.default_rng(seed)
    cov = rho ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    X = g.standard_normal((n, p)) @ np.linalg.cholesky(cov).T
    W = g.standard_normal((p, t))
    Y = X @ W + 0.5 + 1.5 * g.standard_normal((n, t))
    return X, Y


def _criteria(X, Y, v, alphas, intercept):
    """GCV and leave-one-out scores (k, t) of the weighted problem, by numpy."""
    keep = v > 0
    X, Y, v = X[keep], Y[keep], v[keep]
    m, p = X.shape
    sv = v.sum()
    if intercept:
        Xc = X - v @ X / sv
        Yc = Y - v @ Y / sv
    else:
        Xc, Yc = X, Y
    Z, Yz = Xc * np.sqrt(v)[:, None], Yc * np.sqrt(v)[:, None]
    gcv, loo = [], []
    for a in alphas:
        # the hat matrix of the sqrt(v)-scaled rows, by the solve (not the core's spectral form)
        H = Z @ np.linalg.solve(Z.T @ Z + a * np.eye(p), Z.T)
        if intercept:
            H = H + np.outer(np.sqrt(v), np.sqrt(v)) / sv
        E = Yz - Z @ np.linalg.solve(Z.T @ Z + a * np.eye(p), Z.T @ Yz)
        room = 1 - np.trace(H) / m
        gcv.append(
            (E**2).sum(axis=0) / sv / room**2 if room > 1e-12 else np.full(Y.shape[1], np.inf)
        )
        loo.append(((E / (1 - np.diag(H))[:, None]) ** 2).sum(axis=0) / sv)
    return np.array(gcv), np.array(loo)


def _choose(scores, alphas, per_target):
    """ridge_cv's rule: smallest score, ties to the larger alpha."""
    s = scores if per_target else np.repeat(scores.mean(axis=1, keepdims=True), scores.shape[1], 1)
    best = []
    for u in range(s.shape[1]):
        order = np.argsort(alphas)[::-1]
        col = np.where(np.isnan(s[:, u]), np.inf, s[:, u])[order]
        best.append(order[np.argmin(col)])
    return np.array(best)


def _loop(X, Y, counts, alphas, method, per_target, intercept=True, weight=None):
    chosen, coefs = [], []
    for c in counts:
        v = c * (1.0 if weight is None else weight)
        gcv, loo = _criteria(X, Y, v, alphas, intercept)
        best = _choose(gcv if method == "gcv" else loo, alphas, per_target)
        chosen.append(alphas[best])
        coefs.append(ridge_reference(X, Y, alphas[best], intercept, v).coef)
    return np.array(chosen), np.array(coefs)


@pytest.mark.parametrize("method", ["gcv", "loo"])
@pytest.mark.parametrize("solver", ["auto", "eigh", "cholesky", "svd"])
def test_each_replicate_chooses_as_a_numpy_loop_does(method, solver):
    X, Y = _data()
    B = 24
    r = rb.bootstrap(X, Y[:, 0], ALPHAS, B, select=method, solver=solver, seed=3)
    counts = rb.bootstrap_counts(len(X), B, seed=3)
    chosen, coefs = _loop(X, Y, counts, ALPHAS, method, per_target=False)
    np.testing.assert_array_equal(r.selection.alpha_selected, chosen[:, 0])
    # cond(X^T X + alpha I) is modest here: 1e-9 relative catches any wrong alpha or fit
    np.testing.assert_allclose(r.coefs, coefs[:, :, 0], rtol=1e-9, atol=1e-12)
    assert r.selection.method == method and r.n_valid == B


@pytest.mark.parametrize("case", ["duplicate column", "constant column", "scales 1e-3 to 1e3"])
def test_rank_deficient_and_badly_scaled_features(case):
    # GCV's tr H comes from the tridiagonal form's inverse diagonal when every
    # eigenvalue is kept, else from its eigenvalues: both must choose as numpy does
    X, Y = _data(n=50, p=6, seed=7)
    if case == "duplicate column":
        X = np.column_stack([X, X[:, 2]])
    elif case == "constant column":
        X = np.column_stack([X, np.full(len(X), 3.0)])
    else:
        X = X * np.logspace(-3, 3, X.shape[1])  # eigenvalues over 12 decades, all kept
    B = 20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the full-data choice on the grid's edge
        r = rb.bootstrap(X, Y[:, 0], ALPHAS, B, select="gcv", seed=5)
    chosen, coefs = _loop(X, Y, rb.bootstrap_counts(len(X), B, seed=5), ALPHAS, "gcv", False)
    np.testing.assert_array_equal(r.selection.alpha_selected, chosen[:, 0])


def test_the_full_data_fit_is_ridge_cvs():
    X, Y = _data(seed=1)
    r = rb.bootstrap(X, Y[:, 0], ALPHAS, 16, select="gcv")
    cv = rb.ridge_cv(X, Y[:, 0], ALPHAS, cv="gcv")
    assert r.alphas == cv.alpha == r.selection.full_data_alpha
    np.testing.assert_allclose(r.full.coef, cv.coef, rtol=1e-12)
    assert r.full.intercept == pytest.approx(cv.intercept, rel=1e-12)


@pytest.mark.parametrize("per_target", [False, True])
def test_many_targets_per_target_or_shared(per_target):
    X, Y = _data(t=3, seed=2)
    Y[:, 2] *= 20  # a noisier target wants a different alpha
    B = 16
    r = rb.bootstrap(X, Y, ALPHAS, B, select="loo", alpha_per_target=per_target, seed=5)
    counts = rb.bootstrap_counts(len(X), B, seed=5)
    chosen, coefs = _loop(X, Y, counts, ALPHAS, "loo", per_target)
    got = r.selection.alpha_selected
    np.testing.assert_array_equal(
        got if per_target else got[:, None], chosen if per_target else chosen[:, :1]
    )
    np.testing.assert_allclose(r.coefs, coefs, rtol=1e-9, atol=1e-12)
    freq = r.selection.frequency
    np.testing.assert_allclose(freq.sum(axis=0), 1.0)
    assert freq.shape == ((len(ALPHAS), 3) if per_target else (len(ALPHAS),))


def test_wide_problems_and_sample_weights():
    X, Y = _data(n=30, p=45, seed=4)
    w = np.random.default_rng(0).uniform(0.5, 2, len(X))
    B = 16
    r = rb.bootstrap(X, Y[:, 0], ALPHAS, B, select="gcv", sample_weight=w, seed=1)
    counts = rb.bootstrap_counts(len(X), B, seed=1)
    chosen, coefs = _loop(X, Y, counts, ALPHAS, "gcv", False, weight=w)
    np.testing.assert_array_equal(r.selection.alpha_selected, chosen[:, 0])
    np.testing.assert_allclose(r.coefs, coefs[:, :, 0], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize(
    ("scheme", "block_len"), [("poisson", None), ("multinomial", 6), ("poisson", 6)]
)
def test_every_scheme(scheme, block_len):
    X, Y = _data(seed=6)
    B = 16
    r = rb.bootstrap(
        X, Y[:, 0], ALPHAS, B, select="gcv", scheme=scheme, block_len=block_len, seed=2
    )
    counts = rb.bootstrap_counts(len(X), B, seed=2, scheme=scheme, block_len=block_len)
    chosen, coefs = _loop(X, Y, counts, ALPHAS, "gcv", False)
    np.testing.assert_array_equal(r.selection.alpha_selected, chosen[:, 0])
    np.testing.assert_allclose(r.coefs, coefs[:, :, 0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("method", ["gcv", "loo"])
def test_bit_identical_for_any_thread_count(method):
    X, Y = _data(n=200, p=8, t=2, seed=7)
    runs = [
        rb.bootstrap(X, Y, ALPHAS, 48, select=method, alpha_per_target=True, n_threads=nt, seed=9)
        for nt in (1, 2, 3)
    ]
    for r in runs[1:]:
        np.testing.assert_array_equal(r.coefs, runs[0].coefs)
        np.testing.assert_array_equal(r.coef_std, runs[0].coef_std)
        np.testing.assert_array_equal(r.oob_mse, runs[0].oob_mse)
        np.testing.assert_array_equal(r.selection.alpha_selected, runs[0].selection.alpha_selected)


def test_the_spread_includes_the_choice():
    # moments and intervals are those of the selected fits
    X, Y = _data(seed=8)
    r = rb.bootstrap(X, Y[:, 0], ALPHAS, 64, select="gcv", seed=4)
    np.testing.assert_allclose(r.coef_mean, r.coefs.mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(r.coef_std, r.coefs.std(axis=0, ddof=1), rtol=1e-10)
    lo, hi = r.ci(0.9)
    np.testing.assert_allclose(lo, np.quantile(r.coefs, 0.05, axis=0), rtol=1e-12)
    assert r.oob_mse.shape == () and np.isfinite(r.oob_mse)


def test_smoothed_estimate_is_efrons_formula():
    X, Y = _data(n=40, seed=9)
    B = 200
    r = rb.bootstrap(X, Y[:, 0], ALPHAS, B, select="gcv", seed=6)
    s = r.smoothed()
    counts = rb.bootstrap_counts(len(X), B, seed=6).astype(float)
    t = r.coefs  # (B, p)
    cov = ((counts - counts.mean(0))[:, :, None] * (t - t.mean(0))[:, None, :]).mean(
        axis=0
    )  # (n, p)
    sd = np.sqrt((cov**2).sum(axis=0))
    np.testing.assert_allclose(s.coef, t.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(s.coef_se, sd, rtol=1e-10)
    corrected = sd**2 - len(X) / B**2 * ((t - t.mean(0)) ** 2).sum(axis=0)
    np.testing.assert_allclose(
        s.coef_se_bias_corrected, np.sqrt(np.maximum(corrected, 0)), rtol=1e-10
    )
    assert np.isscalar(s.intercept) and s.n_replicates == B
    # smoothing removes the jumps of the choice: its error is below the raw spread
    assert (s.coef_se <= r.coef_std * 1.05).all()


def test_clear_errors():
    X, Y = _data(t=2)
    with pytest.raises(ValueError, match="select"):
        rb.bootstrap(X, Y, ALPHAS, 8, select="kfold")
    r = rb.bootstrap(X, Y, ALPHAS, 16, select="gcv")
    with pytest.raises(ValueError, match="select="):
        r.ci(method="bca")
    with pytest.raises(ValueError, match="select="):
        r.coef_cov_analytic()
    with pytest.raises(ValueError, match="multinomial"):
        rb.bootstrap(X, Y, ALPHAS, 16, select="gcv", scheme="poisson").smoothed()
    with pytest.raises(ValueError, match="keep_coefs"):
        rb.bootstrap(X, Y, ALPHAS, 16, select="gcv", keep_coefs=False).smoothed()
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="dense X"):
        rb.bootstrap(sparse.csr_array(X), Y, ALPHAS, 16, select="gcv")


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(8, 40),
    p=st.integers(1, 10),
    method=st.sampled_from(["gcv", "loo"]),
    intercept=st.booleans(),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**16),
)
def test_property_against_the_numpy_loop(n, p, method, intercept, dtype, seed):
    p = max(1, min(p, n // 3))  # replicates keep ~0.63 n distinct rows: no interpolation
    X, Y = _data(n=n, p=p, seed=seed)
    B = 16
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the full-data choice on the grid's edge
        r = rb.bootstrap(
            X.astype(dtype),
            Y[:, 0].astype(dtype),
            ALPHAS,
            B,
            select=method,
            fit_intercept=intercept,
            seed=seed,
        )
    counts = rb.bootstrap_counts(n, B, seed=seed)
    Xd, Yd = X.astype(dtype).astype(float), Y.astype(dtype).astype(float)  # the data the core saw
    gcv_loo = [_criteria(Xd, Yd, c.astype(float), ALPHAS, intercept) for c in counts]
    for b in range(B):
        scores = gcv_loo[b][0 if method == "gcv" else 1][:, 0]
        got = np.argmin(np.abs(np.log(ALPHAS / r.selection.alpha_selected[b])))  # float32 alphas
        best = _choose(scores[:, None], ALPHAS, True)[0]
        # the chosen alpha's score is the best to rounding (a near-tie may go either way
        # in float32, or in float64 when two scores agree to ~1e-13)
        eps = np.finfo(dtype).eps
        tol = 1e3 * eps * max(abs(scores[best]), 1e-300) + (
            0 if dtype == np.float64 else 1e-3 * abs(scores[best])
        )
        assert scores[got] <= scores[best] + tol


def test_summary_says_alpha_was_rechosen():
    X, Y = _data(t=2, seed=3)
    r = rb.bootstrap(X, Y, ALPHAS, 16, select="gcv")
    table = r.summary()
    assert "re-chosen by gcv per replicate" in table.attrs["interval"]
    assert list(table.index.names) == ["target", "feature"] and len(table) == 2 * X.shape[1]
    fixed = rb.bootstrap(X, Y, 1.0, 16).summary()
    assert "held fixed" in fixed.attrs["interval"]
