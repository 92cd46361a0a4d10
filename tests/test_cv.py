"""rb.ridge_cv against brute force: GCV, LOO, k-fold, bootstrap hold-out; penalty conventions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import ridgeboot as rb
from reference import gcv_reference, hat_matrix, loo_brute, ridge_auto_reference
from ridgeboot import conventions

ALPHAS = np.logspace(-3, 3, 13)


def make_data(seed, n=30, p=5, t=None, noise=0.5, offset=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + offset * rng.uniform(-1, 1, p)
    w = rng.standard_normal(p if t is None else (p, t))
    e = rng.standard_normal(n if t is None else (n, t))
    noise = np.asarray(noise) if t is not None else noise
    return X, X @ w + 0.8 + noise * e


def quiet_cv(*args, **kwargs):
    """ridge_cv with the edge-of-grid warning silenced (tested separately)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*of the grid", category=UserWarning)
        return rb.ridge_cv(*args, **kwargs)


def best_index(scores, greater=False):
    """argbest along axis 0, ties to the larger alpha (scores in ascending alpha order)."""
    s = -scores if greater else scores
    s = np.where(np.isnan(s), np.inf, s)
    best = np.min(s, axis=0)
    hit = s == best
    return s.shape[0] - 1 - np.argmax(hit[::-1], axis=0)


def _nt(y):
    y = np.asarray(y, dtype=np.float64)
    return y[:, None] if y.ndim == 1 else y


# ----------------------------------------------------------------------------- GCV and LOO
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("t", [None, 3])
def test_loo_equals_brute_force(fit_intercept, t):
    X, y = make_data(1, t=t)
    r = quiet_cv(X, y, ALPHAS, cv="loo", fit_intercept=fit_intercept)
    brute = np.array([loo_brute(X, y, a, None, fit_intercept).mean(axis=0) for a in ALPHAS])
    assert r.scores.shape == brute.shape
    np.testing.assert_allclose(r.scores, brute, rtol=1e-10)
    assert r.greater_is_better is False
    i = best_index(_nt(brute).mean(axis=1))
    assert r.alpha == ALPHAS[i]
    np.testing.assert_allclose(r.best_score, _nt(brute).mean(axis=1)[i], rtol=1e-10)
    # final refit on all rows with the chosen alpha
    coef, icpt = ridge_auto_reference(X, y, ALPHAS[i], fit_intercept)
    np.testing.assert_allclose(r.coef, coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r.intercept, icpt, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("n", "p", "fit_intercept"), [(5, 5, True), (6, 5, True), (5, 5, False), (4, 9, True)]
)
def test_loo_at_alpha_zero_on_an_interpolating_fit_is_the_minimum_norm_refits(n, p, fit_intercept):
    # alpha = 0 interpolates the training rows: e_i and 1 - h_ii are both 0, and their
    # ratio is the error of the minimum-norm fit without row i (not round-off, not inf)
    g = np.random.default_rng(n * p)
    X = g.standard_normal((n, p)) + 1.0
    y = X @ g.standard_normal(p) + g.standard_normal(n)
    alphas = np.array([0.0, 1e-9, 1e-3, 1.0])
    r = quiet_cv(X, y, alphas, cv="loo", fit_intercept=fit_intercept)
    brute = np.array([loo_brute(X, y, a, None, fit_intercept).mean() for a in alphas])
    assert np.isfinite(r.scores).all()
    # at alpha = 0 the refits are minimum-norm least squares: cond(X) digits are lost
    np.testing.assert_allclose(r.scores, brute, rtol=1e-6 * np.linalg.cond(X))


