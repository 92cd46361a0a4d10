"""``ridgeboot fit`` says what a statistician would: units, the alpha grid, what intervals cover.

Features on very different scales without ``--standardize`` are warned about (the penalty is
not scale-free); the default candidate alphas are relative to the data (1e-6 to 1e3 times the
largest eigenvalue of X'X, centred with an intercept), so data in raw units do not land on
the grid's edge, and the edge note stays for grids given with ``--alphas``; the output,
``--help`` and the JSON say in one sentence what the intervals cover.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import ridgeboot as rb
from cli_support import fit_json, longley_csv, run, run_error, run_ok
from ridgeboot.datasets import load_longley

LONGLEY = [longley_csv(), "--target", "Employed"]
QUICK = ["--n-boot", "20", "--no-progress"]
SCALE_WORDS = "the penalty is not scale-free"
COVER = (
    "bootstrap intervals for the coefficients of the ridge fit at the chosen alpha held fixed, "
    "i.e. for the shrunken coefficients E[w_alpha], not the true weights, unless alpha is "
    "re-selected per replicate; see docs/coverage.md"
)


def flat(text: str) -> str:
    """The text with line wrapping undone."""
    return " ".join(text.split())


def correlated(n: int = 200, p: int = 5, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Features correlated 0.8, in unit scale, and a target with a modest signal."""
    g = np.random.default_rng(seed)
    C = 0.8 * np.ones((p, p)) + 0.2 * np.eye(p)
    Z = g.normal(size=(n, p)) @ np.linalg.cholesky(C).T
    return Z, Z @ np.full(p, 0.3) + g.normal(size=n)


def save(tmp_path: Path, name: str, X: np.ndarray, y: np.ndarray) -> str:
    path = tmp_path / name
    np.savez(path, X=X, y=y)
    return str(path)


def largest_eigenvalue(X: np.ndarray, centred: bool) -> float:
    """Largest eigenvalue of X'X from the largest singular value (independent of fit's route)."""
    Z = X - X.mean(axis=0) if centred else X
    return float(np.linalg.svd(Z, compute_uv=False)[0] ** 2)


# -- features on very different scales


def test_features_on_very_different_scales_are_warned_about(tmp_path):
    sd = load_longley().X.std(axis=0)
    out = flat(run_ok(["fit", *LONGLEY, *QUICK]))
    warning = (
        f"warning: the features' standard deviations differ by a factor of "
        f"{sd.max() / sd.min():.3g} (from {sd.min():.4g} for 'Year' to {sd.max():.4g} for 'GNP')"
    )
    assert warning in out and SCALE_WORDS in out and "--standardize" in out
    # before alpha is chosen: it says why the alpha depends on the units
    assert out.index(SCALE_WORDS) < out.index("Alpha:")
    record = fit_json([*LONGLEY, "--n-boot", "20"], tmp_path)
    assert len(record["warnings"]) == 1 and SCALE_WORDS in record["warnings"][0]
    # --standardize, or no penalty at all: nothing to warn about
    assert SCALE_WORDS not in run_ok(["fit", *LONGLEY, *QUICK, "--standardize"])
    assert SCALE_WORDS not in run_ok(["fit", *LONGLEY, *QUICK, "--alpha", "0"])
    assert fit_json([*LONGLEY, "--n-boot", "20", "--standardize"], tmp_path)["warnings"] == []


@pytest.mark.parametrize("ratio, warned", [(900.0, False), (1100.0, True)])
def test_the_scale_warning_starts_above_a_factor_1e3(ratio, warned, tmp_path):
    X, y = correlated()
    X = X / X.std(axis=0)
    X[:, 2] *= ratio
    X = np.column_stack([X, np.full(len(y), 7.0)])  # a constant column is not compared
    out = flat(run_ok(["fit", save(tmp_path, "d.npz", X, y), *QUICK]))
    assert (SCALE_WORDS in out) is warned
    if warned:
        assert f"a factor of {ratio:.3g} " in out and "for 'x3')" in out


# -- the default alpha grid, relative to the data


