"""scikit-learn's own Ridge tests, run against ridgeboot.sklearn.Ridge and RidgeCV.

The installed ``sklearn/linear_model/tests/test_ridge.py`` is executed as a module while
``sklearn.linear_model.Ridge`` and ``RidgeCV`` are ridgeboot's, so every test of the file
that builds one of the two (directly or as a parameter) builds ridgeboot's; its test
functions and fixtures are then this module's and pytest collects them here. Tests that
build neither (RidgeClassifier, scikit-learn's private solvers) test scikit-learn's code,
not ridgeboot's, and are not collected. What ridgeboot does not offer is out of scope by
the named rules of ``upstream_scope.py`` only: those tests must fail with ridgeboot's
error (strict xfail); every other collected test must pass.
"""

from __future__ import annotations

import importlib.util
import os
import types
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

pytest.importorskip("sklearn")

import sklearn.linear_model  # noqa: E402
from ridgeboot.sklearn import Ridge, RidgeCV  # noqa: E402

# scikit-learn runs this file with warnings as warnings, not errors (this project's
# configuration turns them into errors): the file's own filters still apply on top
pytestmark = pytest.mark.filterwarnings("default")

SWAPPED = {"Ridge": Ridge, "RidgeCV": RidgeCV}
if os.environ.get("RIDGEBOOT_UPSTREAM_CONTROL") == "1":
    # the control run: scikit-learn's own estimators, through this same harness and
    # configuration (so a failure here is the harness's or the configuration's)
    SWAPPED = {"Ridge": sklearn.linear_model.Ridge, "RidgeCV": sklearn.linear_model.RidgeCV}
STABLE_IMPORTS = (
    "sklearn.utils._test_common.instance_generator",
    "sklearn.utils.estimator_checks",
    "sklearn.utils._testing",
)
UPSTREAM = Path(sklearn.__file__).parent / "linear_model" / "tests" / "test_ridge.py"


def _load_upstream() -> types.ModuleType:
    # Import what the file imports while the swap is in place *before* swapping: a module
    # first imported under the patch keeps ridgeboot's classes for good (scikit-learn's
    # per-estimator check table, keyed by class, would then hold ridgeboot's Ridge and
    # every later check_estimator run would build Ridge(solver="sparse_cg") from it).
    for name in STABLE_IMPORTS:
        importlib.import_module(name)
    spec = importlib.util.spec_from_file_location("sklearn_test_ridge_on_ridgeboot", UPSTREAM)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with mock.patch.multiple(sklearn.linear_model, **SWAPPED):  # type: ignore[arg-type]
        spec.loader.exec_module(module)
    for name, cls in SWAPPED.items():
        assert getattr(module, name) is cls, f"{name} was not swapped"
    return module


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _listed_params(func: Any) -> None:
    """Make every parametrize argvalues a list (generators are deprecated, and read once)."""
    marks = getattr(func, "pytestmark", None)
    if marks:
        func.pytestmark = [
            getattr(pytest.mark, m.name)(m.args[0], list(m.args[1]), *m.args[2:], **m.kwargs).mark
            if m.name == "parametrize" and not isinstance(m.args[1], (list, tuple))
            else m
            for m in marks
        ]


def _param_values(func: Any) -> list[Any]:
    values: list[Any] = []
    for mark in getattr(func, "pytestmark", []):
        if mark.name == "parametrize":
            for value in mark.args[1]:
                value = value.values if hasattr(value, "values") else value
                values.extend(value if isinstance(value, (tuple, list)) else [value])
    return values


def builds_ridgeboot(func: Any) -> bool:
    """Whether a test builds ridgeboot's Ridge or RidgeCV (by name, or as a parameter)."""
    if _code_names(func.__code__) & set(SWAPPED):
        return True
    classes = tuple(SWAPPED.values())
    return any(
        isinstance(v, type) and v in classes or isinstance(v, classes) for v in _param_values(func)
    )


upstream = _load_upstream()
for _name, _obj in vars(upstream).items():
    if _name.startswith("test_") and callable(_obj):
        _listed_params(_obj)
COLLECTED = sorted(
    name
    for name, obj in vars(upstream).items()
    if name.startswith("test_") and callable(obj) and builds_ridgeboot(obj)
)
NOT_COLLECTED = sorted(
    name
    for name, obj in vars(upstream).items()
    if name.startswith("test_") and callable(obj) and name not in COLLECTED
)
globals().update({name: getattr(upstream, name) for name in COLLECTED})
# the module's fixtures (ols_ridge_dataset, ...)
globals().update(
    {
        name: obj
        for name, obj in vars(upstream).items()
        if not name.startswith("test_") and type(obj).__name__ == "FixtureFunctionDefinition"
    }
)


def test_the_swap_does_not_leak_into_scikit_learn() -> None:
    # after loading, scikit-learn's own tables name scikit-learn's classes again: the
    # check_estimator runs of tests/test_sklearn.py must not see ridgeboot's Ridge there
    from sklearn.utils._test_common import instance_generator

    assert sklearn.linear_model.Ridge is not Ridge
    leaked = [
        cls for cls in instance_generator.PER_ESTIMATOR_CHECK_PARAMS if cls in (Ridge, RidgeCV)
    ]
    assert not leaked, f"ridgeboot classes in scikit-learn's check table: {leaked}"
