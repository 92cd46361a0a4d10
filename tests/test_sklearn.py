"""ridgeboot.sklearn: scikit-learn's estimator checks, Pipeline/GridSearchCV, and the numbers of
sklearn.linear_model.Ridge / RidgeCV."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

import ridgeboot as rb  # noqa: E402
import sklearn.linear_model as sk  # noqa: E402
from ridgeboot.sklearn import BootstrapRidge, Ridge, RidgeCV  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

ALPHAS = np.logspace(-2, 3, 11)


def expected_failed_checks(estimator):
    # scikit-learn's own Ridge has this expected failure too: a direct solver has no
    # iteration count, n_iter_ is None, and Ridge takes max_iter (for the iterative ones)
    if isinstance(estimator, Ridge):
        return {"check_non_transformer_estimators_n_iter": "n_iter_ is None (direct solvers)"}
    return {}


@parametrize_with_checks(
    [Ridge(), RidgeCV(), BootstrapRidge(n_boot=30, random_state=0)],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def make_data(n=60, p=5, t=3, seed=1):
    """Correlated features and targets of very different noise levels (so alphas differ)."""
    g = np.random.default_rng(seed)
    X = g.normal(size=(n, p)) @ g.normal(size=(p, p))
    Y = X @ g.normal(size=(p, t)) + g.normal(size=(n, t)) * np.array([0.5, 2.0, 8.0])[:t]
    w = g.uniform(0.2, 3.0, n)
    return X, Y, w


# -- Ridge


@pytest.mark.parametrize("alpha", [0.5, np.array([0.1, 1.0, 10.0])], ids=["scalar", "per-target"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
def test_ridge_equals_sklearn(alpha, weighted, fit_intercept):
    X, Y, w = make_data()
    sw = w if weighted else None
    ours = Ridge(alpha, fit_intercept=fit_intercept).fit(X, Y, sample_weight=sw)
    ref = sk.Ridge(alpha, fit_intercept=fit_intercept).fit(X, Y, sample_weight=sw)
    assert ours.coef_.shape == ref.coef_.shape == (3, 5)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-10)


@pytest.mark.parametrize("y_shape", ["1d", "one-column"])
def test_ridge_shapes_follow_sklearn(y_shape):
    X, Y, _ = make_data()
    y = Y[:, 0] if y_shape == "1d" else Y[:, :1]
    ours, ref = Ridge(2.0).fit(X, y), sk.Ridge(2.0).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape == (5,)
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    assert ours.predict(X).shape == ref.predict(X).shape
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-10)


def test_ridge_keeps_float32():
    X, Y, _ = make_data()
    model = Ridge(1.0).fit(X.astype(np.float32), Y[:, 0].astype(np.float32))
    assert model.coef_.dtype == np.float32
    assert model.predict(X.astype(np.float32)).dtype == np.float32
    ref = sk.Ridge(1.0).fit(X, Y[:, 0])
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-3)


def test_ridge_alpha_zero_uses_svd():
    X, Y, _ = make_data()
    model = Ridge(0.0).fit(X, Y[:, 0])
    assert model.solver_ == "svd"
    ref = sk.LinearRegression().fit(X, Y[:, 0])
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-9)


class FrameLike:
    """A 2-D array with column names: what scikit-learn takes feature names from."""

    def __init__(self, data, columns):
        self._data, self.columns = np.asarray(data), list(columns)

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    @property
    def shape(self):
        return self._data.shape

    def __len__(self):
        return len(self._data)


@pytest.fixture
def frame_like_names(monkeypatch):
    """scikit-learn 1.9 reads feature names through narwhals, which needs pandas, polars or
    pyarrow; none is a test dependency, so teach sklearn's own hook about FrameLike."""
    import sklearn.utils.validation as validation

    original = validation._get_feature_names

    def get_feature_names(X):
        if isinstance(X, FrameLike):
            return np.asarray(X.columns, dtype=object)
        return original(X)

    monkeypatch.setattr(validation, "_get_feature_names", get_feature_names)


@pytest.mark.parametrize(
    "make",
    [Ridge, RidgeCV, lambda: BootstrapRidge(n_boot=10)],
    ids=["Ridge", "RidgeCV", "BootstrapRidge"],
)
def test_feature_names_in_from_named_columns(make, frame_like_names):
    X, Y, _ = make_data()
    names = [f"f{j}" for j in range(X.shape[1])]
    model = make().fit(FrameLike(X, names), Y[:, 0])
    assert list(model.feature_names_in_) == names
    assert model.n_features_in_ == X.shape[1]
    np.testing.assert_allclose(
        model.predict(FrameLike(X, names)), X @ model.coef_ + model.intercept_, rtol=1e-12
    )
    with pytest.raises(ValueError, match="feature names"):
        model.predict(FrameLike(X, names[::-1]))
    assert not hasattr(make().fit(X, Y[:, 0]), "feature_names_in_")


# -- RidgeCV


