"""rb.ridge / rb.ridge_path against independent numpy references (tests/reference/)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import reference as ref
import ridgeboot as rb
from reference import PROBLEM_NAMES, get_problem, nist

SOLVERS = ("cholesky", "svd", "eigh", "auto")
REAL_SOLVERS = ("cholesky", "svd", "eigh")
PATH_SOLVERS = ("svd", "eigh", "auto")
DTYPES = (np.float32, np.float64)
WEIGHTS = (None, "positive", "zeros")
# (y.ndim, alpha kind)
TARGET_CASES = ("1d-scalar", "2d-scalar", "2d-per_target")
SHAPES = {"p<n": "correlated", "p>n": "wide"}


def _id(v) -> str:
    if isinstance(v, type):
        return v.__name__
    return "w=none" if v is None else str(v)


def _cast(a, dtype):
    return None if a is None else np.array(a, dtype=dtype)


def _check_result_types(r, dtype, p: int, t: int | None, alpha) -> None:
    """Shapes and dtypes of a RidgeResult, and r.alpha echoing alpha."""
    want_coef = (p,) if t is None else (p, t)
    assert r.coef.shape == want_coef, f"coef shape {r.coef.shape}, want {want_coef}"
    assert r.coef.dtype == dtype, f"coef dtype {r.coef.dtype}, want {np.dtype(dtype)}"
    if t is None:
        assert np.ndim(r.intercept) == 0, f"intercept should be a scalar, got {r.intercept!r}"
        assert isinstance(r.intercept, (float, np.floating)), type(r.intercept)
    else:
        assert isinstance(r.intercept, np.ndarray) and r.intercept.shape == (t,)
        assert r.intercept.dtype == dtype, f"intercept dtype {r.intercept.dtype}"
    if np.ndim(alpha) == 0:
        assert np.ndim(r.alpha) == 0 and float(r.alpha) == pytest.approx(float(alpha), rel=1e-6)
    else:
        assert np.shape(r.alpha) == (t,)
        np.testing.assert_allclose(np.asarray(r.alpha, dtype=np.float64), alpha, rtol=1e-6)


def _check_predict(r, X, dtype, C: float = 100.0) -> None:
    """r.predict(X) == X @ coef + intercept, with the right shape and dtype."""
    yhat = r.predict(X)
    want_shape = (X.shape[0],) + r.coef.shape[1:]
    assert yhat.shape == want_shape, f"predict shape {yhat.shape}, want {want_shape}"
    assert yhat.dtype == dtype, f"predict dtype {yhat.dtype}, want {np.dtype(dtype)}"
    coef = np.asarray(r.coef, dtype=np.float64)
    b = np.asarray(r.intercept, dtype=np.float64)
    X64 = np.asarray(X, dtype=np.float64)
    expected = X64 @ coef + b
    bound = C * np.finfo(dtype).eps * (np.abs(X64) @ np.abs(coef) + np.abs(b))
    err = np.abs(np.asarray(yhat, dtype=np.float64) - expected)
    assert np.all(err <= bound), f"predict off by {np.max(err - bound):.3e} beyond bound"


def _target_case(case: str, prob, dtype):
    """(y, alpha, t) for a target case; alpha scaled to the problem's Gram matrix."""
    scale = prob.alpha_scale()
    if case == "1d-scalar":
        return _cast(prob.y(1), dtype), 0.3 * scale, None
    if case == "2d-scalar":
        return _cast(prob.y(2), dtype), 0.3 * scale, 3
    return _cast(prob.y(2), dtype), np.array([0.03, 0.3, 3.0]) * scale, 3


