"""Hash the outputs of every public entry point on a fixed battery of problems.

A refactoring that must not change a single bit runs this before and after:

    python tools/battery.py --out before.json --arrays before.npz
    ... change the code, rebuild ...
    python tools/battery.py --out after.json --arrays after.npz --compare before.npz

Every case is (entry point, solver, shape, dtype, weights, intercept[, scheme, threads]);
its hash covers dtype, shape and the raw bytes of every output array (or the type and
message of the exception it raised). ``--compare`` lists the cases whose hashes differ and,
for each, the largest difference relative to the largest entry of the old output, so a
deliberate change "to rounding" can be told from a real one.

The hashes depend on the instruction set the core was compiled for (-march=native): compare
only runs of builds for the same machine.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import warnings
from collections.abc import Iterator
from functools import partial
from typing import Any, Callable

import numpy as np
import ridgeboot as rb

SOLVERS = ("auto", "cholesky", "svd", "eigh")
SHAPES = {"tall": (40, 6), "wide": (12, 20), "square": (10, 10)}
DTYPES = (np.float64, np.float32)
SCHEMES = (("multinomial", None), ("poisson", None), ("multinomial", 4), ("poisson", 4))
N_BOOT = 32
ALPHAS = np.array([0.1, 1.0, 10.0])


def data(shape: str, dtype: Any, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (n, p), y (n,) or (n, t) and positive weights (n,), from a fixed seed."""
    n, p = SHAPES[shape]
    g = np.random.default_rng(sum(map(ord, shape)) + 7 * t)
    X = g.standard_normal((n, p)) + g.uniform(-2, 2, p)
    W = g.standard_normal((p, t))
    Y = X @ W + 0.5 * g.standard_normal((n, t)) + 1.0
    w = g.uniform(0.2, 2.0, n)
    y = Y[:, 0] if t == 1 else Y
    return X.astype(dtype), y.astype(dtype), w.astype(dtype)


def leaves(value: Any) -> Iterator[Any]:
    """Yield the arrays and scalars of a result, in a fixed order."""
    if value is None or isinstance(value, (str, bool, int)):
        yield value
    elif isinstance(value, (float, np.floating, np.integer)):
        yield np.asarray(value)
    elif isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from leaves(v)
    elif isinstance(value, dict):
        for key in sorted(value):
            yield key
            yield from leaves(value[key])
    else:
        raise TypeError(f"cannot hash {type(value).__name__}")


def digest(value: Any) -> str:
    """Return a short sha256 of a result's dtypes, shapes and bytes."""
    h = hashlib.sha256()
    for leaf in leaves(value):
        if isinstance(leaf, np.ndarray):
            a = np.ascontiguousarray(leaf)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(a.tobytes())
        else:
            h.update(repr(leaf).encode())
    return h.hexdigest()[:16]


def run(fn: Callable[[], Any]) -> Any:
    """Call fn; an exception is returned as its type and message (an output too)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()
    except Exception as exc:  # noqa: BLE001 - an error is an output too
        return f"{type(exc).__name__}: {exc}"


def boot_outputs(b: rb.BootstrapResult) -> dict[str, Any]:
    """Every array of a bootstrap result and of its analyses."""
    out = {
        "coefs": b.coefs,
        "intercepts": b.intercepts,
        "coef_mean": b.coef_mean,
        "coef_std": b.coef_std,
        "intercept_mean": b.intercept_mean,
        "intercept_std": b.intercept_std,
        "oob_mse": b.oob_mse,
        "full": (b.full.coef, b.full.intercept, b.full.solver),
        "n_valid": b.n_valid,
    }
    for method in ("percentile", "basic", "normal", "bca"):
        out[f"ci_{method}"] = run(partial(b.ci, 0.9, method))
    out["bias_variance"] = run(lambda: tuple(vars(b.bias_variance()).values()))
    out["err632"] = run(lambda: (b.err632, b.err632plus))
    out["sandwich"] = run(b.coef_cov_analytic)
    return out


def fit_outputs(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Coefficients, intercept and solver of rb.ridge / rb.ridge_path."""
    r = fn(*args, **kwargs)
    return (r.coef, r.intercept, r.solver)


def boot_case(*args: Any, **kwargs: Any) -> Any:
    """rb.bootstrap and everything computed from its result."""
    return boot_outputs(rb.bootstrap(*args, **kwargs))


def cv_case(*args: Any, **kwargs: Any) -> Any:
    """rb.ridge_cv's outputs."""
    r = rb.ridge_cv(*args, **kwargs)
    return (
        r.alpha,
        r.scores,
        r.best_score,
        r.coef,
        r.intercept,
        r.dof,
        r.solver,
        r.alpha_replicates,
    )


Case = tuple[str, Callable[[], Any]]


