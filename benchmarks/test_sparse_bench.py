"""pytest-benchmark cases for sparse X: ridgeboot and scikit-learn's sparse Ridge side by side.

Small sizes, so that the suite also serves as a smoke test (``--benchmark-disable`` runs
each once); every result is checked against the dense fit of the tests' numpy oracle.
No timing assertions: ``benchmarks/compare_sparse.py`` prints the medians at full size.
"""

from __future__ import annotations

import numpy as np
import pytest
import ridgeboot as rb
from compare_sparse import make_data
from reference import ridge_svd_reference
from sklearn.linear_model import Ridge

N, P, DENSITY = 2000, 40, 0.05


@pytest.fixture(scope="module")
def data():
    X, y = make_data(N, P, DENSITY)
    ref = ridge_svd_reference(X.toarray(), y, 1.0)
    return X, y, ref


@pytest.mark.benchmark(group="sparse-fit")
def test_rb_ridge_sparse(benchmark, data):
    X, y, ref = data
    fit = benchmark(rb.ridge, X, y, 1.0)
    np.testing.assert_allclose(fit.coef, ref.coef, rtol=1e-9)


@pytest.mark.benchmark(group="sparse-fit")
@pytest.mark.parametrize("solver", ["sparse_cg", "lsqr"])
def test_sklearn_ridge_sparse(benchmark, data, solver):
    X, y, ref = data
    model = benchmark(lambda: Ridge(1.0, solver=solver, tol=1e-10).fit(X, y))
    np.testing.assert_allclose(model.coef_, ref.coef, rtol=1e-5)


@pytest.mark.benchmark(group="sparse-bootstrap")
def test_rb_bootstrap_sparse(benchmark, data):
    X, y, _ = data
    result = benchmark(rb.bootstrap, X, y, 1.0, 16, oob=False)
    dense = rb.bootstrap(X.toarray(), y, 1.0, 16, oob=False)
    np.testing.assert_allclose(result.coefs, dense.coefs, rtol=1e-9)
