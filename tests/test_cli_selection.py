"""``ridgeboot fit --select-in-replicates``: alpha re-chosen by --cv gcv|loo in every replicate.

The numbers are the library's (``rb.bootstrap(..., select=...)``) on the same data and grid;
the output says that the intervals include the choice, what the replicates chose, and
``--plot`` adds the distribution of the chosen alpha; the flags it cannot go with are
refused before any work.
"""

from __future__ import annotations

import numpy as np
import pytest
import ridgeboot as rb
from cli_support import fit_json, longley_csv, png_size, run_error, run_ok
from ridgeboot.datasets import load_longley

LONGLEY = [longley_csv(), "--target", "Employed", "--standardize"]
SELECT = ["--select-in-replicates"]


def flat(text: str) -> str:
    return " ".join(text.split())


def standardized_longley() -> tuple[np.ndarray, np.ndarray]:
    d = load_longley()
    return (d.X - d.X.mean(axis=0)) / d.X.std(axis=0), d.y


@pytest.mark.parametrize("cv", ["gcv", "loo"])
def test_fit_selecting_in_replicates_gives_the_librarys_numbers(cv, tmp_path):
    argv = [*LONGLEY, *SELECT, "--cv", cv, "--n-boot", "60", "--seed", "4"]
    record = fit_json(argv, tmp_path)
    assert record["settings"]["select_in_replicates"] is True
    Z, y = standardized_longley()
    grid = np.array(record["alpha"]["candidates"])
    boot = rb.bootstrap(Z, y, grid, 60, seed=4, select=cv, oob="mse")
    sel = boot.selection
    assert record["alpha"]["value"] == sel.full_data_alpha
    coefs = record["targets"][0]["coefficients"]
    lo, hi = boot.ci(0.95)
    np.testing.assert_allclose([c["estimate"] for c in coefs], boot.full.coef, rtol=1e-12)
    np.testing.assert_allclose([c["std_error"] for c in coefs], boot.coef_std, rtol=1e-12)
    np.testing.assert_allclose([c["ci_low"] for c in coefs], lo, rtol=1e-12)
    np.testing.assert_allclose([c["ci_high"] for c in coefs], hi, rtol=1e-12)
    chosen = record["alpha_in_replicates"]
    assert chosen["method"] == cv
    np.testing.assert_array_equal(chosen["candidates"], sel.grid)
    np.testing.assert_array_equal(chosen["frequency"], sel.frequency)
    assert chosen["median"] == np.nanmedian(sel.alpha_selected)
    # the choice varies, so the spread differs from the fixed-alpha bootstrap's
    fixed = rb.bootstrap(Z, y, sel.full_data_alpha, 60, seed=4)
    assert not np.allclose(boot.coef_std, fixed.coef_std)
    assert (
        fit_json([*LONGLEY, "--cv", cv, "--n-boot", "20"], tmp_path)["alpha_in_replicates"] is None
    )


def test_the_output_says_alpha_was_re_chosen(tmp_path):
    out = flat(run_ok(["fit", *LONGLEY, *SELECT, "--n-boot", "50", "--no-progress"]))
    assert (
        "Bootstrap: 50 replicates (multinomial draws, seed 0) with alpha re-chosen by gcv in "
        "each among the same candidates"
    ) in out
    assert "standard deviation of the 50 bootstrap estimates, each at the alpha its" in out
    assert (
        "CI low, CI high: 95% percentile bootstrap intervals for the coefficients of the ridge "
        "fit with alpha re-selected by gcv in every replicate, so they include the variability "
        "of the choice of alpha; how often they cover the true weights is measured in "
        "docs/coverage.md."
    ) in out
    Z, y = standardized_longley()
    record = fit_json([*LONGLEY, *SELECT, "--n-boot", "50"], tmp_path)
    sel = rb.bootstrap(Z, y, record["alpha"]["candidates"], 50, select="gcv").selection
    share = np.mean(sel.alpha_selected == sel.full_data_alpha)
    assert (
        f"alpha in the replicates (gcv, re-chosen in each): the full-data choice "
        f"{sel.full_data_alpha:.3g} in {100 * share:.3g}% of them; median "
        f"{np.median(sel.alpha_selected):.3g}"
    ) in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--alpha", "1"], "--select-in-replicates re-chooses alpha in every replicate"),
        (["--cv", "5"], "--select-in-replicates needs --cv gcv or loo"),
        (["--cv", "bootstrap"], "--select-in-replicates needs --cv gcv or loo"),
        (["--ci-method", "bca"], "--ci-method bca holds alpha fixed in its jackknife"),
    ],
    ids=["alpha", "k-fold", "cv-bootstrap", "bca"],
)
def test_flags_it_cannot_go_with_are_refused_first(extra, message, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the data were read")

    monkeypatch.setattr("ridgeboot.cli.fit.load_data", no_work)
    assert message in run_error(["fit", *LONGLEY, *SELECT, *extra])


def test_fit_plot_draws_the_distribution_of_the_chosen_alpha(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    from ridgeboot.cli.fit_plot import CURVE_WIDTH, FIT_DPI, FOREST_WIDTH

    drawn = []
    savefig = Figure.savefig

    def keep(self, *args, **kwargs):
        drawn.append(self)
        return savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    png = tmp_path / "fit.png"
    argv = [*LONGLEY, "--n-boot", "40", "--no-progress", "--plot", str(png)]
    record = fit_json([*argv, *SELECT], tmp_path)
    width = round((FOREST_WIDTH + 2 * CURVE_WIDTH) * FIT_DPI)
    assert png_size(png) == (width, 460) == (1460, 460)
    panel = drawn[-1].axes[2]
    assert panel.get_title() == "Alpha re-chosen in each replicate: gcv"
    (bars,) = panel.collections  # one vertical line per candidate alpha
    heights = [segment[1, 1] for segment in bars.get_segments()]
    np.testing.assert_array_equal(heights, record["alpha_in_replicates"]["frequency"])
    # held fixed: no such panel
    run_ok(["fit", *argv])
    assert png_size(png) == (round((FOREST_WIDTH + CURVE_WIDTH) * FIT_DPI), 460)
    assert len(drawn[-1].axes) == 2