# ----------------------------------------------------------------------------------------------
# the reference and tolerance themselves
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
@pytest.mark.parametrize("name", ["well_conditioned", "correlated", "wide"])
def test_tolerance_detects_plausible_bugs(name, dtype, rng):
    """The comparison used everywhere rejects fits with typical implementation bugs."""
    prob = get_problem(name)
    X = prob.X.astype(dtype).astype(np.float64)
    y = prob.y(2).astype(dtype).astype(np.float64)
    w = ref.make_weights("positive", prob.n, rng)
    alpha = 0.3 * prob.alpha_scale()
    good = ref.ridge_reference(X, y, alpha, True, w)
    ref.assert_ridge_close(good.coef, good.intercept, X, y, alpha, sample_weight=w, dtype=dtype)
    c = ref.centered_problem(X, y, w, True)
    unweighted_means = ref.ridge_reference(X - X.mean(0), y - y.mean(0), alpha, False, w)
    bugs = {
        "alpha+1": ref.ridge_reference(X, y, alpha + 1.0, True, w),
        "alpha*n": ref.ridge_reference(X, y, alpha * prob.n, True, w),
        "alpha*sum(w)/n": ref.ridge_reference(X, y, alpha * w.sum() / prob.n, True, w),
        "no weights": ref.ridge_reference(X, y, alpha, True, None),
        "weights squared": ref.ridge_reference(X, y, alpha, True, w**2),
        "no centring": ref.ridge_reference(X, y, alpha, False, w),
        "unweighted means": ref.RefFit(
            unweighted_means.coef, y.mean(0) - X.mean(0) @ unweighted_means.coef
        ),
        "intercept from unweighted means": ref.RefFit(good.coef, y.mean(0) - X.mean(0) @ good.coef),
        "intercept sign": ref.RefFit(good.coef, c.ybar + c.xbar @ good.coef),
    }
    for bug, fit in bugs.items():
        with pytest.raises(AssertionError):
            ref.assert_ridge_close(
                fit.coef, fit.intercept, X, y, alpha, sample_weight=w, dtype=dtype, err_msg=bug
            )


# ----------------------------------------------------------------------------------------------
# rb.ridge against the reference: the full matrix
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
@pytest.mark.parametrize("target_case", TARGET_CASES)
@pytest.mark.parametrize("weights", WEIGHTS, ids=_id)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_ridge_matches_reference(solver, fit_intercept, weights, target_case, dtype, shape, rng):
    prob = get_problem(SHAPES[shape])
    X = _cast(prob.X, dtype)
    y, alpha, t = _target_case(target_case, prob, dtype)
    w = _cast(ref.make_weights(weights, prob.n, rng), dtype)
    r = rb.ridge(X, y, alpha, solver=solver, fit_intercept=fit_intercept, sample_weight=w)

    _check_result_types(r, dtype, prob.p, t, alpha)
    if solver == "auto":
        assert r.solver in REAL_SOLVERS
        if np.ndim(alpha) == 0:
            assert r.solver == "cholesky", "auto with one alpha > 0 should run cholesky"
    else:
        assert r.solver == solver
    if not fit_intercept:
        assert np.all(np.asarray(r.intercept) == 0)
    ref.assert_ridge_close(
        r.coef,
        r.intercept,
        X,
        y,
        alpha,
        fit_intercept=fit_intercept,
        sample_weight=w,
        dtype=dtype,
        err_msg=f"solver={solver} ran={r.solver}",
    )
    _check_predict(r, X, dtype)


@pytest.mark.parametrize("weights", WEIGHTS, ids=_id)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
def test_solvers_agree(problem, fit_intercept, weights, rng):
    """All solvers give the reference answer (hence each other's) on every problem."""
    X, y = np.array(problem.X), problem.y(2)
    w = ref.make_weights(weights, problem.n, rng)
    alpha = 1e-3 * problem.alpha_scale()
    fits = {
        s: rb.ridge(X, y, alpha, solver=s, fit_intercept=fit_intercept, sample_weight=w)
        for s in SOLVERS
    }
    for s, r in fits.items():
        ref.assert_ridge_close(
            r.coef,
            r.intercept,
            X,
            y,
            alpha,
            fit_intercept=fit_intercept,
            sample_weight=w,
            err_msg=f"solver={s} on {problem.name}",
        )
    rtol = 2 * ref.tolerance(X, np.float64, alpha, sample_weight=w, fit_intercept=fit_intercept)
    base = fits["svd"]
    for s, r in fits.items():
        pred, pred0 = r.predict(X), base.predict(X)
        scale = np.abs(pred0).max(axis=0)
        assert np.all(np.abs(pred - pred0).max(axis=0) <= rtol * scale), (s, problem.name)


@pytest.mark.parametrize("solver", SOLVERS)
def test_solvers_agree_float32(full_rank_problem, solver):
    """float32 fits of the full-rank problems match the float64 reference at float32 tolerance."""
    prob = full_rank_problem
    X = prob.X.astype(np.float32)
    y = prob.y(2).astype(np.float32)
    alpha = 0.1 * prob.alpha_scale()
    rtol = ref.tolerance(X, np.float32, alpha)
    assert rtol < 0.1, "problem too ill-conditioned for a meaningful float32 comparison"
    r = rb.ridge(X, y, alpha, solver=solver)
    assert r.coef.dtype == np.float32
    ref.assert_ridge_close(r.coef, r.intercept, X, y, alpha, dtype=np.float32, rtol=rtol)


