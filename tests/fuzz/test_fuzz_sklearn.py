"""Fuzz the scikit-learn estimators Ridge, RidgeCV and BootstrapRidge (fit, then predict)."""

from __future__ import annotations

import contextlib
import re
from typing import Any, Callable, Optional

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from screening import (
    BAD_SOLVERS,
    BAD_THREADS,
    CI_METHODS,
    FUZZ,
    GOOD_THREADS,
    SOLVER_NAMES,
    Data,
    Opt,
    Outcome,
    all_finite,
    arg,
    call,
    check_common,
    check_raised,
    cholesky_gave_up,
    datasets,
    first_invalid,
    mostly,
    needs_finite_output,
    note,
    ridge_alphas,
    scalar_alpha,
    solvers,
    thread_counts,
)


def _sklearn():
    pytest.importorskip("sklearn")
    from ridgeboot import sklearn as rbsk

    return rbsk


def _check_estimator(est: Any, d: Data, pred_X: Any) -> Outcome:
    t_cols = d.t if d.t is not None and d.t > 1 else None
    coef_shape = (d.p,) if t_cols is None else (t_cols, d.p)
    assert est.coef_.shape == coef_shape, (est.coef_.shape, coef_shape)
    assert np.shape(est.intercept_) == d.y_shape  # y (n, 1): coef_ (p,), intercept_ (1,)
    assert est.n_features_in_ == d.p
    pred = call(est.predict, pred_X)
    return pred


@st.composite
def predict_inputs(draw: Any, d: Data) -> Opt:
    if d.invalid is not None or not d.finite:
        return Opt(np.ones((2, d.p)))  # the fit fails (or may): predict is not reached
    X = np.asarray(d.floats()[0])
    kind = draw(st.sampled_from(["same", "same", "one-row", "wrong-p", "nan", "list", "1d"]))
    if kind == "same":
        return Opt(X)
    if kind == "one-row":
        return Opt(X[:1])
    if kind == "list":
        return Opt(X.tolist())
    if kind == "wrong-p":
        return Opt(np.ones((2, d.p + 1)), arg("X", "features"))
    if kind == "nan":
        Xn = X.copy()
        Xn[0, 0] = np.nan
        return Opt(Xn, arg("X", "NaN"))
    return Opt(X[0], arg("X", "2D"))


def _sk_fit_checks(
    est: Any, d: Data, fit: Outcome, pred_X: Opt, own_invalid: Optional[str], finite: bool
) -> None:
    # a complex 0-d weight: scikit-learn's _check_sample_weight keeps its real part with a
    # ComplexWarning (sklearn.linear_model.Ridge alike); ridgeboot's functions raise TypeError
    complex_scalar_weight = np.ndim(d.w) == 0 and np.iscomplexobj(d.w)
    check_common(fit, finite_input=d.finite and not complex_scalar_weight)
    if complex_scalar_weight and fit.error is None:
        return
    if own_invalid:
        check_raised(fit, own_invalid)
        return
    if fit.error is not None:
        # scikit-learn's own validation (dtype, NaN, shapes) of invalid data; an explicit
        # Cholesky giving up; float32 X: scikit-learn casts the weights to float32 (1e300 ->
        # inf, 1e-300 -> 0) and refuses them, naming sample_weight
        f32_weights = (
            d.w is not None
            and sk_dtype(d) == np.float32
            and re.search(r"(?i)sample.?weight", str(fit.error))
        )
        # 0-d weights that are no Python float (np.True_, np.int8): scikit-learn's
        # _check_sample_weight wants a number or an array of at least 1 dimension
        odd_scalar_weight = np.ndim(d.w) == 0 and d.w is not None and not isinstance(d.w, float)
        assert (
            d.invalid is not None
            or not d.finite
            or cholesky_gave_up(est.solver, fit)
            or f32_weights
            or odd_scalar_weight
            # RidgeCV scoring r2 on folds too small or constant: documented refusal
            or ("scoring=" in str(fit.error) and "undefined" in str(fit.error))
            # k-fold: every fold's training rows had zero weight (GridSearchCV alike)
            or "the fit failed on every fold" in str(fit.error)
        ), f"valid input refused: {fit.message}"
        return
    pred = _check_estimator(est, d, pred_X.value)
    clean = pred_X.invalid is None and all_finite(est.coef_, est.intercept_)
    check_common(pred, finite_input=d.finite and clean)
    if pred_X.invalid:
        check_raised(pred, pred_X.invalid)
        return
    assert pred.error is None, pred.message
    m = np.asarray(pred_X.value).shape[0]
    assert pred.value.shape == ((m,) if est.coef_.ndim == 1 else (m, est.coef_.shape[0]))
    if finite:
        assert all_finite(est.coef_, est.intercept_, pred.value)