def cases() -> Iterator[Case]:
    """Every (name, call) of the battery."""
    for shape, dtype, weighted, intercept in itertools.product(
        SHAPES, DTYPES, (False, True), (True, False)
    ):
        name = np.dtype(dtype).name
        tag = f"{shape}/{name}/{'w' if weighted else '-'}/{'b' if intercept else '0'}"
        X, y, w = data(shape, dtype, 1)
        X3, Y3, _ = data(shape, dtype, 3)
        common = {"fit_intercept": intercept, "sample_weight": w if weighted else None}
        for solver in SOLVERS:
            s = f"{tag}/{solver}"
            opts = {**common, "solver": solver}
            yield f"ridge/{s}", partial(fit_outputs, rb.ridge, X, y, 1.0, **opts)
            yield f"ridge_alpha0/{s}", partial(fit_outputs, rb.ridge, X, y, 0.0, **opts)
            per_target = np.array([0.5, 2.0, 8.0])
            yield (
                f"ridge_per_target/{s}",
                partial(fit_outputs, rb.ridge, X3, Y3, per_target, **opts),
            )
            path = np.r_[0.0, ALPHAS]
            yield f"ridge_path/{s}", partial(fit_outputs, rb.ridge_path, X3, Y3, path, **opts)
            for (scheme, block), threads in itertools.product(SCHEMES, (1, 2)):
                b = f"{s}/{scheme}{block or ''}/t{threads}"
                yield (
                    f"bootstrap/{b}",
                    partial(
                        boot_case,
                        X,
                        y,
                        ALPHAS,
                        N_BOOT,
                        scheme=scheme,
                        block_len=block,
                        seed=5,
                        n_threads=threads,
                        **opts,
                    ),
                )
            yield (
                f"bootstrap_scalar/{s}",
                partial(boot_case, X3, Y3, 2.0, N_BOOT, seed=1, n_threads=2, **opts),
            )
        for cv in ("gcv", "loo", 3, "bootstrap"):
            yield (
                f"ridge_cv/{tag}/{cv}",
                partial(cv_case, X3, Y3, ALPHAS, cv=cv, alpha_per_target=True, n_boot=8, **common),
            )
    yield (
        "bootstrap_counts",
        lambda: [rb.bootstrap_counts(50, 20, 3, scheme, block) for scheme, block in SCHEMES],
    )
    yield from sklearn_cases()


def estimator_case(estimator: Any, attributes: tuple[str, ...], *args: Any) -> Any:
    """Fit a ridgeboot.sklearn estimator and return its fitted attributes."""
    fitted = estimator.fit(*args)
    return tuple(getattr(fitted, a) for a in attributes)


def sklearn_cases() -> Iterator[Case]:
    """Yield the scikit-learn estimators fitted on tall data."""
    from ridgeboot.sklearn import BootstrapRidge, Ridge, RidgeCV

    for dtype in DTYPES:
        X, y, w = data("tall", dtype, 1)
        X3, Y3, _ = data("tall", dtype, 3)
        name = np.dtype(dtype).name
        yield (
            f"sklearn/Ridge/{name}",
            partial(estimator_case, Ridge(alpha=0.5), ("coef_", "intercept_"), X, y, w),
        )
        for cv in (None, "gcv", 3):
            attrs = ("alpha_", "cv_scores_", "best_score_", "coef_", "intercept_")
            yield (
                f"sklearn/RidgeCV/{name}/{cv}",
                partial(estimator_case, RidgeCV(alphas=ALPHAS, cv=cv), attrs, X3, Y3),
            )
        attrs = ("coef_", "intercept_", "coef_std_", "coef_ci_", "oob_mse_", "oob_score_")
        yield (
            f"sklearn/BootstrapRidge/{name}",
            partial(
                estimator_case, BootstrapRidge(alpha=1.0, n_boot=32, random_state=0), attrs, X, y
            ),
        )


def main(argv: list[str] | None = None) -> int:
    """Run the battery; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", help="write {case: hash} as JSON")
    ap.add_argument("--arrays", help="write every case's outputs (.npz) for --compare")
    ap.add_argument("--compare", help="an earlier --arrays file: report cases that differ")
    args = ap.parse_args(argv)
    hashes: dict[str, str] = {}
    arrays: dict[str, np.ndarray] = {}
    for name, fn in cases():
        value = run(fn)
        hashes[name] = digest(value)
        for i, leaf in enumerate(x for x in leaves(value) if isinstance(x, np.ndarray)):
            arrays[f"{name}#{i}"] = leaf
        if isinstance(value, str):
            arrays[f"{name}#error"] = np.array(value)
    print(f"{len(hashes)} cases, battery digest {digest(sorted(hashes.items()))}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(hashes, f, indent=0, sort_keys=True)
    if args.arrays:
        np.savez_compressed(args.arrays, **arrays)
    if args.compare:
        return compare(args.compare, arrays)
    return 0


def compare(path: str, arrays: dict[str, np.ndarray]) -> int:
    """Report the cases whose outputs differ from an earlier run's."""
    old = dict(np.load(path))
    differ: dict[str, float] = {}
    for key in sorted(set(old) | set(arrays)):
        a, b = old.get(key), arrays.get(key)
        case = key.rsplit("#", 1)[0]
        if a is None or b is None or a.shape != b.shape or a.dtype != b.dtype:
            differ[case] = np.inf
            continue
        if a.tobytes() == b.tobytes():
            continue
        if a.dtype.kind != "f":
            differ[case] = np.inf
            continue
        with np.errstate(invalid="ignore"):
            scale = np.nanmax(np.abs(a)) if np.isfinite(a).any() else 1.0
            d = np.nanmax(np.abs(a.astype(np.float64) - b)) / (scale or 1.0)
        same_nan = np.array_equal(np.isnan(a), np.isnan(b))
        differ[case] = max(differ.get(case, 0.0), d if same_nan else np.inf)
    for case, d in differ.items():
        print(f"DIFFERS {case}: max |new - old| / max |old| = {d:.3g}")
    print(f"{len(differ)} case(s) differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