def test_auto_reports_solver(make_problem):
    prob = make_problem("correlated")
    X, y = prob.X, prob.y(2)
    assert rb.ridge(X, y, 1.0).solver == "cholesky"
    assert rb.ridge(X, y, 0.0).solver == "svd"
    assert rb.ridge(X, y, np.array([0.0, 1.0, 2.0])).solver == "svd"
    assert rb.ridge(X, y, np.array([1.0, 2.0, 3.0])).solver in REAL_SOLVERS
    # many distinct per-target alphas: not cholesky's "few"
    Y = np.tile(y, 20)
    r = rb.ridge(X, Y, np.logspace(-2, 3, Y.shape[1]))
    assert r.solver in ("cholesky", "eigh")
    ref.assert_ridge_close(r.coef, r.intercept, X, Y, np.logspace(-2, 3, Y.shape[1]))


def test_per_target_alpha_equals_separate_fits(make_problem):
    prob = make_problem("well_conditioned")
    X, Y = prob.X, prob.y(2)
    alphas = np.array([0.5, 50.0, 5000.0])
    for solver in SOLVERS:
        r = rb.ridge(X, Y, alphas, solver=solver)
        for j, a in enumerate(alphas):
            rj = rb.ridge(X, Y[:, j], a, solver=solver)
            rtol = ref.tolerance(X, np.float64, a)
            ref.assert_normwise_close(r.coef[:, j], rj.coef, rtol, rtol * np.linalg.norm(rj.coef))
            assert r.intercept[j] == pytest.approx(rj.intercept, rel=rtol, abs=rtol)


def test_result_is_frozen_dataclass(make_problem):
    prob = make_problem("well_conditioned")
    r = rb.ridge(prob.X, prob.y(1), 1.0)
    assert dataclasses.is_dataclass(r)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.coef = np.zeros(prob.p)


# ----------------------------------------------------------------------------------------------
# ridge_path
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
@pytest.mark.parametrize("ydim", [1, 2], ids=["y1d", "y2d"])
@pytest.mark.parametrize("weights", WEIGHTS, ids=_id)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
@pytest.mark.parametrize("solver", PATH_SOLVERS)
def test_ridge_path_matches_fits_and_reference(
    solver, shape, fit_intercept, weights, ydim, dtype, rng
):
    prob = get_problem(SHAPES[shape])
    X = _cast(prob.X, dtype)
    y = _cast(prob.y(ydim), dtype)
    w = _cast(ref.make_weights(weights, prob.n, rng), dtype)
    # deliberately unsorted; order must be kept
    alphas = np.array([1.0, 1e-2, 100.0, 0.1, 3.0]) * prob.alpha_scale()
    path = rb.ridge_path(X, y, alphas, solver=solver, fit_intercept=fit_intercept, sample_weight=w)
    k, p = alphas.size, prob.p
    tail = () if ydim == 1 else (3,)
    assert path.coef.shape == (k, p, *tail) and path.coef.dtype == dtype
    assert np.shape(path.intercept) == (k, *tail)
    assert np.asarray(path.intercept).dtype == dtype
    np.testing.assert_allclose(np.asarray(path.alphas, dtype=np.float64), alphas, rtol=1e-6)
    assert path.solver in ("svd", "eigh")
    if solver != "auto":
        assert path.solver == solver
    pred = path.predict(X)
    assert pred.shape == (k, prob.n, *tail) and pred.dtype == dtype

    for i, a in enumerate(alphas):
        msg = f"path[{i}] alpha={a:.3g} solver={path.solver}"
        kw = dict(fit_intercept=fit_intercept, sample_weight=w, dtype=dtype, err_msg=msg)
        ref.assert_ridge_close(path.coef[i], path.intercept[i], X, y, a, **kw)
        single = rb.ridge(X, y, a, solver=path.solver, fit_intercept=fit_intercept, sample_weight=w)
        ref.assert_ridge_close(
            path.coef[i],
            path.intercept[i],
            X,
            y,
            a,
            ref=ref.RefFit(single.coef, np.asarray(single.intercept, dtype=np.float64)),
            **kw,
        )
        expected = ref.predict_reference(path.coef[i], path.intercept[i], X)
        np.testing.assert_allclose(
            pred[i],
            expected,
            rtol=100 * np.finfo(dtype).eps,
            atol=100 * np.finfo(dtype).eps * np.abs(expected).max(),
            err_msg=msg,
        )


