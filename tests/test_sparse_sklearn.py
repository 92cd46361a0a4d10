"""ridgeboot.sklearn's estimators on scipy.sparse X: the numbers of their dense fits."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from ridgeboot.sklearn import BootstrapRidge, Ridge, RidgeCV
from test_sparse import random_sparse


@pytest.mark.parametrize("fmt", [sp.csr_matrix, sp.csc_array, sp.coo_matrix, sp.lil_matrix])
def test_sklearn_estimators_take_sparse_x(fmt):
    rng = np.random.default_rng(11)
    X = random_sparse(rng, 50, 6, 0.3, 2.0)
    Y = X[:, :2] @ [[1.0, 0.5], [-1.0, 2.0]] + rng.normal(size=(50, 2))
    w = rng.uniform(0.5, 2.0, 50)
    dense = Ridge(0.7).fit(X, Y, sample_weight=w)
    sparse = Ridge(0.7).fit(fmt(X), Y, sample_weight=w)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-10)
    np.testing.assert_allclose(sparse.predict(fmt(X)), dense.predict(X), rtol=1e-10)
    for cv in (None, "gcv", 3):
        kw = dict(alphas=[0.1, 1.0, 10.0], cv=cv, store_cv_results=cv is None)
        d = RidgeCV(**kw).fit(X, Y[:, 0], sample_weight=w)
        s = RidgeCV(**kw).fit(fmt(X), Y[:, 0], sample_weight=w)
        assert s.alpha_ == d.alpha_
        np.testing.assert_allclose(s.best_score_, d.best_score_, rtol=1e-9)
        np.testing.assert_allclose(s.coef_, d.coef_, rtol=1e-9)
        if cv is None:
            np.testing.assert_allclose(s.cv_results_, d.cv_results_, rtol=1e-8, atol=1e-12)
    d = BootstrapRidge(1.0, n_boot=20, random_state=0).fit(X, Y[:, 1])
    s = BootstrapRidge(1.0, n_boot=20, random_state=0).fit(fmt(X), Y[:, 1])
    np.testing.assert_allclose(s.coef_std_, d.coef_std_, rtol=1e-8)
    np.testing.assert_allclose(s.oob_score_, d.oob_score_, rtol=1e-8)


def test_sklearn_ridge_cholesky_falls_back_to_eigh_on_sparse():
    rng = np.random.default_rng(12)
    X = random_sparse(rng, 20, 5, 0.5, 0.0)
    X[:, 4] = 0.0
    y = rng.normal(size=20)
    model = Ridge(0.0, solver="cholesky").fit(sp.csr_matrix(X), y)
    assert model.solver_ == "eigh"
    np.testing.assert_allclose(model.coef_, Ridge(0.0).fit(X, y).coef_, rtol=1e-8, atol=1e-12)
