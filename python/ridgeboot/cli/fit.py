"""``ridgeboot fit``: read a table, choose alpha, bootstrap standard errors and intervals.

Input is a CSV file with a header row, a ``.npz`` with arrays ``X`` and ``y``,
or two ``.npy`` files ``X.npy y.npy``: see :mod:`ridgeboot.cli._fit_input`.
Problems with the input raise :class:`~ridgeboot.cli.CLIError` with a one-line
message.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np
from rich.table import Table

import ridgeboot as rb
from ridgeboot._scoring import r2_from_mse

from ._common import (
    DEFAULT_FIT_ALPHAS,
    EXIT_OK,
    CLIError,
    fmt,
    jsonable,
    make_console,
    parse_alphas,
    standardize,
    write_json,
)
from ._fit_input import FitData, load_data

if TYPE_CHECKING:
    from rich.console import Console

DIGITS = 6  # significant digits of fit's numbers (the demo's tables, for comparing, show 4)
DEFAULT_CV = "gcv"


# -- fitting


@dataclass(frozen=True)
class AlphaChoice:
    """The penalty used, and how it was chosen.

    Attributes
    ----------
    alpha : float
    method : str
        "fixed", "gcv", "loo", "bootstrap" or "<K>-fold".
    alphas, scores : ndarray of shape (k,) or None
        The candidates and their criterion (mean over targets).
    note : str or None
        Set when the choice is an end of the grid.
    """

    alpha: float
    method: str
    alphas: Optional[np.ndarray] = None
    scores: Optional[np.ndarray] = None
    note: Optional[str] = None


def choose_alpha(data: FitData, args: argparse.Namespace) -> AlphaChoice:
    """Take the fixed ``--alpha``, or choose one by ``--cv`` over ``--alphas``."""
    if args.alpha is not None:
        return AlphaChoice(float(args.alpha), "fixed")
    alphas = args.alphas if args.alphas is not None else parse_alphas(DEFAULT_FIT_ALPHAS)
    how = DEFAULT_CV if args.cv is None else args.cv
    cv = rb.ridge_cv(
        data.X,
        target_array(data),
        alphas,
        cv=how,
        warn_edges=False,
        solver=args.solver,
        fit_intercept=args.fit_intercept,
        seed=args.seed,
        n_threads=args.threads,
    )
    scores = np.asarray(cv.scores)
    method = f"{how}-fold" if isinstance(how, int) else str(how)
    note = None
    if len(alphas) > 1 and cv.alpha in (np.min(alphas), np.max(alphas)):
        end = "smallest" if cv.alpha == np.min(alphas) else "largest"
        note = (
            f"{method} chose the {end} candidate alpha; the optimum may lie beyond: widen --alphas"
        )
    return AlphaChoice(
        float(cv.alpha),
        method,
        np.asarray(cv.alphas),
        scores if scores.ndim == 1 else scores.mean(axis=1),
        note,
    )


def target_array(data: FitData) -> np.ndarray:
    """Return y as 1-D for one target (no target axis in the results), else (n, t)."""
    return data.Y[:, 0] if data.Y.shape[1] == 1 else data.Y


@dataclass(frozen=True)
class FitReport:
    """Everything printed and written, per target t and feature p.

    Attributes
    ----------
    coef, coef_se, ci_lo, ci_hi, boot_mean : ndarray of shape (p, t)
    intercept, intercept_se, train_mse, r2, oob_mse : ndarray of shape (t,)
    """

    coef: np.ndarray
    coef_se: np.ndarray
    ci_lo: np.ndarray
    ci_hi: np.ndarray
    boot_mean: np.ndarray
    intercept: np.ndarray
    intercept_se: np.ndarray
    train_mse: np.ndarray
    r2: np.ndarray
    oob_mse: np.ndarray
    solver: str


def _as_pt(a: Any, p: int, t: int) -> np.ndarray:
    """Reshape a per-feature result, (p,) for a 1-D y or (p, t), to float64 (p, t)."""
    return np.asarray(a, dtype=np.float64).reshape(p, t)


def _as_t(a: Any, t: int) -> np.ndarray:
    """Reshape a per-target result, scalar for a 1-D y or (t,), to float64 (t,)."""
    return np.asarray(a, dtype=np.float64).reshape(t)


def bootstrap_report(data: FitData, alpha: float, args: argparse.Namespace) -> FitReport:
    """Fit on all rows, bootstrap, and collect estimates, standard errors and intervals."""
    boot = rb.bootstrap(
        data.X,
        target_array(data),
        alpha,
        args.n_boot,
        solver=args.solver,
        fit_intercept=args.fit_intercept,
        seed=args.seed,
        n_threads=args.threads,
        progress=args.progress,
    )
    lo, hi = boot.ci(level=args.ci_level, method=args.ci_method)
    p, t = data.X.shape[1], data.Y.shape[1]
    residuals = data.Y - np.asarray(boot.full.predict(data.X)).reshape(len(data.Y), t)
    train_mse = (residuals**2).mean(axis=0)
    assert boot.oob_mse is not None  # oob=True is the default
    return FitReport(
        coef=_as_pt(boot.full.coef, p, t),
        coef_se=_as_pt(boot.coef_std, p, t),
        ci_lo=_as_pt(lo, p, t),
        ci_hi=_as_pt(hi, p, t),
        boot_mean=_as_pt(boot.coef_mean, p, t),
        intercept=_as_t(boot.full.intercept, t),
        intercept_se=_as_t(boot.intercept_std, t),
        train_mse=train_mse,
        r2=r2_from_mse(train_mse, data.Y),
        oob_mse=_as_t(boot.oob_mse, t),
        solver=boot.solver,
    )


# -- output


def coefficient_table(
    data: FitData, report: FitReport, args: argparse.Namespace, choice: AlphaChoice
) -> Table:
    """Build the rich table: one row per target and feature (intercept first)."""
    level = f"{args.ci_level:.4g}"
    table = Table(
        caption=f"CI: {level} {args.ci_method} bootstrap intervals; std. error: "
        "standard deviation of the bootstrap estimates",
        caption_justify="left",
    )
    for name, justify in (
        ("target", "left"),
        ("feature", "left"),
        ("estimate", "right"),
        ("std. error", "right"),
        ("CI low", "right"),
        ("CI high", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for u, target in enumerate(data.target_names):
        if u:
            table.add_section()
        if args.fit_intercept:
            table.add_row(
                target,
                "(intercept)",
                fmt(report.intercept[u], DIGITS),
                fmt(report.intercept_se[u], DIGITS),
                "",
                "",
                style="dim",
            )
        for j, feature in enumerate(data.feature_names):
            table.add_row(
                target if j == 0 and not args.fit_intercept else "",
                feature,
                fmt(report.coef[j, u], DIGITS),
                fmt(report.coef_se[j, u], DIGITS),
                fmt(report.ci_lo[j, u], DIGITS),
                fmt(report.ci_hi[j, u], DIGITS),
            )
    return table


def print_fit(
    console: Console,
    data: FitData,
    report: FitReport,
    choice: AlphaChoice,
    args: argparse.Namespace,
) -> None:
    """Print the data summary, the table and the per-target errors."""
    n, p = data.X.shape
    console.print(
        f"{n} rows, {p} features, {len(data.target_names)} target(s)"
        + ("; features standardized (mean 0, SD 1)" if args.standardize else "")
    )
    how = (
        "fixed"
        if choice.method == "fixed"
        else f"chosen by {choice.method} over "
        f"{len(choice.alphas) if choice.alphas is not None else 0} candidates"
    )
    console.print(
        f"Ridge, alpha = {choice.alpha:.4g} ({how}), solver {report.solver}; "
        f"{args.n_boot} bootstrap replicates, seed {args.seed}"
    )
    if data.skipped:
        console.print(f"Non-numeric columns left out: {', '.join(data.skipped)}", style="dim")
    console.print(coefficient_table(data, report, args, choice))
    for u, target in enumerate(data.target_names):
        console.print(
            f"  {target}: training MSE {fmt(report.train_mse[u], DIGITS)}, R^2 "
            f"{fmt(report.r2[u], DIGITS)}, out-of-bag MSE {fmt(report.oob_mse[u], DIGITS)}"
        )
    if choice.note:
        console.print(f"  {choice.note}", style="yellow")


def fit_record(
    data: FitData,
    report: FitReport,
    choice: AlphaChoice,
    args: argparse.Namespace,
    scaling: Optional[tuple[np.ndarray, np.ndarray]],
) -> dict[str, Any]:
    """Collect every number shown, plus the settings, in a JSON-ready dict."""
    targets = []
    for u, target in enumerate(data.target_names):
        coefs = [
            {
                "feature": f,
                "estimate": report.coef[j, u],
                "std_error": report.coef_se[j, u],
                "ci_low": report.ci_lo[j, u],
                "ci_high": report.ci_hi[j, u],
                "bootstrap_mean": report.boot_mean[j, u],
            }
            for j, f in enumerate(data.feature_names)
        ]
        targets.append(
            {
                "name": target,
                "intercept": report.intercept[u],
                "intercept_std_error": report.intercept_se[u],
                "train_mse": report.train_mse[u],
                "r2": report.r2[u],
                "oob_mse": report.oob_mse[u],
                "coefficients": coefs,
            }
        )
    settings: dict[str, Union[str, int, float, bool, None, list[str]]] = {
        "data": list(args.data),
        "n_boot": args.n_boot,
        "seed": args.seed,
        "threads": args.threads,
        "ci_level": args.ci_level,
        "ci_method": args.ci_method,
        "solver": report.solver,
        "fit_intercept": args.fit_intercept,
        "standardize": args.standardize,
        "scheme": "multinomial",
    }
    record: dict[str, Any] = {
        "command": "fit",
        "ridgeboot_version": rb.__version__,
        "settings": settings,
        "n": data.X.shape[0],
        "feature_names": list(data.feature_names),
        "target_names": list(data.target_names),
        "skipped_columns": list(data.skipped),
        "alpha": {
            "value": choice.alpha,
            "method": choice.method,
            "candidates": choice.alphas,
            "scores": choice.scores,
            "note": choice.note,
        },
        "targets": targets,
    }
    if scaling is not None:
        record["standardization"] = {"mean": scaling[0], "scale": scaling[1]}
    return jsonable(record)  # type: ignore[no-any-return]


def write_coef_csv(path: str, data: FitData, report: FitReport) -> None:
    """Write the coefficient table as CSV: target, feature, estimate, std_error, CI."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["target", "feature", "estimate", "std_error", "ci_low", "ci_high"])
        for u, target in enumerate(data.target_names):
            out.writerow(
                [
                    target,
                    "(intercept)",
                    repr(float(report.intercept[u])),
                    repr(float(report.intercept_se[u])),
                    "",
                    "",
                ]
            )
            for j, feature in enumerate(data.feature_names):
                out.writerow(
                    [target, feature]
                    + [
                        repr(float(a[j, u]))
                        for a in (report.coef, report.coef_se, report.ci_lo, report.ci_hi)
                    ]
                )


def run_fit(args: argparse.Namespace) -> int:
    """Run ``ridgeboot fit`` with parsed arguments; return the exit code."""
    if args.alphas is not None and args.alpha is not None:
        raise CLIError("--alphas lists candidates for --cv; it cannot be used with --alpha")
    features = [f.strip() for f in args.features.split(",") if f.strip()] if args.features else None
    data = load_data(args.data, args.target, features)
    scaling = None
    if args.standardize:
        Z, mean, scale = standardize(data.X, data.feature_names)
        data = dataclasses.replace(data, X=Z)
        scaling = (mean, scale)
    console = make_console()
    choice = choose_alpha(data, args)
    report = bootstrap_report(data, choice.alpha, args)
    print_fit(console, data, report, choice, args)
    if args.json:
        write_json(args.json, fit_record(data, report, choice, args, scaling))
        console.print(f"Results written to {args.json}")
    if args.csv:
        write_coef_csv(args.csv, data, report)
        console.print(f"Coefficient table written to {args.csv}")
    return EXIT_OK
