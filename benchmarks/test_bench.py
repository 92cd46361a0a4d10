"""pytest-benchmark cases: each workload of workloads.py, baseline and ridgeboot side by side.

Every case runs the workload's ``smoke`` sizes, so that the suite also serves as a smoke test::

    pytest benchmarks --benchmark-disable -q        # each function runs once, results checked
    pytest benchmarks --benchmark-only              # timings, grouped per workload

Baselines and ridgeboot of one workload share a benchmark ``group`` and are all compared
with the same independent reference, the tests' numpy oracle (``tests/reference``): the
ridge fit from the thin SVD of ``sqrt(c)·Xc`` for the replicate's counts c, which never
forms a Gram matrix. There are no timing assertions: the targets are in workloads.py.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from compare import (
    agree,
    counts_for,
    himalaya_cv,
    himalaya_ridge_cv,
    make_data,
    measure_gemm_shapes,
    numpy_bootstrap,
    numpy_bootstrap_eigh,
    numpy_bootstrap_kernel,
    numpy_bootstrap_kernel_vec,
    numpy_bootstrap_select,
    numpy_bootstrap_vec,
    numpy_gcv,
    numpy_ridge,
    numpy_ridge_kernel,
    numpy_ridge_path,
    rows_from_counts,
    sklearn_bootstrap,
    sklearn_path,
    sklearn_ridge_path,
    sklearn_ridgecv,
)
from reference import gcv_reference, ridge_svd_reference
from sklearn.linear_model import Ridge
from workloads import WORKLOADS, Sizes


def reference_fit(
    X: np.ndarray, y: np.ndarray, alpha: float, weights: np.ndarray | None = None
) -> tuple[np.ndarray, Any]:
    """Weighted ridge with intercept from the SVD of the weighted centred X (no Gram)."""
    fit = ridge_svd_reference(X, y, alpha, sample_weight=weights)
    return fit.coef, fit.intercept


def reference_bootstrap(
    X: np.ndarray, y: np.ndarray, alphas: Any, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """coefs (B[,k],p[,t]) and intercepts (B[,k][,t]) as rb.bootstrap lays them out."""
    scalar = np.ndim(alphas) == 0
    alist = np.atleast_1d(np.asarray(alphas, dtype=float))
    fits = [[reference_fit(X, y, a, cb) for a in alist] for cb in counts]
    coefs = np.array([[w for w, _ in row] for row in fits])
    intercepts = np.array([[b for _, b in row] for row in fits])
    if scalar:
        coefs, intercepts = coefs[:, 0], intercepts[:, 0]
    return coefs, intercepts


def check(coefs: Any, intercepts: Any, case: SimpleNamespace) -> None:
    agree("coefs", coefs, case.ref_coefs)
    agree("intercepts", intercepts, case.ref_intercepts)


def boot_case(name: str) -> SimpleNamespace:
    """A bootstrap workload at its smoke sizes, with the reference fit of every replicate."""
    s = WORKLOADS[name].smoke
    X, y = make_data(s.n, s.p, s.t, seed=s.seed)
    counts = counts_for(s.n, s.B, s.boot_seed)
    ref_coefs, ref_intercepts = reference_bootstrap(X, y, s.alphas, counts)
    return SimpleNamespace(
        X=X,
        y=y,
        B=s.B,
        alphas=s.alphas,
        seed=s.boot_seed,
        counts=counts,
        ref_coefs=ref_coefs,
        ref_intercepts=ref_intercepts,
    )


def fit_case(s: Sizes) -> SimpleNamespace:
    """A one-fit workload at its smoke sizes, with the reference fit."""
    X, y = make_data(s.n, s.p, s.t, seed=s.seed)
    w, b = reference_fit(X, y, s.alphas)
    return SimpleNamespace(X=X, y=y, alpha=s.alphas, ref_coefs=w, ref_intercepts=b)


@pytest.fixture
def rb() -> Any:
    return pytest.importorskip("ridgeboot")


def rb_bootstrap_result(rb: Any, case: SimpleNamespace, **kw: Any) -> Any:
    return rb.bootstrap(
        case.X, case.y, case.alphas, n_boot=case.B, keep_coefs=True, seed=case.seed, **kw
    )


def rb_bootstrap(rb: Any, case: SimpleNamespace, **kw: Any) -> tuple[np.ndarray, np.ndarray]:
    boot = rb_bootstrap_result(rb, case, **kw)
    return boot.coefs, boot.intercepts


# --------------------------------------------------------------------------- bootstrap
@pytest.fixture(scope="module")
def bootstrap_case() -> SimpleNamespace:
    return boot_case("bootstrap")


@pytest.mark.benchmark(group="bootstrap")
@pytest.mark.parametrize("impl", ["numpy", "numpy_vec", "sklearn", "ridgeboot"])
def test_bootstrap(
    benchmark: Any, request: pytest.FixtureRequest, bootstrap_case: SimpleNamespace, impl: str
) -> None:
    c = bootstrap_case
    if impl == "numpy":
        out = benchmark(numpy_bootstrap, c.X, c.y, c.alphas, c.B, rows_from_counts(c.counts))
    elif impl == "numpy_vec":
        out = benchmark(numpy_bootstrap_vec, c.X, c.y, c.alphas, c.counts)
    elif impl == "sklearn":
        out = benchmark(
            sklearn_bootstrap, c.X, c.y, c.alphas, c.B, c.seed, rows_from_counts(c.counts)
        )
    else:
        out = benchmark(rb_bootstrap, request.getfixturevalue("rb"), c)
    check(*out, c)


# -------------------------------------------------------------------------------- path
@pytest.fixture(scope="module")
def path_case() -> SimpleNamespace:
    return boot_case("path")


@pytest.mark.benchmark(group="path")
@pytest.mark.parametrize("impl", ["numpy", "numpy_vec", "sklearn", "ridgeboot"])
def test_path(
    benchmark: Any, request: pytest.FixtureRequest, path_case: SimpleNamespace, impl: str
) -> None:
    c = path_case
    if impl == "numpy":
        out = benchmark(numpy_bootstrap_eigh, c.X, c.y, c.alphas, c.B, rows_from_counts(c.counts))
    elif impl == "numpy_vec":
        out = benchmark(numpy_bootstrap_vec, c.X, c.y, c.alphas, c.counts)
    elif impl == "sklearn":
        out = benchmark(sklearn_path, c.X, c.y, c.alphas, c.B, c.seed, rows_from_counts(c.counts))
    else:
        out = benchmark(rb_bootstrap, request.getfixturevalue("rb"), c)
    check(*out, c)


# ------------------------------------------------------------------------------ select
def reference_select(X: np.ndarray, y: np.ndarray, alphas: np.ndarray, c: np.ndarray) -> float:
    """The alpha of least weighted GCV for counts c, from the oracle's fits and an SVD."""
    keep = c > 0
    v = c[keep].astype(float)
    Xc = X[keep] - v @ X[keep] / v.sum()
    s = np.linalg.svd(Xc * np.sqrt(v)[:, None], compute_uv=False)
    scores = []
    for a in alphas:
        w, b = reference_fit(X, y, a, c.astype(float))
        rss = v @ (y[keep] - X[keep] @ w - b) ** 2
        room = 1 - (1 + (s**2 / (s**2 + a)).sum()) / keep.sum()
        scores.append(rss / v.sum() / room**2)
    return float(alphas[len(alphas) - 1 - np.argmin(scores[::-1])])


