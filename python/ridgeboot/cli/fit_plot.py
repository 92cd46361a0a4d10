"""The ``ridgeboot fit --plot`` figure: coefficients with their intervals, how alpha was chosen.

Panels, left to right:

1. One forest plot per target: each feature's ridge coefficient (the fit on
   all rows) with its bootstrap interval, per SD of the feature (comparable
   across features) or per unit (``--plot-scale raw``), labelled as such.
2. The cross-validation curve over the candidate alphas with the chosen one
   marked (when alpha was chosen, not fixed by ``--alpha``).
3. With ``--select-in-replicates``: the distribution of the alpha each
   replicate chose, the full-data choice marked.

The figure has a fixed size in pixels for a given number of features, targets
and panels (:func:`figure_size`), so it can be laid out in a document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._common import CI_METHOD_NAMES, CLIError, fmt_alpha
from ._figure import alpha_positions, new_figure, save_figure, style_alpha_axis
from ._fit_input import FitData
from ._fit_result import AlphaChoice, FitReport

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .._replicate_selection import ReplicateSelection

FIT_DPI = 100
MAX_PLOT_TARGETS = 6  # one forest panel each
MAX_PLOT_FEATURES = 40  # the largest coefficients (per SD) when there are more
FOREST_WIDTH = 5.0  # inches per forest panel
CURVE_WIDTH = 4.8  # inches for the CV curve
MIN_HEIGHT = 4.6
HEIGHT_PER_FEATURE = 0.25
HEIGHT_MARGIN = 2.0
COLOR_POINT = "#1b6ac9"
COLOR_CHOICE = "#d95f02"


@dataclass(frozen=True)
class FitFigure:
    """What the figure draws.

    Attributes
    ----------
    data : FitData
        The names (and the arrays fitted).
    report : FitReport
    choice : AlphaChoice
    feature_sd : ndarray of shape (p,)
        Standard deviation of each fitted feature (1 after ``--standardize``).
    raw_scale : ndarray of shape (p,)
        What ``--standardize`` divided each feature by (ones without it).
    standardized : bool
        Whether the fit was on standardized features.
    """

    data: FitData
    report: FitReport
    choice: AlphaChoice
    feature_sd: np.ndarray
    raw_scale: np.ndarray
    standardized: bool

    @property
    def has_curve(self) -> bool:
        """Whether there is a CV curve to draw: alpha chosen among >= 2 candidates, one > 0."""
        a = self.choice.alphas
        return a is not None and a.size >= 2 and bool((a > 0).any())

    @property
    def has_selection(self) -> bool:
        """Whether to draw the alphas the replicates chose (re-selected, on a drawable grid)."""
        return self.report.selection is not None and self.has_curve


def check_plot_targets(n_targets: int) -> None:
    """Refuse, before any work, more targets than the figure has room for."""
    if n_targets > MAX_PLOT_TARGETS:
        raise CLIError(
            f"--plot draws at most {MAX_PLOT_TARGETS} targets (one panel each); this fit has "
            f"{n_targets}: name fewer with --target"
        )


def shown_features(values: np.ndarray) -> np.ndarray:
    """Choose the features drawn: all, or the MAX_PLOT_FEATURES largest |values|, in order."""
    p = values.shape[0]
    if p <= MAX_PLOT_FEATURES:
        return np.arange(p)
    size = np.abs(values).max(axis=1)
    return np.sort(np.argsort(-size, kind="stable")[:MAX_PLOT_FEATURES])


def figure_size(
    n_features: int, n_targets: int, has_curve: bool, has_selection: bool = False
) -> tuple[float, float]:
    """Width and height in inches (at FIT_DPI dots per inch) of the figure.

    Parameters
    ----------
    n_features : int
        Features drawn (at most MAX_PLOT_FEATURES).
    n_targets : int
        Forest panels.
    has_curve : bool
        Whether the CV curve is drawn.
    has_selection : bool
        Whether the distribution of the replicates' alphas is drawn.

    Returns
    -------
    (float, float)
    """
    width = FOREST_WIDTH * n_targets + CURVE_WIDTH * (int(has_curve) + int(has_selection))
    height = max(MIN_HEIGHT, HEIGHT_MARGIN + HEIGHT_PER_FEATURE * n_features)
    return round(width, 2), round(height, 2)


def scaled(figure: FitFigure, scale: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Put the estimates and interval ends on the chosen scale; label the axis with it.

    Parameters
    ----------
    figure : FitFigure
    scale : {"sd", "raw"}
        Per SD of the feature, or per unit of the feature as given in the file.

    Returns
    -------
    coef, lo, hi : ndarray of shape (p, t)
    label : str
    """
    r = figure.report
    if scale == "sd":
        factor = figure.feature_sd
        label = "change in the target per SD of the feature"
        if not figure.standardized:
            label += "\n(coefficient x feature SD; fit on the features as given)"
    else:
        factor = 1.0 / figure.raw_scale
        label = "change in the target per unit of the feature"
        if figure.standardized:
            label += "\n(coefficient / feature SD; fit on standardized features)"
    f = factor[:, None]
    return r.coef * f, r.ci_lo * f, r.ci_hi * f, label


