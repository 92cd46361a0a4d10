"""Fuzz every public entry point with hostile inputs (issue "Hardening").

rb.ridge, rb.ridge_path, rb.bootstrap, rb.bootstrap_counts, rb.ridge_cv, the scikit-learn
estimators and ``ridgeboot.cli.main`` are driven with hypothesis-generated hostile input:
NaN/inf (check_finite True and False), empty, one-row and p >> n data, constant, duplicate and
zero columns, all-zero y, tiny/huge/zero/denormal alphas, zero, tiny and huge (1e300) sample
weights, float16/float32/int8/uint64/bool/object/complex/str/bytes dtypes, negative-stride,
strided, Fortran, zero-stride and read-only arrays, 0-d and 3-d arrays, lists, bad n_boot,
n_threads, seeds, block lengths, scheme/solver/cv/scoring values, and small CSV files with
broken cells for the command line.

The contract checked for every call:

- it returns an answer of the documented shape, in float32 only when X and y were float32,
  finite whenever the input was finite and the problem well posed (alpha > 0, or a solver
  that handles alpha = 0), and (for plain float64 problems) equal to a numpy reference;
- or it raises ValueError / TypeError / numpy.linalg.LinAlgError / MemoryError, naming the
  argument at fault when one clearly is;
- it never crashes (every call runs in-process: a segfault kills pytest), never hangs (a
  faulthandler watchdog kills the run), stays within a time budget, and emits no warning on
  finite input beyond the documented ones (skipped replicates, ill-conditioned Cholesky, alpha
  at the edge of the grid);
- the command line returns 0, or 2 with a single ``ridgeboot: error: ...`` line (argparse usage
  errors: usage plus one error line) and no traceback.

Library bugs found by this fuzzing are pinned by the ``test_bug_*`` regression tests at the
end (all fixed). A newly found bug gets a ``test_bug_*`` test marked ``xfail(strict=True)`` and
a clause in ``known_bug``, so the properties step around exactly those inputs until it is fixed.
"""

from __future__ import annotations

import contextlib
import csv
import faulthandler
import io
import json
import math
import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
import pytest
import ridgeboot as rb
from hypothesis import HealthCheck, event, given, settings
from hypothesis import note as _hypothesis_note
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
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
# and ridge_cv's choice at the edge of the grid.
DOCUMENTED_WARNINGS = (
    (RuntimeWarning, r"replicates drew no row with positive weight"),
    (RuntimeWarning, r"ill-conditioned"),
    (UserWarning, r"chosen alpha .* (smallest|largest) of the grid"),
)


@pytest.fixture(autouse=True)
def _watchdog():
    """A hang kills the run with every thread's stack; failing examples print exactly."""
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    with np.printoptions(precision=17, threshold=2000):
        yield
    faulthandler.cancel_dump_traceback_later()


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


def call(fn: Callable[..., Any], *args: Any, _also: tuple = (), **kwargs: Any) -> Outcome:
    """Run fn, recording warnings; accepted exceptions are returned, any other propagates.

    ``_also``: further exception types to return (only to match a known bug, see below).
    """
    out = Outcome()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            out.value = fn(*args, **kwargs)
        except (*ACCEPTED, *_also) as exc:
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


def all_finite(*arrays: Any) -> bool:
    return all(np.isfinite(np.asarray(a, dtype=np.float64)).all() for a in arrays)


# ---------------------------------------------------------------------------------------------
# known bugs: the exact inputs the fuzz properties step around (each pinned by a test_bug_*)


def auto_without_fallback(kind: str, solver: Any, out: Outcome) -> bool:
    """solver="auto" resolved to "cholesky" before fit_grid: no SVD fallback (path, boot, cv)."""
    if kind not in ("path", "boot", "cv") or solver != "auto":
        return False
    ill = any("ill-conditioned" in str(w.message) for w in out.warnings)
    return ill or isinstance(out.error, np.linalg.LinAlgError)


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


def known_bug(kind: str, **ctx: Any) -> Optional[str]:
    """Name of a known (pinned) library bug the context triggers, else None.

    Every bug the fuzzing found so far is fixed and pinned by a regression test at the end
    of this file; add a clause here (and an xfail test) when a new one is found.
    """
    return None


# ---------------------------------------------------------------------------------------------
# numpy reference


