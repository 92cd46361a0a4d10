"""Sparse X (scipy.sparse): every entry point equals its dense result to rounding.

The reference is ridgeboot's own dense fit of ``X.toarray()`` (itself checked against
the numpy oracle elsewhere); tolerances scale with the dtype's epsilon and the
condition number of the centred, weighted Gram plus alpha.
"""

from __future__ import annotations

import numpy as np
import pytest
import ridgeboot as rb
import scipy.sparse as sp
from hypothesis import assume, given
from hypothesis import strategies as st
from property_settings import property_settings
from ridgeboot import _core

PROPS = property_settings(60)
FORMATS = (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array, sp.csc_array)
EPS = {np.float32: float(np.finfo(np.float32).eps), np.float64: float(np.finfo(np.float64).eps)}


def random_sparse(rng: np.random.Generator, n: int, p: int, density: float, offset: float):
    """A dense (n, p) array with about density * n * p non-zeros, some columns all zero."""
    X = rng.normal(size=(n, p)) + offset * rng.normal(size=p)
    X[rng.random((n, p)) >= density] = 0.0
    return X


def gram_condition(X: np.ndarray, w: np.ndarray, alpha: float, intercept: bool) -> float:
    """cond(Xc^T W Xc + alpha I) in float64 (Xc centred by the weighted means)."""
    X = X.astype(np.float64)
    w = w.astype(np.float64)
    Xc = X - (w @ X) / w.sum() if intercept else X
    G = Xc.T @ (w[:, None] * Xc) + alpha * np.eye(X.shape[1])
    return float(np.linalg.cond(G))


@st.composite
def cases(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(2, 40))
    p = draw(st.integers(1, 12))
    density = draw(st.sampled_from((0.05, 0.2, 0.5, 1.0)))
    offset = draw(st.sampled_from((0.0, 3.0)))
    dtype = draw(st.sampled_from((np.float64, np.float32)))
    t = draw(st.sampled_from((None, 1, 3)))
    weights = draw(st.sampled_from((None, "positive", "zeros", "integer")))
    intercept = draw(st.booleans())
    rel = draw(st.sampled_from((1e-6, 1e-2, 1.0, 1e2) if dtype == np.float64 else (1e-2, 1.0, 1e2)))
    fmt = draw(st.sampled_from(FORMATS))
    X = random_sparse(rng, n, p, density, offset).astype(dtype)
    y = (rng.normal(size=(n,) if t is None else (n, t)) + 1.5).astype(dtype)
    w = None
    if weights == "positive":
        w = rng.uniform(0.2, 3.0, n)
    elif weights == "zeros":
        w = rng.uniform(0.2, 3.0, n) * (rng.random(n) < 0.7)
        w[0] = 1.0
    elif weights == "integer":
        w = rng.integers(0, 4, n).astype(float)
        w[0] = 2.0
    w = None if w is None else w.astype(dtype)
    ones = np.ones(n) if w is None else w
    Xc = X.astype(np.float64)
    Xc = Xc - (ones @ Xc) / ones.sum() if intercept else Xc
    scale = float((ones[:, None] * Xc**2).sum()) / p
    alpha = rel * (scale if scale > 0 else 1.0)
    return X, y, w, alpha, intercept, dtype, fmt


def tolerance(X, w, alpha, intercept, dtype) -> float:
    kappa = gram_condition(X, np.ones(len(X)) if w is None else w, alpha, intercept)
    tol = 64 * EPS[dtype] * kappa
    assume(tol < 1e-2)  # beyond that neither fit keeps digits worth comparing
    return tol


def assert_fit_close(sparse_fit, dense_fit, X, w, tol):
    cs, cd = np.asarray(sparse_fit.coef), np.asarray(dense_fit.coef)
    assert cs.dtype == cd.dtype
    assert cs.shape == cd.shape
    size = max(float(np.abs(cd).max()), 1e-30)
    assert float(np.abs(cs - cd).max()) <= tol * size
    # intercept = ybar - xbar.coef: its error is the coefficients' times |xbar|
    v = np.ones(len(X)) if w is None else w.astype(np.float64)
    xbar = np.abs(v @ X.astype(np.float64)) / v.sum()
    bd = np.asarray(dense_fit.intercept, dtype=np.float64)
    bound = tol * (np.abs(bd) + xbar.sum() * size + 1.0)
    assert np.all(np.abs(np.asarray(sparse_fit.intercept, dtype=np.float64) - bd) <= bound)