@pytest.fixture(scope="module")
def select_case() -> SimpleNamespace:
    c = boot_case("select")
    c.chosen = np.array([reference_select(c.X, c.y, c.alphas, cb) for cb in c.counts])
    fits = [reference_fit(c.X, c.y, a, cb) for a, cb in zip(c.chosen, c.counts)]
    c.ref_coefs = np.array([w for w, _ in fits])
    c.ref_intercepts = np.array([b for _, b in fits])
    return c


@pytest.mark.benchmark(group="select")
@pytest.mark.parametrize("impl", ["numpy", "ridgeboot"])
def test_select(
    benchmark: Any, request: pytest.FixtureRequest, select_case: SimpleNamespace, impl: str
) -> None:
    c = select_case
    if impl == "numpy":
        chosen, *out = benchmark(
            numpy_bootstrap_select, c.X, c.y, c.alphas, c.B, rows_from_counts(c.counts)
        )
    else:
        r = benchmark(rb_bootstrap_result, request.getfixturevalue("rb"), c, select="gcv")
        chosen, out = r.selection.alpha_selected, [r.coefs, r.intercepts]
    np.testing.assert_array_equal(chosen, c.chosen)
    check(*out, c)


# ----------------------------------------------------------------------------- targets
@pytest.fixture(scope="module")
def targets_case() -> SimpleNamespace:
    return boot_case("targets")