def test_ridge_path_with_zero_alpha_is_minnorm(make_problem):
    prob = make_problem("rank_deficient")
    X, y = prob.X, prob.y(2)
    alphas = np.array([0.0, 1.0, 10.0])
    path = rb.ridge_path(X, y, alphas, solver="svd")
    mn = ref.ridge_lstsq_minnorm(X, y)
    ref.assert_ridge_close(path.coef[0], path.intercept[0], X, y, 0.0, ref=mn)
    for i in (1, 2):
        ref.assert_ridge_close(path.coef[i], path.intercept[i], X, y, alphas[i])
    assert rb.ridge_path(X, y, alphas).solver == "svd"


@pytest.mark.parametrize("solver", ["eigh", "auto"])
def test_ridge_path_alpha_whose_reciprocal_overflows(solver, make_problem):
    # 5e-324 is a positive alpha whose reciprocal overflows. A zero Gram (one row,
    # centred) gives the zero slope; a full-rank one gives the least-squares fit.
    path = rb.ridge_path([[0.125]], [0.5], [0.1, 5e-324], solver=solver)
    np.testing.assert_array_equal(path.coef, [[0.0], [0.0]])
    np.testing.assert_array_equal(path.intercept, [0.5, 0.5])
    prob = make_problem("well_conditioned")
    X, y = prob.X, prob.y(None)
    path = rb.ridge_path(X, y, [1.0, 5e-324], solver=solver)
    ref.assert_ridge_close(path.coef[1], path.intercept[1], X, y, 0.0)