@PROPS
@given(cases(), st.sampled_from(("auto", "cholesky", "eigh")))
def test_ridge_matches_dense(case, solver):
    X, y, w, alpha, intercept, dtype, fmt = case
    tol = tolerance(X, w, alpha, intercept, dtype)
    kw = dict(fit_intercept=intercept, sample_weight=w)
    try:
        dense = rb.ridge(X, y, alpha, solver=solver, **kw)
    except np.linalg.LinAlgError:
        with pytest.raises(np.linalg.LinAlgError):
            rb.ridge(fmt(X), y, alpha, solver=solver, **kw)
        return
    sparse = rb.ridge(fmt(X), y, alpha, solver=solver, **kw)
    assert_fit_close(sparse, dense, X, w, tol)
    pred = sparse.predict(fmt(X))
    assert pred.shape == dense.predict(X).shape


@PROPS
@given(cases(), st.sampled_from(("auto", "eigh")))
def test_ridge_path_matches_dense(case, solver):
    X, y, w, alpha, intercept, dtype, fmt = case
    alphas = np.array([alpha, 10 * alpha, 1000 * alpha])
    tol = tolerance(X, w, alpha, intercept, dtype)
    kw = dict(fit_intercept=intercept, sample_weight=w, solver=solver)
    dense = rb.ridge_path(X, y, alphas, **kw)
    sparse = rb.ridge_path(fmt(X), y, alphas, **kw)
    assert_fit_close(sparse, dense, X, w, tol)
    np.testing.assert_allclose(
        sparse.predict(fmt(X)),
        dense.predict(X),
        rtol=0,
        atol=tol * 10 * (1 + float(np.abs(dense.predict(X)).max())),
    )


def test_dtype_and_solver_names():
    rng = np.random.default_rng(1)
    X = random_sparse(rng, 30, 5, 0.3, 0.0)
    y = rng.normal(size=30)
    r32 = rb.ridge(sp.csr_matrix(X.astype(np.float32)), y.astype(np.float32), 1.0)
    assert r32.coef.dtype == np.float32 and r32.solver == "cholesky"
    # float32 X with a float64 y computes in float64, as for dense X
    assert rb.ridge(sp.csr_matrix(X.astype(np.float32)), y, 1.0).coef.dtype == np.float64
    # "auto" takes eigh where dense X would take the SVD (alpha = 0)
    path = rb.ridge_path(sp.csr_matrix(X), y, [0.0, 1.0])
    assert path.solver == "eigh"
    np.testing.assert_allclose(path.coef, rb.ridge_path(X, y, [0.0, 1.0]).coef, rtol=1e-9)


def test_large_column_means_do_not_cancel():
    # a dense column 1e6 + N(0, 1) beside sparse ones: X^T W X - (sum w) xbar xbar^T
    # would keep ~4 of 16 digits of its variance; the split by the sparsity pattern
    # centres it entry by entry, as the dense code does
    rng = np.random.default_rng(2)
    n = 400
    X = random_sparse(rng, n, 6, 0.1, 0.0)
    X[:, 0] = 1e6 + rng.normal(size=n)
    X[:, 3] = np.where(rng.random(n) < 0.9, 5e4 + rng.normal(size=n), 0.0)
    y = X[:, 0] - 1e6 + 0.5 * X[:, 1] + rng.normal(size=n) * 0.1
    w = rng.uniform(0.5, 2.0, n)
    dense = rb.ridge(X, y, 1e-3, sample_weight=w)
    sparse = rb.ridge(sp.csr_matrix(X), y, 1e-3, sample_weight=w)
    # the data's own rounding (1e6 * eps relative to a spread of 1) bounds the agreement
    np.testing.assert_allclose(sparse.coef, dense.coef, rtol=1e-8, atol=1e-9)
    # the textbook formula fails this comparison (the test can tell)
    v = w / w.sum()
    xbar = v @ X
    G = X.T @ (w[:, None] * X) - w.sum() * np.outer(xbar, xbar)
    R = X.T @ (w * (y - v @ y))
    naive = np.linalg.solve(G + 1e-3 * np.eye(6), R)
    assert np.abs(naive - dense.coef).max() > 1e-6


def test_formats_indices_and_duplicates():
    rng = np.random.default_rng(3)
    X = random_sparse(rng, 25, 4, 0.4, 1.0)
    y = rng.normal(size=25)
    ref = rb.ridge(X, y, 0.5)
    csr = sp.csr_matrix(X)
    wide = csr.copy()
    wide.indices, wide.indptr = csr.indices.astype(np.int64), csr.indptr.astype(np.int64)
    assert wide.indices.dtype == wide.indptr.dtype == np.int64
    coo = sp.coo_matrix(X)
    # duplicates: each value split into two halves, summed as toarray() would
    dup = sp.coo_matrix(
        (np.r_[coo.data / 2, coo.data / 2], (np.r_[coo.row, coo.row], np.r_[coo.col, coo.col])),
        shape=X.shape,
    )
    unsorted = sp.csr_matrix(X)
    unsorted.indices = unsorted.indices.copy()
    for i in range(25):  # reverse each row's entries: non-canonical, no duplicates
        a, b = unsorted.indptr[i], unsorted.indptr[i + 1]
        unsorted.indices[a:b] = unsorted.indices[a:b][::-1].copy()
        unsorted.data[a:b] = unsorted.data[a:b][::-1].copy()
    unsorted.has_sorted_indices = False
    for fmt in (wide, coo, dup, unsorted, sp.lil_matrix(X), sp.dok_matrix(X), sp.bsr_matrix(X)):
        np.testing.assert_allclose(rb.ridge(fmt, y, 0.5).coef, ref.coef, rtol=1e-12)
    np.testing.assert_allclose(rb.ridge(sp.dia_matrix(X), y, 0.5).coef, ref.coef, rtol=1e-12)


