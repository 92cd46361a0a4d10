"""``ridgeboot fit``: read a table, choose alpha, bootstrap standard errors and intervals.

Input is a CSV file with a header row (read with the csv module), a ``.npz``
with arrays ``X`` and ``y`` (optionally ``feature_names`` and ``target_names``),
or two ``.npy`` files ``X.npy y.npy``. Problems with the input raise
:class:`~ridgeboot.cli.CLIError` with a one-line message.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np
from rich.table import Table

import ridgeboot as rb

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

if TYPE_CHECKING:
    from rich.console import Console

DIGITS = 6  # significant digits of fit's numbers (the demo's tables, for comparing, show 4)
MIN_ROWS = 3
DEFAULT_CV = "gcv"
MISSING_TOKENS = frozenset({"", "na", "nan", "n/a", "null", "none"})


@dataclass(frozen=True)
class FitData:
    """The arrays to fit and their names.

    Attributes
    ----------
    X : ndarray of shape (n, p)
    Y : ndarray of shape (n, t)
    feature_names : tuple of str, length p
    target_names : tuple of str, length t
    skipped : tuple of str
        Non-numeric CSV columns left out of the default features.
    """

    X: np.ndarray
    Y: np.ndarray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    skipped: tuple[str, ...] = ()


# -- reading CSV


def _sniff_dialect(sample: str) -> Any:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_csv_table(path: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Read the header, data rows and their line numbers of a CSV file (blank lines skipped).

    Raises
    ------
    CLIError
        For a missing or empty file, duplicate column names, or a row whose
        number of fields differs from the header's.
    """
    if not os.path.isfile(path):
        raise CLIError(f"{path}: no such file")
    with open(path, newline="", encoding="utf-8-sig") as f:
        text = f.read()
    reader = csv.reader(text.splitlines(), _sniff_dialect(text[:4096]))
    lines = [(i + 1, row) for i, row in enumerate(reader) if any(c.strip() for c in row)]
    if not lines:
        raise CLIError(f"{path}: the file is empty (a header row naming the columns is needed)")
    header = [c.strip() for c in lines[0][1]]
    duplicates = sorted({c for c in header if header.count(c) > 1})
    if duplicates:
        raise CLIError(f"{path}: duplicate column names {duplicates}")
    for line_no, row in lines[1:]:
        if len(row) != len(header):
            raise CLIError(
                f"{path}, line {line_no}: {len(row)} fields but the header has {len(header)}"
            )
    return header, [row for _, row in lines[1:]], [line_no for line_no, _ in lines[1:]]


@dataclass(frozen=True)
class Column:
    """A CSV column parsed as numbers: values (NaN where missing), or why it is not numeric."""

    values: Optional[np.ndarray]
    bad_value: Optional[str] = None
    bad_line: Optional[int] = None

    @property
    def numeric(self) -> bool:
        """Whether every non-missing cell is a number."""
        return self.values is not None


def parse_column(cells: Sequence[str], line_numbers: Sequence[int]) -> Column:
    """Parse cells as floats; missing tokens ("", NA, NaN, null, ...) become NaN."""
    values = np.empty(len(cells))
    for i, cell in enumerate(cells):
        text = cell.strip()
        if text.lower() in MISSING_TOKENS:
            values[i] = np.nan
            continue
        try:
            values[i] = float(text)
        except ValueError:
            return Column(None, text, line_numbers[i])
    return Column(values)


def _require_numeric(
    path: str, name: str, column: Column, line_numbers: Sequence[int]
) -> np.ndarray:
    if column.values is None:
        raise CLIError(
            f"{path}: column {name!r} is not numeric (line {column.bad_line}: {column.bad_value!r})"
        )
    missing = np.flatnonzero(~np.isfinite(column.values))
    if missing.size:
        raise CLIError(
            f"{path}: column {name!r} has {missing.size} missing or non-finite value(s), first on "
            f"line {line_numbers[missing[0]]}; remove or impute them (or leave the column out "
            "with --features)"
        )
    return column.values