def test_ridge_cv_fit_comes_from_its_own_factorization():
    # "auto": the closed form's eigendecomposition gives the fit at the chosen alpha too
    X, y = make_data(5, n=200, p=12, t=3)
    for cv in ("gcv", "loo"):
        r = quiet_cv(X, y, ALPHAS, cv=cv, alpha_per_target=True)
        assert r.solver == "eigh"
        for u in range(3):
            coef, icpt = ridge_auto_reference(X, y[:, u], r.alpha[u], True)
            np.testing.assert_allclose(r.coef[:, u], coef, rtol=1e-10, atol=1e-13)
            np.testing.assert_allclose(r.intercept[u], icpt, rtol=1e-10)
        # an explicit solver refits with it
        assert quiet_cv(X, y, ALPHAS, cv=cv, solver="svd").solver == "svd"


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_loo_weighted_equals_brute_force(fit_intercept):
    X, y = make_data(2, t=2)
    sw = np.random.default_rng(0).uniform(0.2, 3.0, len(X))
    r = quiet_cv(X, y, ALPHAS, cv="loo", sample_weight=sw, fit_intercept=fit_intercept)
    brute = np.array(
        [
            (sw[:, None] * loo_brute(X, y, a, sw, fit_intercept)).sum(axis=0) / sw.sum()
            for a in ALPHAS
        ]
    )
    np.testing.assert_allclose(r.scores, brute, rtol=1e-10)
    # weights matter: the unweighted LOO differs
    assert not np.allclose(quiet_cv(X, y, ALPHAS, cv="loo").scores, r.scores, rtol=1e-3)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(("n", "p"), [(30, 5), (12, 20)])
def test_gcv_equals_hat_matrix_formula(fit_intercept, n, p):
    X, y = make_data(3, n=n, p=p, t=2)
    alphas = ALPHAS[2:]
    r = quiet_cv(X, y, alphas, cv="gcv", fit_intercept=fit_intercept)
    ref, dof = zip(*(gcv_reference(X, y, a, fit_intercept) for a in alphas))
    # (1 - tr(H)/n)^-2 amplifies rounding when the fit nearly interpolates (p > n, small alpha)
    amplification = (n / (n - np.array(dof))) ** 2
    rtol = 1e-12 * amplification[:, None] * np.ones((1, 2))
    err = np.abs(r.scores / np.array(ref) - 1)
    assert (err <= rtol).all(), (err.max(), rtol.min())
    np.testing.assert_allclose(r.dof, dof, rtol=1e-10)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_dof_is_trace_of_hat_matrix(fit_intercept):
    X, y = make_data(4, n=25, p=6)
    alphas = np.array([0.0, 0.01, 1.0, 100.0])
    sw = np.random.default_rng(1).uniform(0.5, 2, 25)
    for cv in ("gcv", "loo", 3):
        r = quiet_cv(X, y, alphas, cv=cv, fit_intercept=fit_intercept, sample_weight=sw)
        traces = [np.trace(hat_matrix(X, a, sw, fit_intercept)) for a in alphas]
        np.testing.assert_allclose(r.dof, traces, rtol=1e-10)
    assert r.dof[0] == pytest.approx(6 + fit_intercept)


def test_scores_in_caller_alpha_order():
    X, y = make_data(5)
    perm = np.random.default_rng(0).permutation(len(ALPHAS))
    a = quiet_cv(X, y, ALPHAS, cv="loo")
    b = quiet_cv(X, y, ALPHAS[perm], cv="loo")
    np.testing.assert_allclose(b.scores, a.scores[perm], rtol=1e-13)
    np.testing.assert_allclose(b.dof, a.dof[perm], rtol=1e-13)
    np.testing.assert_array_equal(b.alphas, ALPHAS[perm])
    assert a.alpha == b.alpha


