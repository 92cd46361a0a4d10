"""benchmarks/coverage.py counts what it says: a small run checked against a numpy recount."""

from __future__ import annotations

import coverage as cov_script
import numpy as np
import ridgeboot as rb


def small_design() -> cov_script.Design:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 3))
    w = np.array([1.0, 0.0, -0.5])
    return cov_script.Design("small", "n=30, p=3", X, w, np.full(30, 0.5))


def test_coverage_counts_match_a_recount():
    design, D, B, seed = small_design(), 6, 40, 11
    tallies = cov_script.simulate(design, D, B, seed, threads=1)
    # recount: the same noise, alpha, bootstrap and intervals, by hand
    rng = np.random.default_rng(seed)
    alphas = np.concatenate([[0.0], cov_script.GRID])
    truth = rb.ridge_truth(design.X, design.true_coef, design.noise_sd, alphas)
    per_set: dict[tuple[str, str], list[float]] = {}
    for d in range(D):
        y = design.X @ design.true_coef + design.noise_sd * rng.standard_normal(30)
        alpha = rb.ridge_cv(design.X, y, cov_script.GRID, cv="gcv", warn_edges=False).alpha
        shrunk = truth.mean[list(alphas).index(alpha)]
        boot = rb.bootstrap(design.X, y, alpha, B, seed=seed + d, n_threads=1)
        samples = np.asarray(boot.coefs)
        lo, hi = np.quantile(samples, [0.025, 0.975], axis=0)  # percentile, by numpy
        for target, value in (("true w", design.true_coef), ("E w_alpha", shrunk)):
            hit = (lo <= value) & (value <= hi)
            per_set.setdefault(("GCV, fixed", target), []).append(hit.mean())
    for (mode, target), fractions in per_set.items():
        got, se, _ = tallies[(mode, target, "percentile")].summary()
        np.testing.assert_allclose(got, np.mean(fractions), rtol=1e-12)
        np.testing.assert_allclose(se, np.std(fractions, ddof=1) / np.sqrt(D), rtol=1e-9)
    # the page states the command and every design's table
    page = cov_script.markdown(
        [cov_script.table(design, tallies, D, B)],
        [cov_script.summary(design, tallies)],
        "CMD --x",
        60.0,
    )
    assert "CMD --x" in page and "### small" in page and "| GCV, fixed | true w |" in page
