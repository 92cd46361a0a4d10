"""``ridgeboot fit``: read a table, choose alpha, bootstrap standard errors and intervals.

The work is reported in the order it happens: the output files are checked
first, then the data are read and summarised (file, rows, features, targets),
alpha is chosen and stated, and only then does the bootstrap start, with a
progress bar when stderr is a terminal. Input is read by
:mod:`~ridgeboot.cli._fit_input`; problems raise :class:`~ridgeboot.cli.CLIError`
with a one-line message that names the command-line flag or the file.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import textwrap
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

import ridgeboot as rb
from ridgeboot._scoring import r2_from_mse

from ._common import (
    EXIT_OK,
    GRID_HIGH,
    GRID_LOW,
    GRID_NUM,
    SCALE_RATIO,
    CLIError,
    check_output_paths,
    fmt,
    make_console,
    require_memory,
    show_progress,
    standardize,
    write_json,
)
from ._figure import check_plot_file
from ._fit_input import FitData, Selection, load_data
from ._fit_result import (
    AlphaChoice,
    FitReport,
    coefficient_table,
    column_legend,
    fit_record,
    target_summary,
    write_coef_csv,
)
from ._table import ReadOptions
from .fit_plot import FitFigure, check_plot_targets, draw_fit_figure

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_CV = "gcv"


# -- the data's scale


def largest_gram_eigenvalue(X: np.ndarray, centred: bool) -> float:
    """Return the largest eigenvalue of X'X, X centred first when ``centred``.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    centred : bool
        Whether to subtract the column means (an intercept is fitted).

    Returns
    -------
    float
        Computed from the smaller of X'X (p, p) and XX' (n, n), which share it,
        with X divided by a power of two near its largest entry first, so that
        the squares neither overflow nor underflow.
    """
    Z = X - X.mean(axis=0) if centred else X
    top = float(np.max(np.abs(Z))) if Z.size else 0.0
    if not (np.isfinite(top) and top > 0):
        return 0.0
    scale = 2.0 ** int(np.frexp(top)[1])
    Z = Z / scale
    G = Z.T @ Z if Z.shape[0] >= Z.shape[1] else Z @ Z.T
    return float(np.linalg.eigvalsh(G)[-1]) * scale * scale


def default_alphas(X: np.ndarray, fit_intercept: bool) -> tuple[np.ndarray, float]:
    """Make fit's default candidates: the data's scale times a fixed log-spaced grid.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        The features as fitted (after ``--standardize`` when given).
    fit_intercept : bool
        Whether X is centred for the eigenvalue (as the fit centres it).

    Returns
    -------
    alphas : ndarray of shape (GRID_NUM,)
        ``lam * logspace(GRID_LOW, GRID_HIGH, GRID_NUM)``.
    lam : float
        The largest eigenvalue of X'X (X centred with an intercept).

    Raises
    ------
    CLIError
        When that eigenvalue is 0 (every feature constant) or not finite: no
        scale to set the grid by.
    """
    lam = largest_gram_eigenvalue(X, fit_intercept)
    alphas = lam * np.logspace(GRID_LOW, GRID_HIGH, GRID_NUM)
    if not (lam > 0 and np.all(np.isfinite(alphas)) and alphas[0] > 0):
        what = "centred " if fit_intercept else ""
        raise CLIError(
            f"the default candidate alphas are relative to the largest eigenvalue of X'X "
            f"({what}features), here {lam:g}: give them with --alphas, or fix one with --alpha"
        )
    return alphas, lam


def scale_warning(data: FitData, args: argparse.Namespace) -> Optional[str]:
    """Warn when the features' SDs differ by more than SCALE_RATIO and ``--standardize`` is off.

    The penalty alpha * ||w||^2 treats every coefficient alike, so its effect
    depends on the features' units: a feature in small units needs a large
    coefficient and is shrunk more. Constant features (SD 0) are not compared;
    without a penalty (``--alpha 0``) there is nothing to warn about.

    Returns
    -------
    str or None
        The warning, naming the smallest and largest SD and ``--standardize``.
    """
    if args.standardize or args.alpha == 0:
        return None
    sd = data.X.std(axis=0)
    varying = np.flatnonzero(sd > 0)
    if varying.size < 2:
        return None
    low = int(varying[np.argmin(sd[varying])])
    high = int(varying[np.argmax(sd[varying])])
    ratio = sd[high] / sd[low]
    if not ratio > SCALE_RATIO:
        return None
    names = data.feature_names
    return (
        f"warning: the features' standard deviations differ by a factor of {ratio:.3g} "
        f"(from {fmt(sd[low])} for {names[low]!r} to {fmt(sd[high])} for {names[high]!r}): "
        "the penalty is not scale-free, it shrinks a feature in small units more than one in "
        "large units, so alpha and the coefficients depend on the units; --standardize puts "
        "every feature on SD 1"
    )


# -- fitting


def choose_alpha(data: FitData, args: argparse.Namespace) -> AlphaChoice:
    """Take the fixed ``--alpha``, or choose one by ``--cv`` over ``--alphas`` (or the default).

    The default candidates are relative to the data (:func:`default_alphas`).
    """
    if args.alpha is not None:
        return AlphaChoice(float(args.alpha), "fixed")
    grid_scale = None
    if args.alphas is not None:
        alphas = args.alphas
    else:
        alphas, grid_scale = default_alphas(data.X, args.fit_intercept)
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
        grid_scale,
    )


def target_array(data: FitData) -> np.ndarray:
    """Return y as 1-D for one target (no target axis in the results), else (n, t)."""
    return data.Y[:, 0] if data.Y.shape[1] == 1 else data.Y


def _as_pt(a: Any, p: int, t: int) -> np.ndarray:
    """Reshape a per-feature result, (p,) for a 1-D y or (p, t), to float64 (p, t)."""
    return np.asarray(a, dtype=np.float64).reshape(p, t)


def _as_t(a: Any, t: int) -> np.ndarray:
    """Reshape a per-target result, scalar for a 1-D y or (t,), to float64 (t,)."""
    return np.asarray(a, dtype=np.float64).reshape(t)


def keeps_replicates(args: argparse.Namespace) -> bool:
    """Whether the interval needs every replicate's coefficients (all methods but normal)."""
    return bool(args.ci_method != "normal")