@pytest.mark.benchmark(group="targets")
@pytest.mark.parametrize("impl", ["numpy", "numpy_vec", "sklearn", "ridgeboot"])
def test_targets(
    benchmark: Any, request: pytest.FixtureRequest, targets_case: SimpleNamespace, impl: str
) -> None:
    c = targets_case
    if impl == "numpy":
        out = benchmark(numpy_bootstrap_eigh, c.X, c.y, c.alphas, c.B, rows_from_counts(c.counts))
    elif impl == "numpy_vec":
        out = benchmark(numpy_bootstrap_vec, c.X, c.y, c.alphas, c.counts)
    elif impl == "sklearn":
        out = benchmark(sklearn_path, c.X, c.y, c.alphas, c.B, c.seed, rows_from_counts(c.counts))
    else:
        out = benchmark(rb_bootstrap, request.getfixturevalue("rb"), c)
    check(*out, c)


# -------------------------------------------------------------------------------- wide
@pytest.fixture(scope="module")
def wide_case() -> SimpleNamespace:
    return boot_case("wide")


@pytest.mark.benchmark(group="wide")
@pytest.mark.parametrize("impl", ["numpy", "numpy_vec", "sklearn", "ridgeboot"])
def test_wide(
    benchmark: Any, request: pytest.FixtureRequest, wide_case: SimpleNamespace, impl: str
) -> None:
    c = wide_case
    if impl == "numpy":
        out = benchmark(numpy_bootstrap_kernel, c.X, c.y, c.alphas, c.B, rows_from_counts(c.counts))
    elif impl == "numpy_vec":
        out = benchmark(numpy_bootstrap_kernel_vec, c.X, c.y, c.alphas, c.counts)
    elif impl == "sklearn":
        out = benchmark(
            sklearn_bootstrap, c.X, c.y, c.alphas, c.B, c.seed, rows_from_counts(c.counts)
        )
    else:
        out = benchmark(rb_bootstrap, request.getfixturevalue("rb"), c)
    check(*out, c)


# ------------------------------------------------------------------------------- small
@pytest.fixture(scope="module")
def small_case() -> SimpleNamespace:
    return fit_case(WORKLOADS["small"].smoke)


@pytest.mark.benchmark(group="small")
@pytest.mark.parametrize("impl", ["numpy", "sklearn", "ridgeboot"])
def test_small(
    benchmark: Any, request: pytest.FixtureRequest, small_case: SimpleNamespace, impl: str
) -> None:
    c = small_case
    if impl == "numpy":
        out = benchmark(numpy_ridge, c.X, c.y, c.alpha)
    elif impl == "sklearn":
        m = benchmark(Ridge(alpha=c.alpha).fit, c.X, c.y)
        out = (m.coef_, m.intercept_)
    else:
        r = benchmark(request.getfixturevalue("rb").ridge, c.X, c.y, c.alpha)
        out = (r.coef, r.intercept)
    check(*out, c)


# -------------------------------------------------------------------------------- gram
@pytest.fixture(scope="module")
def gram_case() -> SimpleNamespace:
    return boot_case("gram")


@pytest.mark.benchmark(group="gram")
@pytest.mark.parametrize("impl", ["numpy_dgemm", "ridgeboot"])
def test_gram(
    benchmark: Any, request: pytest.FixtureRequest, gram_case: SimpleNamespace, impl: str
) -> None:
    c = gram_case
    if impl == "numpy_dgemm":
        X2 = c.X.copy()  # distinct operands: a real DGEMM, not numpy's SYRK shortcut
        got = benchmark(np.matmul, c.X.T, X2)
        ref = np.einsum("ij,ik->jk", c.X, c.X)
        agree("X.T @ X", got, ref)
    else:
        rb = request.getfixturevalue("rb")
        boot = benchmark(
            rb.bootstrap, c.X, c.y, c.alphas, n_boot=c.B, keep_coefs=False, seed=c.seed
        )
        agree("coef_mean", boot.coef_mean, c.ref_coefs.mean(axis=0))
        agree("coef_std", boot.coef_std, c.ref_coefs.std(axis=0, ddof=1))


# ----------------------------------------------------------------------------- threads
@pytest.fixture(scope="module")
def threads_case() -> SimpleNamespace:
    return boot_case("threads")


