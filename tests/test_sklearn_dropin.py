"""ridgeboot.sklearn as a drop-in for scikit-learn's Ridge/RidgeCV: issue 16's causes, one by one.

Each test pins one cause found by running scikit-learn's own test_ridge.py against the
estimators (tests/sklearn_upstream runs that file itself), against scikit-learn's own
estimators or brute force.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")

import sklearn.linear_model as sk  # noqa: E402
from ridgeboot._validation import resolve_threads  # noqa: E402
from ridgeboot.sklearn import Ridge, RidgeCV  # noqa: E402
from sklearn.metrics import make_scorer, mean_absolute_error  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold  # noqa: E402

ALPHAS = [0.01, 0.1, 1.0, 10.0, 100.0]


def data(n=30, p=4, t=None, seed=0):
    g = np.random.default_rng(seed)
    X = g.normal(size=(n, p)) @ g.normal(size=(p, p))
    Y = X @ g.normal(size=(p, t or 1)) + g.normal(size=(n, t or 1))
    return X, (Y[:, 0] if t is None else Y), g.uniform(0.5, 2.0, n)


# 1. scikit-learn's parameters; what ridgeboot does not offer raises naming what it does
def test_ridge_takes_sklearn_parameters():
    X, y, _ = data()
    ours = Ridge(1.0, tol=1e-6, max_iter=10, random_state=0, copy_X=False, positive=False)
    np.testing.assert_allclose(ours.fit(X, y).coef_, sk.Ridge(1.0).fit(X, y).coef_, rtol=1e-10)
    assert ours.n_iter_ is None


@pytest.mark.parametrize("params", [{"solver": "sag"}, {"solver": "lsqr"}, {"positive": True}])
def test_ridge_refuses_what_it_does_not_offer(params):
    X, y, _ = data()
    with pytest.raises(ValueError, match="'cholesky', 'svd', 'eigh'"):
        Ridge(**params).fit(X, y)


# 2. gcv_mode: scikit-learn's name for how its leave-one-out decomposes X
@pytest.mark.parametrize("gcv_mode", [None, "auto", "svd", "eigen"])
@pytest.mark.parametrize("shape", [(30, 4), (8, 20)], ids=["tall", "wide"])
def test_gcv_mode_is_leave_one_out(gcv_mode, shape):
    X, y, w = data(*shape)
    ours = RidgeCV(ALPHAS, gcv_mode=gcv_mode).fit(X, y, sample_weight=w)
    ref = sk.RidgeCV(ALPHAS, gcv_mode=gcv_mode).fit(X, y, sample_weight=w)
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-12)


# 3. store_cv_results / cv_results_, and 4. scoring honoured with cv=None
@pytest.mark.parametrize("scoring", [None, "r2", "neg_mean_squared_error", "explained_variance"])
@pytest.mark.parametrize("t", [None, 3])
def test_cv_results_and_scoring_equal_sklearn(scoring, t):
    X, y, w = data(t=t)
    kw = dict(scoring=scoring, store_cv_results=True)
    ours = RidgeCV(ALPHAS, **kw).fit(X, y, sample_weight=w)
    ref = sk.RidgeCV(ALPHAS, **kw).fit(X, y, sample_weight=w)
    assert ours.cv_results_.shape == ref.cv_results_.shape
    np.testing.assert_allclose(ours.cv_results_, ref.cv_results_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)
    assert ours.alpha_ == ref.alpha_


def test_r2_scoring_is_not_ignored_with_loo():
    X, y, _ = data()
    ours = RidgeCV(ALPHAS, scoring="r2").fit(X, y)
    assert 0 < ours.best_score_ < 1  # was a negative MSE
    assert ours.best_score_ == pytest.approx(sk.RidgeCV(ALPHAS, scoring="r2").fit(X, y).best_score_)


@pytest.mark.parametrize("cv", [None, 4])
def test_custom_scorers(cv):
    X, y, _ = data()
    for scoring in (
        make_scorer(mean_absolute_error, greater_is_better=False),
        lambda est, X_, y_: -np.abs(est.predict(X_) - y_).max(),
    ):
        ours = RidgeCV(ALPHAS, scoring=scoring, cv=cv).fit(X, y)
        ref = sk.RidgeCV(ALPHAS, scoring=scoring, cv=cv).fit(X, y)
        assert ours.alpha_ == ref.alpha_
        np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)


# 5. intercept_: a numpy scalar of X's dtype for a 1-D y
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_intercept_is_a_numpy_scalar(dtype):
    X, y, _ = data()
    for model in (Ridge(), RidgeCV(ALPHAS)):
        b = model.fit(X.astype(dtype), y.astype(dtype)).intercept_
        assert b.shape == () and b.dtype == dtype


# 6. alphas validated as scikit-learn does
@pytest.mark.parametrize(
    "alphas, err, match",
    [
        (["1"], TypeError, r"alphas must be an instance of float, not str"),
        ((1, 1.0, "1"), TypeError, r"alphas\[2\] must be an instance of float, not str"),
        ((1, -1, -100), ValueError, r"alphas\[1\] == -1, must be > 0.0"),
    ],
)
def test_alphas_validated(alphas, err, match):
    X, y, _ = data()
    with pytest.raises(err, match=match):
        RidgeCV(alphas).fit(X, y)


# 7. leave-one-out at alpha = 0 on an interpolating fit: the minimum-norm refits
def test_loo_at_alpha_zero_interpolating_is_brute_force():
    g = np.random.default_rng(3)
    X, y = g.normal(size=(5, 5)), g.normal(size=5)
    alphas = [0.0, 0.1, 1.0, 10.0]
    model = RidgeCV(alphas, store_cv_results=True).fit(X, y)
    brute = np.empty((5, len(alphas)))
    for i in range(5):
        keep = np.arange(5) != i
        for a, alpha in enumerate(alphas):
            Xc = X[keep] - X[keep].mean(0)
            A = np.vstack([Xc, np.sqrt(alpha) * np.eye(5)]) if alpha else Xc
            b = np.r_[y[keep] - y[keep].mean(), np.zeros(5 if alpha else 0)]
            w = np.linalg.lstsq(A, b, rcond=None)[0]
            pred = y[keep].mean() + (X[i] - X[keep].mean(0)) @ w
            brute[i, a] = (y[i] - pred) ** 2
    np.testing.assert_allclose(model.cv_results_, brute, rtol=1e-7)
    assert model.best_score_ == pytest.approx((-brute.mean(0)).max())
    assert model.alpha_ == alphas[int(np.argmax(-brute.mean(0)))]


# 8. k-fold folds with an undefined score: the same for an int and its splitter
def test_undefined_fold_scores_as_sklearn():
    X, y, _ = data(n=7)
    with pytest.warns(UserWarning):
        by_int = RidgeCV(ALPHAS, cv=7).fit(X, y)
    with pytest.warns(UserWarning):
        by_splitter = RidgeCV(ALPHAS, cv=KFold(7)).fit(X, y)
    with pytest.warns(UserWarning):
        ref = sk.RidgeCV(ALPHAS, cv=7).fit(X, y)
    assert by_int.alpha_ == by_splitter.alpha_ == ref.alpha_ == ALPHAS[0]
    assert np.isnan(by_int.best_score_) and np.isnan(ref.best_score_)


# 9. ties, alpha arrays, groups, float32
def test_ties_go_to_the_first_alpha():
    X, y, _ = data()
    model = RidgeCV([1.0, 1.0, 1.0], store_cv_results=True).fit(X, y)
    assert model.alpha_ == 1.0 and np.ptp(model.cv_scores_) == 0
    X[:] = 0  # every alpha predicts the mean: every score ties
    assert RidgeCV([10.0, 0.1, 1.0], cv=3).fit(X, y).alpha_ == 10.0


def test_alpha_array_of_one_with_a_1d_y():
    X, y, _ = data()
    np.testing.assert_allclose(
        Ridge(alpha=np.array([2.0])).fit(X, y).coef_, sk.Ridge(alpha=2.0).fit(X, y).coef_
    )


def test_groups_reach_the_splitter():
    X, y, _ = data()
    groups = np.repeat(np.arange(6), 5)
    ours = RidgeCV(ALPHAS, cv=GroupKFold(3)).fit(X, y, groups=groups)
    search = GridSearchCV(sk.Ridge(), {"alpha": ALPHAS}, cv=GroupKFold(3)).fit(X, y, groups=groups)
    assert ours.alpha_ == search.best_params_["alpha"]
    np.testing.assert_allclose(ours.best_score_, search.best_score_, rtol=1e-9)


def test_float32_refit_in_float64_as_sklearn():
    X, y, _ = data()
    ours = RidgeCV(ALPHAS).fit(X.astype(np.float32), y.astype(np.float32))
    ref = sk.RidgeCV(ALPHAS).fit(X.astype(np.float32), y.astype(np.float32))
    assert ours.coef_.dtype == np.float32
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)


# threads inside joblib: n_threads=None respects the surrounding limit
def test_threadpool_limits_apply_to_n_threads_none():
    from threadpoolctl import threadpool_info, threadpool_limits

    assert any(i["internal_api"] == "ridgeboot" for i in threadpool_info())
    with threadpool_limits(1):
        assert resolve_threads(None) == 1
        assert resolve_threads(2) == 2  # an explicit count is never limited
    assert resolve_threads(None) == resolve_threads(-1)


def test_omp_num_threads_read_at_start_up_like_openmp(monkeypatch):
    # dask's LocalCluster sets OMP_NUM_THREADS=1 in this process for its workers:
    # the fits run here must keep every core, as numpy's and OpenMP's pools do.
    before = resolve_threads(None)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert resolve_threads(None) == before
    code = "from ridgeboot._validation import resolve_threads; print(resolve_threads(None))"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    # the last line: an editable install may print its rebuild log first
    assert out.stdout.strip().splitlines()[-1] == "1", out.stderr


def _threads_scorer(estimator, X, y):
    from ridgeboot._validation import resolve_threads as threads

    return float(threads(None))


def test_gridsearch_workers_run_one_thread_each(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    X, y, _ = data()
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=2, n_jobs=2, scoring=_threads_scorer)
    search.fit(X, y)
    cpus = resolve_threads(-1)
    assert set(search.cv_results_["mean_test_score"]) == {float(max(1, cpus // 2))}
