"""The screening kit every fuzz test imports: harness, hostile data, hostile options.

The fuzz tests (one file per public entry point: ``test_fuzz_ridge.py``, ``_ridge_path``,
``_bootstrap_counts``, ``_bootstrap``, ``_ridge_cv``, ``_sklearn``, ``_cli``; fixed hostile
cases and the pinned regression tests in ``test_fuzz_pinned.py``) drive rb.ridge, rb.ridge_path,
rb.bootstrap, rb.bootstrap_counts, rb.ridge_cv, the scikit-learn estimators and
``ridgeboot.cli.main`` with hypothesis-generated hostile input: NaN/inf (check_finite True
and False), empty, one-row and p >> n data, constant, duplicate and zero columns, all-zero y,
tiny/huge/zero/denormal alphas, zero, tiny and huge (1e300) sample weights,
float16/float32/int8/uint64/bool/object/complex/str/bytes dtypes, negative-stride, strided,
Fortran, zero-stride and read-only arrays, 0-d and 3-d arrays, lists, bad n_boot, n_threads,
seeds, block lengths, scheme/solver/cv/scoring values, and small CSV files with broken cells
for the command line.

The contract checked for every call:

- it returns an answer of the documented shape, in float32 only when X and y were float32,
  finite whenever the input was finite and the problem well posed (alpha > 0, or a solver
  that handles alpha = 0), and (for plain float64 problems) equal to the numpy reference
  (``reference.ridge_reference``, see :func:`assert_matches_reference`);
- or it raises ValueError / TypeError / numpy.linalg.LinAlgError / MemoryError, naming the
  argument at fault when one clearly is;
- it never crashes (every call runs in-process: a segfault kills pytest), never hangs (a
  faulthandler watchdog, ``conftest.py`` beside this file, kills the run), stays within a time
  budget, and emits no warning on finite input beyond the documented ones (skipped replicates,
  ill-conditioned Cholesky, alpha at the edge of the grid);
- the command line returns 0, or 2 with a single ``ridgeboot: error: ...`` line (argparse usage
  errors: usage plus one error line) and no traceback.

Library bugs found by this fuzzing are pinned by the ``test_bug_*`` regression tests in
``test_fuzz_pinned.py`` (all fixed). A newly found bug gets a ``test_bug_*`` test there,
marked ``xfail(strict=True)`` until it is fixed.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
from hypothesis import HealthCheck, event, settings
from hypothesis import note as _hypothesis_note
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from reference import ridge_reference
from ridgeboot import cli

# ---------------------------------------------------------------------------------------------
# harness

ACCEPTED = (ValueError, TypeError, MemoryError)  # numpy.linalg.LinAlgError is a ValueError
# Under a sanitizer everything runs ~10-50x slower: tools/sanitize.sh sets this factor.
SLOWDOWN = float(os.environ.get("RIDGEBOOT_TEST_SLOWDOWN", "1"))
CALL_BUDGET_S = 5.0 * SLOWDOWN  # any single call (sizes are tiny: milliseconds)
QUICK_S = 1.0 * SLOWDOWN  # huge n_boot and the like must be refused at once, not attempted
WATCHDOG_S = 240.0 * SLOWDOWN  # a hang anywhere in a test: dump every thread's stack and exit
# 2**32 - 1 replicates' coefficients (~100 GiB) are refused by rb.bootstrap's memory check
# only where they do not fit: on a larger machine such a request would really run
BIG_MACHINE = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") > 2**37

FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


# Documented warnings: skipped replicates, an explicit Cholesky on an ill-conditioned matrix,
# ridge_cv's choice at the edge of the grid, and a fit that interpolates (alpha = 0 with
# p >= n).
DOCUMENTED_WARNINGS = (
    (RuntimeWarning, r"replicates drew no row with positive weight"),
    (RuntimeWarning, r"ill-conditioned"),
    (UserWarning, r"chosen alpha .* (smallest|largest) of the grid"),
    (UserWarning, r"the fit interpolates the training data"),
    # ridgeboot.sklearn.RidgeCV with k-fold, as scikit-learn's GridSearchCV: a fold whose
    # score is undefined (R^2 on one row) is NaN, with scikit-learn's warning, and ours
    (UserWarning, r"held-out scores are non-finite|the fit failed on \d+ of \d+ folds"),
    (Warning, r"R\^2 score is not well-defined"),
)


def note(message: str) -> None:
    """hypothesis.note inside a property; nothing in a plain test."""
    if currently_in_test_context():
        _hypothesis_note(message)


def arg(*names: str) -> str:
    """Regex matching any of ``names`` as a whole word ("y" does not match inside "array")."""
    return "|".join(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])" for n in names)


@dataclass
class Outcome:
    value: Any = None
    error: Optional[BaseException] = None
    warnings: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def message(self) -> str:
        return "" if self.error is None else f"{type(self.error).__name__}: {self.error}"


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
    """Run fn, recording warnings; accepted exceptions are returned, any other propagates."""
    out = Outcome()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            out.value = fn(*args, **kwargs)
        except ACCEPTED as exc:
            out.error = exc
        out.seconds = time.perf_counter() - start
    out.warnings = list(caught)
    return out


def documented(w: warnings.WarningMessage) -> bool:
    return any(
        issubclass(w.category, cat) and re.search(pat, str(w.message))
        for cat, pat in DOCUMENTED_WARNINGS
    )


def undocumented_warnings(out: Outcome) -> list[str]:
    return [f"{w.category.__name__}: {w.message}" for w in out.warnings if not documented(w)]


def check_common(out: Outcome, *, finite_input: bool, budget: float = CALL_BUDGET_S) -> None:
    """Time budget, accepted exception with a message, and no stray warning on finite input."""
    note(f"outcome: {out.message or 'returned'} in {out.seconds:.3f} s")
    if currently_in_test_context():
        event("returned" if out.error is None else f"raised {out.message[:70]}")
    assert out.seconds < budget, f"took {out.seconds:.2f} s (budget {budget} s)"
    if out.error is not None:
        assert str(out.error).strip(), f"{type(out.error).__name__} without a message"
    if finite_input:
        stray = undocumented_warnings(out)
        assert not stray, f"warning(s) on finite input: {stray}"


def check_raised(out: Outcome, pattern: str) -> None:
    """The input was invalid: the call must have raised, naming the argument at fault."""
    assert out.error is not None, f"invalid input accepted (expected an error matching {pattern})"
    assert re.search(pattern, str(out.error)), (
        f"{out.message!r} does not name the argument at fault ({pattern})"
    )


def ill_conditioned(out: Outcome) -> bool:
    """The call warned of an ill-conditioned matrix (explicit Cholesky): answers may be inf."""
    return any("ill-conditioned" in str(w.message) for w in out.warnings)


def check_prediction(fit: Any, d: Data, shape: tuple[int, ...]) -> Outcome:
    """``fit.predict`` on d's rows (float64) answers, in ``shape``, screened like the fit."""
    pred = call(fit.predict, d.floats()[0])
    check_common(pred, finite_input=d.finite and all_finite(fit.coef, fit.intercept))
    assert pred.error is None, pred.message
    assert pred.value.shape == shape
    return pred


