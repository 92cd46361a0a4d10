"""``ridgeboot fit`` and ``demo`` tell the user what happens, when it happens, in its own terms.

Output paths are checked before any work; the data summary and the alpha come before the
bootstrap; the progress bar only on a terminal; messages name flags, not API arguments;
``fit --plot`` draws the coefficients with their intervals and the CV curve; the demo's
figure labels its axis break and uses fit's interval level; ``info`` reports where Eigen
came from.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
import ridgeboot as rb
from cli_support import longley_csv, png_size, png_text, run, run_error, run_ok
from ridgeboot import cli

LONGLEY = [longley_csv(), "--target", "Employed"]


class BootstrapSpy:
    """Stands in for rb.bootstrap: records its keyword arguments and what stdout held."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.original = rb.bootstrap

    def __call__(self, *args, **kwargs):
        self.calls.append({"stdout": sys.stdout.getvalue(), **kwargs})
        return self.original(*args, **kwargs)


@pytest.fixture
def bootstrap_spy(monkeypatch) -> BootstrapSpy:
    spy = BootstrapSpy()
    monkeypatch.setattr(rb, "bootstrap", spy)
    return spy


# -- output paths, before any work


@pytest.mark.parametrize("flag", ["--json", "--csv", "--plot"])
def test_unwritable_output_fails_before_any_work(flag, tmp_path, bootstrap_spy):
    target = str(tmp_path / "missing-dir" / "out.png")
    message = run_error(["fit", *LONGLEY, "--n-boot", "10", flag, target])
    assert f"{flag} {target}: the directory {tmp_path / 'missing-dir'} does not exist" in message
    assert bootstrap_spy.calls == []
    message = run_error(["fit", *LONGLEY, "--n-boot", "10", flag, str(tmp_path)])
    assert f"{flag} {tmp_path}: is a directory" in message
    assert bootstrap_spy.calls == []


def test_outputs_never_overwrite_the_input_or_each_other(tmp_path, bootstrap_spy):
    data = tmp_path / "data.csv"
    data.write_text(Path(longley_csv()).read_text())
    message = run_error(["fit", str(data), "--target", "Employed", "--csv", str(data)])
    assert "--csv" in message and "would overwrite the input file" in message
    same = str(tmp_path / "out.txt")
    message = run_error(["fit", *LONGLEY, "--json", same, "--csv", same])
    assert "--csv and --json both name" in message
    assert data.read_text() == Path(longley_csv()).read_text()
    assert bootstrap_spy.calls == []


def test_demo_checks_its_output_paths_first(tmp_path):
    code, out, err = run(["demo", "--json", str(tmp_path / "no" / "demo.json")])
    assert code == 2 and "--json" in err and "does not exist" in err
    assert "Bootstrapping" not in out


# -- messages in the command line's terms


def test_huge_n_boot_names_flags_not_api_arguments(monkeypatch):
    monkeypatch.setattr("ridgeboot._validation.available_memory", lambda: 16 * 2**30)
    message = run_error(["fit", *LONGLEY, "--n-boot", "1000000000"])
    assert "--n-boot 1000000000" in message and "--ci-method normal" in message
    assert "keep_coefs" not in message and "n_boot" not in message


def test_demo_huge_n_boot_names_flags(monkeypatch):
    monkeypatch.setattr("ridgeboot._validation.available_memory", lambda: 16 * 2**30)
    code, out, err = run(["demo", "--n-boot", "1000000000"])
    assert code == 2 and "--n-boot 1000000000" in err and "keep_coefs" not in err
    assert "Bootstrapping" not in out


def test_ci_method_normal_keeps_no_replicates(bootstrap_spy):
    run_ok(["fit", *LONGLEY, "--n-boot", "10", "--ci-method", "normal", "--no-progress"])
    assert bootstrap_spy.calls[0]["keep_coefs"] is False