@pytest.mark.parametrize("solver", ["cholesky", "eigh"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fit_about_a_misleading_shift_keeps_its_digits(solver, dtype, rng):
    # The primal route gathers rows about the means of 64 evenly spread rows, then
    # corrects by a rank-one term. Here those 64 rows (every 4th of 256) sit at 1e3 in
    # column 0 with weights of 1e-8, the weighted bulk near 0: the correction alone
    # would cancel ~20 bits, so the fit is redone about its exact means. (Without the
    # redo this comparison fails by factors of 30 to 300.)
    n, p = 256, 3
    X = rng.standard_normal((n, p)) + [0.5, -1.0, 2.0]
    X[::4, 0] = 1e3
    w = np.ones(n)
    w[::4] = 1e-8
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(n)
    X, y, w = X.astype(dtype), y.astype(dtype), w.astype(dtype)
    for alpha in (1e-3, 1.0):
        fit = rb.ridge(X, y, alpha, sample_weight=w, solver=solver)
        ref.assert_ridge_close(fit.coef, fit.intercept, X, y, alpha, sample_weight=w, dtype=dtype)


# ----------------------------------------------------------------------------------------------
# alpha = 0 and ill-conditioned problems
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("weights", WEIGHTS, ids=_id)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("name", ["rank_deficient", "wide"])
@pytest.mark.parametrize("solver", ["svd", "auto"])
# the wide problems interpolate and say so (tests/test_interpolation_warning.py)
@pytest.mark.filterwarnings("ignore::ridgeboot.InterpolationWarning")
def test_svd_alpha_zero_is_lstsq_minnorm(solver, name, fit_intercept, weights, rng):
    prob = get_problem(name)
    X, y = np.array(prob.X), prob.y(2)
    w = ref.make_weights(weights, prob.n, rng)
    r = rb.ridge(X, y, 0.0, solver=solver, fit_intercept=fit_intercept, sample_weight=w)
    assert r.solver == "svd"
    mn = ref.ridge_lstsq_minnorm(X, y, fit_intercept, w)
    ref.assert_ridge_close(
        r.coef, r.intercept, X, y, 0.0, fit_intercept=fit_intercept, sample_weight=w, ref=mn
    )
    if name == "rank_deficient":
        # the min-norm solution lies in the row space: the zero column gets 0, and the exact
        # dependencies x5 = 2 x0, x6 = -x1, x7 = x2 / 2 show up in the coefficients
        rtol = ref.tolerance(X, np.float64, 0.0, sample_weight=w, fit_intercept=fit_intercept)
        cn = np.linalg.norm(r.coef, axis=0)
        assert np.all(np.abs(r.coef[8]) <= rtol * cn)
        np.testing.assert_allclose(r.coef[5], 2 * r.coef[0], atol=rtol * cn.max())
        np.testing.assert_allclose(r.coef[6], -r.coef[1], atol=rtol * cn.max())
        np.testing.assert_allclose(r.coef[7], 0.5 * r.coef[2], atol=rtol * cn.max())


@pytest.mark.parametrize("name", ["rank_deficient", "wide"])
def test_svd_small_alpha_converges_to_minnorm(name):
    """||w(alpha) - w_mn|| <= alpha / lambda_min_kept * ||w_mn|| (+ tolerance) as alpha -> 0."""
    prob = get_problem(name)
    X, y = prob.X, prob.y(2)
    mn = ref.ridge_lstsq_minnorm(X, y)
    c = ref.centered_problem(X, y)
    s = np.linalg.svd(c.Xc, compute_uv=False)
    lam_min = s[s > ref.default_rcond(np.float64, *X.shape) * s[0]].min() ** 2
    rtol0 = ref.tolerance(X, np.float64, 0.0)
    errs = []
    for rel in (1e-2, 1e-4, 1e-6):
        alpha = rel * prob.alpha_scale()
        r = rb.ridge(X, y, alpha, solver="svd")
        err = np.linalg.norm(r.coef - mn.coef, axis=0) / np.linalg.norm(mn.coef, axis=0)
        bound = 2 * alpha / lam_min + rtol0
        assert np.all(err <= bound), f"alpha={alpha:.2e}: rel. distance {err} > {bound:.2e}"
        errs.append(err.max())
    assert errs[0] > errs[1] > errs[2]


def _vandermonde(case: str):
    if case == "unit_deg10":
        x = np.linspace(0.0, 1.0, 50)
        deg = 10
    else:  # shifted: much worse conditioned after centring (cond ~ 1e12)
        x = np.linspace(1.0, 2.0, 60)
        deg = 10
    X = np.column_stack([x**k for k in range(1, deg + 1)])
    y = np.sin(4 * x) + 1e-3 * np.random.default_rng(7).normal(size=x.size)
    return X, y


@pytest.mark.parametrize("weights", [None, "positive"], ids=_id)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("case", ["unit_deg10", "shifted_deg10"])
def test_vandermonde_alpha_zero_svd_as_accurate_as_lstsq(case, fit_intercept, weights):
    """Badly conditioned polynomial LS: svd within ~one digit of lstsq, both vs exact rationals."""
    X, y = _vandermonde(case)
    w = ref.make_weights(weights, X.shape[0], np.random.default_rng(3))
    cond = math.sqrt(ref.condition_number(X, 0.0, sample_weight=w, fit_intercept=fit_intercept))
    assert cond < 0.05 / ref.default_rcond(np.float64, *X.shape), "no rank truncation wanted"
    exact = ref.ridge_exact(X, y, 0.0, fit_intercept, w)
    lsq = ref.ridge_lstsq_minnorm(X, y, fit_intercept, w)
    r = rb.ridge(X, y, 0.0, solver="svd", fit_intercept=fit_intercept, sample_weight=w)

    def relerr(coef):
        return np.linalg.norm(coef - exact.coef) / np.linalg.norm(exact.coef)

    e_rb, e_lsq = relerr(r.coef), relerr(lsq.coef)
    e_normal = relerr(ref.ridge_reference(X, y, 0.0, fit_intercept, w).coef)
    msg = (
        f"cond(Xc)={cond:.1e}: rel. error svd {e_rb:.2e}, lstsq {e_lsq:.2e}, "
        f"normal equations {e_normal:.2e}"
    )
    assert e_normal > 1e3 * e_lsq, "test problem not hard enough: " + msg
    # "about one digit": the two SVD codes differ by up to ~8x here; normal equations by 1e4+
    assert e_rb <= 20 * e_lsq + 1e-15, msg
    # the intercept adds no error of its own: |b - b_exact| is explained by xbar . (w - w_exact)
    c = ref.centered_problem(X, y, w, fit_intercept)
    explained = abs(c.xbar @ (r.coef - exact.coef))
    rounding = 100 * np.finfo(float).eps * (abs(c.ybar[0]) + np.abs(c.xbar) @ np.abs(r.coef))
    b_err = abs(r.intercept - exact.intercept)
    assert b_err <= explained + rounding, f"intercept error {b_err:.2e}; " + msg


# ----------------------------------------------------------------------------------------------
# NIST StRD
# ----------------------------------------------------------------------------------------------


NIST = nist.datasets()


@pytest.mark.parametrize("name", list(NIST))
def test_nist_strd_least_squares_at_least_as_accurate_as_lapack(name):
    """alpha = 0 on every certified dataset, in both intercept modes: at least as many
    correct digits as the best of numpy.linalg.lstsq, scipy.linalg.lstsq and statsmodels
    OLS (on the design with a ones column), measured here; Filip (cond ~1e15) >= 7."""
    X, y, intercept, cert = nist.design(NIST[name])
    best = max(nist.min_lre(c, cert) for c in nist.anchors(X, y, intercept).values())
    with_icpt = rb.ridge(X, y, 0.0, fit_intercept=intercept)
    ones = rb.ridge(nist.full_design(X, intercept), y, 0.0, fit_intercept=False)
    modes = {
        "intercept": np.r_[with_icpt.intercept, with_icpt.coef] if intercept else with_icpt.coef,
        "ones column": ones.coef,
    }
    for mode, coef in modes.items():
        got = nist.min_lre(np.atleast_1d(coef), cert)
        # (where both agree to the last digit, LRE differs by rounding in the 16th digit)
        assert got >= best - 0.05, (
            f"{name}, {mode}: {got:.2f} correct digits, best anchor {best:.2f}"
        )
        assert got >= 7, f"{name}, {mode}: {got:.2f} correct digits"
    # full rank once the columns are equilibrated: the rank used is every column
    assert with_icpt.rank == X.shape[1] and ones.rank == nist.full_design(X, intercept).shape[1]


def test_rank_deficient_least_squares_keeps_the_minimum_norm_solution():
    # an exact collinearity survives equilibration: the minimum-norm solution of the
    # unscaled problem, and the rank it used
    g = np.random.default_rng(3)
    X = g.standard_normal((30, 4))
    X = np.column_stack([X, 1000.0 * X[:, 0]])
    y = X[:, :4] @ [1.0, -1.0, 0.5, 2.0] + g.standard_normal(30)
    r = rb.ridge(X, y, 0.0)
    lsq = ref.ridge_lstsq_minnorm(X, y, True)
    assert r.rank == 4
    np.testing.assert_allclose(r.coef, lsq.coef, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# dtypes, memory layouts, read-only inputs
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("kind", ["int64", "int32", "bool", "uint8"])
def test_integer_and_bool_inputs_become_float64(kind, solver, rng):
    n, p = 40, 5
    if kind == "bool":
        X = rng.random((n, p)) < 0.5
        y = rng.random(n) < 0.5
    else:
        X = rng.integers(0, 7, (n, p)).astype(kind)
        y = rng.integers(0, 20, n).astype(kind)
    w = rng.integers(1, 4, n)
    r = rb.ridge(X, y, 2.0, solver=solver, sample_weight=w)
    assert r.coef.dtype == np.float64
    assert isinstance(r.intercept, (float, np.floating))
    assert np.asarray(r.intercept).dtype == np.float64
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    ref.assert_ridge_close(r.coef, r.intercept, X64, y64, 2.0, sample_weight=w)
    assert r.predict(X).dtype == np.float64


@pytest.mark.parametrize("dtype", DTYPES, ids=_id)
def test_float32_input_gives_float32_output(dtype, make_problem):
    prob = make_problem("well_conditioned")
    X, y = prob.X.astype(dtype), prob.y(2).astype(dtype)
    r = rb.ridge(X, y, 1.0)
    assert r.coef.dtype == dtype and r.intercept.dtype == dtype
    assert r.predict(X).dtype == dtype
    path = rb.ridge_path(X, y, [1.0, 2.0])
    assert path.coef.dtype == dtype and np.asarray(path.intercept).dtype == dtype


def _layouts(X, y, w):
    """(label, X, y, w) in several memory layouts, all with the same values."""
    n, p = X.shape
    big = np.zeros((2 * n, 3 * p))
    big[::2, 1::3] = X
    ybig = np.zeros((2 * n, 2 * y.shape[1]))
    ybig[::2, ::2] = y
    wbig = np.zeros(3 * n)
    wbig[::3] = w
    ro = [a.copy() for a in (X, y, w)]
    for a in ro:
        a.setflags(write=False)
    return [
        ("C", np.ascontiguousarray(X), np.ascontiguousarray(y), w.copy()),
        ("F", np.asfortranarray(X), np.asfortranarray(y), w.copy()),
        ("strided", big[::2, 1::3], ybig[::2, ::2], wbig[::3]),
        ("reversed", X[::-1][::-1], y[::-1][::-1], w[::-1][::-1]),
        ("readonly", *ro),
    ]


@pytest.mark.parametrize("ydim", [1, 2], ids=["y1d", "y2d"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_memory_layouts_give_same_answer(solver, ydim, make_problem, rng):
    prob = make_problem("correlated")
    Y = prob.y(2)
    w = ref.make_weights("zeros", prob.n, rng)
    fits = {}
    for label, X, y2, ww in _layouts(np.array(prob.X), Y, w):
        y = y2[:, 0] if ydim == 1 else y2
        r = rb.ridge(X, y, 5.0, solver=solver, sample_weight=ww)
        fits[label] = r
        ref.assert_ridge_close(
            r.coef,
            r.intercept,
            prob.X,
            Y[:, 0] if ydim == 1 else Y,
            5.0,
            sample_weight=w,
            err_msg=f"layout {label}",
        )
    rtol = ref.tolerance(prob.X, np.float64, 5.0, sample_weight=w)
    for label, r in fits.items():
        np.testing.assert_allclose(
            r.coef,
            fits["C"].coef,
            rtol=rtol,
            atol=rtol * np.abs(fits["C"].coef).max(),
            err_msg=label,
        )


def test_inputs_not_modified(make_problem, rng):
    prob = make_problem("wide")
    X, y = np.array(prob.X), prob.y(2)
    w = ref.make_weights("positive", prob.n, rng)
    X0, y0, w0 = X.copy(), y.copy(), w.copy()
    for solver in SOLVERS:
        rb.ridge(X, y, 1.0, solver=solver, sample_weight=w)
    rb.ridge_path(X, y, [1.0, 10.0], sample_weight=w)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(w, w0)


def test_predict_on_new_rows(make_problem, rng):
    prob = make_problem("well_conditioned")
    r = rb.ridge(prob.X, prob.y(2), 3.0)
    Xnew = rng.normal(size=(7, prob.p))
    np.testing.assert_allclose(r.predict(Xnew), Xnew @ r.coef + r.intercept, rtol=1e-12, atol=1e-12)
    path = rb.ridge_path(prob.X, prob.y(1), [1.0, 2.0])
    assert path.predict(Xnew).shape == (2, 7)


# ----------------------------------------------------------------------------------------------
# scikit-learn
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
@pytest.mark.parametrize("target_case", TARGET_CASES)
@pytest.mark.parametrize("weights", WEIGHTS, ids=_id)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
def test_matches_sklearn_ridge(fit_intercept, weights, target_case, shape, rng):
    linear_model = pytest.importorskip("sklearn.linear_model")
    prob = get_problem(SHAPES[shape])
    X = np.array(prob.X)
    y, alpha, t = _target_case(target_case, prob, np.float64)
    w = ref.make_weights(weights, prob.n, rng)
    sk = linear_model.Ridge(alpha=alpha, fit_intercept=fit_intercept)
    sk.fit(X, y, sample_weight=w)
    r = rb.ridge(X, y, alpha, fit_intercept=fit_intercept, sample_weight=w)
    sk_coef = sk.coef_.T if t is not None else sk.coef_
    sk_icpt = np.broadcast_to(np.asarray(sk.intercept_, dtype=np.float64), np.shape(r.intercept))
    kw = dict(fit_intercept=fit_intercept, sample_weight=w)
    ref.assert_ridge_close(sk_coef, sk_icpt, X, y, alpha, **kw, err_msg="sklearn vs reference")
    ref.assert_ridge_close(
        r.coef,
        r.intercept,
        X,
        y,
        alpha,
        **kw,
        ref=ref.RefFit(sk_coef, sk_icpt),
        err_msg="ridgeboot vs sklearn",
    )


# ----------------------------------------------------------------------------------------------
# threads
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large_problem():
    g = np.random.default_rng(99)
    n, p = 20000, 50
    X = g.normal(size=(n, p)) @ np.triu(np.full((p, p), 0.1)) + g.uniform(-1, 1, p)
    Y = X @ g.normal(size=(p, 2)) + g.normal(size=(n, 2)) + 3.0
    w = g.uniform(0.0, 2.0, n)
    return X, Y, w


@pytest.mark.parametrize("solver", SOLVERS)
def test_n_threads_bit_identical(solver, large_problem):
    X, Y, w = large_problem
    fits = [rb.ridge(X, Y, 10.0, solver=solver, sample_weight=w, n_threads=k) for k in (1, 2, 3)]
    for k, r in zip((2, 3), fits[1:]):
        assert np.array_equal(r.coef, fits[0].coef), f"coef differs, n_threads={k}"
        assert np.array_equal(r.intercept, fits[0].intercept), f"intercept differs, n_threads={k}"
    ref.assert_ridge_close(fits[0].coef, fits[0].intercept, X, Y, 10.0, sample_weight=w)


@pytest.mark.parametrize("solver", SOLVERS)
def test_float32_many_rows_accuracy(solver, large_problem):
    """float32 with n = 20000: accumulating the Gram in float32 stays at float32 tolerance."""
    X, Y, w = (a.astype(np.float32) for a in large_problem)
    r = rb.ridge(X, Y, 10.0, solver=solver, sample_weight=w)
    assert r.coef.dtype == np.float32
    ref.assert_ridge_close(
        r.coef, r.intercept, X, Y, 10.0, sample_weight=w, dtype=np.float32, err_msg=solver
    )


@pytest.mark.parametrize("solver", PATH_SOLVERS)
def test_ridge_path_n_threads_bit_identical(solver, large_problem):
    X, Y, w = large_problem
    alphas = [0.1, 10.0, 1000.0]
    paths = [
        rb.ridge_path(X, Y, alphas, solver=solver, sample_weight=w, n_threads=k) for k in (1, 2, 3)
    ]
    for k, pth in zip((2, 3), paths[1:]):
        assert np.array_equal(pth.coef, paths[0].coef), f"coef differs, n_threads={k}"
        assert np.array_equal(pth.intercept, paths[0].intercept), f"n_threads={k}"


@pytest.mark.parametrize("name", PROBLEM_NAMES)
def test_repeated_calls_identical(name):
    """Same input twice gives the same bits (no uninitialised scratch memory)."""
    prob = get_problem(name)
    a = rb.ridge(prob.X, prob.y(2), 1.0, solver="svd")
    b = rb.ridge(prob.X, prob.y(2), 1.0, solver="svd")
    assert np.array_equal(a.coef, b.coef) and np.array_equal(a.intercept, b.intercept)


@pytest.mark.parametrize("solver", ["svd", "cholesky"])
@pytest.mark.parametrize("weighted", [False, True])
def test_means_of_many_rows_from_a_sampled_first_pass(solver, weighted):
    """The weighted means' first pass reads at most 1024 of the rows, spread over them; the
    second, over every row, corrects it. With large offsets and rows that drift (so that a
    sample's mean is off by far more than rounding), the fit, its intercept and the
    bootstrap's fit on all rows are numpy's; a constant column centres to exactly zero."""
    g = np.random.default_rng(11)
    n, p, t = 6000, 4, 3
    drift = np.linspace(-1.0, 1.0, n)[:, None]
    X = g.normal(size=(n, p)) + 5.0 * drift + [3e6, -1e4, 0.0, 0.0]
    X[:, 3] = 1e8 + 0.25  # constant
    Y = X[:, :3] @ g.normal(size=(3, t)) + g.normal(size=(n, t)) + 7e5
    w = g.uniform(0.0, 2.0, n) if weighted else None
    fit = rb.ridge(X, Y, 2.0, solver=solver, sample_weight=w)
    ref.assert_ridge_close(fit.coef, fit.intercept, X, Y, 2.0, sample_weight=w)
    assert np.all(fit.coef[3] == 0), fit.coef[3]
    boot = rb.bootstrap(X, Y, 2.0, 3, seed=1, sample_weight=w, solver=solver)
    ref.assert_ridge_close(boot.full.coef, boot.full.intercept, X, Y, 2.0, sample_weight=w)