def check_bootstrap_memory(data: FitData, args: argparse.Namespace) -> None:
    """Refuse, before any work, an ``--n-boot`` whose kept replicates would not fit in memory."""
    if not keeps_replicates(args):
        return
    p, t = data.X.shape[1], data.Y.shape[1]
    require_memory(
        8.0 * args.n_boot * (p + 1) * t,
        f"--n-boot {args.n_boot}: keeping every replicate's coefficients for "
        f"--ci-method {args.ci_method}",
        "lower --n-boot, or use --ci-method normal (which needs only their mean and spread)",
    )


def check_folds(data: FitData, args: argparse.Namespace) -> None:
    """Refuse more folds than rows before any work (the library would, naming its argument)."""
    n = data.X.shape[0]
    if isinstance(args.cv, int) and args.cv > n:
        raise CLIError(f"--cv {args.cv}: more folds than the {n} rows; at most {n}")


def check_selection_flags(args: argparse.Namespace) -> None:
    """Refuse, before any work, what ``--select-in-replicates`` cannot be combined with."""
    if not args.select_in_replicates:
        return
    flag = "--select-in-replicates"
    if args.alpha is not None:
        raise CLIError(
            f"{flag} re-chooses alpha in every replicate: it cannot be used with --alpha"
        )
    if args.cv not in (None, "gcv", "loo"):
        raise CLIError(
            f"{flag} needs --cv gcv or loo (the closed forms a replicate chooses by), "
            f"got --cv {args.cv}"
        )
    if args.ci_method == "bca":
        raise CLIError(
            f"--ci-method bca holds alpha fixed in its jackknife; with {flag} use percentile, "
            "basic or normal"
        )


def bootstrap_report(data: FitData, choice: AlphaChoice, args: argparse.Namespace) -> FitReport:
    """Fit on all rows, bootstrap, and collect estimates, standard errors and intervals.

    With ``--select-in-replicates`` every replicate re-chooses alpha among the
    candidates by the same criterion (``rb.bootstrap(..., select=...)``).
    """
    select = choice.method if args.select_in_replicates else None
    boot = rb.bootstrap(
        data.X,
        target_array(data),
        choice.alpha if select is None else choice.alphas,
        args.n_boot,
        solver=args.solver,
        fit_intercept=args.fit_intercept,
        seed=args.seed,
        n_threads=args.threads,
        keep_coefs=keeps_replicates(args),
        oob="mse",
        progress=args.progress,
        select=select,
    )
    lo, hi = boot.ci(level=args.ci_level, method=args.ci_method)
    p, t = data.X.shape[1], data.Y.shape[1]
    residuals = data.Y - np.asarray(boot.full.predict(data.X)).reshape(len(data.Y), t)
    train_mse = (residuals**2).mean(axis=0)
    assert boot.oob_mse is not None  # oob="mse" asked for it
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
        n_boot=args.n_boot,
        level=args.ci_level,
        method=args.ci_method,
        selection=boot.selection,
    )


# -- feedback, in the order the work happens


def status(args: argparse.Namespace, text: str) -> None:
    """Say on stderr what is being done, when progress is shown (a terminal, or --progress)."""
    if args.progress:
        print(text, file=sys.stderr, flush=True)


def describe_input(args: argparse.Namespace) -> str:
    """Name the input file(s) and their size, for the status line."""
    size = sum(os.path.getsize(p) for p in args.data if os.path.isfile(p))
    return f"{' '.join(args.data)} ({size / 1e6:.3g} MB)"