@pytest.mark.parametrize("value", ["-1,1,10", "-1e-3", "-.5"])
def test_negative_alphas_reach_the_option_check(value):
    message = run_error(["fit", *LONGLEY, "--alphas", value])
    assert "argument --alphas: every candidate alpha must be a finite number >= 0" in message
    assert "expected one argument" not in message


def test_negative_values_reach_their_checks():
    assert "argument --seed: must be >= 0" in run_error(["fit", *LONGLEY, "--seed", "-1"])
    assert "argument --alpha: must be >= 0" in run_error(["fit", *LONGLEY, "--alpha", "-1e-3"])


def test_library_messages_name_flags():
    assert cli.cli_wording("n_boot must be <= 5, got 7") == "--n-boot must be <= 5, got 7"
    assert cli.cli_wording("cv must be one of ...") == "--cv must be one of ..."
    assert cli.cli_wording("the seed of the data") == "the seed of the data"


def _option_help(command: str, flag: str) -> str:
    code, out, _ = run([command, "--help"])
    assert code == 0
    text = " ".join(out.split())
    start = text.index(flag + " ")
    return text[start : start + 120]


def test_help_says_what_the_seed_seeds():
    fit_seed = _option_help("fit", "--seed SEED")
    assert "bootstrap draws" in fit_seed and "data" not in fit_seed
    assert "synthetic data" in _option_help("demo", "--seed SEED")


def test_usage_errors_are_one_line():
    message = run_error(["fit", *LONGLEY, "--ci-level", "2"])
    assert "argument --ci-level" in message and "(see: ridgeboot fit --help)" in message


# -- feedback in the order the work happens


def test_data_and_alpha_are_reported_before_the_bootstrap(bootstrap_spy):
    out = run_ok(["fit", *LONGLEY, "--n-boot", "20", "--no-progress"])
    before = bootstrap_spy.calls[0]["stdout"]
    assert out.startswith(before)
    before = " ".join(before.split())  # a long path wraps
    assert f"Data: {longley_csv()}: 16 rows, 6 features, 1 target (Employed)" in before
    assert "Alpha: " in before and "the lowest GCV criterion among 19 candidates" in before
    assert "Bootstrap: 20 replicates" in before
    assert "GNP.deflator" not in before  # the table comes after


def test_progress_only_on_a_terminal(bootstrap_spy, monkeypatch):
    code, _, err = run(["fit", *LONGLEY, "--n-boot", "20"])
    assert code == 0 and err == ""
    assert bootstrap_spy.calls[-1]["progress"] is False
    code, _, err = run(["fit", *LONGLEY, "--n-boot", "20", "--progress"])
    assert code == 0 and "replicate" in err  # the bar
    assert bootstrap_spy.calls[-1]["progress"] is True
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    run(["fit", *LONGLEY, "--n-boot", "20", "--no-progress"])
    assert bootstrap_spy.calls[-1]["progress"] is False


def test_demo_progress_only_on_a_terminal(bootstrap_spy):
    code, _, err = run(["demo", "--n-boot", "10"])
    assert code == 0 and err == ""
    assert bootstrap_spy.calls and not any(c.get("progress") for c in bootstrap_spy.calls)


# -- what the numbers are called


def test_columns_say_what_they_estimate(tmp_path):
    out = " ".join(run_ok(["fit", *LONGLEY, "--n-boot", "20", "--no-progress"]).split())
    assert "CI low, CI high: 95% percentile bootstrap intervals for the coefficients" in out
    assert "std. error: standard deviation of the 20 bootstrap estimates" in out
    assert "training R^2" in out and "out-of-bag MSE" in out


# -- fit --plot