# ----------------------------------------------------------------------------- scikit-learn
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("t", [None, 3])
def test_loo_matches_sklearn_ridgecv(fit_intercept, t):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = make_data(6, t=t, noise=0.5 if t is None else np.array([0.05, 1.0, 5.0]))
    per_target = t is not None
    sk = linear_model.RidgeCV(
        alphas=ALPHAS,
        fit_intercept=fit_intercept,
        store_cv_results=True,
        alpha_per_target=per_target,
    ).fit(X, y)
    r = quiet_cv(X, y, ALPHAS, cv="loo", fit_intercept=fit_intercept, alpha_per_target=per_target)
    # cv_results_: (n, k) for 1-D y, (n, t, k) for 2-D y: squared LOO errors per row
    cvres = sk.cv_results_
    sk_scores = cvres.mean(axis=0).T  # (k[, t])
    np.testing.assert_allclose(r.scores, sk_scores, rtol=1e-9)
    np.testing.assert_allclose(r.alpha, sk.alpha_)
    np.testing.assert_allclose(r.coef, sk.coef_.T, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(r.intercept, sk.intercept_, rtol=1e-8, atol=1e-10)
    if per_target:
        assert len(np.unique(r.alpha)) > 1


# ----------------------------------------------------------------------------- per-target alpha
def test_per_target_selection_follows_noise():
    # same signal, noise from tiny to large: the chosen alpha must grow with the noise
    rng = np.random.default_rng(7)
    n, p = 60, 8
    X = rng.standard_normal((n, p))
    w = rng.standard_normal(p)
    noise = np.array([0.01, 0.5, 3.0, 20.0])
    Y = (X @ w)[:, None] + rng.standard_normal((n, 4)) * noise
    alphas = np.logspace(-4, 5, 19)
    r = quiet_cv(X, Y, alphas, cv="loo", alpha_per_target=True)
    assert r.alpha.shape == (4,)
    np.testing.assert_array_equal(r.alpha, alphas[best_index(r.scores)])
    assert (np.diff(r.alpha) >= 0).all()
    assert r.alpha[-1] > 100 * r.alpha[0]
    np.testing.assert_allclose(r.best_score, r.scores[best_index(r.scores), np.arange(4)])
    # the final fit uses each target's own alpha
    for u in range(4):
        coef, icpt = ridge_auto_reference(X, Y[:, u], r.alpha[u])
        np.testing.assert_allclose(r.coef[:, u], coef, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(r.intercept[u], icpt, rtol=1e-8, atol=1e-12)
    # one shared alpha otherwise: the best on average over targets
    shared = quiet_cv(X, Y, alphas, cv="loo", alpha_per_target=False)
    assert np.ndim(shared.alpha) == 0
    assert shared.alpha == alphas[best_index(shared.scores.mean(axis=1))]


def _tie_data(t=None):
    # all-zero features: w = 0 for every alpha, so every alpha scores exactly the same
    rng = np.random.default_rng(0)
    X = np.zeros((20, 3))
    y = rng.standard_normal(20 if t is None else (20, t))
    return X, y


@pytest.mark.parametrize("cv", ["gcv", "loo", 4, "bootstrap"])
def test_ties_go_to_the_larger_alpha(cv):
    X, y = _tie_data()
    alphas = np.array([10.0, 0.1, 1.0])  # unsorted on purpose
    r = quiet_cv(X, y, alphas, cv=cv, n_boot=5, chunk_len=2)
    assert np.ptp(r.scores) == 0
    assert r.alpha == 10.0
    if r.alpha_replicates is not None:
        assert (r.alpha_replicates == 10.0).all()


def test_edge_of_grid_warning_names_targets():
    rng = np.random.default_rng(3)
    n, p = 50, 5
    X = rng.standard_normal((n, p))
    w = rng.standard_normal(p)
    # target 0 noiseless (-> smallest alpha), 1 moderate, 2 pure noise (-> largest alpha)
    Y = np.column_stack([X @ w, X @ w + rng.standard_normal(n), rng.standard_normal(n)])
    alphas = np.logspace(-2, 2, 9)
    r = quiet_cv(X, Y, alphas, cv="loo", alpha_per_target=True)
    best = best_index(r.scores)
    low, high = np.flatnonzero(best == 0), np.flatnonzero(best == len(alphas) - 1)
    assert low.tolist() == [0] and high.tolist() == [2]
    with pytest.warns(UserWarning) as rec:
        rb.ridge_cv(X, Y, alphas, cv="loo", alpha_per_target=True)
    msgs = [str(w.message) for w in rec]
    assert any("smallest" in m and "targets [0]" in m for m in msgs), msgs
    assert any("largest" in m and "targets [2]" in m for m in msgs), msgs
    assert not any("1" in m.split("targets")[1].split("]")[0] for m in msgs)
    # 1-D y: "the target"
    with pytest.warns(UserWarning, match="the target is the smallest of the grid"):
        rb.ridge_cv(X, Y[:, 0], alphas, cv="gcv")
    # interior optimum: no warning at all (warnings are errors in this suite)
    r1 = rb.ridge_cv(X, Y[:, 1], np.logspace(-3, 4, 15), cv="loo")
    assert 0 < np.flatnonzero(np.logspace(-3, 4, 15) == r1.alpha)[0] < 14


# ----------------------------------------------------------------------------- k-fold
def score_ref(y, pred, v, scoring):
    """Weighted held-out score of one fold, per target."""
    v = v[:, None]
    sv = v.sum()
    if scoring == "mse":
        return (v * (y - pred) ** 2).sum(axis=0) / sv
    ym = (v * y).sum(axis=0) / sv
    ss_tot = (v * (y - ym) ** 2).sum(axis=0)
    if scoring == "r2":
        return 1 - (v * (y - pred) ** 2).sum(axis=0) / ss_tot
    pm = (v * pred).sum(axis=0) / sv
    cov = (v * (y - ym) * (pred - pm)).sum(axis=0)
    return cov / np.sqrt(ss_tot * (v * (pred - pm) ** 2).sum(axis=0))


def heldout_ref(X, y, alphas, test_sets, scoring, sw=None, fit_intercept=True):
    """(replicates, k, t) scores: fit each alpha on the complement, score the test rows."""
    Y = _nt(y)
    n = len(X)
    v = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    out = np.empty((len(test_sets), len(alphas), Y.shape[1]))
    for f, test in enumerate(test_sets):
        train = np.ones(n, dtype=bool)
        train[test] = False
        for a, alpha in enumerate(alphas):
            coef, icpt = ridge_auto_reference(X[train], Y[train], alpha, fit_intercept, v[train])
            pred = X[test] @ coef + icpt
            out[f, a] = score_ref(Y[test], pred, v[test], scoring)
    return out


@pytest.mark.parametrize("scoring", ["mse", "r2", "corr"])
@pytest.mark.parametrize("shuffle", [False, True])
def test_kfold_equals_numpy_loop(scoring, shuffle):
    n, k_folds, seed = 37, 5, 11
    X, y = make_data(8, n=n, t=2)
    alphas = np.array([0.01, 0.3, 3.0, 30.0])
    r = quiet_cv(X, y, alphas, cv=k_folds, scoring=scoring, shuffle=shuffle, seed=seed)
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    folds = np.array_split(order, k_folds)
    per_fold = heldout_ref(X, y, alphas, folds, scoring)
    np.testing.assert_allclose(r.scores, per_fold.mean(axis=0), rtol=1e-9)
    assert r.greater_is_better == (scoring != "mse")
    i = best_index(per_fold.mean(axis=0).mean(axis=1), r.greater_is_better)
    assert r.alpha == alphas[i]


def test_kfold_with_n_folds_is_loo():
    X, y = make_data(15, n=24, t=2)
    kf = quiet_cv(X, y, ALPHAS, cv=24)
    loo = quiet_cv(X, y, ALPHAS, cv="loo")
    np.testing.assert_allclose(kf.scores, loo.scores, rtol=1e-9)
    assert kf.alpha == loo.alpha


def test_kfold_weighted_and_no_intercept():
    n = 30
    X, y = make_data(9, n=n)
    sw = np.random.default_rng(2).uniform(0.3, 2, n)
    alphas = np.array([0.1, 1.0, 10.0])
    for fit_intercept in (True, False):
        r = quiet_cv(X, y, alphas, cv=3, sample_weight=sw, fit_intercept=fit_intercept)
        ref = heldout_ref(X, y, alphas, np.array_split(np.arange(n), 3), "mse", sw, fit_intercept)
        np.testing.assert_allclose(r.scores, ref.mean(axis=0)[:, 0], rtol=1e-9)


def test_kfold_shuffle_uses_seed():
    X, y = make_data(10, n=40)
    a = quiet_cv(X, y, ALPHAS, cv=4, shuffle=True, seed=1)
    b = quiet_cv(X, y, ALPHAS, cv=4, shuffle=True, seed=2)
    c = quiet_cv(X, y, ALPHAS, cv=4, shuffle=False, seed=1)
    d = quiet_cv(X, y, ALPHAS, cv=4, shuffle=False, seed=2)
    assert not np.allclose(a.scores, b.scores)
    np.testing.assert_array_equal(c.scores, d.scores)


# ----------------------------------------------------------------------------- bootstrap hold-out
@pytest.mark.parametrize(
    ("scoring", "per_target", "t", "chunk_len"),
    [("mse", False, None, None), ("r2", True, 3, 4), ("corr", False, 2, 3), ("mse", True, 2, 5)],
)
def test_bootstrap_cv_equals_numpy_reimplementation(scoring, per_target, t, chunk_len):
    n = 80
    X, y = make_data(12, n=n, t=t, noise=0.5 if t is None else np.linspace(0.1, 3, t))
    alphas = np.array([0.01, 0.1, 1.0, 10.0, 100.0])
    r = quiet_cv(
        X,
        y,
        alphas,
        cv="bootstrap",
        n_boot=15,
        chunk_len=chunk_len,
        seed=4,
        scoring=scoring,
        alpha_per_target=per_target,
    )
    L = r.chunk_len
    assert L == (max(1, n // 50) if chunk_len is None else chunk_len)
    n_chunks = -(-n // L)
    assert r.heldout.shape == (15, max(1, round(0.2 * n_chunks)))
    assert ((r.heldout >= 0) & (r.heldout < n_chunks)).all()
    assert all(len(np.unique(h)) == len(h) for h in r.heldout)
    tests = [np.concatenate([np.arange(c * L, min(n, (c + 1) * L)) for c in h]) for h in r.heldout]
    rep = heldout_ref(X, y, alphas, tests, scoring)  # (B, k, t)
    scores = np.nanmean(rep, axis=0)
    np.testing.assert_allclose(r.scores, scores[:, 0] if t is None else scores, rtol=1e-9)
    greater = scoring != "mse"
    if per_target:
        expected_reps = alphas[best_index(np.moveaxis(rep, 0, 1), greater)]  # (B, t)
        expected_alpha = alphas[best_index(scores, greater)]
    else:
        expected_reps = alphas[best_index(np.moveaxis(rep.mean(axis=2), 0, 1), greater)]
        expected_alpha = alphas[best_index(scores.mean(axis=1), greater)]
    np.testing.assert_array_equal(r.alpha_replicates, expected_reps)
    np.testing.assert_array_equal(r.alpha, expected_alpha)
    # selection uncertainty is visible: not every replicate picks the same alpha
    assert len(np.unique(r.alpha_replicates)) > 1 or scoring != "mse"


def test_bootstrap_cv_reproducible_and_seeded():
    X, y = make_data(13, n=60)
    a = quiet_cv(X, y, ALPHAS, cv="bootstrap", n_boot=6, seed=3)
    b = quiet_cv(X, y, ALPHAS, cv="bootstrap", n_boot=6, seed=3, n_threads=1)
    c = quiet_cv(X, y, ALPHAS, cv="bootstrap", n_boot=6, seed=4)
    np.testing.assert_array_equal(a.heldout, b.heldout)
    np.testing.assert_array_equal(a.scores, b.scores)
    assert not np.array_equal(a.heldout, c.heldout)


def test_bootstrap_cv_bad_options():
    X, y = make_data(14, n=20)
    with pytest.raises(ValueError, match="chunk_len"):
        rb.ridge_cv(X, y, ALPHAS, cv="bootstrap", chunk_len=0)
    with pytest.raises(ValueError, match="heldout_fraction"):
        rb.ridge_cv(X, y, ALPHAS, cv="bootstrap", heldout_fraction=1.0)
    with pytest.raises(ValueError, match="n_chunks"):
        rb.ridge_cv(X, y, ALPHAS, cv="bootstrap", chunk_len=5, n_chunks=4)
    with pytest.raises(ValueError, match="cv"):
        rb.ridge_cv(X, y, ALPHAS, cv="kfold")
    with pytest.raises(ValueError, match="cv"):
        rb.ridge_cv(X, y, ALPHAS, cv=1)
    with pytest.raises(ValueError, match="scoring"):
        rb.ridge_cv(X, y, ALPHAS, cv=3, scoring="mae")


# ----------------------------------------------------------------------------- conventions
def _standardize(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)  # glmnet: 1/n variance


def test_glmnet_convention_matches_its_objective():
    from scipy.optimize import minimize

    rng = np.random.default_rng(20)
    n, p = 50, 4
    X = _standardize(rng.standard_normal((n, p)) * [1, 3, 0.5, 2] + 1)
    y = X @ [1.0, -2.0, 0.5, 0.0] + 3 + rng.standard_normal(n)
    lam = 0.3

    def glmnet_objective(theta):  # RSS / (2n) + lam / 2 ||w||^2, intercept unpenalized
        b, w = theta[0], theta[1:]
        r = y - b - X @ w
        return r @ r / (2 * n) + lam / 2 * w @ w

    def grad(theta):
        b, w = theta[0], theta[1:]
        r = y - b - X @ w
        return np.concatenate([[-r.sum() / n], -X.T @ r / n + lam * w])

    opt = minimize(
        glmnet_objective, np.zeros(p + 1), jac=grad, method="BFGS", options={"gtol": 1e-12}
    )
    fit = rb.ridge(X, y, alpha=conventions.from_glmnet(lam, n))
    np.testing.assert_allclose(fit.coef, opt.x[1:], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(fit.intercept, opt.x[0], rtol=1e-6)
    # analytic optimum of the same objective
    w_exact = np.linalg.solve(X.T @ X / n + lam * np.eye(p), X.T @ (y - y.mean()) / n)
    np.testing.assert_allclose(fit.coef, w_exact, rtol=1e-10)
    # the naive alpha = lam is a different fit
    assert not np.allclose(rb.ridge(X, y, alpha=lam).coef, w_exact, rtol=1e-3)


def test_statsmodels_convention_matches_its_objective():
    rng = np.random.default_rng(21)
    n, p = 40, 3
    X = rng.standard_normal((n, p))
    y = X @ [0.5, 1.0, -1.0] + rng.standard_normal(n)
    a = 0.2
    # statsmodels fit_regularized(alpha=a, L1_wt=0): 0.5 RSS / n + a / 2 ||params||^2
    w_sm = np.linalg.solve(X.T @ X / n + a * np.eye(p), X.T @ y / n)
    fit = rb.ridge(X, y, alpha=conventions.from_statsmodels(a, n), fit_intercept=False)
    np.testing.assert_allclose(fit.coef, w_sm, rtol=1e-10)


def test_huth_convention_matches_its_filter():
    rng = np.random.default_rng(22)
    X = rng.standard_normal((30, 6))
    y = rng.standard_normal((30, 2))
    a = 2.5
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    w_huth = Vt.T @ np.diag(s / (s**2 + a**2)) @ U.T @ y  # Huth-lab bootstrap_ridge filter
    fit = rb.ridge(X, y, alpha=conventions.from_huth(a), fit_intercept=False)
    np.testing.assert_allclose(fit.coef, w_huth, rtol=1e-10)


@pytest.mark.parametrize("value", [0.0, 0.37, 5.0, np.array([0.1, 1.0, 10.0])])
def test_conventions_round_trip(value):
    n = 123
    for fwd, back in (
        (conventions.from_glmnet, conventions.to_glmnet),
        (conventions.from_statsmodels, conventions.to_statsmodels),
    ):
        np.testing.assert_allclose(back(fwd(value, n), n), value, rtol=1e-15)
        np.testing.assert_allclose(fwd(back(value, n), n), value, rtol=1e-15)
        np.testing.assert_allclose(fwd(value, n), np.multiply(value, n))
    np.testing.assert_allclose(conventions.to_huth(conventions.from_huth(value)), value, rtol=1e-15)
    np.testing.assert_allclose(conventions.from_huth(value), np.square(value))
