"""Pinned fuzz cases: fixed hostile inputs, and a ``test_bug_*`` per bug the fuzzing found."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import ridgeboot as rb
from screening import (
    BIG_MACHINE,
    QUICK_S,
    SOLVER_NAMES,
    all_finite,
    arg,
    call,
    check_common,
    check_raised,
    run_cli,
    undocumented_warnings,
)

# ---------------------------------------------------------------------------------------------
# fixed hostile cases that need no generator


@pytest.mark.parametrize("n_boot", [2**40, 2**64, 2**32])
def test_huge_n_boot_is_refused_quickly(n_boot):
    if BIG_MACHINE:
        pytest.skip("more than 128 GiB of memory: 2**32 - 1 kept replicates might fit")
    X = np.random.default_rng(0).standard_normal((10, 3))
    y = X[:, 0]
    out = call(rb.bootstrap, X, y, 1.0, n_boot)
    check_common(out, finite_input=True, budget=QUICK_S)
    check_raised(out, arg("n_boot"))
    # keeping the coefficients of 2**32 - 1 replicates cannot fit: refused before allocating
    out = call(rb.bootstrap, X, y, [1.0, 2.0], 2**32 - 1)
    check_common(out, finite_input=True, budget=QUICK_S)
    assert isinstance(out.error, MemoryError) and "keep_coefs" in str(out.error)


@pytest.mark.parametrize("n", [2**20, 2**32 - 1])
def test_bootstrap_counts_too_big_for_memory_is_refused_quickly(n):
    # 2**52 B (beyond the address space, so even an overcommitting kernel refuses) and 2**66 B
    # (beyond numpy's size limit): refused at once, whatever the machine
    out = call(rb.bootstrap_counts, n, 2**32 - 1)
    check_common(out, finite_input=True, budget=QUICK_S)
    assert isinstance(out.error, (MemoryError, ValueError)), out.message


@pytest.mark.parametrize(
    "view",
    ["reversed", "strided", "negative-both", "fortran", "broadcast", "readonly"],
)
@pytest.mark.parametrize("solver", SOLVER_NAMES)
def test_views_give_the_contiguous_answer(view, solver):
    g = np.random.default_rng(1)
    base = g.standard_normal((12, 10))
    X = {
        "reversed": base[::-1, :5],
        "strided": base[:, ::2],
        "negative-both": base[::-1, ::-2],
        "fortran": np.asfortranarray(base[:, :5]),
        "broadcast": np.broadcast_to(base[0, :5], (12, 5)),
        "readonly": base[:, :5].copy(),
    }[view]
    if view == "readonly":
        X.setflags(write=False)
    y = g.standard_normal(12)
    w = g.uniform(0.5, 2, 12)[::-1]  # negative-stride weights
    got = rb.ridge(X, y, 0.5, solver=solver, sample_weight=w)
    want = rb.ridge(np.array(X), y, 0.5, solver=solver, sample_weight=np.array(w))
    np.testing.assert_allclose(got.coef, want.coef, rtol=1e-12, atol=1e-14)
    boot = rb.bootstrap(X, y, 0.5, 8, solver=solver, sample_weight=w, seed=3)
    boot_c = rb.bootstrap(np.array(X), y, 0.5, 8, solver=solver, sample_weight=np.array(w), seed=3)
    np.testing.assert_allclose(boot.coefs, boot_c.coefs, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# regression tests for the library bugs the fuzzing found (all fixed)


def _xy(n: int = 10, p: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    g = np.random.default_rng(seed)
    X = g.standard_normal((n, p))
    return X, X @ np.arange(1.0, p + 1) + 0.1 * g.standard_normal(n)


@pytest.mark.parametrize("where", ["alpha", "sample_weight"])
def test_bug_float32_overflow_in_cast(where):
    X, y = _xy()
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    kwargs = {"alpha": 1e300} if where == "alpha" else {"sample_weight": np.r_[1e300, np.ones(9)]}
    out = call(rb.ridge, X32, y32, **kwargs)
    assert not undocumented_warnings(out), undocumented_warnings(out)
    if out.error is None:  # computing in float64 is fine too, but not alpha = inf
        assert out.value.alpha == 1e300
    else:
        check_raised(out, arg(where))
        assert "NaN or infinity" not in str(out.error)  # the value given was finite


@pytest.mark.parametrize("alpha", [1e-300, 5e-324])
def test_bug_eigh_tiny_alpha_on_singular_gram(alpha):
    X, y = _xy()
    X = np.column_stack([X, X])  # duplicate columns: singular Gram
    out = call(rb.ridge, X, y, alpha, solver="eigh")
    assert out.error is None, out.message
    svd = rb.ridge(X, y, alpha, solver="svd")  # ~ the minimum-norm solution, as it should be
    assert all_finite(out.value.coef)
    np.testing.assert_allclose(out.value.coef, svd.coef, rtol=1e-6, atol=1e-6)


def test_bug_gcv_divide_by_zero_warning():
    X = np.random.default_rng(0).standard_normal((5, 10))
    y = np.arange(5.0)
    out = call(rb.ridge_cv, X, y, [0.0, 1.0], cv="gcv", warn_edges=False)
    assert out.error is None, out.message
    assert not undocumented_warnings(out), undocumented_warnings(out)


@pytest.mark.parametrize("n_boot", [2**50, 2**63])
def test_bug_ridge_cv_huge_n_boot(n_boot):
    X, y = _xy()
    out = call(rb.ridge_cv, X, y, [1.0, 2.0], cv="bootstrap", n_boot=n_boot)
    check_common(out, finite_input=True, budget=QUICK_S)
    check_raised(out, arg("n_boot"))


def test_bug_ridge_cv_n_boot_memory_not_checked(monkeypatch):
    from ridgeboot import _validation

    monkeypatch.setattr(_validation, "available_memory", lambda: 1 << 10)  # 1 KiB "free"
    X, y = _xy(n=50)
    out = call(rb.ridge_cv, X, y, [1.0, 2.0], cv="bootstrap", n_boot=200)  # ~40 KiB of counts
    assert isinstance(out.error, MemoryError), out.message or "returned"


def test_bug_bootstrap_counts_memory_not_checked(monkeypatch):
    from ridgeboot import _validation

    monkeypatch.setattr(_validation, "available_memory", lambda: 1 << 10)  # 1 KiB "free"
    out = call(rb.bootstrap_counts, 100, 1000)  # 400 KB
    assert isinstance(out.error, MemoryError), out.message or "returned"


def test_bug_ridge_cv_heldout_fraction_type():
    X, y = _xy()
    out = call(rb.ridge_cv, X, y, [1.0, 2.0], cv="bootstrap", heldout_fraction="0.2")
    check_raised(out, arg("heldout_fraction"))


def test_bug_cli_constant_target_warns(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("a,b,y\n1,2,3\n2,1,3\n3,4,3\n4,3,3\n")
    code, _, _, outcome = run_cli(["fit", str(path), "--target", "y", "--n-boot", "5"])
    assert code == 0
    assert not undocumented_warnings(outcome), undocumented_warnings(outcome)


@pytest.mark.parametrize(
    "view", ["one-row-reversed", "one-col-reversed", "y-col-reversed", "one-weight-reversed"]
)
def test_bug_negative_stride_on_length_one_axis(view):
    X, y = _xy(n=4, p=1)
    Y, w = y[:, None], None
    if view == "one-row-reversed":
        X, Y = X[:1][::-1], Y[:1]
    elif view == "one-col-reversed":
        X = X[:, ::-1]
    elif view == "y-col-reversed":
        Y = np.array(Y)[:, ::-1]  # strides (8, -8)
    else:  # 'sample_weight must be a contiguous vector of length n'
        X, Y, w = X[:1], Y[:1], np.array([2.0])[::-1]
    out = call(rb.ridge, X, Y, 1.0, sample_weight=w)
    assert out.error is None, out.message
    want = rb.ridge(np.array(X), np.array(Y), 1.0, sample_weight=None if w is None else [2.0])
    np.testing.assert_array_equal(out.value.coef, want.coef)


def test_bug_bootstrap_dual_kernel_identical_rows():
    x = np.random.default_rng(0).standard_normal(20) * 1e100
    X = np.tile(x, (3, 1))  # identical rows: centred X is 0, the ridge weights are 0
    y = np.array([1.0, 2.0, 3.0]) * 1e100
    assert np.abs(rb.ridge(X, y, 1.0, solver="eigh").coef).max() < 1.0
    out = call(rb.bootstrap, X, y, 1.0, 10, solver="eigh")
    assert out.error is None, out.message
    assert not undocumented_warnings(out), undocumented_warnings(out)
    assert all_finite(out.value.coef_std) and np.abs(out.value.coefs).max() < 1.0


def test_bug_bca_overflow_index_error():
    X, y = _xy(n=20, p=2)
    res = rb.bootstrap(X, y * 1e120, 1.0, 50, seed=0)
    out = call(res.ci, 0.9, "bca")
    assert out.error is None, out.message
    assert not undocumented_warnings(out), undocumented_warnings(out)
    lo, hi = out.value
    assert all_finite(lo, hi) and (lo <= hi).all()


@pytest.mark.parametrize("solver", ["cholesky", "svd", "eigh"])
def test_bug_centring_residue(solver):
    y = np.array([9.1e118])
    r = rb.ridge([[0.1257]], y, 1.0, sample_weight=[2.0], solver=solver)
    assert r.coef[0] == 0.0  # one row: the centred X is 0, so is the ridge weight
    X = np.tile([[0.1257, 3.3]], (3, 1))  # identical rows: same
    r = rb.ridge(X, np.array([1.0, 2.0, 3.0]) * 1e119, 1.0, solver=solver)
    np.testing.assert_array_equal(r.coef, 0.0)


@pytest.mark.parametrize("fn", ["ridge_path", "bootstrap"])
@pytest.mark.parametrize("case", ["not-positive-definite", "ill-conditioned"])
def test_bug_auto_without_fallback(fn, case):
    g = np.random.default_rng(0)
    if case == "not-positive-definite":  # 2 rows, 3 features, ~1e100: alpha is negligible
        X, y, alpha = g.standard_normal((2, 3)) * 1e100, g.standard_normal(2) * 1e100, 0.5
    else:  # two nearly collinear columns, tiny alpha
        X = g.standard_normal((30, 3))
        X = np.column_stack([X, X[:, 0] + 1e-9 * g.standard_normal(30)])
        y, alpha = g.standard_normal(30), 1e-12
    interpolates = case == "not-positive-definite"  # alpha is nothing against a Gram ~1e200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore" if interpolates else "error", rb.InterpolationWarning)
        assert rb.ridge(X, y, alpha).solver == "svd"  # ridge falls back
    if fn == "ridge_path":
        out = call(rb.ridge_path, X, y, [alpha])
    else:
        out = call(rb.bootstrap, X, y, alpha, 5)
    assert out.error is None, out.message
    said = [str(w.message) for w in out.warnings]
    assert len(said) == interpolates, said
    assert all("interpolates the training data" in m for m in said), said
    assert out.value.solver == "svd"


@pytest.mark.parametrize(
    ("n", "cv", "scoring"), [(2, "bootstrap", "corr"), (6, 6, "corr"), (6, 6, "r2")]
)
def test_bug_cv_heldout_score_undefined(n, cv, scoring):
    X, y = _xy(n=n, p=1)
    out = call(rb.ridge_cv, X, y, [0.1, 1.0], cv=cv, scoring=scoring, warn_edges=False)
    if out.error is not None:  # refusing, naming scoring or cv, is a fix too
        check_raised(out, arg("scoring", "cv"))
        return
    assert not undocumented_warnings(out), undocumented_warnings(out)
    assert all_finite(out.value.scores), out.value.scores


def test_bug_svd_filter_overflow():
    X, y = _xy()
    X = X * 1e160
    r = rb.ridge(X, y, 0.0, solver="svd")
    Xc = X - X.mean(axis=0)
    want = np.linalg.lstsq(Xc, y - y.mean(), rcond=None)[0]
    np.testing.assert_allclose(r.coef * 1e160, want * 1e160, rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# bugs the fuzzing found when the suite was split by entry point (pinned, fixed)


def test_bug_nonfinite_data_with_auto_solver_raises_naming_the_cause():
    X = np.array([[0.1257302210933933], [0.6404226504432821], [np.nan], [1.3040000451301372]])
    y = np.array([-0.2150229338938297, -0.5130154311795775, 0.3811020105708427, -1.15017385671587])
    opts = {"scheme": "poisson", "block_len": 2, "seed": 0, "fit_intercept": False}
    out = call(rb.bootstrap, X, y, [0.1], 3, check_finite=False, **opts)
    check_common(out, finite_input=False)
    check_raised(out, "NaN or infinity")


@pytest.mark.parametrize("method", ["percentile", "basic", "bca"])
def test_bug_ci_without_finite_replicates(method):
    # an explicit Cholesky passes the NaN through: every replicate's coefficients are NaN
    X = np.array([[0.1257302210933933], [0.6404226504432821], [np.nan], [1.3040000451301372]])
    y = np.array([-0.2150229338938297, -0.5130154311795775, 0.3811020105708427, -1.15017385671587])
    opts = {"scheme": "poisson", "block_len": 2, "seed": 0, "fit_intercept": False}
    boot = call(rb.bootstrap, X, y, [0.1], 3, solver="cholesky", check_finite=False, **opts)
    assert boot.error is None, boot.message
    assert np.isnan(boot.value.coefs).all()
    out = call(boot.value.ci, 0.9, method)
    check_common(out, finite_input=False)
    assert out.error is None, out.message  # no IndexError, no 0 / 0: NaN bounds
    assert np.isnan(out.value).all()


def test_bug_bca_overflow_with_huge_weights():
    X = np.array(
        [[0.1257302210933933, 0.6404226504432821, -0.535669373161111], [1.304, -0.7, -0.6]]
    )
    y = np.array([0.1617238300044093, -2.1557502541149964])
    boot = call(rb.bootstrap, X, y, [0.1], 2, sample_weight=[1e300, 1e300], fit_intercept=False)
    # alpha = 0.1 is nothing against weights 1e300, with 3 features for 2 rows: it interpolates
    assert boot.error is None and not undocumented_warnings(boot), boot.message
    assert any(issubclass(w.category, rb.InterpolationWarning) for w in boot.warnings)
    out = call(boot.value.ci, 0.9, "bca")
    assert out.error is None, out.message
    assert not undocumented_warnings(out), undocumented_warnings(out)
    assert all_finite(*out.value)


@pytest.mark.parametrize("cv", ["gcv", "loo"])
def test_bug_ridge_cv_checks_n_threads_after_the_fit(cv):
    X = np.array([[0.1257302210933933], [np.nan]])
    y = np.array([-0.0311903232295574, -0.21265479520811645])
    out = call(rb.ridge_cv, X, y, [0.1, 0.1], cv=cv, n_threads=0, check_finite=False)
    check_raised(out, arg("n_threads"))