def all_finite(*arrays: Any) -> bool:
    return all(np.isfinite(np.asarray(a, dtype=np.float64)).all() for a in arrays)


def float_or_none(a: Any) -> Optional[np.ndarray]:
    """a as a 1-D float64 array, or None when it is not a real number (array)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            arr = np.asarray(a)
            if arr.dtype.kind not in "biuf":
                return None
            return np.atleast_1d(arr.astype(np.float64))
        except (TypeError, ValueError):
            return None


# ---------------------------------------------------------------------------------------------
# strategies: data


@dataclass
class Data:
    """One hostile (X, y, sample_weight) and what the library should make of it."""

    X: Any
    y: Any
    w: Any
    n: int
    p: int
    t: Optional[int]  # None: 1-D y (no target axis)
    dtype: Any  # computation dtype the result must have
    check_finite: bool = True
    finite: bool = True  # the arrays, as the library sees them, are finite
    invalid: Optional[str] = None  # the data are invalid: regex the error must match
    regular: bool = True  # float64 problem of unit scale, moderate weights: compare to reference
    positive_w: bool = True  # every row has positive weight
    label: str = ""

    @property
    def y_shape(self) -> tuple[int, ...]:
        return () if self.t is None else (self.t,)

    def floats(self) -> tuple[Any, Any, Any]:
        """X, y and w as float64 arrays (for references and predictions)."""
        w = None if self.w is None else np.asarray(self.w, dtype=np.float64)
        return np.asarray(self.X, dtype=np.float64), np.asarray(self.y, dtype=np.float64), w

    def weights_in_dtype(self) -> Any:
        if self.w is None:
            return np.ones(self.n)
        with np.errstate(over="ignore"):
            w = np.asarray(self.w).astype(self.dtype)
        return np.broadcast_to(w, (self.n,)).astype(np.float64)


SHAPES = ("tall", "wide", "one-row", "p>>n", "any")
STRUCTURES = (
    "random",
    "constant-col",
    "duplicate-col",
    "zero-col",
    "collinear",
    "integer",
    "zero-y",
    "constant-y",
    "huge-y",
)
WEIGHTS = (None, None, "uniform", "some-zero", "one-positive", "huge", "tiny", "integer", "scalar")
DTYPES = ("float32", "float16", "int8", "uint64", "bool", "object", "complex", "str", "bytes")
LAYOUTS = (
    "reversed-rows",
    "every-other-col",
    "negative-both",
    "fortran",
    "readonly",
    "broadcast-row",
    "y-strided",
    "w-reversed",
)
SHAPE_BREAKS = (
    "X-0d",
    "X-1d",
    "X-3d",
    "y-0d",
    "y-3d",
    "no-rows",
    "no-features",
    "no-targets",
    "y-short",
    "w-short",
    "w-2d",
    "ragged-list",
    "X-mixed-list",
)


def _convert(a: np.ndarray, kind: str) -> np.ndarray:
    if kind == "float32":
        with np.errstate(over="ignore"):
            return a.astype(np.float32)
    if kind == "float16":
        with np.errstate(over="ignore"):
            return a.astype(np.float16)
    if kind == "int8":
        return np.clip(np.round(np.nan_to_num(a) * 10), -128, 127).astype(np.int8)
    if kind == "uint64":
        return np.clip(np.round(np.abs(np.nan_to_num(a)) * 10), 0, 2.0**60).astype(np.uint64)
    if kind == "bool":
        return a > 0
    if kind == "object":
        return a.astype(object)
    if kind == "complex":
        return a.astype(np.complex128)
    if kind == "str":
        return a.astype(str)
    return a.astype("S12")  # bytes


@st.composite
def datasets(draw: Any, *, min_n: int = 1, max_n: int = 30, max_p: int = 40) -> Data:
    g = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = draw(st.sampled_from(SHAPES))
    if shape == "tall":
        n = draw(st.integers(2, max_n))
        p = draw(st.integers(1, min(n, 8)))
    elif shape == "wide":
        n = draw(st.integers(2, 12))
        p = draw(st.integers(n + 1, max_p))
    elif shape == "one-row":
        n, p = min_n, draw(st.integers(1, 4))
    elif shape == "p>>n":
        n, p = draw(st.integers(min_n, 3)), draw(st.integers(20, max_p))
    else:
        n, p = draw(st.integers(min_n, max_n)), draw(st.integers(1, max_p))
    t = draw(st.sampled_from([None, None, 1, 2, 3]))
    structure = draw(st.sampled_from(STRUCTURES))
    scale = draw(st.sampled_from([1.0, 1.0, 1.0, 1e-150, 1e100]))
    if structure == "huge-y":
        scale = 1.0  # X^T y inside the float64 range
    X = g.standard_normal((n, 2 * p))  # every other column of it is a strided view
    if structure == "constant-col":
        X[:, 2 * g.integers(p)] = 3.0
    elif structure == "duplicate-col" and p >= 2:
        X[:, 2] = X[:, 0]
    elif structure == "zero-col":
        X[:, 2 * g.integers(p)] = 0.0
    elif structure == "collinear" and p >= 3:
        X[:, 4] = X[:, 0] - 2 * X[:, 2]
    elif structure == "integer":
        X = np.round(3 * X)
    T = 1 if t is None else t
    Y = X[:, ::2] @ g.standard_normal((p, T)) + 0.1 * g.standard_normal((n, T))
    if structure == "zero-y":
        Y[:] = 0.0
    elif structure == "constant-y":
        Y[:] = 2.5
    elif structure == "huge-y":
        Y *= 1e120  # weights ~ 1e120: their spread, cubed, overflows
    X, Y = X * scale, Y * scale
    Xc = np.ascontiguousarray(X[:, ::2])
    y = Y[:, 0].copy() if t is None else Y
    wkind = draw(st.sampled_from(WEIGHTS))
    if wkind in ("huge", "tiny") and (scale != 1.0 or structure == "huge-y"):
        wkind = "uniform"  # keep the weighted Gram and X^T W y inside the float64 range
    w: Any = None
    if wkind == "uniform":
        w = g.uniform(0.5, 2.0, n)
    elif wkind == "some-zero":
        w = np.where(g.uniform(size=n) < 0.4, 0.0, g.uniform(0.5, 2.0, n))
        w[g.integers(n)] = 1.0
    elif wkind == "one-positive":
        w = np.zeros(n)
        w[g.integers(n)] = 2.0
    elif wkind == "huge":
        w = g.uniform(0.5, 2.0, n)
        w[g.uniform(size=n) < 0.5] = 1e300
    elif wkind == "tiny":
        w = 1e-300 * g.uniform(0.5, 2.0, n)
    elif wkind == "integer":
        w = g.integers(1, 4, n).astype(np.float64)
    elif wkind == "scalar":
        w = np.float64(2.5)
    d = Data(
        Xc,
        y,
        w,
        n,
        p,
        t,
        np.float64,
        # huge y: the known centring bug (test_bug_centring_residue) breaks the reference
        regular=scale == 1.0 and wkind not in ("huge", "tiny") and structure != "huge-y",
        positive_w=wkind not in ("some-zero", "one-positive"),
        label=f"{shape} n={n} p={p} t={t} {structure} scale={scale:g} w={wkind}",
    )
    mutation = draw(
        st.sampled_from(
            ["none"] * 4 + ["dtype", "layout", "list", "nonfinite", "shape", "bad-weights"]
        )
    )
    d.label += f" {mutation}"
    if mutation == "dtype":
        _mutate_dtype(draw, g, d)
    elif mutation == "layout":
        _mutate_layout(draw, g, d, X, Y)
    elif mutation == "list":
        _mutate_list(draw, d)
    elif mutation == "nonfinite":
        _mutate_nonfinite(draw, g, d)
    elif mutation == "shape":
        _mutate_shape(draw, d)
    elif mutation == "bad-weights":
        _mutate_weights(draw, g, d)
    return d


def _mutate_dtype(draw: Any, g: np.random.Generator, d: Data) -> None:
    target = draw(st.sampled_from(["X", "y", "w", "Xy"]))
    kind = draw(st.sampled_from(DTYPES))
    d.label += f" {target}->{kind}"
    if target == "w" and d.w is None:
        d.w = g.uniform(0.5, 2.0, d.n)
    names = {"X": arg("X"), "y": arg("y"), "w": arg("sample_weight"), "Xy": arg("X", "y")}
    if kind in ("object", "complex", "str", "bytes"):
        d.invalid = names[target]
    if kind != "float32" or target != "Xy":
        d.regular = d.regular and kind in ("int8", "uint64", "bool", "float16")
    if target in ("X", "Xy"):
        d.X = _convert(d.X, kind)
    if target in ("y", "Xy"):
        d.y = _convert(d.y, kind)
    if target == "w":
        d.w = _convert(np.atleast_1d(d.w), kind) if np.ndim(d.w) else _convert(d.w, kind)
    if target == "Xy" and kind == "float32":
        d.dtype = np.float32
        d.regular = False
    if d.invalid is None:
        X, y, w = d.floats()
        d.finite = all_finite(X, y)
        if not d.finite:
            d.invalid = arg("X", "y")  # float16 overflow: the library sees infinity
        if w is not None:
            wv = d.weights_in_dtype()
            if not np.isfinite(w).all():  # 1e300 -> float16/float32: inf
                d.invalid = d.invalid or arg("sample_weight")
            elif not (wv > 0).any():
                d.invalid = d.invalid or arg("sample_weight")
            d.positive_w = bool((wv > 0).all())


def _mutate_layout(draw: Any, g: np.random.Generator, d: Data, X: Any, Y: Any) -> None:
    kind = draw(st.sampled_from(LAYOUTS))
    d.label += f" {kind}"
    if kind == "reversed-rows":
        d.X = d.X[::-1]
    elif kind == "every-other-col":
        d.X = X[:, ::2]
    elif kind == "negative-both":
        d.X = d.X[::-1, ::-1]
    elif kind == "fortran":
        d.X = np.asfortranarray(d.X)
        if d.t is not None:
            d.y = np.asfortranarray(d.y)
    elif kind == "readonly":
        for a in (d.X, d.y, d.w):
            if isinstance(a, np.ndarray):
                a.setflags(write=False)
    elif kind == "broadcast-row":
        d.X = np.broadcast_to(d.X[0], d.X.shape)  # zero row stride, read-only
    elif kind == "y-strided":
        if d.t is None:
            d.y = d.y[::-1]
        else:
            wide = np.repeat(Y, 2, axis=1)[:, ::2]
            d.y = wide[:, : d.t]
    elif kind == "w-reversed" and np.ndim(d.w) == 1:
        d.w = d.w[::-1]


def _mutate_list(draw: Any, d: Data) -> None:
    which = draw(st.sampled_from(["X", "y", "w", "all"]))
    d.label += f" {which}"
    if which in ("X", "all"):
        d.X = d.X.tolist()
    if which in ("y", "all"):
        d.y = d.y.tolist()
    if which in ("w", "all") and np.ndim(d.w) == 1:
        d.w = d.w.tolist()


def _mutate_nonfinite(draw: Any, g: np.random.Generator, d: Data) -> None:
    target = draw(st.sampled_from(["X", "y", "w"]))
    value = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    d.check_finite = draw(st.booleans())
    d.label += f" {target}={value} check_finite={d.check_finite}"
    d.regular = False
    if target == "w":
        w = g.uniform(0.5, 2.0, d.n) if np.ndim(d.w) != 1 else d.w.copy()
        w[g.integers(d.n)] = value
        d.w = w
        d.invalid = arg("sample_weight")  # weights are always checked
        return
    a = (d.X if target == "X" else d.y).copy()
    a[np.unravel_index(g.integers(a.size), a.shape)] = value
    if target == "X":
        d.X = a
    else:
        d.y = a
    d.finite = False
    if d.check_finite:
        d.invalid = arg(target)


def _mutate_shape(draw: Any, d: Data) -> None:
    kind = draw(st.sampled_from(SHAPE_BREAKS))
    d.label += f" {kind}"
    d.regular = False
    X, y = np.asarray(d.X), np.asarray(d.y)
    if kind == "X-0d":
        d.X, d.invalid = np.float64(1.0), arg("X")
    elif kind == "X-1d":
        d.X, d.invalid = X[:, 0].copy(), arg("X")
    elif kind == "X-3d":
        d.X, d.invalid = X[:, :, None], arg("X")
    elif kind == "y-0d":
        d.y, d.invalid = np.float64(1.0), arg("y")
    elif kind == "y-3d":
        d.y, d.invalid = y.reshape(d.n, -1)[:, :, None], arg("y")
    elif kind == "no-rows":
        d.X, d.y, d.w = X[:0], y[:0], None
        d.invalid = arg("X")
    elif kind == "no-features":
        d.X, d.invalid = X[:, :0], arg("X")
    elif kind == "no-targets":
        d.y, d.invalid = y.reshape(d.n, -1)[:, :0], arg("y")
    elif kind == "y-short":
        d.y, d.invalid = y[:-1], arg("X", "y")
    elif kind == "w-short":
        d.w, d.invalid = np.ones(d.n + 1), arg("sample_weight")
    elif kind == "w-2d":
        d.w, d.invalid = np.ones((d.n, 1)), arg("sample_weight")
    elif kind == "ragged-list":
        rows = X.tolist()
        rows.append(rows[-1] + [1.0])
        d.X, d.invalid = rows[1:] if d.n >= 2 else rows, arg("X")
    elif kind == "X-mixed-list":
        rows = X.tolist()
        rows[0][0] = "1.0"
        d.X, d.invalid = rows, arg("X")


def _mutate_weights(draw: Any, g: np.random.Generator, d: Data) -> None:
    kind = draw(st.sampled_from(["negative", "all-zero", "nan", "negative-scalar", "zero-scalar"]))
    d.label += f" {kind}"
    d.regular = False
    w = g.uniform(0.5, 2.0, d.n)
    if kind == "negative":
        w[g.integers(d.n)] = -1e-300
    elif kind == "all-zero":
        w[:] = 0.0
    elif kind == "nan":
        w[g.integers(d.n)] = np.nan
    elif kind == "negative-scalar":
        w = np.float64(-1.0)
    else:
        w = 0.0
    d.w, d.invalid = w, arg("sample_weight")


# ---------------------------------------------------------------------------------------------
# strategies: options


@dataclass
class Opt:
    """An option value and, when it is invalid, the regex the error must match."""

    value: Any
    invalid: Optional[str] = None

    def __repr__(self) -> str:
        return f"{self.value!r}{' (invalid)' if self.invalid else ''}"


SOLVER_NAMES = ("auto", "cholesky", "svd", "eigh")
BAD_SOLVERS = ("qr", "", "SVD", None, 1, b"svd", ["svd"])
GOOD_THREADS = (None, 1, 2, -1, 10_000, np.int64(3))
BAD_THREADS = (0, -2, 2.5, True, "2")
REGULAR_ALPHAS = (0.1, 1.0, 10.0)
EDGE_ALPHAS = (0.0, -0.0, 1e-300, 5e-324, 1e300)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """good nine times in ten (so that most examples reach the result checks), else bad.

    (st.one_of would not do: it drops repeated strategies, giving good and bad equal odds.)
    """
    return st.integers(0, 9).flatmap(lambda i: bad if i == 9 else good)


def solvers() -> st.SearchStrategy[Opt]:
    good = st.sampled_from(SOLVER_NAMES).map(Opt)
    bad = st.sampled_from(BAD_SOLVERS).map(lambda s: Opt(s, arg("solver")))
    return mostly(good, bad)


def thread_counts() -> st.SearchStrategy[Opt]:
    good = st.sampled_from(GOOD_THREADS).map(Opt)
    bad = st.sampled_from(BAD_THREADS).map(lambda b: Opt(b, arg("n_threads")))
    return mostly(good, bad)


def scalar_alpha() -> st.SearchStrategy[Any]:
    return st.sampled_from(REGULAR_ALPHAS + REGULAR_ALPHAS + EDGE_ALPHAS)


@st.composite
def ridge_alphas(draw: Any, t: Optional[int]) -> Opt:
    """alpha for rb.ridge: a scalar, one per target, or something invalid."""
    kind = draw(
        st.sampled_from(
            ["scalar"] * 16
            + ["per-target", "np-scalar", "bool", "int", "list1", "bad-value", "bad-type", "2d"]
        )
    )
    if kind == "scalar":
        return Opt(draw(scalar_alpha()))
    if kind == "per-target":
        k = t if t is not None else draw(st.integers(1, 3))
        values = np.array(draw(st.lists(scalar_alpha(), min_size=k, max_size=k)))
        if t is None:
            return Opt(values, arg("alpha"))
        if draw(st.booleans()):  # wrong length
            return Opt(np.r_[values, 1.0], arg("alpha"))
        return Opt(values)
    if kind == "np-scalar":
        return Opt(draw(st.sampled_from([np.float32(1.0), np.float16(0.5), np.int8(3)])))
    if kind == "bool":
        return Opt(True)  # numpy's 1.0: accepted (rb.ridge does not single out bool)
    if kind == "int":
        return Opt(2)
    if kind == "list1":
        return Opt([1.0] if t is not None and t == 1 else 1.0)
    if kind == "bad-value":
        return Opt(draw(st.sampled_from([-1.0, -1e-300, np.nan, np.inf, -np.inf])), arg("alpha"))
    if kind == "bad-type":
        return Opt(draw(st.sampled_from(["1.0", None, 1 + 1j, object()])), arg("alpha"))
    return Opt(np.ones((1, 1)), arg("alpha"))


def first_invalid(*opts: Any) -> Optional[str]:
    """Regex matching the name of any invalid argument (the library may report either first)."""
    found = [o if isinstance(o, str) else o.invalid for o in opts if o is not None]
    found = [f for f in found if f]
    return "|".join(found) if found else None


def cholesky_gave_up(solver: Any, out: Outcome) -> bool:
    """An explicit solver="cholesky" may refuse a matrix that is not numerically definite."""
    return solver == "cholesky" and isinstance(out.error, np.linalg.LinAlgError)


def returned(
    out: Outcome,
    d: Data,
    solver: Opt,
    *options: Any,
    budget: float = CALL_BUDGET_S,
    refusal_ok: bool = False,
) -> bool:
    """Screen a call on ``d``; True when it returned an answer for the caller to check.

    Invalid data or options (``first_invalid``) must have raised, naming one of them. Valid
    input may be refused only when it is not finite, when an explicit Cholesky gave up, or
    when ``refusal_ok`` (a documented refusal the caller recognised).
    """
    check_common(out, finite_input=d.finite, budget=budget)
    invalid = first_invalid(d.invalid, solver, *options)
    if invalid:
        check_raised(out, invalid)
        return False
    if out.error is not None:
        assert not d.finite or cholesky_gave_up(solver.value, out) or refusal_ok, (
            f"valid input refused: {out.message}"
        )
        return False
    return True


def needs_finite_output(d: Data, alphas: Any, solver: str, auto_eigh: bool = True) -> bool:
    """Finite well-posed problems must give finite answers.

    alpha > 0 always; alpha = 0 with the solvers that take a pseudo-inverse ("svd", "eigh",
    and "auto", which picks "svd"); an explicit "cholesky" at alpha = 0 raises or warns.
    """
    a = float_or_none(alphas)
    if not d.finite or a is None:
        return False
    return bool((a > 0).all()) or solver != "cholesky"


def alpha_is_regular(alphas: Any) -> bool:
    a = float_or_none(alphas)
    return a is not None and a.size > 0 and bool(((a >= 0.1) & (a <= 10)).all())


# ---------------------------------------------------------------------------------------------
# options shared by several entry points

BAD_PATH_ALPHAS = ([], [[1.0, 2.0]], [1.0, -1.0], [np.nan], [1.0, np.inf], "1", None, ["a"], [1j])


@st.composite
def path_alphas(draw: Any) -> Opt:
    kind = draw(st.sampled_from(["list"] * 6 + ["scalar", "array32", "ints", "bad"]))
    if kind == "list":
        return Opt(draw(st.lists(scalar_alpha(), min_size=1, max_size=6)))
    if kind == "scalar":
        return Opt(draw(scalar_alpha()))
    if kind == "array32":
        return Opt(np.array([0.5, 2.0], dtype=np.float32))
    if kind == "ints":
        return Opt(np.array([1, 2, 3], dtype=np.int8))
    return Opt(draw(st.sampled_from(BAD_PATH_ALPHAS)), arg("alphas", "alpha"))


GOOD_SEEDS = (0, 1, 2**32, 2**64 - 1, np.uint64(2**64 - 1), np.int64(7))
BAD_SEEDS = (-1, 2**64, 1.5, "0", None, True)


def seeds() -> st.SearchStrategy[Opt]:
    good = st.sampled_from(GOOD_SEEDS).map(Opt)
    bad = st.sampled_from(BAD_SEEDS).map(lambda s: Opt(s, arg("seed")))
    return mostly(good, bad)


def schemes() -> st.SearchStrategy[Opt]:
    good = st.sampled_from(["multinomial", "poisson"]).map(Opt)
    bad = st.sampled_from(["bayesian", "", "Poisson", None, 0]).map(lambda s: Opt(s, arg("scheme")))
    return mostly(good, bad)


def block_lens(n: int) -> st.SearchStrategy[Opt]:
    good = st.sampled_from([None, *sorted({1, max(1, n // 2), n})]).map(Opt)
    bad = st.sampled_from([0, -1, n + 1, 2.0, "2", True]).map(lambda b: Opt(b, arg("block_len")))
    return mostly(good, bad)


CI_METHODS = ("percentile", "basic", "normal", "bca")


def run_cli(argv: list[str]) -> tuple[int, str, str, Outcome]:
    """``cli.main(argv)`` in-process: (exit code, stdout, stderr, outcome)."""
    out, err = io.StringIO(), io.StringIO()

    def main() -> int:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                return cli.main(argv)
            except SystemExit as exc:  # the brief allows SystemExit(2) as well
                return exc.code if isinstance(exc.code, int) else 2

    outcome = call(main)
    assert outcome.error is None, f"cli.main raised {outcome.message}"
    return outcome.value, out.getvalue(), err.getvalue(), outcome


# ---------------------------------------------------------------------------------------------
# numpy reference


def assert_matches_reference(
    coef: Any, icpt: Any, d: Data, alpha: Any, fit_intercept: bool
) -> None:
    """coef and intercept equal the oracle's closed-form fit of d's data (float64)."""
    if currently_in_test_context():
        event("compared with the numpy reference")
    X, y, w = d.floats()
    if w is not None:
        w = np.broadcast_to(w, (d.n,))  # a scalar weight weighs every row
    rc, ri = ridge_reference(X, y, alpha, fit_intercept, w)
    c = np.asarray(coef, dtype=np.float64).reshape(np.shape(rc))
    i = np.asarray(icpt, dtype=np.float64).reshape(np.shape(ri))
    scale = 1.0 + np.abs(rc).max()
    np.testing.assert_allclose(c, rc, rtol=1e-6, atol=1e-8 * scale, err_msg="coef vs reference")
    iscale = 1.0 + np.abs(ri).max() + scale
    np.testing.assert_allclose(i, ri, rtol=1e-6, atol=1e-8 * iscale, err_msg="intercept vs ref")
