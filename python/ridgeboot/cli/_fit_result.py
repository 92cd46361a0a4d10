"""What ``ridgeboot fit`` found, and its words for it: the tables, the JSON and CSV records.

:class:`AlphaChoice` (how alpha was chosen) and :class:`FitReport` (the
bootstrap's numbers per feature and target) are plain data, read by ``fit``
(which makes them) and by ``fit_plot`` (which draws them). Every number is
named for what it estimates: an interval is for the ridge coefficient at the
alpha used, with alpha held fixed (:data:`~ridgeboot.cli._common.INTERVALS_COVER`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from rich.table import Table

import ridgeboot as rb

from ._common import (
    CI_METHOD_NAMES,
    DEFAULT_GRID_RULE,
    GRID_HIGH,
    GRID_LOW,
    INTERVALS_COVER,
    INTERVALS_COVER_RESELECTED,
    fmt,
    fmt_alpha,
    jsonable,
)
from ._fit_input import FitData

if TYPE_CHECKING:
    from .._replicate_selection import ReplicateSelection

DIGITS = 6  # significant digits of fit's numbers (the demo's tables, for comparing, show 4)
CRITERIA = {
    "gcv": "GCV criterion",  # (RSS/n) / (1 - tr(H)/n)^2
    "loo": "leave-one-out MSE",
    "bootstrap": "held-out MSE (bootstrap hold-outs)",
}


@dataclass(frozen=True)
class AlphaChoice:
    """The penalty used, and how it was chosen.

    Attributes
    ----------
    alpha : float
    method : str
        "fixed", "gcv", "loo", "bootstrap" or "<K>-fold".
    alphas, scores : ndarray of shape (k,) or None
        The candidates and their criterion (mean over targets; lower is better).
    note : str or None
        Set when the choice is an end of the grid.
    grid_scale : float or None
        For the default candidates (no ``--alphas``): the largest eigenvalue of
        X'X they are relative to (see :data:`~ridgeboot.cli._common.DEFAULT_GRID_RULE`).
    """

    alpha: float
    method: str
    alphas: Optional[np.ndarray] = None
    scores: Optional[np.ndarray] = None
    note: Optional[str] = None
    grid_scale: Optional[float] = None

    @property
    def criterion(self) -> str:
        """What ``scores`` measures, e.g. "5-fold held-out MSE"."""
        return CRITERIA.get(self.method, f"{self.method} held-out MSE")

    def describe(self) -> str:
        """One line: the alpha and how it was chosen."""
        if self.method == "fixed" or self.alphas is None:
            return f"{fmt_alpha(self.alpha)}, fixed by --alpha"
        lo, hi = float(np.min(self.alphas)), float(np.max(self.alphas))
        return (
            f"{fmt_alpha(self.alpha)}, the lowest {self.criterion} among {len(self.alphas)} "
            f"candidates from {fmt_alpha(lo)} to {fmt_alpha(hi)}"
        )

    def describe_grid(self) -> Optional[str]:
        """Say how the default candidates were set from the data (None for ``--alphas``)."""
        if self.grid_scale is None:
            return None
        return (
            f"the default candidates: 1e{GRID_LOW} to 1e{GRID_HIGH} times "
            f"{self.grid_scale:.3g}, the largest eigenvalue of X'X (--alphas to choose them)"
        )


@dataclass(frozen=True)
class FitReport:
    """Everything printed and written, per target t and feature p.

    Attributes
    ----------
    coef, coef_se, ci_lo, ci_hi, boot_mean : ndarray of shape (p, t)
        The fit on all rows, the bootstrap standard deviation, the interval, the
        bootstrap mean.
    intercept, intercept_se, train_mse, r2, oob_mse : ndarray of shape (t,)
    solver : str
    n_boot : int
    level : float
    method : str
        The interval's coverage and method.
    selection : ReplicateSelection or None
        With ``--select-in-replicates``: the alpha each replicate chose
        (``alpha_selected`` of shape (B,), ``frequency`` of shape (k,) over
        ``grid``, ``method``, ``full_data_alpha``).
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
    n_boot: int
    level: float
    method: str
    selection: Optional[ReplicateSelection] = None

    def interval_words(self) -> str:
        """Say in one sentence what the intervals are and what they cover."""
        name = f"{100 * self.level:.4g}% {CI_METHOD_NAMES[self.method]}"
        if self.selection is not None:
            return INTERVALS_COVER_RESELECTED.format(method=name, cv=self.selection.method) + "."
        return INTERVALS_COVER.format(method=name) + "."

    def selection_words(self) -> Optional[str]:
        """Say which alphas the replicates chose (None when alpha was held fixed)."""
        sel = self.selection
        if sel is None:
            return None
        chosen = np.asarray(sel.alpha_selected, dtype=np.float64)
        chosen = chosen[np.isfinite(chosen)]
        full = float(np.asarray(sel.full_data_alpha))
        share = float(np.mean(chosen == full)) if chosen.size else float("nan")
        lo, mid, hi = np.quantile(chosen, [0.05, 0.5, 0.95]) if chosen.size else (np.nan,) * 3
        return (
            f"alpha in the replicates ({sel.method}, re-chosen in each): the full-data choice "
            f"{fmt_alpha(full)} in {100 * share:.3g}% of them; median {fmt_alpha(mid)}, 90% of "
            f"them from {fmt_alpha(lo)} to {fmt_alpha(hi)}."
        )