def load_csv(path: str, targets: Sequence[str], features: Optional[Sequence[str]]) -> FitData:
    """Read targets and features from a CSV (default features: every other numeric column)."""
    header, rows, line_numbers = read_csv_table(path)
    if len(rows) < MIN_ROWS:
        raise CLIError(f"{path}: {len(rows)} data row(s); at least {MIN_ROWS} are needed")
    wanted = list(targets) + list(features or [])
    unknown = [c for c in wanted if c not in header]
    if unknown:
        raise CLIError(f"{path}: no column {unknown[0]!r}; the columns are {', '.join(header)}")
    columns = {
        name: parse_column([row[j] for row in rows], line_numbers) for j, name in enumerate(header)
    }
    if features is None:
        features = [c for c in header if c not in targets and columns[c].numeric]
    overlap = [c for c in features if c in targets]
    if overlap:
        raise CLIError(f"column {overlap[0]!r} is both a target and a feature")
    if not features:
        raise CLIError(f"{path}: no numeric feature column besides the target(s)")
    Y = np.column_stack([_require_numeric(path, c, columns[c], line_numbers) for c in targets])
    X = np.column_stack([_require_numeric(path, c, columns[c], line_numbers) for c in features])
    skipped = tuple(
        c for c in header if c not in targets and c not in features and not columns[c].numeric
    )
    return FitData(X, Y, tuple(features), tuple(targets), skipped)


# -- reading numpy files


def _load_array_file(path: str) -> Any:
    if not os.path.isfile(path):
        raise CLIError(f"{path}: no such file")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise CLIError(f"{path}: not a readable numpy file ({exc})") from None


def _names(given: Any, default_prefix: str, count: int, what: str) -> tuple[str, ...]:
    if given is None:
        return tuple(f"{default_prefix}{j + 1}" for j in range(count))
    names = tuple(str(v) for v in np.atleast_1d(given))
    if len(names) != count:
        raise CLIError(f"{what} has {len(names)} names for {count} columns")
    return names


def arrays_to_data(X: Any, y: Any, source: str, names: Optional[dict[str, Any]] = None) -> FitData:
    """Check the shapes of arrays read from numpy files and name their columns."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2:
        raise CLIError(f"{source}: X must be 2-D (rows, features), got shape {X.shape}")
    if y.ndim not in (1, 2):
        raise CLIError(f"{source}: y must be 1-D or 2-D (rows, targets), got shape {y.shape}")
    if X.shape[0] < MIN_ROWS:
        raise CLIError(f"{source}: {X.shape[0]} row(s); at least {MIN_ROWS} are needed")
    Y = y.reshape(len(y), -1)
    names = names or {}
    return FitData(
        X,
        Y,
        _names(names.get("feature_names"), "x", X.shape[1], "feature_names"),
        _names(names.get("target_names"), "y", Y.shape[1], "target_names")
        if Y.shape[1] > 1 or names.get("target_names") is not None
        else ("y",),
    )


def load_npz(path: str) -> FitData:
    """Read arrays ``X``, ``y`` (and optional ``feature_names``, ``target_names``) of a .npz."""
    archive = _load_array_file(path)
    with archive:
        missing = [k for k in ("X", "y") if k not in archive.files]
        if missing:
            raise CLIError(f"{path}: no array {missing[0]!r} (it holds {', '.join(archive.files)})")
        names = {k: archive[k] for k in ("feature_names", "target_names") if k in archive.files}
        return arrays_to_data(archive["X"], archive["y"], path, names)


def load_data(
    paths: Sequence[str], targets: Optional[Sequence[str]], features: Optional[Sequence[str]]
) -> FitData:
    """Dispatch on the input form: DATA.csv, DATA.npz or X.npy y.npy."""
    is_numpy = len(paths) == 2 or paths[0].endswith((".npz", ".npy"))
    if len(paths) > 2:
        raise CLIError("give one data file (.csv or .npz) or two (X.npy y.npy)")
    if is_numpy and (targets or features):
        raise CLIError("--target and --features select CSV columns; .npz/.npy input has X and y")
    if len(paths) == 2:
        return arrays_to_data(
            _load_array_file(paths[0]), _load_array_file(paths[1]), " ".join(paths)
        )
    path = paths[0]
    if path.endswith(".npz"):
        return load_npz(path)
    if path.endswith(".npy"):
        raise CLIError(f"{path}: a .npy file holds one array; pass X.npy and y.npy together")
    if not targets:
        raise CLIError("name the target column(s) of the CSV with --target COL")
    return load_csv(path, targets, features)


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
        r2=_r2(train_mse, data.Y.var(axis=0)),
        oob_mse=_as_t(boot.oob_mse, t),
        solver=boot.solver,
    )


# -- output


def _r2(train_mse: np.ndarray, y_var: np.ndarray) -> np.ndarray:
    """1 - MSE / Var(y); undefined (NaN, shown as n/a) for a constant target."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y_var > 0, 1.0 - train_mse / y_var, np.nan)


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
