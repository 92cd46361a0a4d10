"""Sparse X: ridgeboot against scikit-learn's sparse Ridge, side by side.

For a scipy.sparse CSR X, times in one process and interleaved (the implementations
alternate within every repetition):

    fit        rb.ridge                    sklearn Ridge(solver=...).fit per sparse solver
    path       rb.ridge_path, 20 alphas    sklearn Ridge per alpha (its "auto" solver)
    cv         rb.ridge_cv (leave-one-out) sklearn RidgeCV (its efficient LOO on sparse X)
    bootstrap  rb.bootstrap, 1 alpha       sklearn resample + Ridge per replicate

Before timing, every workload checks that the implementations agree (the iterative
solvers to their tolerance) and stops with an AssertionError if they do not. Prints the
median time of each and its ratio to ridgeboot's (> 1: ridgeboot is faster).

(Not ``sparse.py``: this directory is on ``sys.path`` in the test run, and that name
would shadow the pydata ``sparse`` package that dask imports.)

Usage::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/compare_sparse.py [--quick]
        [--repeat N] [--workload NAME ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from typing import Any, Callable

import numpy as np
import ridgeboot as rb
import scipy.sparse as sp
from sklearn.linear_model import Ridge, RidgeCV

# scikit-learn's solvers that take a sparse X with an intercept
SKLEARN_SOLVERS = ("auto", "sparse_cg", "lsqr", "sag", "cholesky")


def make_data(n: int, p: int, density: float, seed: int = 0) -> tuple[Any, np.ndarray]:
    """A CSR X (n, p) with about density * n * p stored values and a linear y."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed, dtype=np.float64)
    X.data = rng.normal(size=X.nnz) + 1.0
    y = X @ rng.normal(size=p) + rng.normal(size=n)
    return X, y


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def race(cases: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median seconds of each case, the cases alternating within every repetition."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for fn in cases.values():  # warm-up (imports, first-touch allocations)
        fn()
    for _ in range(repeat):
        for name, fn in cases.items():
            time.sleep(0.05)  # let BLAS worker threads settle
            times[name].append(timed(fn))
    return {name: statistics.median(ts) for name, ts in times.items()}


def report(title: str, medians: dict[str, float], ours: str) -> None:
    print(f"\n{title}")
    base = medians[ours]
    for name, t in medians.items():
        ratio = "" if name == ours else f"  {t / base:8.2f}x ridgeboot's time"
        print(f"  {name:<40s} {t * 1e3:10.2f} ms{ratio}")


def close(a: Any, b: Any, rtol: float) -> None:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(float(np.abs(b).max()), 1e-300)
    err = float(np.abs(a - b).max()) / scale
    assert err <= rtol, f"implementations disagree: relative error {err:.2e} > {rtol:.0e}"


def workload_fit(X: Any, y: np.ndarray, repeat: int) -> None:
    alpha = 1.0
    ours = rb.ridge(X, y, alpha)
    cases: dict[str, Callable[[], Any]] = {"rb.ridge": lambda: rb.ridge(X, y, alpha)}
    for solver in SKLEARN_SOLVERS:
        model = Ridge(alpha, solver=solver, tol=1e-8, max_iter=10_000)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X, y)
        except (ValueError, TypeError) as exc:
            print(f"  (sklearn solver={solver!r} skipped: {exc})")
            continue
        close(ours.coef, model.coef_, 1e-4)

        def fit(solver: str = solver) -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return Ridge(alpha, solver=solver, tol=1e-8, max_iter=10_000).fit(X, y)

        cases[f"sklearn Ridge(solver={solver!r})"] = fit
    report(
        f"fit: one alpha, n={X.shape[0]} p={X.shape[1]} nnz={X.nnz}",
        race(cases, repeat),
        "rb.ridge",
    )


def workload_path(X: Any, y: np.ndarray, repeat: int) -> None:
    alphas = np.logspace(-2, 3, 20)
    ours = rb.ridge_path(X, y, alphas)

    def sklearn_path() -> np.ndarray:
        return np.array([Ridge(a, tol=1e-8).fit(X, y).coef_ for a in alphas])

    close(ours.coef, sklearn_path(), 1e-4)
    cases = {
        "rb.ridge_path": lambda: rb.ridge_path(X, y, alphas),
        "sklearn Ridge per alpha": sklearn_path,
    }
    report(f"path: 20 alphas, n={X.shape[0]} p={X.shape[1]}", race(cases, repeat), "rb.ridge_path")


def workload_cv(X: Any, y: np.ndarray, repeat: int) -> None:
    alphas = np.logspace(-2, 3, 20)
    ours = rb.ridge_cv(X, y, alphas, cv="loo", warn_edges=False)
    ref = RidgeCV(alphas).fit(X, y)
    assert ours.alpha == ref.alpha_, (ours.alpha, ref.alpha_)
    cases = {
        "rb.ridge_cv(cv='loo')": lambda: rb.ridge_cv(X, y, alphas, cv="loo", warn_edges=False),
        "sklearn RidgeCV (LOO)": lambda: RidgeCV(alphas).fit(X, y),
    }
    report(
        f"cv: leave-one-out, 20 alphas, n={X.shape[0]} p={X.shape[1]}",
        race(cases, repeat),
        "rb.ridge_cv(cv='loo')",
    )


def workload_bootstrap(X: Any, y: np.ndarray, repeat: int, n_boot: int) -> None:
    alpha = 1.0
    counts = rb.bootstrap_counts(X.shape[0], n_boot, seed=0)
    ours = rb.bootstrap(X, y, alpha, n_boot, seed=0, oob=False)

    def sklearn_loop() -> np.ndarray:
        coefs = []
        for c in counts:
            coefs.append(Ridge(alpha, tol=1e-10).fit(X, y, sample_weight=c.astype(float)).coef_)
        return np.array(coefs)

    close(ours.coefs, sklearn_loop(), 1e-4)
    cases = {
        f"rb.bootstrap (B={n_boot})": lambda: rb.bootstrap(X, y, alpha, n_boot, seed=0, oob=False),
        "sklearn Ridge per replicate": sklearn_loop,
    }
    report(
        f"bootstrap: B={n_boot}, n={X.shape[0]} p={X.shape[1]}",
        race(cases, repeat),
        f"rb.bootstrap (B={n_boot})",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workload", nargs="*", choices=("fit", "path", "cv", "bootstrap"))
    args = parser.parse_args()
    n, p, density, n_boot = (20_000, 200, 0.02, 20) if args.quick else (100_000, 500, 0.01, 20)
    X, y = make_data(n, p, density)
    chosen = args.workload or ["fit", "path", "cv", "bootstrap"]
    print(f"ridgeboot {rb.__version__}; X: CSR {n} x {p}, density {density}, nnz {X.nnz}")
    if "fit" in chosen:
        workload_fit(X, y, args.repeat)
    if "path" in chosen:
        workload_path(X, y, args.repeat)
    if "cv" in chosen:
        workload_cv(X, y, args.repeat)
    if "bootstrap" in chosen:
        workload_bootstrap(X, y, args.repeat, n_boot)


if __name__ == "__main__":
    main()
