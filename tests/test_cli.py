"""The ``ridgeboot`` command, run in-process through ``cli.main``: demo, fit, info, errors.

Every number the commands print is checked against an independent computation: numpy's
lstsq, NIST's certified Longley values, or the library called directly with the same settings.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import ridgeboot as rb
from cli_support import PNG_MAGIC, longley_csv, run
from ridgeboot.datasets import load_longley, longley_certified, make_equicorrelated

DEMO_SEED = 1
DEMO_BOOT = 60


def lre(estimate: np.ndarray, certified: np.ndarray) -> np.ndarray:
    """Log relative error: the number of correct significant digits."""
    with np.errstate(divide="ignore"):
        return -np.log10(np.abs(estimate - certified) / np.abs(certified))


# -- shipped data


def test_longley_data_matches_nist_source():
    d = load_longley()
    cert = longley_certified()
    assert d.X.shape == (16, 6) and d.y.shape == (16,)
    assert d.target_name == "Employed"
    assert d.feature_names == (
        "GNP.deflator",
        "GNP",
        "Unemployed",
        "Armed.Forces",
        "Population",
        "Year",
    )
    assert cert["param_names"] == ["(Intercept)", *d.feature_names]
    assert [float(s) for s in cert["estimate_str"]] == cert["estimate"]
    # the same numbers as the tests' copy of all eleven StRD datasets
    strd = Path(__file__).parent / "data" / "nist_strd.json"
    src = json.loads(strd.read_text())["datasets"]["Longley"]
    np.testing.assert_array_equal(d.y, src["y"])
    X = np.column_stack([src["x"][f"x{i}"] for i in range(1, 7)])
    np.testing.assert_array_equal(d.X, X)
    assert cert["estimate_str"] == src["certified_estimate"]


# -- demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One demo run with --json and --plot (small n_boot), shared by the demo tests."""
    folder = tmp_path_factory.mktemp("demo")
    json_path, png_path = folder / "demo.json", folder / "demo.png"
    code, out, err = run(
        [
            "demo",
            "--n-boot",
            str(DEMO_BOOT),
            "--seed",
            str(DEMO_SEED),
            "--no-progress",
            "--json",
            str(json_path),
            "--plot",
            str(png_path),
        ]
    )
    assert code == 0, err
    return {"out": out, "json": json.loads(json_path.read_text()), "png": png_path}


def dataset(demo: dict, name: str) -> dict:
    (d,) = [d for d in demo["json"]["datasets"] if d["name"] == name]
    return d


def column(d: dict, key: str) -> np.ndarray:
    return np.array([row[key] for row in d["rows"]], dtype=np.float64)


def test_demo_prints_both_tables_and_explanation(demo):
    out = demo["out"]
    assert "Longley (NIST StRD), standardized X" in out
    assert "Synthetic, correlated features" in out
    assert out.count(cli_demo_marks()[0]) == 3  # one GCV choice per table (and the truth's)
    assert "standardized" in out and "Why penalise?" in out
    for d in demo["json"]["datasets"]:
        gcv = [r for r in d["rows"] if r["gcv_choice"]]
        assert len(gcv) == 1 and gcv[0]["alpha"] == d["gcv_alpha"]


def cli_demo_marks() -> tuple[str, str]:
    from ridgeboot.cli.demo import GCV_MARK, OOB_MARK

    return GCV_MARK, OOB_MARK


def test_demo_grid_starts_at_zero_and_is_log_spaced(demo):
    alphas = np.array(demo["json"]["settings"]["alphas"])
    assert alphas[0] == 0 and (alphas[1:] > 0).all()
    ratios = alphas[2:] / alphas[1:-1]
    np.testing.assert_allclose(ratios, ratios[0])
    for d in demo["json"]["datasets"]:
        np.testing.assert_array_equal(column(d, "alpha"), alphas)


def test_demo_synthetic_variance_falls_and_training_mse_rises(demo):
    d = dataset(demo, "synthetic")
    variance, train = column(d, "variance"), column(d, "train_mse")
    assert (np.diff(variance) < 0).all(), variance
    assert (np.diff(train) >= -1e-12 * train.max()).all(), train
    assert train[-1] > 1.5 * train[0]  # the largest alpha visibly underfits
    assert variance[0] > 100 * variance[-1]
    bias2 = np.array(d["truth"]["bias2"])
    assert (np.diff(bias2) > 0).all()  # the true squared bias rises with alpha, from 0