def draw_forest(
    ax: Axes,
    names: list[str],
    coef: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    title: str,
    show_names: bool,
) -> None:
    """One target's forest plot: a dot per feature and its interval as a bar, first at the top."""
    y = np.arange(len(names))[::-1]
    ax.hlines(y, lo, hi, color=COLOR_POINT, linewidth=2.2, alpha=0.55)
    ax.plot(coef, y, "o", color=COLOR_POINT, markersize=5)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, names if show_names else [""] * len(names))
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.grid(axis="x", color="0.9")
    ax.set_title(title, fontsize=10)


def draw_cv_curve(ax: Axes, choice: AlphaChoice, n_targets: int) -> None:
    """Draw the criterion over the candidate alphas and mark the chosen alpha."""
    assert choice.alphas is not None and choice.scores is not None
    order = np.argsort(choice.alphas, kind="stable")
    alphas, scores = choice.alphas[order], choice.scores[order]
    x, zero_x = alpha_positions(alphas)
    finite = np.isfinite(scores)
    ax.plot(x[finite], scores[finite], "-o", color="0.25", markersize=3.5, label=choice.criterion)
    chosen_x = zero_x if choice.alpha == 0 else choice.alpha
    ax.axvline(
        chosen_x,
        color=COLOR_CHOICE,
        linestyle="--",
        linewidth=1.4,
        label=f"chosen: alpha = {fmt_alpha(choice.alpha)}",
    )
    positive = scores[finite & (scores > 0)]
    if positive.size == finite.sum() and positive.size and positive.max() > 50 * positive.min():
        ax.set_yscale("log")
    style_alpha_axis(ax, alphas, zero_x)
    mean = " (mean over targets)" if n_targets > 1 else ""
    ax.set_ylabel(f"{choice.criterion}{mean}, lower is better", fontsize=9)
    ax.set_title(f"How alpha was chosen: {choice.method}", fontsize=10)
    ax.legend(fontsize=8, loc="best", framealpha=0.9)


def draw_selection(ax: Axes, selection: ReplicateSelection) -> None:
    """Draw how often the replicates chose each candidate alpha; mark the full-data choice."""
    grid = np.asarray(selection.grid, dtype=np.float64)
    share = np.asarray(selection.frequency, dtype=np.float64)
    x, zero_x = alpha_positions(grid)
    ax.vlines(x, 0, share, color=COLOR_POINT, linewidth=6, label="share of the replicates")
    full = float(np.asarray(selection.full_data_alpha))
    ax.axvline(
        zero_x if full == 0 else full,
        color=COLOR_CHOICE,
        linestyle="--",
        linewidth=1.4,
        label=f"chosen on all rows: alpha = {fmt_alpha(full)}",
    )
    style_alpha_axis(ax, grid, zero_x)
    ax.set_ylim(0, min(1.0, 1.15 * float(share.max())) if share.max() > 0 else 1.0)
    ax.set_ylabel("share of the replicates choosing it", fontsize=9)
    ax.set_title(f"Alpha re-chosen in each replicate: {selection.method}", fontsize=10)
    ax.legend(fontsize=8, loc="best", framealpha=0.9)


def draw_fit_figure(path: str, figure: FitFigure, scale: str, command_line: str) -> None:
    """Draw the figure to ``path`` (PNG, or any format matplotlib infers from the name).

    Parameters
    ----------
    path : str
    figure : FitFigure
    scale : {"sd", "raw"}
        The forest plots' scale (``--plot-scale``).
    command_line : str
        Recorded in a PNG's metadata: the command that drew it.
    """
    data, report, choice = figure.data, figure.report, figure.choice
    coef, lo, hi, xlabel = scaled(figure, scale)
    rows = shown_features(coef)
    names = [data.feature_names[j] for j in rows]
    t = len(data.target_names)
    curves = int(figure.has_curve) + int(figure.has_selection)
    widths = [FOREST_WIDTH] * t + [CURVE_WIDTH] * curves
    size = figure_size(len(rows), t, figure.has_curve, figure.has_selection)
    fig = new_figure(*size, dpi=FIT_DPI)
    axes = fig.subplots(1, len(widths), width_ratios=widths, squeeze=False)[0]
    for u, target in enumerate(data.target_names):
        draw_forest(
            axes[u], names, coef[rows, u], lo[rows, u], hi[rows, u], target, show_names=u == 0
        )
        axes[u].set_xlabel(xlabel.replace("the target", target, 1), fontsize=9)
        if len(rows) < len(data.feature_names):
            axes[u].set_title(
                f"{target}: the {len(rows)} of {len(data.feature_names)} features with the "
                "largest |coefficient|",
                fontsize=10,
            )
    if figure.has_curve:
        draw_cv_curve(axes[t], choice, t)
    if figure.has_selection:
        assert report.selection is not None
        draw_selection(axes[t + 1], report.selection)
    interval = (
        f"bar: {100 * report.level:.4g}% {CI_METHOD_NAMES[report.method]} bootstrap interval "
        f"({report.n_boot} replicates)"
    )
    if report.selection is None:
        covers = "for the shrunken coefficient\nat this alpha held fixed, not for the true weight"
    else:
        covers = (
            f"with alpha re-chosen by {report.selection.method} in each replicate\n"
            "(the variability of the choice included)"
        )
    fig.suptitle(
        f"Ridge coefficients at alpha = {fmt_alpha(choice.alpha)}; dot: the fit on all "
        f"{data.X.shape[0]} rows\n{interval} {covers} (see docs/coverage.md)",
        fontsize=10,
    )
    save_figure(fig, path, command_line)