@pytest.mark.parametrize(
    "extra, size",
    [
        ([], (980, 460)),  # one forest panel and the GCV curve
        (["--alpha", "1", "--plot-scale", "raw"], (500, 460)),  # fixed alpha: no curve
    ],
    ids=["cv", "fixed-alpha"],
)
def test_fit_plot_writes_a_png_of_the_expected_size(extra, size, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "fit.png"
    argv = ["fit", *LONGLEY, "--n-boot", "30", "--no-progress", "--plot", str(png), *extra]
    out = run_ok(argv)
    assert f"Figure written to {png}" in out
    assert png_size(png) == size
    assert png_text(png)["Description"] == " ".join(["ridgeboot", *argv])


def test_fit_plot_size_grows_with_features_and_targets(tmp_path):
    pytest.importorskip("matplotlib")
    from ridgeboot.cli.fit_plot import FIT_DPI, figure_size

    g = np.random.default_rng(3)
    X, Y = g.normal(size=(50, 20)), g.normal(size=(50, 2))
    path, png = tmp_path / "d.npz", tmp_path / "wide.png"
    np.savez(path, X=X, y=Y)
    run_ok(["fit", str(path), "--n-boot", "10", "--no-progress", "--plot", str(png)])
    width, height = figure_size(20, 2, True)
    assert png_size(png) == (round(width * FIT_DPI), round(height * FIT_DPI)) == (1480, 700)


def test_fit_plot_refuses_before_any_work(tmp_path, monkeypatch, bootstrap_spy):
    pytest.importorskip("matplotlib")
    message = run_error(["fit", *LONGLEY, "--plot", str(tmp_path / "fit.docx")])
    assert "matplotlib cannot write .docx files" in message
    g = np.random.default_rng(3)
    path = tmp_path / "many.npz"
    np.savez(path, X=g.normal(size=(20, 3)), y=g.normal(size=(20, 7)))
    message = run_error(["fit", str(path), "--plot", str(tmp_path / "f.png")])
    assert "--plot draws at most 6 targets" in message
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    message = run_error(["fit", *LONGLEY, "--plot", str(tmp_path / "fit.png")])
    assert 'pip install "ridgeboot[plot]"' in message
    assert bootstrap_spy.calls == []


# -- the demo's figure


@pytest.fixture(scope="module")
def demo_figure(tmp_path_factory):
    """Draw the demo figure (few replicates) and keep the figure object and the ci levels."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    levels, figures = [], []
    mp = pytest.MonkeyPatch()
    ci = rb.BootstrapResult.ci

    def ci_spy(self, level=0.95, method="percentile"):
        levels.append(level)
        return ci(self, level, method)

    savefig = Figure.savefig

    def keep(self, *args, **kwargs):
        figures.append(self)
        return savefig(self, *args, **kwargs)

    mp.setattr(rb.BootstrapResult, "ci", ci_spy)
    mp.setattr(Figure, "savefig", keep)
    try:
        png = tmp_path_factory.mktemp("demo") / "demo.png"
        run_ok(["demo", "--n-boot", "20", "--no-progress", "--plot", str(png)])
    finally:
        mp.undo()
    return {"levels": levels, "figure": figures[0]}


def test_demo_bands_use_fits_interval_level(demo_figure):
    from ridgeboot.cli._common import DEFAULT_CI_LEVEL

    assert demo_figure["levels"] == [DEFAULT_CI_LEVEL] == [0.95]
    title = demo_figure["figure"].axes[1].get_title()
    assert "95% bootstrap percentile intervals" in title


def test_demo_axis_break_is_labelled(demo_figure):
    from ridgeboot.cli._figure import AXIS_BREAK_LABEL

    for ax in demo_figure["figure"].axes[1:3]:
        legend = ax.get_legend()
        assert legend is not None
        assert AXIS_BREAK_LABEL in [t.get_text() for t in legend.get_texts()]


# -- info


def test_info_reports_where_eigen_came_from():
    info = rb.build_info()
    assert "eigen_dir" not in info
    source = info["eigen_source"]
    assert source.startswith(("cmeel-eigen ", "system install ("))
    if source.startswith("system"):
        assert os.path.isdir(source[len("system install (") : -1])
    code, out, _ = run(["info"])
    assert code == 0 and "eigen_source" in out and "cmeel.prefix" not in out
    assert "pandas" in out  # fit's table reader