def print_data_summary(console: Console, data: FitData, args: argparse.Namespace) -> None:
    """Print what was read: file, rows, features, targets, and the reader's notes."""
    n, p = data.X.shape
    t = len(data.target_names)
    targets = ", ".join(data.target_names)
    console.print(
        f"Data: {' '.join(args.data)}: {n} rows, {p} features, "
        f"{t} target{'s' if t > 1 else ''} ({targets})"
    )
    for note in data.notes:
        console.print(f"  {note}", style="dim")
    if args.standardize:
        console.print("  features standardized (mean 0, SD 1): coefficients are per SD")


def print_results(
    console: Console, data: FitData, report: FitReport, choice: AlphaChoice, fit_intercept: bool
) -> None:
    """Print the coefficient table, what its columns estimate, and the per-target errors."""
    console.print(coefficient_table(data, report, fit_intercept))
    for line in column_legend(report, choice, data.X.shape[0]):
        say(console, line, style="dim")
    for u, target in enumerate(data.target_names):
        console.print(f"  {target_summary(report, u, target)}")
    if choice.note:
        say(console, choice.note, style="yellow")


def say(console: Console, text: str, style: str) -> None:
    """Print an explanation indented by two spaces, its continuation lines by four."""
    width = max(40, console.width - 1)
    lines = textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="    ")
    console.print("\n".join(lines), style=style, highlight=False)


def settings_record(args: argparse.Namespace) -> dict[str, Any]:
    """Collect the run's settings for the JSON output."""
    return {
        "data": list(args.data),
        "n_boot": args.n_boot,
        "seed": args.seed,
        "threads": args.threads,
        "ci_level": args.ci_level,
        "ci_method": args.ci_method,
        "fit_intercept": args.fit_intercept,
        "standardize": args.standardize,
        "select_in_replicates": args.select_in_replicates,
        "scheme": "multinomial",
    }


# -- command


def selection(args: argparse.Namespace) -> Selection:
    """Collect the columns the command line names."""
    return Selection(
        targets=tuple(args.target or ()),
        features=tuple(args.features) if args.features is not None else None,
        drop=tuple(args.drop),
        onehot=tuple(args.onehot),
        fit_intercept=args.fit_intercept,
    )


def run_fit(args: argparse.Namespace) -> int:
    """Run ``ridgeboot fit`` with parsed arguments; return the exit code."""
    if args.alphas is not None and args.alpha is not None:
        raise CLIError("--alphas lists candidates for --cv; it cannot be used with --alpha")
    check_selection_flags(args)
    args.progress = show_progress(args.progress)
    outputs = (("--json", args.json), ("--csv", args.csv), ("--plot", args.plot))
    if args.plot:
        check_plot_file(args.plot)
    check_output_paths(outputs, args.data)
    status(args, f"Reading {describe_input(args)} ...")
    options = ReadOptions(args.sep, args.decimal, args.thousands, args.encoding)
    data = load_data(args.data, selection(args), options)
    console = make_console()
    print_data_summary(console, data, args)
    warning = scale_warning(data, args)
    if warning:
        say(console, warning, style="yellow")
    if args.plot:
        check_plot_targets(data.Y.shape[1])
    check_folds(data, args)
    check_bootstrap_memory(data, args)
    raw_scale = np.ones(data.X.shape[1])
    scaling = None
    if args.standardize:
        Z, mean, scale = standardize(data.X, data.feature_names)
        data = dataclasses.replace(data, X=Z)
        scaling, raw_scale = (mean, scale), scale
    feature_sd = data.X.std(axis=0)
    if args.alpha is None:
        status(args, "Choosing alpha ...")
    choice = choose_alpha(data, args)
    console.print(f"Alpha: {choice.describe()}")
    if choice.grid_scale is not None:
        console.print(f"  {choice.describe_grid()}", style="dim")
    where = (
        f"with alpha re-chosen by {choice.method} in each among the same candidates"
        if args.select_in_replicates
        else "at that alpha"
    )
    console.print(
        f"Bootstrap: {args.n_boot} replicates (multinomial draws, seed {args.seed}) {where}"
    )
    report = bootstrap_report(data, choice, args)
    print_results(console, data, report, choice, args.fit_intercept)
    console.print(f"  solver: {report.solver}", style="dim")
    if args.plot:
        figure = FitFigure(data, report, choice, feature_sd, raw_scale, args.standardize)
        draw_fit_figure(args.plot, figure, args.plot_scale, args.command_line)
        console.print(f"Figure written to {args.plot}")
    if args.json:
        record = fit_record(data, report, choice, settings_record(args), scaling, warning)
        write_json(args.json, record)
        console.print(f"Results written to {args.json}")
    if args.csv:
        write_coef_csv(args.csv, data, report)
        console.print(f"Coefficient table written to {args.csv}")
    return EXIT_OK