@pytest.mark.benchmark(group="threads")
@pytest.mark.parametrize("n_threads", [1, 2])
def test_threads(benchmark: Any, rb: Any, threads_case: SimpleNamespace, n_threads: int) -> None:
    c = threads_case
    coefs, intercepts = benchmark(rb_bootstrap, rb, c, n_threads=n_threads)
    check(coefs, intercepts, c)
    other_coefs, other_intercepts = rb_bootstrap(rb, c, n_threads=3 - n_threads)
    np.testing.assert_array_equal(coefs, other_coefs)  # bit-identical for any n_threads
    np.testing.assert_array_equal(intercepts, other_intercepts)


# ------------------------------------------------------------------------- GEMM shapes
def test_gemm_shapes_are_timed_within_the_cap() -> None:
    """Every bootstrap workload implies GEMM shapes; a large one is timed narrowed."""
    for name in ("bootstrap", "path", "targets", "wide"):
        assert WORKLOADS[name].gemm_shapes(WORKLOADS[name].full), name
    shapes = [("small", 8, 16, 4), ("large", 4096, 2048, 4096)]
    out = measure_gemm_shapes(shapes, repeat=1, settle=0.0)
    assert out[0]["timed_shape"] == [8, 16, 4]
    m, k, n = out[1]["timed_shape"]
    assert k == 2048 and 2.0 * m * k * n <= 8e9 and m * n < 4096 * 4096
    assert all(g["gflops"] > 0 for g in out)


# --------------------------------------------------------------------------------- tall


@pytest.fixture(scope="module")
def tall_case() -> SimpleNamespace:
    return fit_case(WORKLOADS["tall"].smoke)


@pytest.mark.benchmark(group="tall")
@pytest.mark.parametrize("impl", ["numpy", "sklearn", "ridgeboot"])
def test_tall(
    benchmark: Any, request: pytest.FixtureRequest, tall_case: SimpleNamespace, impl: str
) -> None:
    c = tall_case
    if impl == "numpy":
        out = benchmark(numpy_ridge, c.X, c.y, c.alpha)
    elif impl == "sklearn":
        m = benchmark(Ridge(alpha=c.alpha).fit, c.X, c.y)
        out = (m.coef_, m.intercept_)
    else:
        r = benchmark(request.getfixturevalue("rb").ridge, c.X, c.y, c.alpha)
        out = (r.coef, r.intercept)
    check(*out, c)


# ------------------------------------------------------------------------------ widefit
@pytest.fixture(scope="module")
def widefit_case() -> SimpleNamespace:
    return fit_case(WORKLOADS["widefit"].smoke)


@pytest.mark.benchmark(group="widefit")
@pytest.mark.parametrize("impl", ["numpy", "sklearn", "ridgeboot"])
def test_widefit(
    benchmark: Any, request: pytest.FixtureRequest, widefit_case: SimpleNamespace, impl: str
) -> None:
    c = widefit_case
    if impl == "numpy":
        out = benchmark(numpy_ridge_kernel, c.X, c.y, c.alpha)
    elif impl == "sklearn":
        m = benchmark(Ridge(alpha=c.alpha).fit, c.X, c.y)
        out = (m.coef_, m.intercept_)
    else:
        r = benchmark(request.getfixturevalue("rb").ridge, c.X, c.y, c.alpha)
        out = (r.coef, r.intercept)
    check(*out, c)


# ------------------------------------------------------------------------------ pathfit
@pytest.fixture(scope="module")
def pathfit_case() -> SimpleNamespace:
    s = WORKLOADS["pathfit"].smoke
    alphas = s.alphas
    X, y = make_data(s.n, s.p, seed=s.seed)
    fits = [reference_fit(X, y, a) for a in alphas]
    return SimpleNamespace(
        X=X,
        y=y,
        alphas=alphas,
        ref_coefs=np.array([w for w, _ in fits]),
        ref_intercepts=np.array([b for _, b in fits]),
    )


@pytest.mark.benchmark(group="pathfit")
@pytest.mark.parametrize("impl", ["numpy", "sklearn", "ridgeboot"])
def test_pathfit(
    benchmark: Any, request: pytest.FixtureRequest, pathfit_case: SimpleNamespace, impl: str
) -> None:
    c = pathfit_case
    if impl == "numpy":
        out = benchmark(numpy_ridge_path, c.X, c.y, c.alphas)
    elif impl == "sklearn":
        out = benchmark(sklearn_ridge_path, c.X, c.y, c.alphas)
    else:
        path = benchmark(request.getfixturevalue("rb").ridge_path, c.X, c.y, c.alphas)
        out = (path.coef, path.intercept)
    check(*out, c)