def test_demo_longley_alpha0_equals_lstsq_on_standardized_design(demo):
    d = dataset(demo, "longley")
    data = load_longley()
    mean, scale = (np.array(d["standardization"][k]) for k in ("mean", "scale"))
    np.testing.assert_allclose(mean, data.X.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(scale, data.X.std(axis=0), rtol=1e-15)
    Z = (data.X - mean) / scale
    design = np.column_stack([np.ones(len(Z)), Z])
    ref, *_ = np.linalg.lstsq(design, data.y, rcond=None)
    row0 = d["rows"][0]
    assert row0["alpha"] == 0
    np.testing.assert_allclose(row0["coef"], ref[1:], rtol=1e-9)
    assert row0["intercept"] == pytest.approx(ref[0], rel=1e-12)
    resid = data.y - design @ ref
    assert row0["train_mse"] == pytest.approx(np.mean(resid**2), rel=1e-9)


def test_demo_numbers_equal_the_library_called_directly(demo):
    """The table is rb.bootstrap / rb.ridge_cv with the demo's settings: nothing made up."""
    d = dataset(demo, "longley")
    data = load_longley()
    Z = (data.X - data.X.mean(axis=0)) / data.X.std(axis=0)
    alphas = np.array(demo["json"]["settings"]["alphas"])
    boot = rb.bootstrap(Z, data.y, alphas, DEMO_BOOT, solver="svd", seed=DEMO_SEED)
    bv = boot.bias_variance()
    np.testing.assert_allclose(column(d, "variance"), bv.variance, rtol=1e-12)
    np.testing.assert_allclose(column(d, "bootstrap_bias2"), bv.bootstrap_bias2, rtol=1e-12)
    np.testing.assert_allclose(column(d, "variance_mc_se"), bv.variance_mc_se, rtol=1e-12)
    np.testing.assert_allclose(d["bootstrap"]["bias2_estimate"], bv.bootstrap_bias2, rtol=1e-12)
    np.testing.assert_allclose(
        d["bootstrap"]["bias_estimate"],
        np.asarray(boot.coef_mean) - np.asarray(boot.full.coef),
        rtol=1e-9,
        atol=1e-12 * np.abs(boot.full.coef).max(),
    )
    assert "truth" not in d  # real data: the truth is unknown
    np.testing.assert_allclose(column(d, "norm_rms"), bv.norm, rtol=1e-12)
    np.testing.assert_allclose(column(d, "oob_mse"), boot.oob_mse, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # edge-of-grid choices are reported in text
        assert d["gcv_alpha"] == rb.ridge_cv(Z, data.y, alphas, cv="gcv").alpha
    assert d["oob_best_alpha"] == alphas[np.argmin(boot.oob_mse)]


def test_demo_truth_is_the_closed_form_of_its_own_design(demo):
    """The synthetic truth: exact for the demo's X, and the simulations agree with it."""
    d = dataset(demo, "synthetic")
    settings = demo["json"]["settings"]
    X, _, w = make_equicorrelated(
        settings["n"], settings["p"], settings["rho"], settings["noise"], settings["seed"]
    )
    np.testing.assert_array_equal(np.array(d["true_coef"]), w)
    alphas = np.array(settings["alphas"])
    exact = rb.ridge_truth(X, w, settings["noise"], alphas)
    truth = d["truth"]
    np.testing.assert_array_equal(truth["alphas"], alphas)
    for key in ("bias2", "variance", "mse"):
        np.testing.assert_allclose(truth[key], getattr(exact, key), rtol=1e-12, atol=1e-25)
    assert truth["bias2"][0] < 1e-25  # alpha = 0: unbiased
    for key in ("truth_simulated", "truth_random_design"):
        sim = d[key]
        assert sim["n_sets"] == settings["truth_sets"]
        np.testing.assert_array_equal(sim["alphas"], alphas)
        np.testing.assert_allclose(
            np.array(sim["mse"]), np.array(sim["bias2"]) + np.array(sim["variance"]), rtol=1e-12
        )
    # fixed X, fresh noise: the simulation is within 5 of its Monte-Carlo errors
    sim = d["truth_simulated"]
    for key in ("variance", "mse"):
        gap = np.abs(np.array(sim[key]) - getattr(exact, key))
        assert (gap <= 5 * np.array(sim[f"{key}_se"])).all(), key
    boot = d["bootstrap"]
    np.testing.assert_array_equal(boot["alphas"], alphas)
    np.testing.assert_array_equal(boot["variance"], column(d, "variance"))
    assert np.shape(boot["bias_estimate"]) == (len(alphas), settings["p"])


def test_demo_explanation_quotes_the_computed_numbers(demo):
    from ridgeboot.cli._common import fmt

    d = dataset(demo, "synthetic")
    variance = column(d, "variance")
    g = [r["gcv_choice"] for r in d["rows"]].index(True)
    text = " ".join(demo["out"].split())  # undo rich's line wrapping
    assert f"{fmt(variance[0])} at alpha = 0" in text
    assert fmt(variance[g]) in text
    truth = d["truth"]
    assert "squared bias of the weights is 0 at alpha = 0" in text
    n_sets = demo["json"]["settings"]["truth_sets"]
    assert f"in closed form; {n_sets} refits of this X on fresh noise agree" in text
    assert f"the same over {n_sets} training sets drawn from scratch" in text
    assert f"and {fmt(truth['bias2'][g])} at alpha = " in text
    assert f"mean squared error goes from {fmt(truth['mse'][0])} to {fmt(truth['mse'][g])}" in text


def test_demo_plot_is_a_real_png(demo):
    mpimg = pytest.importorskip("matplotlib.image")
    png = demo["png"]
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert png.stat().st_size > 20_000
    height, width = mpimg.imread(str(png)).shape[:2]
    assert 800 <= height <= 2500 and 800 <= width <= 2500  # two rows of two panels
    plane = demo["json"]["figure"]["plane"]
    assert plane["variance_gcv"] < plane["variance_alpha0"]  # the two clouds differ


def test_demo_plot_without_matplotlib_says_how_to_install(monkeypatch, tmp_path):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = run(["demo", "--n-boot", "10", "--plot", str(tmp_path / "x.png")])
    assert code == 2
    assert 'pip install "ridgeboot[plot]"' in err
    assert "Bootstrapping" not in out  # checked before any work is done


def test_demo_rejects_bad_options():
    code, _, err = run(["demo", "--rho", "1.5"])
    assert code == 2 and "--rho" in err
    code, _, err = run(["demo", "--n", "6", "--p", "8"])
    assert code == 2 and "--n must be at least" in err


# -- fit


def test_fit_longley_alpha0_matches_nist_certified(tmp_path):
    out_json = tmp_path / "fit.json"
    code, out, err = run(
        [
            "fit",
            longley_csv(),
            "--target",
            "Employed",
            "--alpha",
            "0",
            "--n-boot",
            "30",
            "--no-progress",
            "--json",
            str(out_json),
        ]
    )
    assert code == 0, err
    result = json.loads(out_json.read_text())
    (target,) = result["targets"]
    estimate = np.array([target["intercept"]] + [c["estimate"] for c in target["coefficients"]])
    cert = longley_certified()
    assert [c["feature"] for c in target["coefficients"]] == cert["param_names"][1:]
    digits = lre(estimate, np.array(cert["estimate"]))
    assert digits.min() >= 7, digits
    assert result["alpha"] == {
        "value": 0.0,
        "method": "fixed",
        "candidates": None,
        "scores": None,
        "criterion": None,
        "note": None,
        "default_grid": None,
    }
    assert result["warnings"] == []  # no penalty: the features' scales do not matter
    assert target["train_r2"] == pytest.approx(cert["r_squared"], rel=1e-9)
    assert "GNP.deflator" in out and "Year" in out


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> str:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


@pytest.fixture
def two_target_csv(tmp_path: Path) -> tuple[str, np.ndarray, np.ndarray]:
    g = np.random.default_rng(5)
    X = g.normal(size=(40, 3))
    X[:, 1] += 0.9 * X[:, 0]
    Y = np.column_stack([X @ [1.0, -0.5, 0.2], X @ [0.0, 2.0, 1.0]]) + g.normal(size=(40, 2))
    rows = [[f"s{i}", *X[i], *Y[i]] for i in range(40)]
    path = write_csv(tmp_path / "data.csv", ["id", "a", "b", "c", "u", "v"], rows)
    return path, X, Y


def test_fit_two_targets_cv_se_and_ci_equal_the_library(two_target_csv, tmp_path):
    path, X, Y = two_target_csv
    out_json, out_csv = tmp_path / "r.json", tmp_path / "r.csv"
    code, out, err = run(
        [
            "fit",
            path,
            "--target",
            "u",
            "--target",
            "v",
            "--drop",
            "id",
            "--cv",
            "5",
            "--alphas",
            "0.01,0.1,1,10,100",
            "--n-boot",
            "80",
            "--seed",
            "3",
            "--ci-level",
            "0.9",
            "--no-progress",
            "--json",
            str(out_json),
            "--csv",
            str(out_csv),
        ]
    )
    assert code == 0, err
    result = json.loads(out_json.read_text())
    assert result["feature_names"] == ["a", "b", "c"]
    assert result["dropped_columns"] == ["id"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cv = rb.ridge_cv(X, Y, [0.01, 0.1, 1, 10, 100], cv=5, seed=3)
    assert result["alpha"]["value"] == cv.alpha and result["alpha"]["method"] == "5-fold"
    boot = rb.bootstrap(X, Y, cv.alpha, 80, seed=3)
    lo, hi = boot.ci(level=0.9)
    for u, target in enumerate(result["targets"]):
        coefs = target["coefficients"]
        np.testing.assert_allclose([c["estimate"] for c in coefs], boot.full.coef[:, u], rtol=1e-12)
        np.testing.assert_allclose([c["std_error"] for c in coefs], boot.coef_std[:, u], rtol=1e-12)
        np.testing.assert_allclose([c["ci_low"] for c in coefs], lo[:, u], rtol=1e-12)
        np.testing.assert_allclose([c["ci_high"] for c in coefs], hi[:, u], rtol=1e-12)
        assert target["oob_mse"] == pytest.approx(boot.oob_mse[u], rel=1e-12)
    with open(out_csv, newline="") as f:
        table = list(csv.DictReader(f))
    assert len(table) == 2 * (1 + 3)  # intercept + 3 features per target
    assert float(table[1]["estimate"]) == result["targets"][0]["coefficients"][0]["estimate"]


def test_fit_npz_and_npy_pair_give_the_csv_numbers(two_target_csv, tmp_path):
    path, X, Y = two_target_csv
    common = ["--alpha", "1.5", "--n-boot", "20", "--no-progress"]
    results = []
    np.savez(tmp_path / "d.npz", X=X, y=Y[:, 0])
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", Y[:, 0])
    for args in (
        [path, "--target", "u", "--features", "a,b,c"],
        [str(tmp_path / "d.npz")],
        [str(tmp_path / "X.npy"), str(tmp_path / "y.npy")],
    ):
        out_json = tmp_path / "r.json"
        code, _, err = run(["fit", *args, *common, "--json", str(out_json)])
        assert code == 0, err
        results.append(json.loads(out_json.read_text())["targets"][0])
    for other in results[1:]:
        assert [c["std_error"] for c in other["coefficients"]] == [
            c["std_error"] for c in results[0]["coefficients"]
        ]
        assert other["intercept"] == results[0]["intercept"]


def test_fit_standardize_reports_per_sd_coefficients(tmp_path):
    out_json = tmp_path / "s.json"
    code, _, err = run(
        [
            "fit",
            longley_csv(),
            "--target",
            "Employed",
            "--alpha",
            "0",
            "--standardize",
            "--n-boot",
            "10",
            "--no-progress",
            "--json",
            str(out_json),
        ]
    )
    assert code == 0, err
    result = json.loads(out_json.read_text())
    scale = np.array(result["standardization"]["scale"])
    per_sd = np.array([c["estimate"] for c in result["targets"][0]["coefficients"]])
    np.testing.assert_allclose(per_sd / scale, longley_certified()["estimate"][1:], rtol=1e-7)


@pytest.fixture
def bad_inputs(tmp_path: Path) -> dict[str, str]:
    ok_rows = [[1.0, 2.0, 3.0], [2.0, 1.0, 5.0], [3.0, 4.0, 4.0], [4.0, 3.0, 8.0]]
    return {
        "ok": write_csv(tmp_path / "ok.csv", ["a", "b", "y"], ok_rows),
        "text_target": write_csv(tmp_path / "t.csv", ["a", "y"], [[1, 2], [2, "high"], [3, 1]]),
        "two_rows": write_csv(tmp_path / "two.csv", ["a", "y"], [[1, 2], [2, 3]]),
        "missing": write_csv(tmp_path / "m.csv", ["a", "y"], [[1, 2], ["", 3], [3, 1], [4, 4]]),
        "ragged": str(_write(tmp_path / "r.csv", "a,y\n1,2\n3\n4,5\n")),
        "empty": str(_write(tmp_path / "e.csv", "")),
        "npz_no_y": _save_npz(tmp_path / "noy.npz", X=np.ones((5, 2))),
    }


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _save_npz(path: Path, **arrays: np.ndarray) -> str:
    np.savez(path, **arrays)
    return str(path)


# (id, argv after "fit" with {name} placeholders, text the one-line message must contain)
BAD_FIT_CASES = [
    ("missing-file", ["{dir}/nope.csv", "--target", "y"], "no such file"),
    ("missing-column", ["{ok}", "--target", "price"], "no column 'price'"),
    ("missing-feature", ["{ok}", "--target", "y", "--features", "a,zz"], "no column 'zz'"),
    ("non-numeric-target", ["{text_target}", "--target", "y"], "'high' is not a number"),
    (
        "non-numeric-named-feature",
        ["{text_target}", "--target", "a", "--features", "y"],
        "'high' is not a number",
    ),
    ("too-few-rows", ["{two_rows}", "--target", "y"], "at least 3"),
    ("missing-value", ["{missing}", "--target", "y"], "missing"),
    ("ragged-row", ["{ragged}", "--target", "y"], "line 3"),
    ("empty-file", ["{empty}", "--target", "y"], "empty"),
    ("no-target", ["{ok}"], "--target"),
    ("npz-without-y", ["{npz_no_y}"], "no array 'y'"),
    ("target-is-feature", ["{ok}", "--target", "y", "--features", "a,y"], "both a target"),
    ("more-folds-than-rows", ["{ok}", "--target", "y", "--cv", "9"], "--cv 9: more folds"),
    ("negative-alphas", ["{ok}", "--target", "y", "--alphas", "1,-2"], "--alphas"),
]


@pytest.mark.parametrize(
    "argv, message", [c[1:] for c in BAD_FIT_CASES], ids=[c[0] for c in BAD_FIT_CASES]
)
def test_fit_bad_input_gives_one_line_error(argv, message, bad_inputs, tmp_path):
    names = {**bad_inputs, "dir": str(tmp_path)}
    code, out, err = run(
        ["fit", *(a.format(**names) for a in argv), "--n-boot", "5", "--no-progress"]
    )
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ridgeboot: error: "), err
    assert message in lines[0]
    assert "Traceback" not in err + out


def test_fit_usage_errors_exit_2():
    code, _, err = run(["fit", "x.csv", "--alpha", "1", "--cv", "gcv"])
    assert code == 2 and "not allowed with" in err
    code, _, err = run(["fit", "x.csv", "--ci-level", "1.5"])
    assert code == 2 and "--ci-level" in err


# -- info and entry points


def test_info_lists_build_and_versions():
    code, out, _ = run(["info"])
    assert code == 0
    for key in rb.build_info():
        assert key in out
    assert "numpy" in out and rb.__version__ in out


def test_help_exits_zero():
    code, out, _ = run(["--help"])
    assert code == 0 and "demo" in out and "fit" in out


def test_python_dash_m_runs_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "ridgeboot", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and rb.__version__ in done.stdout