def coefficient_table(data: FitData, report: FitReport, fit_intercept: bool) -> Table:
    """Build the rich table: one row per target and feature (intercept first)."""
    table = Table()
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
        if fit_intercept:
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
                target if j == 0 and not fit_intercept else "",
                feature,
                fmt(report.coef[j, u], DIGITS),
                fmt(report.coef_se[j, u], DIGITS),
                fmt(report.ci_lo[j, u], DIGITS),
                fmt(report.ci_hi[j, u], DIGITS),
            )
    return table


def column_legend(report: FitReport, choice: AlphaChoice, n: int) -> list[str]:
    """Write the lines under the table that say what each column estimates."""
    return [
        f"estimate: the ridge fit on all {n} rows at alpha = {fmt_alpha(choice.alpha)}.",
        f"std. error: standard deviation of the {report.n_boot} bootstrap estimates"
        + (", each at the alpha its replicate chose." if report.selection is not None else "."),
        f"CI low, CI high: {report.interval_words()}",
    ] + ([words] if (words := report.selection_words()) else [])


def target_summary(report: FitReport, u: int, target: str) -> str:
    """One target's errors, each named."""
    return (
        f"{target}: training MSE {fmt(report.train_mse[u], DIGITS)}, training R^2 "
        f"{fmt(report.r2[u], DIGITS)}, out-of-bag MSE {fmt(report.oob_mse[u], DIGITS)} (on the "
        "rows a replicate did not draw)"
    )


def fit_record(
    data: FitData,
    report: FitReport,
    choice: AlphaChoice,
    settings: dict[str, Any],
    scaling: Optional[tuple[np.ndarray, np.ndarray]],
    warning: Optional[str] = None,
) -> dict[str, Any]:
    """Collect every number shown, plus the settings, in a JSON-ready dict.

    Parameters
    ----------
    data : FitData
    report : FitReport
    choice : AlphaChoice
    settings : dict
        The command line's settings.
    scaling : (ndarray of shape (p,), ndarray of shape (p,)) or None
        ``--standardize``'s means and scales.
    warning : str, optional
        The warning printed about the data (features on very different scales).

    Returns
    -------
    dict
        Only JSON types; NaN as None.
    """
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
                "train_r2": report.r2[u],
                "oob_mse": report.oob_mse[u],
                "coefficients": coefs,
            }
        )
    record: dict[str, Any] = {
        "command": "fit",
        "ridgeboot_version": rb.__version__,
        "settings": {**settings, "solver": report.solver},
        "n": data.X.shape[0],
        "feature_names": list(data.feature_names),
        "target_names": list(data.target_names),
        "input_notes": list(data.notes),
        "warnings": [warning] if warning else [],
        "dropped_columns": list(data.dropped),
        "alpha": {
            "value": choice.alpha,
            "method": choice.method,
            "candidates": choice.alphas,
            "scores": choice.scores,
            "criterion": None if choice.method == "fixed" else choice.criterion,
            "note": choice.note,
            "default_grid": None
            if choice.grid_scale is None
            else {"rule": DEFAULT_GRID_RULE, "largest_eigenvalue": choice.grid_scale},
        },
        "alpha_in_replicates": selection_record(report),
        "intervals": {
            "level": report.level,
            "method": report.method,
            "covers": report.interval_words(),
        },
        "targets": targets,
    }
    if scaling is not None:
        record["standardization"] = {"mean": scaling[0], "scale": scaling[1]}
    return jsonable(record)  # type: ignore[no-any-return]


def selection_record(report: FitReport) -> Optional[dict[str, Any]]:
    """Record the replicates' choices of alpha for the JSON (None when alpha was held fixed)."""
    sel = report.selection
    if sel is None:
        return None
    chosen = np.asarray(sel.alpha_selected, dtype=np.float64)
    return {
        "method": sel.method,
        "candidates": np.asarray(sel.grid),
        "frequency": np.asarray(sel.frequency),
        "full_data_alpha": float(np.asarray(sel.full_data_alpha)),
        "median": float(np.nanmedian(chosen)),
    }


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