# ----------------------------------------------------------------------------------- cv
def heldout_mse(
    X: np.ndarray, Y: np.ndarray, alphas: np.ndarray, folds: list[np.ndarray]
) -> np.ndarray:
    """Mean over folds of the held-out MSE of fits on the other rows: (k, t)."""
    n = len(Y)
    out = np.zeros((len(alphas), Y.shape[1]))
    for rows in folds:
        weights = np.ones(n)
        weights[rows] = 0
        for i, a in enumerate(alphas):
            w, b = reference_fit(X, Y, a, weights)
            out[i] += ((Y[rows] - X[rows] @ w - b) ** 2).mean(axis=0)
    return out / len(folds)


def choose(scores: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """Per target, the alpha of the lowest score (ties to the larger alpha)."""
    return alphas[len(alphas) - 1 - np.argmin(scores[::-1], axis=0)]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def cv_case() -> SimpleNamespace:
    s = WORKLOADS["cv"].smoke
    n, t, folds, alphas = s.n, s.targets, s.folds, s.alphas
    X, Y = make_data(n, s.p, t, seed=s.seed)
    scores = {
        "loo": heldout_mse(X, Y, alphas, [np.array([i]) for i in range(n)]),
        "kfold": heldout_mse(X, Y, alphas, np.array_split(np.arange(n), folds)),
        "gcv": np.array([gcv_reference(X, Y, a)[0] for a in alphas]),  # explicit hat matrix
    }
    chosen = {m: choose(s, alphas) for m, s in scores.items()}
    for m, a in chosen.items():  # interior optima: no grid-edge warning (warnings are errors)
        assert alphas[0] < a.min() and a.max() < alphas[-1], (m, a)
    refit = {}
    for m, a in chosen.items():
        fits = [reference_fit(X, Y[:, j], a[j]) for j in range(t)]
        refit[m] = (np.array([w for w, _ in fits]).T, np.array([b for _, b in fits]))
    return SimpleNamespace(
        X=X, Y=Y, alphas=alphas, folds=folds, scores=scores, chosen=chosen, refit=refit
    )


CV_IMPLS = {  # implementation -> the criterion it computes
    "sklearn_loo": "loo",
    "himalaya_kfold": "kfold",
    "numpy_gcv": "gcv",
    "ridgeboot_gcv": "gcv",
    "ridgeboot_loo": "loo",
    "ridgeboot_kfold": "kfold",
}


@pytest.mark.benchmark(group="cv")
@pytest.mark.parametrize("impl", list(CV_IMPLS))
def test_cv(
    benchmark: Any, request: pytest.FixtureRequest, cv_case: SimpleNamespace, impl: str
) -> None:
    c = cv_case
    method = CV_IMPLS[impl]
    coef = intercept = None
    if impl == "sklearn_loo":
        m = benchmark(sklearn_ridgecv, c.X, c.Y, c.alphas)
        alpha, coef, intercept = m.alpha_, m.coef_.T, m.intercept_
    elif impl == "himalaya_kfold":
        if himalaya_ridge_cv() is None:
            pytest.skip("himalaya not installed")
        alpha, coef, _, intercept = benchmark(himalaya_cv, c.X, c.Y, c.alphas, c.folds)
    elif impl == "numpy_gcv":
        scores, alpha = benchmark(numpy_gcv, c.X, c.Y, c.alphas)
        agree("GCV scores", scores, c.scores["gcv"])
    else:
        rb = request.getfixturevalue("rb")
        cv = c.folds if method == "kfold" else method
        r = benchmark(rb.ridge_cv, c.X, c.Y, c.alphas, cv=cv, alpha_per_target=True)
        alpha, coef, intercept = r.alpha, r.coef, r.intercept
        agree(f"{method} scores", r.scores, c.scores[method])
    np.testing.assert_allclose(alpha, c.chosen[method], rtol=1e-9)
    if coef is not None:
        agree("refit coefs", coef, c.refit[method][0])
        agree("refit intercepts", intercept, c.refit[method][1])