@pytest.mark.parametrize("alpha_per_target", [False, True], ids=["shared", "per-target"])
def test_ridgecv_loo_equals_sklearn(alpha_per_target):
    X, Y, _ = make_data()
    ours = RidgeCV(ALPHAS, alpha_per_target=alpha_per_target).fit(X, Y)
    ref = sk.RidgeCV(ALPHAS, alpha_per_target=alpha_per_target).fit(X, Y)
    np.testing.assert_array_equal(ours.alpha_, ref.alpha_)
    if alpha_per_target:
        assert len(np.unique(ours.alpha_)) > 1  # the targets really chose differently
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-9)


def test_ridgecv_weighted_equals_sklearn():
    X, Y, w = make_data()
    ours = RidgeCV(ALPHAS).fit(X, Y, sample_weight=w)
    ref = sk.RidgeCV(ALPHAS).fit(X, Y, sample_weight=w)
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
    # the mean over the n rows of w e^2, as scikit-learn (ridgeboot.ridge_cv: over sum(w))
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-9)


@pytest.mark.parametrize(
    "cv", [5, KFold(4, shuffle=True, random_state=0)], ids=["int-folds", "splitter"]
)
def test_ridgecv_folds_equal_sklearn(cv):
    X, Y, _ = make_data()
    ours = RidgeCV(ALPHAS, cv=cv).fit(X, Y[:, 1])
    ref = sk.RidgeCV(ALPHAS, cv=cv).fit(X, Y[:, 1])
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-9)  # mean fold R^2
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9)


def test_ridgecv_gcv_equals_ridge_cv():
    X, Y, _ = make_data()
    ours = RidgeCV(ALPHAS, cv="gcv").fit(X, Y[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # an edge-of-grid choice is fine here
        direct = rb.ridge_cv(X, Y[:, 0], ALPHAS, cv="gcv")
    assert ours.alpha_ == direct.alpha
    np.testing.assert_allclose(ours.cv_scores_, -direct.scores)  # greater is better


# -- BootstrapRidge


def test_bootstrap_ridge_matches_core():
    X, Y, w = make_data()
    model = BootstrapRidge(1.0, n_boot=100, random_state=7).fit(X, Y, sample_weight=w)
    boot = rb.bootstrap(X, Y, 1.0, 100, seed=7, sample_weight=w)
    np.testing.assert_allclose(
        model.coef_, sk.Ridge(1.0).fit(X, Y, sample_weight=w).coef_, rtol=1e-10
    )
    assert model.coef_std_.shape == model.coef_ci_[0].shape == model.coef_ci_[1].shape == (3, 5)
    np.testing.assert_array_equal(model.coef_std_, boot.coef_std.T)
    lo, hi = boot.ci()
    np.testing.assert_array_equal(model.coef_ci_[0], lo.T)
    np.testing.assert_array_equal(model.coef_ci_[1], hi.T)
    assert (model.coef_ci_[0] <= model.coef_ci_[1]).all()
    np.testing.assert_array_equal(model.oob_mse_, boot.oob_mse)
    var = (w @ (Y - w @ Y / w.sum()) ** 2) / w.sum()
    assert model.oob_score_ == pytest.approx(np.mean(1 - boot.oob_mse / var))
    assert model.bootstrap_.n_boot == 100 and model.seed_ == 7


def test_bootstrap_ridge_one_target_layout_and_repro():
    X, Y, _ = make_data()
    a = BootstrapRidge(2.0, n_boot=50, random_state=3).fit(X, Y[:, 0])
    b = BootstrapRidge(2.0, n_boot=50, random_state=3, n_threads=1).fit(X, Y[:, 0])
    assert a.coef_.shape == a.coef_std_.shape == a.coef_ci_[0].shape == (5,)
    assert isinstance(a.oob_mse_, float) and isinstance(a.oob_score_, float)
    np.testing.assert_array_equal(a.coef_std_, b.coef_std_)
    assert a.oob_score_ < 1.0


def test_bootstrap_ridge_pickles():
    X, Y, _ = make_data()
    model = BootstrapRidge(1.0, n_boot=20, random_state=0).fit(X, Y)
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))
    np.testing.assert_array_equal(clone.coef_std_, model.coef_std_)


# -- Pipeline and GridSearchCV


def test_pipeline_gridsearch_equals_sklearn():
    X, Y, _ = make_data(n=80)
    grid = {"ridge__alpha": [0.01, 0.1, 1.0, 10.0, 100.0]}
    ours = GridSearchCV(make_pipeline(StandardScaler(), Ridge()), grid, cv=4).fit(X, Y[:, 2])
    ref = GridSearchCV(make_pipeline(StandardScaler(), sk.Ridge()), grid, cv=4).fit(X, Y[:, 2])
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], rtol=1e-9
    )
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9)


def test_gridsearch_over_bootstrap_ridge_params():
    X, Y, _ = make_data(n=50)
    search = GridSearchCV(
        BootstrapRidge(n_boot=10, random_state=0),
        {"alpha": [0.1, 10.0], "fit_intercept": [True, False]},
        cv=3,
    )
    search.fit(X, Y[:, 0])
    assert search.best_estimator_.coef_std_.shape == (5,)
    assert set(search.best_params_) == {"alpha", "fit_intercept"}


def test_clear_import_error_without_sklearn():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "try:\n    import ridgeboot.sklearn\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "ridgeboot[sklearn]"' in out.stdout