def sk_dtype(d: Data) -> Any:
    """The estimators compute in X's dtype when it is float32 (y is cast to it), else float64."""
    with contextlib.suppress(TypeError, ValueError):
        if np.asarray(d.X).dtype == np.float32:
            return np.float32
    return np.float64


@FUZZ
@given(data=st.data(), d=datasets(), solver=solvers(), threads=thread_counts())
def test_fuzz_sklearn_ridge(data, d, solver, threads):
    rbsk = _sklearn()
    alpha = data.draw(ridge_alphas(d.t), label="alpha")
    if d.t is None and np.ndim(alpha.value) == 1 and np.size(alpha.value) == 1:
        # as scikit-learn's Ridge: one penalty in an array of one for the one target
        alpha = Opt(alpha.value)
    pred_X = data.draw(predict_inputs(d), label="predict X")
    note(d.label)
    est = rbsk.Ridge(alpha.value, solver=solver.value, n_threads=threads.value)
    fit = call(est.fit, d.X, d.y, sample_weight=d.w)
    own = None
    if d.invalid is None and d.finite:  # invalid data: scikit-learn's own checks speak first
        own = first_invalid(alpha, solver, threads)
    finite = needs_finite_output(d, alpha.value, solver.value, auto_eigh=False)
    _sk_fit_checks(est, d, fit, pred_X, own, finite)


@FUZZ
@given(data=st.data(), d=datasets(), solver=solvers(), threads=thread_counts())
def test_fuzz_sklearn_ridge_cv(data, d, solver, threads):
    rbsk = _sklearn()
    from sklearn.model_selection import KFold

    # RidgeCV converts alphas with np.asarray(alphas, float64).reshape(-1): "1" and [[1, 2]]
    # are valid there; numpy's conversion errors do not name alphas ("could not convert ...")
    bad_alphas = st.sampled_from([[], [-1.0, 1.0], [np.nan], "abc", [1j], [1.0, np.inf]])
    alphas = data.draw(
        mostly(
            st.one_of(st.lists(scalar_alpha(), min_size=1, max_size=6), scalar_alpha()).map(Opt),
            bad_alphas.map(lambda a: Opt(a, arg("alphas", "alpha") + "|convert|float")),
        ),
        label="alphas",
    )
    cv = data.draw(
        mostly(
            st.sampled_from([None, "gcv", "loo", "bootstrap", 2, 3, "kfold-splitter"]),
            st.sampled_from([1, "bogus"]),
        ),
        label="cv",
    )
    cv_value = KFold(2) if cv == "kfold-splitter" else cv
    scoring = data.draw(
        mostly(
            st.sampled_from([None, "mse", "r2", "corr", "neg_mean_squared_error"]),
            st.just("bogus-scorer"),
        ),
        label="scoring",
    )
    alpha_per_target = data.draw(st.booleans(), label="alpha_per_target")
    pred_X = data.draw(predict_inputs(d), label="predict X")
    note(d.label)
    est = rbsk.RidgeCV(
        alphas.value,
        cv=cv_value,
        scoring=scoring,
        alpha_per_target=alpha_per_target,
        solver=solver.value,
        n_threads=threads.value,
    )
    fit = call(est.fit, d.X, d.y, sample_weight=d.w)
    own = None
    if d.invalid is None and d.finite:  # invalid data: scikit-learn's own checks speak first
        bad_cv = cv in (1, "bogus") or (isinstance(cv, int) and cv > d.n)
        folds = isinstance(cv, int) or cv == "kfold-splitter"
        # a scorer name is checked first; then what the cv cannot do with it: GCV has no
        # per-row predictions, the bootstrap hold-out scores with ridgeboot's scores only
        bad_scoring = (
            scoring == "bogus-scorer"
            or (cv == "gcv" and scoring not in (None, "mse"))
            or (cv == "bootstrap" and scoring == "neg_mean_squared_error")
        )
        own = first_invalid(
            alphas,
            solver,
            threads,
            arg("scoring") if scoring == "bogus-scorer" else None,
            "at least 2 samples" if d.n < 2 else None,
            arg("cv") if bad_cv else None,
            arg("alpha_per_target") if folds and alpha_per_target and not bad_cv else None,
            arg("scoring", "cv") if bad_scoring else None,
        )
    finite = d.n >= 2 and needs_finite_output(d, alphas.value, solver.value)
    _sk_fit_checks(est, d, fit, pred_X, own, finite)