def test_bad_input():
    rng = np.random.default_rng(4)
    X = sp.csr_matrix(random_sparse(rng, 10, 3, 0.5, 0.0))
    y = rng.normal(size=10)
    bad = X.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="sparse.*NaN or infinity"):
        rb.ridge(bad, y)
    bad.data[0] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        rb.ridge_path(bad, y, [1.0, 2.0])
    with pytest.raises(ValueError, match="NaN or infinity"):
        rb.ridge(X, np.r_[y[:-1], np.nan])
    with pytest.raises(ValueError, match="10 rows but y has 9"):
        rb.ridge(X, y[:9])
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        rb.ridge(X, y, sample_weight=np.ones(9))
    with pytest.raises(TypeError, match="complex"):
        rb.ridge(X.astype(np.complex128), y)
    with pytest.raises(
        ValueError, match="solver='svd' does not support sparse X.*'auto', 'cholesky', 'eigh'"
    ):
        rb.ridge(X, y, solver="svd")
    with pytest.raises(ValueError, match="svd"):
        rb.ridge_cv(X, y, [1.0, 2.0], solver="svd")
    with pytest.raises(ValueError, match="2-D"):
        rb.ridge(sp.coo_array(np.ones(10)), y)
    with pytest.raises(ValueError, match="shape"):
        rb.ridge(X, y).predict(sp.csr_matrix(np.ones((2, 4))))


def test_core_checks_the_csr_structure():
    Y = np.ones((2, 1))
    A = np.ones((1, 1))
    fit = _core.fit_sparse_float64
    ok = (np.array([0, 1, 2]), np.array([0, 1]), np.array([1.0, 2.0]))
    fit(*ok, 2, 2, Y, None, A, "cholesky", True, False, 0.0)
    with pytest.raises(ValueError, match="out of range"):
        fit(ok[0], np.array([0, 2]), ok[2], 2, 2, Y, None, A, "cholesky", True, False, 0.0)
    with pytest.raises(ValueError, match="twice"):
        fit(
            np.array([0, 2, 2]), np.array([1, 1]), ok[2], 2, 2, Y, None, A, "eigh", True, False, 0.0
        )
    with pytest.raises(ValueError, match="indptr"):
        fit(np.array([0, 2, 1]), ok[1], ok[2], 2, 2, Y, None, A, "eigh", True, False, 0.0)
    with pytest.raises(ValueError, match="svd"):
        fit(*ok, 2, 2, Y, None, A, "svd", True, False, 0.0)


