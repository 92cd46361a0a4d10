"""What of scikit-learn's test_ridge.py is out of scope for ridgeboot, rule by rule.

Each rule names what ridgeboot does not offer and the error it raises instead: a test
under a rule is a strict xfail that must fail with that error (so a rule cannot hide
another failure, and a test that starts passing shows up). Every other test of the
file that builds ridgeboot's Ridge or RidgeCV must pass.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any, Optional

import pytest
from ridgeboot.sklearn._common import ITERATIVE_SOLVERS


@dataclass(frozen=True)
class Rule:
    why: str
    raises: tuple[type[BaseException], ...]


# ridgeboot's error inside the test's pytest.warns(...) surfaces as pytest's "DID NOT WARN"
FAILED = pytest.fail.Exception


RULES: dict[str, Rule] = {
    "iterative-solver": Rule(
        "scikit-learn's iterative solvers (sparse_cg, lsqr, sag, saga, lbfgs) and what only "
        "they do (n_iter_, max_iter, tol, convergence warnings): ridgeboot's solvers are "
        "direct; Ridge(solver=...) raises a ValueError naming them (a test that expects "
        "scikit-learn's own message for its solver fails on pytest.raises' regex instead)",
        (ValueError, FAILED, AssertionError),
    ),
    "positive": Rule(
        "positive=True (needs scikit-learn's lbfgs): Ridge raises a ValueError naming "
        "ridgeboot's solvers",
        (ValueError, FAILED),
    ),
    "alpha-zero-loo": Rule(
        "RidgeCV(cv=None) with alpha = 0: scikit-learn refuses it; ridgeboot's leave-one-out "
        "is exact there (the minimum-norm fit's), so it accepts it and the test's "
        "pytest.raises fails",
        (FAILED,),
    ),
    "sparse-cholesky-intercept": Rule(
        "solver='cholesky' with an intercept on sparse X: scikit-learn refuses it; "
        "ridgeboot fits it (implicit centring of the sparse Gram), so the test's "
        "pytest.raises fails",
        (FAILED,),
    ),
}
# scikit-learn refuses these solvers on sparse X with an intercept; ridgeboot's
# cholesky fits it (its svd is refused with the message the test expects)
SPARSE_INTERCEPT_ERROR = "test_ridge_fit_intercept_sparse_error"
# tests that build a positive=True model (without a `positive` parameter)
POSITIVE_TESTS = {
    "test_ridge_positive_regression_test",
    "test_ridge_ground_truth_positive_test",
    "test_positive_ridge_loss",
    "test_lbfgs_solver_error",
}
# positive=True is refused before the solver is looked at, with the message this test
# expects: it passes for every solver, scikit-learn's iterative ones included
REFUSES_POSITIVE_FIRST = {"test_ridge_positive_error_test"}
# parametrized by solver, but its reference model is an iterative solver for every solver
ITERATIVE_REFERENCE = {"test_ridge_fit_intercept_sparse"}


def _strings(code: types.CodeType) -> set[str]:
    out = {c for c in code.co_consts if isinstance(c, str)}
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out |= _strings(c)
        elif isinstance(c, tuple):
            out |= {s for s in c if isinstance(s, str)}
    return out


def _params(item: pytest.Item) -> dict[str, Any]:
    callspec = getattr(item, "callspec", None)
    return dict(callspec.params) if callspec is not None else {}


def rule_for(item: pytest.Item) -> Optional[str]:
    """The rule that puts a collected test out of scope, or None."""
    func = getattr(item, "function", None)
    if func is None:
        return None
    params = _params(item)
    words = _strings(func.__code__)
    name = func.__name__
    if params.get("positive") is True or name in POSITIVE_TESTS:
        return "positive"
    if name == "test_ridgecv_alphas_zero" and params.get("cv") is None:
        if params.get("Estimator") is not None and params["Estimator"].__name__ == "RidgeCV":
            return "alpha-zero-loo"
    if name not in REFUSES_POSITIVE_FIRST and any(
        isinstance(v, str) and v in ITERATIVE_SOLVERS for v in params.values()
    ):
        return "iterative-solver"
    if ("solver" not in params or name in ITERATIVE_REFERENCE) and words & set(ITERATIVE_SOLVERS):
        # the test names an iterative solver in its body (a loop over solvers, ...)
        return "iterative-solver"
    if name == SPARSE_INTERCEPT_ERROR and params.get("solver") == "cholesky":
        return "sparse-cholesky-intercept"
    return None
