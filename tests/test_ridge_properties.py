"""Hypothesis property tests for rb.ridge: random shapes, alphas, weights and dtypes.

Data are generated from a hypothesis-drawn seed (numpy Generator), so every example is
reproducible; hypothesis itself runs derandomized without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import pytest
import reference as ref
import ridgeboot as rb
from hypothesis import given, settings
from hypothesis import strategies as st
from property_settings import property_settings

# the properties are about values; fits with alpha = 0 (or nearly) and p >= n interpolate and
# warn, which tests/test_interpolation_warning.py checks
pytestmark = pytest.mark.filterwarnings("ignore::ridgeboot.InterpolationWarning")

SOLVERS = ("cholesky", "svd", "eigh", "auto")
REL_ALPHAS = {
    np.float64: (1e-8, 1e-4, 1e-2, 1.0, 1e2, 1e6),
    np.float32: (1e-2, 1e-1, 1.0, 1e2, 1e4),
}
WEIGHT_KINDS = (None, "positive", "zeros", "integer")

PROPS = property_settings(100)
FEW = settings(PROPS, max_examples=60)


@dataclass
class Case:
    X: np.ndarray  # in dtype
    y: np.ndarray  # in dtype, (n,) or (n, t)
    w: Optional[np.ndarray]  # in dtype
    alpha: object  # float or (t,) float64 array
    solver: str
    fit_intercept: bool
    dtype: type

    @property
    def t(self) -> Optional[int]:
        return None if self.y.ndim == 1 else self.y.shape[1]

    def fit(self, **kw):
        args = dict(solver=self.solver, fit_intercept=self.fit_intercept, sample_weight=self.w)
        args.update(kw)
        X = args.pop("X", self.X)
        y = args.pop("y", self.y)
        alpha = args.pop("alpha", self.alpha)
        return rb.ridge(X, y, alpha, **args)

    def describe(self) -> str:
        return (
            f"n={self.X.shape[0]} p={self.X.shape[1]} y{self.y.shape} dtype={self.dtype.__name__}"
            f" solver={self.solver} fit_intercept={self.fit_intercept} alpha={self.alpha!r}"
            f" weights={'none' if self.w is None else np.round(self.w, 3).tolist()}"
        )


def _gram_scale(X, w, fit_intercept) -> float:
    c = ref.centered_problem(X, np.zeros(X.shape[0]), w, fit_intercept)
    tr = float(np.sum(c.w[:, None] * c.Xc**2)) / X.shape[1]
    return tr if tr > 1e-12 else 1.0


@st.composite
def cases(draw, allow_zero_alpha: bool = True, solvers=SOLVERS, max_n: int = 40):
    seed = draw(st.integers(0, 2**32 - 1))
    g = np.random.default_rng(seed)
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    # some of the examples aim at alpha = 0 (svd / auto, shapes where the
    # minimum-norm solution is well defined); the final check is zero_ok below
    want_zero_alpha = allow_zero_alpha and draw(st.sampled_from([False, False, True, False]))
    zero_solvers = [s for s in solvers if s in ("svd", "auto")]
    solver = draw(st.sampled_from(zero_solvers if want_zero_alpha and zero_solvers else solvers))
    fit_intercept = draw(st.booleans())
    if want_zero_alpha:
        shape = draw(st.sampled_from(["tall", "wide"]))
    else:
        shape = draw(st.sampled_from(["tall", "wide", "square", "tiny"]))
    if shape == "tall":
        p = draw(st.integers(1, 12))
        lo = 2 * p + 6 if want_zero_alpha else p + 3
        n = draw(st.integers(lo, max(lo, max_n)))
    elif shape == "wide":
        n = draw(st.integers(2, 13))
        p = draw(st.integers(n + 2 if want_zero_alpha else n + 1, 15))
        if want_zero_alpha:
            fit_intercept = False
    elif shape == "square":
        p = draw(st.integers(1, 15))
        n = p + draw(st.integers(0, 2))
    else:
        n = draw(st.integers(1, 3))
        p = draw(st.integers(1, 15))
    t = draw(st.sampled_from([None, 1, 2, 3]))
    kind = draw(st.sampled_from(WEIGHT_KINDS))

    X = g.normal(size=(n, p)) * g.uniform(0.5, 2.0, p) + g.uniform(-2.0, 2.0, p)
    Y = X @ g.normal(size=(p, t or 1)) + 0.3 * g.normal(size=(n, t or 1)) + g.uniform(-3, 3)
    y = Y[:, 0] if t is None else Y
    w = ref.make_weights(kind, n, g, min_nonzero=1)
    X, y = X.astype(dtype), y.astype(dtype)
    w = None if w is None else w.astype(dtype)
    m = n if w is None else int(np.count_nonzero(w))

    # alpha = 0 only where the minimum-norm solution is numerically well defined: full column
    # rank with a margin, or (no intercept) clearly fewer weighted rows than features
    if dtype == np.float64:
        zero_ok = m >= p + 3 if fit_intercept else (m >= p + 2 or m <= p - 2)
    else:
        zero_ok = m >= 2 * p + 4 or (not fit_intercept and 2 * m <= p)
    zero_ok = zero_ok and allow_zero_alpha and solver in ("svd", "auto")
    rels = REL_ALPHAS[dtype]
    scale = _gram_scale(X, w, fit_intercept)
    per_target = t is not None and draw(st.booleans())
    if per_target:
        alpha = np.array([draw(st.sampled_from(rels)) for _ in range(t)]) * scale
        if zero_ok and want_zero_alpha:
            alpha[draw(st.integers(0, t - 1))] = 0.0
    else:
        alpha = 0.0 if zero_ok and want_zero_alpha else draw(st.sampled_from(rels)) * scale
    return Case(X, y, w, alpha, solver, fit_intercept, dtype)


@PROPS
@given(case=cases())
def test_ridge_matches_reference(case):
    r = case.fit()
    msg = case.describe()
    p = case.X.shape[1]
    assert r.coef.shape == ((p,) if case.t is None else (p, case.t)), msg
    assert r.coef.dtype == case.dtype, msg
    assert np.shape(r.intercept) == (() if case.t is None else (case.t,)), msg
    if case.solver == "auto":
        assert r.solver in ("cholesky", "svd", "eigh"), msg
        if np.any(np.asarray(case.alpha) == 0):
            assert r.solver == "svd", msg
    else:
        assert r.solver == case.solver, msg
    ref.assert_ridge_close(
        r.coef,
        r.intercept,
        case.X,
        case.y,
        case.alpha,
        fit_intercept=case.fit_intercept,
        sample_weight=case.w,
        dtype=case.dtype,
        err_msg=msg,
    )


def _rounding_scales(case, c):
    """Norms that bound the rounding errors of forming the weighted centred problem.

    Returns (||sqrt(c) Xc||_2, ||sqrt(c) yc|| per target, ||xbar|| sqrt(sum c),
    ||ybar|| sqrt(sum c)): centring in the working precision perturbs Xc and yc by about
    eps times the last two.
    """
    sw = np.sqrt(c.w)
    xn = np.linalg.norm(sw[:, None] * c.Xc, 2)
    yn = np.linalg.norm(sw[:, None] * c.Yc, axis=0)
    return (
        xn,
        yn,
        np.linalg.norm(c.xbar) * np.sqrt(c.w.sum()),
        np.linalg.norm(c.ybar) * np.sqrt(c.w.sum()),
    )


@PROPS
@given(case=cases())
def test_stationarity(case):
    """The fit solves the normal equations Xc' C (yc - Xc w) = alpha w (small residual).

    Backward-error bound: C * eps * ((||Xc||^2 + alpha) ||w|| + ||Xc|| ||yc||), plus the
    effect of centring in the working precision (``_rounding_scales``).  At alpha = 0 with
    rank deficiency this checks the least-squares condition Xc' C (yc - Xc w) = 0.
    """
    r = case.fit()
    c = ref.centered_problem(case.X, case.y, case.w, case.fit_intercept)
    W = np.asarray(r.coef, dtype=np.float64).reshape(case.X.shape[1], -1)
    alphas = np.broadcast_to(np.asarray(case.alpha, dtype=np.float64), (W.shape[1],))
    WX = c.w[:, None] * c.Xc
    resid = WX.T @ c.Yc - (c.Xc.T @ WX) @ W - alphas * W
    xn, yn, xs, ys = _rounding_scales(case, c)
    wn = np.linalg.norm(W, axis=0)
    eps = np.finfo(case.dtype).eps
    ce = ref.DEFAULT_C * eps
    bound = ce * ((xn**2 + alphas) * wn + xn * yn + xs * (xn * wn + yn) + ys * xn)
    bound = bound + ce * ce * (xs * ys + xs**2 * wn)  # second order: X, y ~ constant
    err = np.linalg.norm(resid, axis=0)
    assert np.all(err <= bound), f"{case.describe()}: residual {err} > {bound}"


@FEW
@given(case=cases(), factor=st.sampled_from([2.0, -0.5, 1024.0, 3.0, -1e-3]))
def test_scaling_y_scales_coef(case, factor):
    r1 = case.fit()
    r2 = case.fit(y=(case.y * case.dtype(factor)).astype(case.dtype))
    exact_factor = abs(np.frexp(factor)[0]) == 0.5  # powers of two scale without rounding
    y64 = np.asarray(case.y, dtype=np.float64) * factor
    rtol = ref.tolerance(
        case.X,
        case.dtype,
        case.alpha,
        sample_weight=case.w,
        fit_intercept=case.fit_intercept,
        C=4.0 if exact_factor else 2 * ref.DEFAULT_C,
    )
    expected = ref.RefFit(
        np.asarray(r1.coef, dtype=np.float64) * factor,
        np.asarray(r1.intercept, dtype=np.float64) * factor,
    )
    ref.assert_ridge_close(
        r2.coef,
        r2.intercept,
        case.X,
        y64 if exact_factor else case.y * case.dtype(factor),
        case.alpha,
        fit_intercept=case.fit_intercept,
        sample_weight=case.w,
        dtype=case.dtype,
        ref=expected,
        rtol=rtol,
        err_msg=f"factor={factor}; {case.describe()}",
    )


@FEW
@given(case=cases(allow_zero_alpha=False), big=st.sampled_from([1e8, 1e12, 1e20]))
def test_huge_alpha_shrinks_coef_to_zero(case, big):
    """||w|| is between ||Xc'C yc|| / (lambda_max + alpha) and ||Xc'C yc|| / alpha."""
    alpha = big * _gram_scale(case.X, case.w, case.fit_intercept)
    r = case.fit(alpha=alpha)
    c = ref.centered_problem(case.X, case.y, case.w, case.fit_intercept)
    WX = c.w[:, None] * c.Xc
    bnorm = np.linalg.norm(WX.T @ c.Yc, axis=0)
    lam_max = np.linalg.norm(c.Xc.T @ WX, 2)
    xn, yn, xs, ys = _rounding_scales(case, c)
    eps = np.finfo(case.dtype).eps
    # rounding error of Xc' C yc (incl. centring; second order when X, y are ~constant)
    db = ref.DEFAULT_C * eps * (xn * yn + xs * yn + ys * xn + ref.DEFAULT_C * eps * xs * ys)
    wn = np.linalg.norm(np.asarray(r.coef, dtype=np.float64).reshape(case.X.shape[1], -1), axis=0)
    slack = 1 + ref.DEFAULT_C * eps
    msg = f"alpha={alpha:.3e}; ||w||={wn}; ||b||={bnorm}; {case.describe()}"
    assert np.all(wn <= (bnorm + db) / alpha * slack), msg
    assert np.all(wn >= (bnorm - db) / (lam_max + alpha) / slack), msg
    # intercept -> weighted mean of y (the intercept is not penalised)
    b = np.asarray(r.intercept, dtype=np.float64).reshape(-1)
    tol = np.linalg.norm(c.xbar) * wn * slack + ref.DEFAULT_C * eps * (
        np.abs(c.ybar) + np.abs(np.asarray(case.y, dtype=np.float64)).max()
    )
    assert np.all(np.abs(b - c.ybar) <= tol), msg


@FEW
@given(case=cases(allow_zero_alpha=False, max_n=25), data=st.data())
def test_repeated_rows_equal_integer_weights(case, data):
    """Fitting np.repeat-ed rows == fitting with the repeat counts as weights (dup row == 2)."""
    n = case.X.shape[0]
    seed = data.draw(st.integers(0, 2**32 - 1), label="count_seed")
    g = np.random.default_rng(seed)
    counts = g.integers(0, 4, n)
    counts[g.integers(n)] = 2  # at least one duplicated row
    base_w = np.ones(n) if case.w is None else np.asarray(case.w, dtype=np.float64)
    if not np.any(counts * base_w > 0):
        counts[np.flatnonzero(base_w > 0)[0]] = 1
    Xr, yr, wr = ref.repeat_rows(case.X, case.y, counts, base_w.astype(case.dtype))
    rep = case.fit(X=Xr, y=yr, sample_weight=None if case.w is None else wr)
    wts = ref.weights_from_counts(counts, case.w).astype(case.dtype)
    wtd = case.fit(sample_weight=wts)
    # compare both with the reference of the weighted problem, and with each other
    kw = dict(fit_intercept=case.fit_intercept, sample_weight=wts, dtype=case.dtype)
    msg = f"counts={counts.tolist()}; {case.describe()}"
    ref.assert_ridge_close(wtd.coef, wtd.intercept, case.X, case.y, case.alpha, **kw, err_msg=msg)
    rtol = 2 * ref.tolerance(
        case.X, case.dtype, case.alpha, sample_weight=wts, fit_intercept=case.fit_intercept
    )
    ref.assert_ridge_close(
        rep.coef,
        rep.intercept,
        case.X,
        case.y,
        case.alpha,
        **kw,
        ref=ref.RefFit(wtd.coef, np.asarray(wtd.intercept, dtype=np.float64)),
        rtol=rtol,
        err_msg="repeated vs weighted: " + msg,
    )


@FEW
@given(case=cases(), data=st.data())
def test_zero_weight_rows_are_ignored(case, data):
    """Rows with weight 0 change nothing: same as dropping them (also their X and y values)."""
    n = case.X.shape[0]
    g = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    extra = data.draw(st.integers(1, 5), label="extra_rows")
    Xj = g.normal(size=(extra, case.X.shape[1])).astype(case.dtype) * 100
    yj = g.normal(size=(extra,) + case.y.shape[1:]).astype(case.dtype) * 100
    pos = g.permutation(n + extra)
    X2 = np.concatenate([case.X, Xj])[pos]
    y2 = np.concatenate([case.y, yj])[pos]
    w = np.ones(n, dtype=case.dtype) if case.w is None else case.w
    w2 = np.concatenate([w, np.zeros(extra, dtype=case.dtype)])[pos]
    a = case.fit(sample_weight=w)
    b = case.fit(X=X2, y=y2, sample_weight=w2)
    ref.assert_ridge_close(
        b.coef,
        b.intercept,
        case.X,
        case.y,
        case.alpha,
        fit_intercept=case.fit_intercept,
        sample_weight=w,
        dtype=case.dtype,
        ref=ref.RefFit(a.coef, np.asarray(a.intercept, dtype=np.float64)),
        rtol=2
        * ref.tolerance(
            case.X, case.dtype, case.alpha, sample_weight=w, fit_intercept=case.fit_intercept
        ),
        err_msg=f"with {extra} zero-weight junk rows; {case.describe()}",
    )


@FEW
@given(case=cases(), data=st.data())
def test_column_permutation_permutes_coef(case, data):
    perm = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).permutation(case.X.shape[1])
    a = case.fit()
    b = case.fit(X=np.ascontiguousarray(case.X[:, perm]))
    ref.assert_ridge_close(
        b.coef,
        b.intercept,
        case.X[:, perm],
        case.y,
        case.alpha,
        fit_intercept=case.fit_intercept,
        sample_weight=case.w,
        dtype=case.dtype,
        ref=ref.RefFit(np.asarray(a.coef)[perm], np.asarray(a.intercept, dtype=np.float64)),
        rtol=2
        * ref.tolerance(
            case.X, case.dtype, case.alpha, sample_weight=case.w, fit_intercept=case.fit_intercept
        ),
        err_msg=f"perm={perm.tolist()}; {case.describe()}",
    )