def test_singular_gram():
    # a column that is all zero: Cholesky of the Gram at alpha = 0 fails; "auto" then
    # solves by the eigenvalues (the minimum-norm solution, as the dense SVD's)
    rng = np.random.default_rng(5)
    X = random_sparse(rng, 30, 4, 0.5, 0.0)
    X[:, 2] = 0.0
    y = rng.normal(size=30)
    with pytest.raises(np.linalg.LinAlgError):
        rb.ridge(sp.csr_matrix(X), y, 0.0, solver="cholesky")
    r = rb.ridge(sp.csr_matrix(X), y, 0.0)
    assert r.solver == "eigh"
    np.testing.assert_allclose(r.coef, rb.ridge(X, y, 0.0).coef, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("cv", ["gcv", "loo", 4, "bootstrap"])
@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_cv_matches_dense(cv, weighted):
    rng = np.random.default_rng(6)
    X = random_sparse(rng, 60, 8, 0.3, 2.0)
    X[:, 0] = 1e4 + rng.normal(size=60)
    Y = X[:, :2] @ [[1.0, 0.5], [-1.0, 2.0]] + rng.normal(size=(60, 2))
    w = rng.uniform(0.5, 2.0, 60) if weighted else None
    alphas = [0.01, 0.3, 3.0, 30.0]
    kw = dict(cv=cv, sample_weight=w, warn_edges=False, alpha_per_target=True)
    dense = rb.ridge_cv(X, Y, alphas, **kw)
    sparse = rb.ridge_cv(sp.csc_matrix(X), Y, alphas, **kw)
    np.testing.assert_allclose(sparse.scores, dense.scores, rtol=1e-9)
    np.testing.assert_array_equal(sparse.alpha, dense.alpha)
    np.testing.assert_allclose(sparse.coef, dense.coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(sparse.dof, dense.dof, rtol=1e-9)
    np.testing.assert_allclose(sparse.predict(sp.csr_matrix(X)), dense.predict(X), rtol=1e-8)


def test_ridge_cv_scorings_and_no_intercept():
    rng = np.random.default_rng(7)
    X = random_sparse(rng, 40, 5, 0.4, 0.0)
    y = X @ rng.normal(size=5) + rng.normal(size=40)
    for scoring in ("r2", "corr"):
        kw = dict(cv=5, scoring=scoring, fit_intercept=False, warn_edges=False)
        d = rb.ridge_cv(X, y, [0.1, 1.0, 10.0], **kw)
        s = rb.ridge_cv(sp.csr_matrix(X), y, [0.1, 1.0, 10.0], **kw)
        np.testing.assert_allclose(s.scores, d.scores, rtol=1e-9)
    d = rb.ridge_cv(X, y, [0.1, 1.0], cv="loo", fit_intercept=False, warn_edges=False)
    s = rb.ridge_cv(
        sp.csr_matrix(X), y, [0.1, 1.0], cv="loo", fit_intercept=False, warn_edges=False
    )
    np.testing.assert_allclose(s.scores, d.scores, rtol=1e-9)


@pytest.mark.parametrize(
    "scheme,block_len",
    [("multinomial", None), ("poisson", None), ("multinomial", 5), ("poisson", 4)],
)
def test_bootstrap_matches_dense(scheme, block_len):
    rng = np.random.default_rng(8)
    X = random_sparse(rng, 80, 6, 0.3, 1.0)
    X[:, 1] = 1e3 + rng.normal(size=80)
    Y = X[:, :2] @ [[1.0, 0.5], [-1.0, 2.0]] + rng.normal(size=(80, 2))
    w = rng.uniform(0.5, 2.0, 80)
    kw = dict(n_boot=40, seed=3, scheme=scheme, block_len=block_len, sample_weight=w, oob=True)
    dense = rb.bootstrap(X, Y, [0.1, 10.0], **kw)
    sparse = rb.bootstrap(sp.csr_matrix(X), Y, [0.1, 10.0], **kw)
    assert sparse.n_valid == dense.n_valid
    assert sparse.solver == dense.solver
    for name in ("coefs", "intercepts", "coef_mean", "coef_std", "intercept_mean", "oob_mse"):
        np.testing.assert_allclose(
            getattr(sparse, name), getattr(dense, name), rtol=1e-8, atol=1e-9, err_msg=name
        )
    np.testing.assert_allclose(sparse.err632, dense.err632, rtol=1e-8)
    np.testing.assert_allclose(sparse.err632plus, dense.err632plus, rtol=1e-8)
    with pytest.raises(TypeError, match="dense X"):
        sparse.coef_cov_analytic()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bootstrap_bits_do_not_depend_on_threads(dtype):
    rng = np.random.default_rng(9)
    X = sp.csr_matrix(random_sparse(rng, 120, 7, 0.25, 0.5).astype(dtype))
    y = rng.normal(size=120).astype(dtype)
    runs = [
        rb.bootstrap(X, y, [0.5, 5.0], n_boot=50, seed=11, n_threads=k, scheme="poisson", oob=True)
        for k in (1, 2, 3)
    ]
    for r in runs[1:]:
        for name in ("coefs", "coef_mean", "coef_std", "intercept_std", "oob_mse"):
            np.testing.assert_array_equal(getattr(r, name), getattr(runs[0], name), err_msg=name)
    assert runs[0].coefs.dtype == dtype


def test_bootstrap_solvers_and_explicit_draws():
    rng = np.random.default_rng(10)
    X = random_sparse(rng, 50, 5, 0.4, 0.0)
    y = rng.normal(size=50)
    for solver in ("cholesky", "eigh"):
        d = rb.bootstrap(X, y, 1.0, n_boot=20, solver=solver, fit_intercept=False)
        s = rb.bootstrap(sp.csc_matrix(X), y, 1.0, n_boot=20, solver=solver, fit_intercept=False)
        np.testing.assert_allclose(s.coefs, d.coefs, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="svd"):
        rb.bootstrap(sp.csr_matrix(X), y, 1.0, n_boot=20, solver="svd")


def test_interpolating_sparse_fit_warns_as_dense_does():
    X = np.random.default_rng(0).standard_normal((10, 20))
    y = np.arange(10.0)
    with pytest.warns(rb.InterpolationWarning, match="interpolates"):
        rb.ridge(sp.csr_array(X), y, 0.0)
