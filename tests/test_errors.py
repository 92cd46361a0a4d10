"""Bad input to rb.ridge / rb.ridge_path raises the documented exception naming the argument."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import ridgeboot as rb

SOLVERS = ("cholesky", "svd", "eigh", "auto")
N, P = 20, 3


def arg(name: str) -> str:
    """Regex matching ``name`` as a whole word (so "y" does not match inside "array")."""
    return rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])"


def _data():
    g = np.random.default_rng(0)
    X = g.normal(size=(N, P))
    y = X @ np.array([1.0, -2.0, 0.5]) + g.normal(size=N)
    Y = np.column_stack([y, 2 * y])
    w = g.uniform(0.5, 2.0, N)
    return X, y, Y, w


def _with(a, index, value):
    a = np.array(a, dtype=np.result_type(a, type(value)))
    a[index] = value
    return a


X0, Y1, Y2, W0 = _data()

# (id, kwargs for rb.ridge, exception, regex the message must match)
BAD_RIDGE_INPUTS = [
    ("X-nan", dict(X=_with(X0, (3, 1), np.nan)), ValueError, arg("X")),
    ("X-inf", dict(X=_with(X0, (0, 0), np.inf)), ValueError, arg("X")),
    ("X-neginf", dict(X=_with(X0, (N - 1, P - 1), -np.inf)), ValueError, arg("X")),
    ("y-nan", dict(y=_with(Y1, 5, np.nan)), ValueError, arg("y")),
    ("y-inf", dict(y=_with(Y1, 0, np.inf)), ValueError, arg("y")),
    ("y2d-nan", dict(y=_with(Y2, (4, 1), np.nan)), ValueError, arg("y")),
    ("w-nan", dict(sample_weight=_with(W0, 2, np.nan)), ValueError, arg("sample_weight")),
    ("w-inf", dict(sample_weight=_with(W0, 2, np.inf)), ValueError, arg("sample_weight")),
    ("y-short", dict(y=Y1[:-1]), ValueError, f"{arg('X')}|{arg('y')}"),
    ("y-long", dict(y=np.r_[Y1, 1.0]), ValueError, f"{arg('X')}|{arg('y')}"),
    ("y2d-short", dict(y=Y2[:-2]), ValueError, f"{arg('X')}|{arg('y')}"),
    ("X-empty", dict(X=np.empty((0, P)), y=np.empty(0)), ValueError, arg("X")),
    ("X-empty-2dy", dict(X=np.empty((0, P)), y=np.empty((0, 2))), ValueError, arg("X")),
    ("X-0-features", dict(X=np.empty((N, 0))), ValueError, arg("X")),
    ("alpha-negative", dict(alpha=-1.0), ValueError, arg("alpha")),
    ("alpha-tiny-negative", dict(alpha=-1e-300), ValueError, arg("alpha")),
    ("alpha-nan", dict(alpha=np.nan), ValueError, arg("alpha")),
    ("alpha-inf", dict(alpha=np.inf), ValueError, arg("alpha")),
    (
        "alpha-per-target-negative",
        dict(y=Y2, alpha=np.array([1.0, -1.0])),
        ValueError,
        arg("alpha"),
    ),
    ("alpha-per-target-nan", dict(y=Y2, alpha=np.array([np.nan, 1.0])), ValueError, arg("alpha")),
    ("alpha-per-target-too-long", dict(y=Y2, alpha=np.ones(3)), ValueError, arg("alpha")),
    ("alpha-per-target-too-short", dict(y=Y2, alpha=np.ones(1)), ValueError, arg("alpha")),
    ("alpha-per-target-1d-y", dict(y=Y1, alpha=np.ones(2)), ValueError, arg("alpha")),
    ("alpha-per-target-1d-y-len1", dict(y=Y1, alpha=np.ones(1)), ValueError, arg("alpha")),
    ("w-negative", dict(sample_weight=_with(W0, 7, -0.5)), ValueError, arg("sample_weight")),
    ("w-all-zero", dict(sample_weight=np.zeros(N)), ValueError, arg("sample_weight")),
    ("w-short", dict(sample_weight=W0[:-1]), ValueError, arg("sample_weight")),
    ("w-long", dict(sample_weight=np.r_[W0, 1.0]), ValueError, arg("sample_weight")),
    ("X-complex", dict(X=X0 + 1j), TypeError, arg("X")),
    ("X-complex-zero-imag", dict(X=X0.astype(complex)), TypeError, arg("X")),
    ("y-complex", dict(y=Y1.astype(np.complex64)), TypeError, arg("y")),
    ("w-complex", dict(sample_weight=W0.astype(complex)), TypeError, arg("sample_weight")),
    ("X-object", dict(X=X0.astype(object)), TypeError, arg("X")),
    ("y-object", dict(y=Y1.astype(object)), TypeError, arg("y")),
    ("X-str", dict(X=X0.astype(str)), TypeError, arg("X")),
    ("X-bytes", dict(X=X0.astype("S8")), TypeError, arg("X")),
    ("y-str", dict(y=Y1.astype(str)), TypeError, arg("y")),
    ("X-3d", dict(X=X0.reshape(N, P, 1)), ValueError, arg("X")),
    ("y-3d", dict(y=Y2.reshape(N, 2, 1)), ValueError, arg("y")),
    ("solver-unknown", dict(solver="qr"), ValueError, arg("solver")),
    ("solver-empty", dict(solver=""), ValueError, arg("solver")),
]


@pytest.mark.parametrize(
    ("kwargs", "exc", "pattern"),
    [case[1:] for case in BAD_RIDGE_INPUTS],
    ids=[case[0] for case in BAD_RIDGE_INPUTS],
)
@pytest.mark.parametrize("solver", SOLVERS)
def test_bad_input_raises(solver, kwargs, exc, pattern):
    call = dict(X=X0, y=Y1, alpha=1.0, solver=solver, sample_weight=W0)
    call.update(kwargs)
    X, y = call.pop("X"), call.pop("y")
    alpha = call.pop("alpha")
    with pytest.raises(exc, match=pattern):
        rb.ridge(X, y, alpha, **call)


@pytest.mark.parametrize(
    ("kwargs", "exc", "pattern"),
    [
        (dict(X=_with(X0, (1, 1), np.nan)), ValueError, arg("X")),
        (dict(y=_with(Y1, 1, np.inf)), ValueError, arg("y")),
        (dict(alphas=[1.0, -1.0]), ValueError, "alpha"),
        (dict(alphas=[1.0, np.nan]), ValueError, "alpha"),
        (dict(alphas=[np.inf]), ValueError, "alpha"),
        (dict(sample_weight=-W0), ValueError, arg("sample_weight")),
        (dict(y=Y1[:-1]), ValueError, f"{arg('X')}|{arg('y')}"),
        (dict(X=X0.astype(complex)), TypeError, arg("X")),
        (dict(solver="qr"), ValueError, arg("solver")),
    ],
    ids=["X-nan", "y-inf", "alphas-negative", "alphas-nan", "alphas-inf", "w-negative",
         "y-short", "X-complex", "solver-unknown"],
)  # fmt: skip
def test_ridge_path_bad_input_raises(kwargs, exc, pattern):
    call = dict(X=X0, y=Y1, alphas=[0.1, 1.0], sample_weight=W0)
    call.update(kwargs)
    X, y, alphas = call.pop("X"), call.pop("y"), call.pop("alphas")
    with pytest.raises(exc, match=pattern):
        rb.ridge_path(X, y, alphas, **call)


def test_linalgerror_is_valueerror_subclass():
    # documented: numpy.linalg.LinAlgError; it subclasses ValueError, so callers catching
    # ValueError see it too
    assert issubclass(np.linalg.LinAlgError, ValueError)


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("weights", [None, "positive"], ids=["w=none", "w=positive"])
def test_cholesky_alpha_zero_singular_gram(fit_intercept, weights):
    """A zero column makes the (weighted, centred) Gram matrix exactly singular."""
    X = np.column_stack([X0, np.zeros(N)])
    w = None if weights is None else W0
    with pytest.raises(np.linalg.LinAlgError, match="svd"):
        rb.ridge(X, Y1, 0.0, solver="cholesky", fit_intercept=fit_intercept, sample_weight=w)
    # the advice is right: svd (and auto, which picks svd at alpha = 0) give the min-norm answer
    for solver in ("svd", "auto"):
        r = rb.ridge(X, Y1, 0.0, solver=solver, fit_intercept=fit_intercept, sample_weight=w)
        assert r.solver == "svd"
        assert abs(r.coef[-1]) < 1e-12 * np.abs(r.coef).max()
        full = rb.ridge(X0, Y1, 0.0, solver="svd", fit_intercept=fit_intercept, sample_weight=w)
        np.testing.assert_allclose(r.coef[:-1], full.coef, rtol=1e-10)


# two weighted rows, 5 features: alpha = 0 interpolates them and says so
@pytest.mark.filterwarnings("ignore::ridgeboot.InterpolationWarning")
def test_cholesky_alpha_zero_fewer_weighted_rows_than_features():
    """p > number of rows with positive weight: the primal Gram is singular at alpha = 0."""
    X = np.random.default_rng(1).normal(size=(6, 4))
    w = np.array([1.0, 2.0, 0.0, 0.0, 0.0, 0.0])  # two rows carry weight, centred rank 1
    X = np.column_stack([X, np.zeros(6)])
    # rounding may leave the factorization just positive: then it must warn instead
    try:
        with pytest.warns(RuntimeWarning, match="ill-conditioned.*svd"):
            rb.ridge(X, np.arange(6.0), 0.0, solver="cholesky", sample_weight=w)
    except np.linalg.LinAlgError as exc:
        assert "svd" in str(exc)


def test_check_finite_false_with_finite_data_same_result():
    for solver in SOLVERS:
        a = rb.ridge(X0, Y2, 1.0, solver=solver, sample_weight=W0)
        b = rb.ridge(X0, Y2, 1.0, solver=solver, sample_weight=W0, check_finite=False)
        np.testing.assert_array_equal(a.coef, b.coef)
        np.testing.assert_array_equal(a.intercept, b.intercept)


_NONFINITE_SCRIPT = textwrap.dedent(
    """
    import json, warnings
    import numpy as np
    import ridgeboot as rb

    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    g = np.random.default_rng(0)
    X = g.normal(size=(30, 4)); y = g.normal(size=30); w = g.uniform(0.5, 2.0, 30)
    Xn = X.copy(); Xn[3, 2] = np.nan
    Xi = X.copy(); Xi[0, 0] = np.inf
    yn = y.copy(); yn[5] = np.nan
    wn = w.copy(); wn[7] = np.nan
    Xw = g.normal(size=(8, 20)); Xw[2, 3] = np.nan  # wide, dual form
    cases = {
        "X-nan": (Xn, y, None), "X-inf": (Xi, y, None), "y-nan": (X, yn, None),
        "w-nan": (X, y, wn), "wide-X-nan": (Xw, y[:8], None),
    }
    for name, (A, b, sw) in cases.items():
        for solver in ("cholesky", "svd", "eigh", "auto"):
            try:
                r = rb.ridge(A, b, 1.0, solver=solver, sample_weight=sw, check_finite=False)
                out = "returned"
                rb.ridge_path(A, b, [0.5, 1.0], sample_weight=sw, check_finite=False)
            except np.linalg.LinAlgError:
                out = "LinAlgError"
            except Exception as e:
                out = type(e).__name__ + ": " + str(e)
            print(json.dumps([name, solver, out]), flush=True)
    """
)


def test_check_finite_false_skips_check_without_crashing():
    """Non-finite input with check_finite=False: no crash, no hang, no finiteness error.

    Run in a subprocess so that a segfault or an endless SVD loop fails this test instead
    of killing or hanging the test session.  Returning (NaN) results or a LinAlgError from
    the factorisation are both fine.
    """
    try:
        proc = subprocess.run(
            [sys.executable, *(["-S"] if sys.flags.no_site else []), "-c", _NONFINITE_SCRIPT],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"hung with non-finite input and check_finite=False; output so far: {e.stdout}")
    assert proc.returncode == 0, f"crashed (rc={proc.returncode}): {proc.stdout}\n{proc.stderr}"
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("[")]
    assert len(rows) == 5 * 4, proc.stdout
    # the weights are validated anyway (a NaN weight is neither zero nor positive): a
    # ValueError naming sample_weight is acceptable for them
    bad = [
        r
        for r in rows
        if r[2] not in ("returned", "LinAlgError")
        and not (r[0] == "w-nan" and r[2].startswith("ValueError: sample_weight"))
    ]
    assert not bad, "unexpected outcome with check_finite=False: " + "; ".join(map(str, bad))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["X-first", "X-last", "y-last"])
def test_non_finite_found_in_any_layout(dtype, layout, value, where):
    # the finiteness check is one native pass over X and y: any position, order or stride
    big = np.random.default_rng(1).normal(size=(2 * N, 2 * P + 1)).astype(dtype)
    if layout == "strided":
        X, y = big[::2, 2::2], big[::2, 1]  # views: every other row and column
    else:
        X = np.array(big[:N, :P], order=layout)
        y = X.sum(axis=1)
    if where == "y-last":
        y[-1] = value
    else:
        X[(0, 0) if where == "X-first" else (-1, -1)] = value
    name = "y" if where == "y-last" else "X"
    with pytest.raises(ValueError, match=arg(name) + " contains NaN or infinity"):
        rb.ridge(X, y, 1.0)


@pytest.mark.parametrize("entry", ["ridge", "ridge_path"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dense_fits_check_finiteness_in_the_core_call(entry, dtype, monkeypatch):
    """rb.ridge and rb.ridge_path make no native call of their own for the finiteness
    check (a tenth of a small fit): the core fit scans X and y in its own call, and the
    error still names the input that holds the NaN."""
    from ridgeboot import _core, _validation

    scans = []
    real = _validation.all_finite
    monkeypatch.setattr(_validation, "all_finite", lambda *a: scans.append(a) or real(*a))
    fit = getattr(rb, entry)
    alpha = 1.0 if entry == "ridge" else [1.0, 2.0]
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((N, P)).astype(dtype), rng.standard_normal(N).astype(dtype)
    fit(X, y, alpha)
    assert scans == []
    for name, bad in (("X", X.copy()), ("y", y.copy())):
        bad.flat[-1] = np.inf
        args = (bad, y) if name == "X" else (X, bad)
        with pytest.raises(ValueError, match=arg(name) + " contains NaN or infinity"):
            fit(*args, alpha)
        with contextlib.suppress(np.linalg.LinAlgError):  # let through when asked
            fit(*args, alpha, check_finite=False)
    # the core's own signal, which the Python layer turns into the named error
    core = getattr(_core, "fit_" + np.dtype(dtype).name)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    grid = np.ones((1, 1), dtype)
    args = (Xn, y.reshape(-1, 1), None, grid, "cholesky", True, False, 0.0, 1)
    with pytest.raises(_core.NonFiniteInput):
        core(*args, True)
    assert issubclass(_core.NonFiniteInput, ValueError)
    assert scans == []


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("where", ["X-first", "X-middle", "X-last", "Y-last", "Y-middle"])
def test_non_finite_found_when_large_arrays_are_checked_on_threads(n_threads, where):
    """From 2^20 values on, the check splits the rows among the call's threads: a value in
    any part (first, between two parts, last) is still found, in any layout."""
    n, p, t = 20_000, 40, 60  # 800_000 + 1_200_000 values: each array above the split
    g = np.random.default_rng(2)
    X, Y = g.standard_normal((n, p)), g.standard_normal((n, t))
    for layout in ("C", "F"):
        Xl, Yl = np.array(X, order=layout), np.array(Y, order=layout)
        row = {"first": 0, "middle": n // 2, "last": n - 1}[where.split("-")[1]]
        (Xl if where[0] == "X" else Yl)[row, -1] = np.nan
        name = "X" if where[0] == "X" else "y"
        with pytest.raises(ValueError, match=arg(name) + " contains NaN or infinity"):
            rb.ridge_path(Xl, Yl, [1.0, 2.0], n_threads=n_threads)
    assert rb.ridge_path(X, Y, [1.0, 2.0], n_threads=n_threads).coef.shape == (2, p, t)


@pytest.mark.parametrize("cv", [3, "bootstrap"])
def test_heldout_scores_of_nan_data_name_the_nan(cv):
    # check_finite=False lets a NaN through to the held-out fits: the error says so,
    # not "too few held-out rows, or a constant target"
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.standard_normal(30)
    X[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        rb.ridge_cv(X, y, [0.1, 1.0], cv=cv, scoring="r2", check_finite=False)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "case",
    [
        "X",  # sums of all rows (complement form), one target
        "y-many",  # 20 targets: the sums read Y's rows where they lie
        "y-many-F",  # a Fortran-order Y: its columns are copied
        "X-zero-weight",  # a row the sums skip (sample weight 0)
        "X-svd",  # no sums of all rows: every value is read
        "X-wide",  # p > n: the shared kernel, no sums of all rows
    ],
)
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_bootstrap_checks_finiteness_in_the_engine(dtype, case, value, monkeypatch):
    """rb.bootstrap makes no pass of its own over X and y for NaN and infinity: the
    engine's sums of all rows show them (the square of such a value is not finite), and
    only then, or in rows of weight zero or without those sums, are the values read
    again. The error still names the input; finite data scaled by 2**500, whose sums
    overflow, are no error."""
    from ridgeboot import _validation

    scans = []
    real = _validation.all_finite
    monkeypatch.setattr(_validation, "all_finite", lambda *a: scans.append(a) or real(*a))
    g = np.random.default_rng(4)
    n, p = (12, 30) if case == "X-wide" else (200, 5)
    t = 20 if case.startswith("y-many") else None
    X = g.standard_normal((n, p)).astype(dtype)
    y = g.standard_normal(n if t is None else (n, t)).astype(dtype)
    if case == "y-many-F":
        y = np.asfortranarray(y)
    w = np.ones(n, dtype)
    kwargs = dict(n_boot=4, seed=1, sample_weight=w)
    if case == "X-svd":
        kwargs["solver"] = "svd"
    rb.bootstrap(X, y, 1.0, **kwargs)
    rb.bootstrap(X * dtype(2.0**60), y * dtype(2.0**60), dtype(2.0**120), **kwargs)
    if dtype == np.float64:
        rb.bootstrap(X * 2.0**500, y, 2.0**1000, **kwargs)
    # (p >= n: the interpolation check reads the values first, so it checks them)
    assert (len(scans) > 0) == (case == "X-wide")
    row = n // 2
    if case == "X-zero-weight":
        w[row] = 0
    name = "y" if case.startswith("y") else "X"
    bad = (y if name == "y" else X).copy(order="K")
    bad[row, -1] = value
    args = (X, bad) if name == "y" else (bad, y)
    with pytest.raises(ValueError, match=arg(name) + " contains NaN or infinity"):
        rb.bootstrap(*args, 1.0, **kwargs)
    # asked not to check: no finiteness error (NaN results or a LinAlgError)
    with contextlib.suppress(np.linalg.LinAlgError), np.errstate(all="ignore"):
        rb.bootstrap(*args, 1.0, check_finite=False, **kwargs)