@pytest.mark.parametrize("intercept", [True, False], ids=["centred", "no-intercept"])
def test_default_alphas_are_relative_to_the_largest_eigenvalue(intercept, tmp_path):
    X, y = correlated()
    X = X * np.array([1.0, 10.0, 100.0, 0.1, 3.0]) + 50.0
    extra = [] if intercept else ["--no-intercept"]
    path = save(tmp_path, "d.npz", X, y)
    record = fit_json([path, "--n-boot", "20", *extra], tmp_path)
    lam = largest_eigenvalue(X, centred=intercept)
    np.testing.assert_allclose(
        record["alpha"]["candidates"], lam * np.logspace(-6, 3, 19), rtol=1e-10
    )
    grid = record["alpha"]["default_grid"]
    assert grid["largest_eigenvalue"] == pytest.approx(lam, rel=1e-10)
    assert "1e-6 to 1e3 times the largest eigenvalue of X'X" in grid["rule"]
    out = flat(run_ok(["fit", path, *QUICK, *extra]))
    assert "among 19 candidates" in out
    assert f"the default candidates: 1e-6 to 1e3 times {lam:.3g}, the largest eigenvalue" in out
    given = fit_json([path, "--n-boot", "20", "--alphas", "1,10", *extra], tmp_path)
    assert given["alpha"]["candidates"] == [1.0, 10.0]
    assert given["alpha"]["default_grid"] is None


def test_the_default_grid_follows_standardize(tmp_path):
    X = load_longley().X
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    record = fit_json([*LONGLEY, "--n-boot", "20", "--standardize"], tmp_path)
    lam = largest_eigenvalue(Z, centred=True)
    assert record["alpha"]["default_grid"]["largest_eigenvalue"] == pytest.approx(lam, rel=1e-10)


@pytest.mark.parametrize("scale", [1e-4, 1.0, 1e4, 1e8])
def test_data_in_raw_units_get_an_interior_alpha(scale, tmp_path):
    """The fixed grid 1e-3..1e3 put X in units 1e4 on its top edge and 1e-4 on its bottom."""
    X, y = correlated()
    record = fit_json([save(tmp_path, "d.npz", X * scale, y), "--n-boot", "20"], tmp_path)
    alphas = np.array(record["alpha"]["candidates"])
    chosen = int(np.flatnonzero(alphas == record["alpha"]["value"])[0])
    assert 0 < chosen < len(alphas) - 1 and record["alpha"]["note"] is None
    # the grid scales with the data, so the choice does too: the same candidate at every scale
    unit = fit_json([save(tmp_path, "u.npz", X, y), "--n-boot", "20"], tmp_path)
    assert chosen == unit["alpha"]["candidates"].index(unit["alpha"]["value"])
    assert record["alpha"]["value"] == pytest.approx(unit["alpha"]["value"] * scale**2, rel=1e-9)
    # and it is the library's choice on that grid
    cv = rb.ridge_cv(X * scale, y, alphas, cv="gcv", warn_edges=False)
    assert cv.alpha == record["alpha"]["value"]


def test_the_grid_edge_note_stays(tmp_path):
    out = flat(
        run_ok(["fit", *LONGLEY, *QUICK, "--standardize", "--alphas", "logspace(-9, -6, 4)"])
    )
    assert (
        "gcv chose the largest candidate alpha; the optimum may lie beyond: widen --alphas" in out
    )
    out = flat(run_ok(["fit", *LONGLEY, *QUICK, "--standardize", "--alphas", "1e3,1e4"]))
    assert "gcv chose the smallest candidate alpha" in out


def test_constant_features_have_no_scale_for_the_grid(tmp_path):
    g = np.random.default_rng(1)
    path = save(tmp_path, "c.npz", np.full((20, 2), 3.0), g.normal(size=20))
    message = run_error(["fit", path, *QUICK])
    assert "the default candidate alphas are relative to the largest eigenvalue of X'X" in message
    assert "--alphas" in message and "--alpha" in message
    run_ok(["fit", path, *QUICK, "--alphas", "1,10"])


def test_the_largest_eigenvalue_survives_extreme_units():
    from ridgeboot.cli.fit import largest_gram_eigenvalue

    X, _ = correlated(n=30, p=40)  # p > n: from the n x n side
    for scale in (1e-150, 1.0, 1e150):
        lam = largest_gram_eigenvalue(X * scale, centred=True)
        assert lam == pytest.approx(largest_eigenvalue(X, centred=True) * scale**2, rel=1e-12)


# -- what the intervals cover


@pytest.mark.parametrize("method, name", [("percentile", "percentile"), ("bca", "BCa")])
def test_intervals_say_what_they_cover(method, name, tmp_path):
    argv = [*LONGLEY, "--standardize", "--n-boot", "30", "--ci-method", method]
    out = flat(run_ok(["fit", *argv, "--no-progress"]))
    assert f"CI low, CI high: 95% {name} {COVER}." in out
    assert fit_json(argv, tmp_path)["intervals"]["covers"] == f"95% {name} {COVER}."
    code, help_text, _ = run(["fit", "--help"])
    assert code == 0
    assert f"Percentile, basic, normal or BCa {COVER}." in flat(help_text)