def draw_options(data: Any, space: dict[str, tuple[Any, Any]]) -> dict[str, Opt]:
    """One option at most is hostile (half of the examples have none): each gets tested."""
    hostile = data.draw(st.sampled_from([None] * len(space) + list(space)), label="hostile")
    return {
        name: data.draw(bad if name == hostile else good, label=name)
        for name, (good, bad) in space.items()
    }


def _invalid(pattern: str) -> Callable[[Any], Opt]:
    return lambda value: Opt(value, pattern)


@FUZZ
@given(data=st.data(), d=datasets())
def test_fuzz_sklearn_bootstrap_ridge(data, d):
    rbsk = _sklearn()
    opts = draw_options(
        data,
        {
            "alpha": (
                scalar_alpha().map(Opt),
                st.sampled_from([-1.0, np.nan, [1.0, 2.0], None]).map(
                    _invalid(arg("alpha", "alphas"))
                ),
            ),
            "n_boot": (
                st.integers(2, 30).map(Opt),
                st.sampled_from([0, 1, -1, 2.0, 2**40, None]).map(_invalid(arg("n_boot"))),
            ),
            "scheme": (
                st.sampled_from(["multinomial", "poisson"]).map(Opt),
                st.sampled_from(["bayesian", None]).map(_invalid(arg("scheme"))),
            ),
            "solver": (
                st.sampled_from(SOLVER_NAMES).map(Opt),
                st.sampled_from(BAD_SOLVERS).map(_invalid(arg("solver"))),
            ),
            "block_len": (
                st.sampled_from([None, *sorted({1, max(1, d.n // 2), d.n})]).map(Opt),
                st.sampled_from([0, d.n + 1, 2.0]).map(_invalid(arg("block_len"))),
            ),
            "ci_level": (
                st.sampled_from([0.9, 0.5]).map(Opt),
                st.sampled_from([0.0, 1.0, np.nan, "x"]).map(_invalid(arg("ci_level", "level"))),
            ),
            "ci_method": (
                st.sampled_from(CI_METHODS).map(Opt),
                st.sampled_from(["studentized", None]).map(_invalid(arg("ci_method", "method"))),
            ),
            "random_state": (
                st.sampled_from([0, 1, None, np.random.RandomState(0)]).map(Opt),
                st.sampled_from([-1, 2**64]).map(_invalid(arg("random_state", "seed"))),
            ),
            "n_threads": (
                st.sampled_from(GOOD_THREADS).map(Opt),
                st.sampled_from(BAD_THREADS).map(_invalid(arg("n_threads"))),
            ),
        },
    )
    alpha, solver = opts["alpha"], opts["solver"]
    pred_X = data.draw(predict_inputs(d), label="predict X")
    note(d.label)
    est = rbsk.BootstrapRidge(**{name: o.value for name, o in opts.items()})
    fit = call(est.fit, d.X, d.y, sample_weight=d.w)
    own = None
    if d.invalid is None and d.finite:  # invalid data: scikit-learn's own checks speak first
        own = first_invalid(*opts.values())
    early = first_invalid(*(o for name, o in opts.items() if not name.startswith("ci_")))
    if fit.error is not None and early is None and "positive weight" in str(fit.error):
        # too few replicates drew a row of positive weight: a documented refusal (ci_level and
        # ci_method are only looked at after the bootstrap)
        return
    finite = needs_finite_output(d, alpha.value, solver.value, auto_eigh=False)
    _sk_fit_checks(est, d, fit, pred_X, own, finite)
    if fit.error is None and own is None:
        assert est.coef_std_.shape == est.coef_.shape
        assert est.coef_ci_[0].shape == est.coef_ci_[1].shape == est.coef_.shape
        assert isinstance(est.oob_score_, float)
        if finite:
            assert all_finite(est.coef_std_, *est.coef_ci_)