def ref_ridge(X: Any, Y: Any, w: Any, alpha: Any, fit_intercept: bool) -> tuple[Any, Any]:
    """Weighted ridge by least squares on [sqrt(w) Xc; sqrt(alpha) I] (alpha > 0), float64."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64).reshape(len(X), -1)
    n, p = X.shape
    v = np.ones(n) if w is None else np.broadcast_to(np.asarray(w, dtype=np.float64), (n,))
    alphas = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (Y.shape[1],))
    if fit_intercept:
        xm, ym = v @ X / v.sum(), v @ Y / v.sum()
    else:
        xm, ym = np.zeros(p), np.zeros(Y.shape[1])
    s = np.sqrt(v)[:, None]
    Z, R = s * (X - xm), s * (Y - ym)
    coef = np.empty((p, Y.shape[1]))
    for u, a in enumerate(alphas):
        A = np.vstack([Z, math.sqrt(a) * np.eye(p)])
        b = np.concatenate([R[:, u], np.zeros(p)])
        coef[:, u] = np.linalg.lstsq(A, b, rcond=None)[0]
    return coef, ym - xm @ coef


def assert_matches_reference(coef: Any, icpt: Any, ref: tuple[Any, Any]) -> None:
    if currently_in_test_context():
        event("compared with the numpy reference")
    rc, ri = ref
    c = np.asarray(coef, dtype=np.float64).reshape(rc.shape)
    i = np.asarray(icpt, dtype=np.float64).reshape(ri.shape)
    scale = 1.0 + np.abs(rc).max()
    np.testing.assert_allclose(c, rc, rtol=1e-6, atol=1e-8 * scale, err_msg="coef vs reference")
    iscale = 1.0 + np.abs(ri).max() + scale
    np.testing.assert_allclose(i, ri, rtol=1e-6, atol=1e-8 * iscale, err_msg="intercept vs ref")


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
# rb.ridge


@FUZZ
@given(data=st.data(), d=datasets(), solver=solvers(), threads=thread_counts())
def test_fuzz_ridge(data, d, solver, threads):
    alpha = data.draw(ridge_alphas(d.t), label="alpha")
    fit_intercept = data.draw(st.booleans(), label="fit_intercept")
    note(d.label)
    out = call(
        rb.ridge,
        d.X,
        d.y,
        alpha.value,
        solver=solver.value,
        fit_intercept=fit_intercept,
        sample_weight=d.w,
        n_threads=threads.value,
        check_finite=d.check_finite,
    )
    bug = known_bug(
        "ridge", X=d.X, y=d.y, dtype=d.dtype, alpha=alpha.value, w=d.w, solver=solver.value
    )
    if bug:
        note(f"known bug {bug}: not checked")
        event(f"known bug: {bug}")
        return
    check_common(out, finite_input=d.finite)
    invalid = first_invalid(d.invalid, alpha, solver, threads)
    if invalid:
        check_raised(out, invalid)
        return
    if out.error is not None:
        # valid input: only Cholesky may give up (not positive definite), and it says so
        assert not d.finite or cholesky_gave_up(solver.value, out), (
            f"valid input refused: {out.message}"
        )
        return
    r = out.value
    assert r.coef.shape == (d.p, *d.y_shape)
    assert r.coef.dtype == d.dtype
    if d.t is None:
        assert isinstance(r.intercept, float)
    else:
        assert np.shape(r.intercept) == (d.t,)
    assert r.solver in ("cholesky", "svd", "eigh")
    if solver.value != "auto":
        assert r.solver == solver.value
    if np.ndim(alpha.value) == 1:
        assert np.shape(r.alpha) == (d.t,)
    X64, _, _ = d.floats()
    pred = call(r.predict, X64)
    check_common(pred, finite_input=d.finite and all_finite(r.coef, r.intercept))
    assert pred.error is None, pred.message
    assert pred.value.shape == (d.n, *d.y_shape)
    ill = any("ill-conditioned" in str(w.message) for w in out.warnings)
    if needs_finite_output(d, alpha.value, solver.value, auto_eigh=False) and not ill:
        assert all_finite(r.coef, r.intercept, pred.value), "finite problem, non-finite answer"
    if d.regular and d.dtype == np.float64 and alpha_is_regular(alpha.value) and not ill:
        X, y, w = d.floats()
        assert_matches_reference(
            r.coef, r.intercept, ref_ridge(X, y, w, alpha.value, fit_intercept)
        )


# ---------------------------------------------------------------------------------------------
# rb.ridge_path


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


@FUZZ
@given(d=datasets(), alphas=path_alphas(), solver=solvers(), threads=thread_counts())
def test_fuzz_ridge_path(d, alphas, solver, threads):
    note(d.label)
    out = call(
        rb.ridge_path,
        d.X,
        d.y,
        alphas.value,
        solver=solver.value,
        sample_weight=d.w,
        n_threads=threads.value,
        check_finite=d.check_finite,
    )
    bug = known_bug(
        "path", X=d.X, y=d.y, dtype=d.dtype, alpha=alphas.value, w=d.w, solver=solver.value, out=out
    )
    if bug:
        note(f"known bug {bug}: not checked")
        event(f"known bug: {bug}")
        return
    check_common(out, finite_input=d.finite)
    invalid = first_invalid(d.invalid, alphas, solver, threads)
    if invalid:
        check_raised(out, invalid)
        return
    if out.error is not None:
        assert not d.finite or cholesky_gave_up(solver.value, out), (
            f"valid input refused: {out.message}"
        )
        return
    r = out.value
    k = np.atleast_1d(np.asarray(alphas.value)).size
    assert r.coef.shape == (k, d.p, *d.y_shape)
    assert r.intercept.shape == (k, *d.y_shape)
    assert r.alphas.shape == (k,)
    assert r.coef.dtype == d.dtype
    X64, _, _ = d.floats()
    pred = call(r.predict, X64)
    check_common(pred, finite_input=d.finite and all_finite(r.coef, r.intercept))
    assert pred.error is None, pred.message
    assert pred.value.shape == (k, d.n, *d.y_shape)
    ill = any("ill-conditioned" in str(w.message) for w in out.warnings)
    auto_eigh = np.size(alphas.value) > 2  # ridge_path: "auto" is "eigh" beyond 2 alphas
    if needs_finite_output(d, alphas.value, solver.value, auto_eigh) and not ill:
        assert all_finite(r.coef, r.intercept, pred.value), "finite problem, non-finite answer"
    if d.regular and d.dtype == np.float64 and alpha_is_regular(alphas.value) and not ill:
        X, y, w = d.floats()
        for a_idx, a in enumerate(np.atleast_1d(np.asarray(alphas.value, dtype=np.float64))):
            ref = ref_ridge(X, y, w, a, True)
            assert_matches_reference(r.coef[a_idx], r.intercept[a_idx], ref)


# ---------------------------------------------------------------------------------------------
# rb.bootstrap_counts and the options of the bootstrap

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


@FUZZ
@given(
    n=mostly(st.integers(1, 30), st.sampled_from([0, -1, 2.5, 2**32, True, "3", None])),
    n_boot=mostly(st.integers(0, 30), st.sampled_from([-1, 2.0, 2**32, 2**40, 2**64, None, True])),
    seed=seeds(),
    scheme=schemes(),
    threads=thread_counts(),
    data=st.data(),
)
def test_fuzz_bootstrap_counts(n, n_boot, seed, scheme, threads, data):
    n_ok = isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 30
    block_len = data.draw(block_lens(n if n_ok else 3), label="block_len")
    b_ok = isinstance(n_boot, int) and not isinstance(n_boot, bool) and 0 <= n_boot <= 30
    out = call(
        rb.bootstrap_counts,
        n,
        n_boot,
        seed.value,
        scheme.value,
        block_len.value,
        n_threads=threads.value,
    )
    check_common(out, finite_input=True, budget=QUICK_S)
    invalid = first_invalid(
        None if n_ok else arg("n"),
        None if b_ok else arg("n_boot"),
        seed,
        scheme,
        block_len,
        threads,
    )
    if invalid:
        check_raised(out, invalid)
        return
    assert out.error is None, f"valid input refused: {out.message}"
    counts = out.value
    assert counts.shape == (n_boot, n) and counts.dtype == np.int32
    assert (counts >= 0).all()
    if scheme.value == "multinomial":
        assert (counts.sum(axis=1) == n).all()
    again = rb.bootstrap_counts(n, n_boot, seed.value, scheme.value, block_len.value, n_threads=1)
    np.testing.assert_array_equal(counts, again)  # the draws do not depend on the threads


# ---------------------------------------------------------------------------------------------
# rb.bootstrap


@st.composite
def boot_alphas(draw: Any) -> Opt:
    if draw(st.booleans()):
        return Opt(draw(scalar_alpha()))
    return draw(path_alphas())


def boot_n_boot() -> st.SearchStrategy[Opt]:
    good = st.integers(2, 30).map(Opt)
    bad = st.sampled_from([0, 1, -1, 2.0, 2**32, 2**40, 2**64, None, True, "5"]).map(
        lambda b: Opt(b, arg("n_boot"))
    )
    return mostly(good, bad)


def oob_options() -> st.SearchStrategy[Opt]:
    good = st.sampled_from([True, False, "mse"]).map(Opt)
    bad = st.sampled_from(["rows", None, 1.5]).map(lambda o: Opt(o, arg("oob")))
    return mostly(good, bad)


CI_METHODS = ("percentile", "basic", "normal", "bca")


@FUZZ
@given(
    data=st.data(),
    d=datasets(),
    alphas=boot_alphas(),
    n_boot=boot_n_boot(),
    seed=seeds(),
    scheme=schemes(),
    solver=solvers(),
    threads=thread_counts(),
    oob=oob_options(),
    keep_coefs=st.booleans(),
    fit_intercept=st.booleans(),
)
def test_fuzz_bootstrap(
    data, d, alphas, n_boot, seed, scheme, solver, threads, oob, keep_coefs, fit_intercept
):
    block_len = data.draw(block_lens(d.n), label="block_len")
    note(d.label)
    out = call(
        rb.bootstrap,
        d.X,
        d.y,
        alphas.value,
        n_boot.value,
        solver=solver.value,
        fit_intercept=fit_intercept,
        sample_weight=d.w,
        scheme=scheme.value,
        block_len=block_len.value,
        seed=seed.value,
        n_threads=threads.value,
        keep_coefs=keep_coefs,
        oob=oob.value,
        check_finite=d.check_finite,
    )
    bug = known_bug(
        "boot", X=d.X, y=d.y, dtype=d.dtype, alpha=alphas.value, w=d.w, solver=solver.value, out=out
    )
    if bug:
        note(f"known bug {bug}: not checked")
        event(f"known bug: {bug}")
        return
    budget = QUICK_S if n_boot.invalid else CALL_BUDGET_S
    check_common(out, finite_input=d.finite, budget=budget)
    invalid = first_invalid(
        d.invalid, n_boot, seed, scheme, solver, alphas, block_len, oob, threads
    )
    if invalid:
        check_raised(out, invalid)
        return
    if out.error is not None:
        # valid options; allowed refusals: Cholesky gave up, or too few replicates drew a row
        # of positive weight (sparse weights, Poisson or block draws)
        msg = str(out.error)
        assert (
            not d.finite
            or cholesky_gave_up(solver.value, out)
            or (
                "replicates drew a row with positive weight" in msg
                and (not d.positive_w or scheme.value == "poisson")
            )
        ), f"valid input refused: {out.message}"
        return
    res = out.value
    _check_bootstrap_result(res, d, alphas.value, n_boot.value, keep_coefs, oob.value)
    auto_eigh = np.size(alphas.value) > 4  # bootstrap: "auto" is "eigh" beyond 4 alphas
    finite = needs_finite_output(d, alphas.value, solver.value, auto_eigh) and not any(
        "ill-conditioned" in str(w.message) for w in out.warnings
    )
    w_used = d.weights_in_dtype()
    counts = rb.bootstrap_counts(d.n, n_boot.value, seed.value, scheme.value, block_len.value)
    valid = ((counts * w_used) > 0).any(axis=1)
    assert res.n_valid == valid.sum()
    if res.n_valid < n_boot.value:
        assert any("replicates drew no row" in str(w.message) for w in out.warnings)
    if finite:
        assert all_finite(res.coef_mean, res.coef_std, res.intercept_mean, res.intercept_std)
        assert all_finite(res.full.coef, res.full.intercept)
        if res.coefs is not None:
            assert all_finite(res.coefs[valid], res.intercepts[valid])
            assert np.isnan(res.coefs[~valid]).all()
        if res.oob_mse is not None:
            has_oob = (((counts == 0) & (w_used > 0)).any(axis=1) & valid).any()
            if has_oob:
                assert all_finite(res.oob_mse), "out-of-bag rows exist but oob_mse is not finite"
            else:
                assert np.isnan(res.oob_mse).all()
    if d.regular and d.dtype == np.float64 and alpha_is_regular(alphas.value) and finite:
        X, y, w = d.floats()
        full_coef = np.asarray(res.full.coef).reshape(-1, d.p, *d.y_shape)
        full_icpt = np.asarray(res.full.intercept).reshape(-1, *d.y_shape)
        for a_idx, a in enumerate(np.atleast_1d(np.asarray(alphas.value, dtype=np.float64))):
            ref = ref_ridge(X, y, w, a, fit_intercept)
            assert_matches_reference(full_coef[a_idx], full_icpt[a_idx], ref)
    # the statistics of the result
    method = data.draw(st.sampled_from(CI_METHODS), label="ci method")
    level = data.draw(
        mostly(st.sampled_from([0.9, 0.5]), st.sampled_from([0.0, 1.0, np.nan, "0.9"])),
        label="ci level",
    )
    ci = call(res.ci, level, method, _also=(IndexError,))
    if known_bug("ci", method=method, out=ci):
        return
    check_common(ci, finite_input=d.finite)
    level_ok = isinstance(level, float) and 0 < level < 1
    if not level_ok:
        check_raised(ci, arg("level"))
    elif method != "normal" and not keep_coefs:
        check_raised(ci, arg("keep_coefs"))
    else:
        assert ci.error is None, ci.message
        lo, hi = ci.value
        assert lo.shape == hi.shape == res.coef_mean.shape
        if finite:
            assert all_finite(lo, hi), f"{method} interval not finite"
            if method in ("percentile", "normal", "basic"):
                assert (lo <= hi).all()
    if oob.value is True:
        e = call(lambda: (res.err632, res.err632plus))
        check_common(e, finite_input=d.finite)
        if e.error is not None:
            check_raised(e, "out of bag")
        else:
            for est in e.value:
                assert np.shape(est) == np.shape(res.oob_mse)
                if finite:
                    assert all_finite(est)
    bv = call(res.bias_variance)
    check_common(bv, finite_input=d.finite)
    assert bv.error is None, bv.message
    assert bv.value.bias2.shape == bv.value.variance.shape == np.shape(res.intercept_mean)


def _check_bootstrap_result(
    res: Any, d: Data, alphas: Any, n_boot: int, keep_coefs: bool, oob: Any
) -> None:
    k_axis = () if np.ndim(alphas) == 0 else (len(alphas),)
    t_axis = d.y_shape
    assert res.coef_mean.shape == res.coef_std.shape == (*k_axis, d.p, *t_axis)
    assert np.shape(res.intercept_mean) == np.shape(res.intercept_std) == (*k_axis, *t_axis)
    assert res.coef_mean.dtype == d.dtype
    if keep_coefs:
        assert res.coefs.shape == (n_boot, *k_axis, d.p, *t_axis)
        assert res.intercepts.shape == (n_boot, *k_axis, *t_axis)
        assert res.coefs.dtype == d.dtype
    else:
        assert res.coefs is None and res.intercepts is None
    if oob is False:
        assert res.oob_mse is None
    else:
        assert np.shape(res.oob_mse) == (*k_axis, *t_axis)
    assert 2 <= res.n_valid <= n_boot == res.n_boot


# ---------------------------------------------------------------------------------------------
# rb.ridge_cv


@st.composite
def cv_options(draw: Any, n: int) -> dict[str, Opt]:
    """cv and the options that go with it."""
    cv = draw(
        mostly(
            st.one_of(
                st.sampled_from(["gcv", "loo", "bootstrap"]).map(Opt),
                st.integers(2, max(2, n)).map(lambda k: Opt(k, None if k <= n else arg("cv"))),
            ),
            st.sampled_from([1, 0, -1, n + 1, 2.5, True, "kfold", "GCV", None]).map(
                lambda c: Opt(c, arg("cv"))
            ),
        )
    )
    opts = {"cv": cv}
    opts["scoring"] = draw(
        mostly(
            st.sampled_from(["mse", "r2", "corr"]).map(Opt),
            st.sampled_from(["accuracy", None, 1]).map(lambda s: Opt(s, arg("scoring"))),
        )
    )
    if cv.value == "bootstrap":
        opts["n_boot"] = draw(
            mostly(
                st.integers(1, 20).map(Opt),
                # beyond the address space (2**50 x 8 B), so that even an overcommitting
                # kernel refuses the allocation ridge_cv attempts (see test_bug_ridge_cv_*)
                st.sampled_from([0, -1, 2.0, 2**50, 2**63]).map(lambda b: Opt(b, arg("n_boot"))),
            )
        )
        opts["chunk_len"] = draw(
            mostly(
                st.sampled_from([None, *sorted({1, max(1, n // 3), n})]).map(Opt),
                st.sampled_from([0, n + 1, 2.5]).map(lambda c: Opt(c, arg("chunk_len"))),
            )
        )
        opts["n_chunks"] = draw(
            mostly(
                st.sampled_from([None, None, 1, 2]).map(Opt),
                st.sampled_from([0, -1, 10**6, 1.5]).map(lambda c: Opt(c, arg("n_chunks"))),
            )
        )
        opts["heldout_fraction"] = draw(
            mostly(
                st.sampled_from([0.2, 0.5]).map(Opt),
                st.sampled_from([0.0, 1.0, -0.5, np.nan, "0.2", None]).map(
                    lambda h: Opt(h, arg("heldout_fraction"))
                ),
            )
        )
        if opts["n_chunks"].value is not None:  # heldout_fraction is not used then
            opts["heldout_fraction"] = Opt(opts["heldout_fraction"].value)
    return opts


@st.composite
def cv_alphas(draw: Any) -> Opt:
    kind = draw(st.sampled_from(["grid"] * 8 + ["one", "bad"]))
    if kind == "grid":
        values = draw(st.lists(scalar_alpha(), min_size=2, max_size=6))
        return Opt(values)
    if kind == "one":
        return Opt(draw(scalar_alpha()))
    return Opt(draw(st.sampled_from(BAD_PATH_ALPHAS)), arg("alphas", "alpha"))


@FUZZ
@given(
    data=st.data(),
    d=datasets(min_n=2),
    alphas=cv_alphas(),
    solver=solvers(),
    seed=seeds(),
    threads=thread_counts(),
    alpha_per_target=st.booleans(),
    shuffle=st.booleans(),
    fit_intercept=st.booleans(),
)
def test_fuzz_ridge_cv(
    data, d, alphas, solver, seed, threads, alpha_per_target, shuffle, fit_intercept
):
    opts = data.draw(cv_options(d.n), label="cv options")
    note(d.label)
    kwargs = {k: o.value for k, o in opts.items()}
    out = call(
        rb.ridge_cv,
        d.X,
        d.y,
        alphas.value,
        alpha_per_target=alpha_per_target,
        fit_intercept=fit_intercept,
        sample_weight=d.w,
        solver=solver.value,
        shuffle=shuffle,
        seed=seed.value,
        n_threads=threads.value,
        check_finite=d.check_finite,
        **kwargs,
    )
    cv = opts["cv"].value
    n_boot = kwargs.get("n_boot")
    bug = known_bug(
        "cv",
        X=d.X,
        y=d.y,
        dtype=d.dtype,
        alpha=alphas.value,
        w=d.w,
        solver=solver.value,
        out=out,
        cv=cv,
        scoring=opts["scoring"].value,
        n_boot_huge=isinstance(n_boot, int) and n_boot > 2**32,
        heldout_fraction_type=kwargs.get("n_chunks") is None
        and "heldout_fraction" in kwargs
        and not isinstance(kwargs["heldout_fraction"], float),
    )
    if bug:
        note(f"known bug {bug}: not checked")
        event(f"known bug: {bug}")
        return
    check_common(out, finite_input=d.finite)
    too_few_rows = arg("X") if d.n < 2 else None  # ridge_cv needs 2 rows
    invalid = first_invalid(d.invalid, too_few_rows, alphas, solver, seed, threads, *opts.values())
    if invalid:
        check_raised(out, invalid)
        return
    if out.error is not None:
        msg = str(out.error)
        allowed = (
            not d.finite
            or cholesky_gave_up(solver.value, out)
            or "chunks" in msg  # cv="bootstrap": n, chunk_len and n_chunks leave no chunk
            # r2 / corr need >= 2 held-out rows with a varying target: documented refusal
            or (isinstance(out.error, ValueError) and "scoring=" in msg and "undefined" in msg)
        )
        assert allowed, f"valid input refused: {out.message}"
        return
    r = out.value
    k = np.atleast_1d(np.asarray(alphas.value)).size
    grid = np.atleast_1d(np.asarray(alphas.value, dtype=np.float64))
    assert r.coef.shape == (d.p, *d.y_shape)
    assert r.coef.dtype == d.dtype
    assert r.alphas.shape == (k,)
    assert np.shape(r.scores) == (k, *d.y_shape)
    assert np.shape(r.dof) == (k,)
    per_target = alpha_per_target and d.t is not None
    assert np.shape(r.alpha) == ((d.t,) if per_target else ())
    assert np.isin(np.atleast_1d(r.alpha), grid.astype(d.dtype).astype(np.float64)).all()
    assert np.shape(r.intercept) == d.y_shape
    ill = any("ill-conditioned" in str(w.message) for w in out.warnings)
    if needs_finite_output(d, r.alpha, solver.value, auto_eigh=False) and not ill:
        assert all_finite(r.coef, r.intercept, r.dof), "finite problem, non-finite answer"
    if cv == "bootstrap":
        assert r.alpha_replicates.shape[0] == kwargs["n_boot"]
        assert r.heldout.shape[0] == kwargs["n_boot"]
    pred = call(r.predict, d.floats()[0])
    check_common(pred, finite_input=d.finite and all_finite(r.coef, r.intercept))
    assert pred.error is None and pred.value.shape == (d.n, *d.y_shape)


# ---------------------------------------------------------------------------------------------
# scikit-learn estimators


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
    pred_X = data.draw(predict_inputs(d), label="predict X")
    note(d.label)
    est = rbsk.Ridge(alpha.value, solver=solver.value, n_threads=threads.value)
    fit = call(est.fit, d.X, d.y, sample_weight=d.w)
    if known_bug(
        "ridge", X=d.X, y=d.y, dtype=sk_dtype(d), alpha=alpha.value, w=d.w, solver=solver.value
    ):
        return
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
        mostly(st.sampled_from([None, "mse", "r2", "corr"]), st.just("accuracy")), label="scoring"
    )
    pred_X = data.draw(predict_inputs(d), label="predict X")
    note(d.label)
    est = rbsk.RidgeCV(
        alphas.value,
        cv=cv_value,
        scoring=scoring,
        alpha_per_target=data.draw(st.booleans(), label="alpha_per_target"),
        solver=solver.value,
        n_threads=threads.value,
    )
    fit = call(est.fit, d.X, d.y, sample_weight=d.w)
    bug = known_bug(
        "cv",
        X=d.X,
        y=d.y,
        dtype=sk_dtype(d),
        alpha=alphas.value,
        w=d.w,
        solver=solver.value,
        out=fit,
        cv="gcv" if cv == "gcv" else None,
        scoring=scoring,
    )
    if bug:
        return
    own = None
    if d.invalid is None and d.finite:  # invalid data: scikit-learn's own checks speak first
        bad_cv = cv in (1, "bogus") or (isinstance(cv, int) and cv > d.n)
        bad_scoring = scoring == "accuracy"  # validated for every cv
        own = first_invalid(
            alphas,
            solver,
            threads,
            arg("cv") if bad_cv else None,
            arg("scoring") if bad_scoring else None,
            "at least 2 samples" if d.n < 2 else None,
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
    fit = call(est.fit, d.X, d.y, sample_weight=d.w, _also=(IndexError,))
    if known_bug(
        "boot",
        X=d.X,
        y=d.y,
        dtype=sk_dtype(d),
        alpha=alpha.value,
        w=d.w,
        solver=solver.value,
        out=fit,
    ) or known_bug("ci", method=opts["ci_method"].value, out=fit):
        return
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


# ---------------------------------------------------------------------------------------------
# the command line


@dataclass
class CliCase:
    header: list[str]
    rows: list[list[str]]
    delimiter: str
    argv: list[str]
    bad_cell: Optional[tuple[str, str]]  # (column, "missing" or "text") of a broken cell
    label: str = ""


NUMBER_TOKENS = ("nan", "NA", "", "inf", "-inf", "1e999", "abc", "0x10", " 2 ", "1_000", "1e-320")
# option -> (valid values, hostile values); the valid ones include edge cases (alpha 0, 1e300)
CLI_OPTIONS = {
    "--alpha": (["1", "0", "1e-300", "1e300", "0.5"], ["-1", "nan", "inf", "abc", ""]),
    "--cv": (["gcv", "loo", "bootstrap", "2", "3"], ["1", "0", "100", "kfold", "-2"]),
    "--alphas": (
        ["0.1,1,10", "0", "1e300", "logspace(-300,300,3)", "0,1e-300,1"],
        ["1,nan", "", "linspace(0,1,0)", "1,-2", "logspace(1,2)", "a,b"],
    ),
    "--n-boot": (
        ["2", "5", "20"],
        ["1", "0", "-3", "2.5", "1099511627776"] + ([] if BIG_MACHINE else ["4294967295"]),
    ),
    "--seed": (["0", "7", "18446744073709551615"], ["-1", "18446744073709551616", "1.5"]),
    "--threads": (["1", "-1", "10000"], ["0", "2.5", "-5"]),
    "--solver": (["auto", "cholesky", "svd", "eigh"], ["qr", ""]),
    "--ci-method": (["percentile", "basic", "normal", "bca"], ["x", "BCA"]),
    "--ci-level": (["0.9", "0.5"], ["0", "1", "nan", "-0.5", "x"]),
}
CLI_DATA_HOSTILITY = ("cell", "ragged", "rows", "header", "target", "features")


@st.composite
def cli_cases(draw: Any) -> CliCase:
    """A small CSV and a ``ridgeboot fit`` command line; at most one thing in it is hostile."""
    g = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    hostile = draw(
        st.sampled_from([None] * 8 + list(CLI_DATA_HOSTILITY) + list(CLI_OPTIONS)), label="hostile"
    )
    n_rows = draw(st.sampled_from([0, 1, 2] if hostile == "rows" else [3, 4, 6, 8]))
    n_feat = draw(st.integers(1, 4))
    header = [f"x{j}" for j in range(n_feat)] + ["y"]
    if hostile == "header":
        kind = draw(st.sampled_from(["duplicate", "empty", "quoted", "unicode", "blank-line"]))
        if kind == "duplicate":
            header[-1] = header[0]
        elif kind == "empty":
            header[0] = ""
        elif kind == "quoted":
            header[0] = 'a,"b'
        elif kind == "unicode":
            header[0] = "é x"
        else:
            header = [" "] * len(header)
    values = g.standard_normal((n_rows, n_feat + 1))
    structure = draw(
        st.sampled_from(["random"] * 4 + ["constant-y", "constant-x", "huge", "tiny", "int"])
    )
    if structure == "constant-y":
        values[:, -1] = 1.5
    elif structure == "constant-x":
        values[:, 0] = 2.0
    elif structure == "huge":
        values *= 1e150
    elif structure == "tiny":
        values *= 1e-150
    elif structure == "int":
        values = np.round(values * 3)
    rows = [[repr(float(v)) for v in row] for row in values]
    bad_cell = None
    if hostile == "cell" and n_rows:
        i, j = g.integers(n_rows), g.integers(n_feat + 1)
        token = draw(st.sampled_from(NUMBER_TOKENS))
        rows[i][j] = token
        try:
            if not math.isfinite(float(token.strip())):
                bad_cell = (header[j], "missing")
        except ValueError:
            missing = token.strip().lower() in ("", "na", "nan")
            bad_cell = (header[j], "missing" if missing else "text")
    if hostile == "ragged" and n_rows:
        rows[g.integers(n_rows)].append("1.0")
    argv = ["fit", "{path}", "--no-progress"]
    if hostile == "target":
        argv += draw(
            st.sampled_from([["--target", "nope"], [], ["--target", "x0", "--target", "x0"]])
        )
    else:
        two = n_feat >= 2 and draw(st.integers(0, 5)) == 0
        argv += ["--target", "y"] + (["--target", "x0"] if two else [])
    if hostile == "features":
        argv += ["--features", draw(st.sampled_from(["x0,zz", "y", ",", "x0,x0"]))]
    elif draw(st.integers(0, 5)) == 0 and "x0" not in argv:
        argv += ["--features", "x0"]
    how = draw(st.sampled_from(["default", "--alpha", "--cv", "--alphas", "--cv --alphas"]))
    if hostile in ("--alpha", "--cv", "--alphas"):
        how = hostile
    for name, (good, bad) in CLI_OPTIONS.items():
        used = name in how.split() or name not in ("--alpha", "--cv", "--alphas")
        if name == hostile:
            argv += [name, draw(st.sampled_from(bad))]
        elif name == "--n-boot":
            argv += [name, draw(st.sampled_from(good))]
        elif used and draw(st.booleans()):
            argv += [name, draw(st.sampled_from(good))]
    if draw(st.integers(0, 3)) == 0:
        argv += ["--standardize"]
    if draw(st.integers(0, 3)) == 0:
        argv += ["--no-intercept"]
    if draw(st.booleans()):
        argv += ["--json", "{dir}/out.json", "--csv", "{dir}/coef.csv"]
    return CliCase(
        header,
        rows,
        draw(st.sampled_from([",", ";", "\t"])),
        argv,
        bad_cell,
        f"{n_rows} rows, {n_feat} features, {structure}, hostile {hostile}",
    )


def run_cli(argv: list[str]) -> tuple[int, str, str, Outcome]:
    out, err = io.StringIO(), io.StringIO()

    def main() -> int:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                return cli.main(argv)
            except SystemExit as exc:  # the brief allows SystemExit(2) as well
                return exc.code if isinstance(exc.code, int) else 2

    outcome = call(main, _also=(IndexError,))  # IndexError: a known bug, matched by the caller
    assert outcome.error is None or isinstance(outcome.error, IndexError), (
        f"cli.main raised {outcome.message}"
    )
    return outcome.value, out.getvalue(), err.getvalue(), outcome


@settings(FUZZ, max_examples=200)
@given(case=cli_cases())
def test_fuzz_cli_fit(case):
    note(case.label)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, delimiter=case.delimiter)
            writer.writerow(case.header)
            writer.writerows(case.rows)
        argv = [a.format(path=path, dir=tmp) for a in case.argv]
        note(" ".join(argv))
        code, stdout, stderr, outcome = run_cli(argv)
        note(f"exit {code}; stderr: {stderr!r}")
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        event(f"exit {code}: {last.replace(tmp, '<tmp>')[:60]}")
        bug = known_bug("cli", out=outcome, argv=argv)
        if bug:
            event(f"known bug: {bug}")
            return
        assert outcome.error is None, f"cli.main raised {outcome.message}"
        check_common(outcome, finite_input=True)
        assert "Traceback" not in stdout + stderr
        assert code in (0, 2), f"exit code {code}"
        if code == 2:
            lines = stderr.strip().splitlines()
            assert lines, "exit 2 without a message"
            if lines[0].startswith("usage:"):  # argparse: usage, then one error line
                assert lines[-1].startswith("ridgeboot fit: error: "), stderr
            else:
                assert len(lines) == 1 and lines[0].startswith("ridgeboot: error: "), stderr
            return
        assert "rows," in stdout
        if case.bad_cell is not None and "--features" not in argv:
            column, kind = case.bad_cell
            targets = [argv[i + 1] for i, a in enumerate(argv) if a == "--target"]
            assert kind == "text" and column not in targets, (
                f"a {kind} cell in column {column!r} was not reported"
            )
            assert "Non-numeric columns left out" in stdout and column in stdout
        json_path = os.path.join(tmp, "out.json")
        if os.path.exists(json_path):
            with open(json_path, encoding="utf-8") as f:
                record = json.load(f)
            for target in record["targets"]:
                for c in target["coefficients"]:
                    for key in ("estimate", "std_error", "ci_low", "ci_high"):
                        assert c[key] is not None, f"{key} of {c['feature']} is not finite"
                assert target["intercept"] is not None


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
    out = call(res.ci, 0.9, "bca", _also=(IndexError,))
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
    assert rb.ridge(X, y, alpha).solver == "svd"  # ridge falls back
    if fn == "ridge_path":
        out = call(rb.ridge_path, X, y, [alpha])
    else:
        out = call(rb.bootstrap, X, y, alpha, 5)
    assert out.error is None, out.message
    assert not out.warnings, [str(w.message) for w in out.warnings]
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
