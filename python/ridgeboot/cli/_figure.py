"""What ``demo --plot`` and ``fit --plot`` share: the canvas, the file, the alpha axis.

matplotlib is imported only here and in the figure modules, and only when a
figure is drawn; :func:`check_plot_file` runs before any work so a missing
matplotlib or an unknown file type is reported at once.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from ._common import CLIError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 110
AXIS_BREAK_LABEL = "axis break: alpha = 0 to its left, log scale to its right"


def _canvas_class() -> type:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError:
        raise CLIError(
            '--plot needs matplotlib, which is not installed: pip install "ridgeboot[plot]"'
        ) from None
    return FigureCanvasAgg


def new_figure(width: float, height: float, dpi: int = DPI) -> Figure:
    """Create a matplotlib Figure on the Agg canvas (no pyplot, no global backend change).

    Parameters
    ----------
    width, height : float
        Inches.
    dpi : int
        Dots per inch.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    CLIError
        When matplotlib is not installed, saying how to install it.
    """
    canvas = _canvas_class()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    canvas(fig)
    return fig


def check_plot_file(path: str) -> None:
    """Check, before any work, that matplotlib is there and knows the file's type.

    Raises
    ------
    CLIError
        Without matplotlib, or for an extension matplotlib cannot write.
    """
    canvas = _canvas_class()
    from matplotlib.figure import Figure

    known = canvas(Figure()).get_supported_filetypes()
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext and ext not in known:
        raise CLIError(
            f"--plot {path}: matplotlib cannot write .{ext} files; use one of "
            f"{', '.join('.' + k for k in sorted(known))}"
        )


def save_figure(fig: Figure, path: str, command_line: str, **options: object) -> None:
    """Save the figure; a PNG records the command that drew it (its Description)."""
    metadata = {"Description": command_line} if path.lower().endswith(".png") else None
    fig.savefig(path, metadata=metadata, **options)  # type: ignore[arg-type]


# -- the alpha axis: log scale, alpha = 0 drawn one grid step left of the smallest positive alpha


def alpha_positions(alphas: np.ndarray) -> tuple[np.ndarray, float]:
    """Place alphas on a log axis: alpha = 0 goes one grid step left of the smallest positive."""
    positive = np.sort(alphas[alphas > 0])
    step = positive[1] / positive[0] if positive.size > 1 else 10.0
    zero_x = float(positive[0] / step)
    return np.where(alphas > 0, alphas, zero_x), zero_x


def style_alpha_axis(ax: Axes, alphas: np.ndarray, zero_x: float) -> None:
    """Log x axis with decade ticks and a tick "0" at the left edge, set off by a labelled line."""
    positive = np.sort(alphas[alphas > 0])
    ax.set_xscale("log")
    first, last = np.ceil(np.log10(positive[0])), np.floor(np.log10(positive[-1]))
    decades = 10.0 ** np.arange(first, last + 1)
    names = [f"$10^{{{int(np.log10(d))}}}$" for d in decades]
    if decades.size == 0:  # a grid within one decade: tick its own values
        decades, names = positive, [f"{a:.3g}" for a in positive]
    ticks = [zero_x, *decades] if 0 in alphas else list(decades)
    labels = (["0"] if 0 in alphas else []) + names
    ax.set_xticks(ticks, labels)
    ax.minorticks_off()
    if 0 in alphas:
        ax.axvline(
            np.sqrt(zero_x * positive[0]),
            color="0.5",
            linestyle=":",
            linewidth=1,
            label=AXIS_BREAK_LABEL,
        )
        ax.set_xlabel("alpha (log scale; alpha = 0 at the left edge)")
    else:
        ax.set_xlabel("alpha (log scale)")
    ax.set_xlim(zero_x / 1.6, positive[-1] * 1.6)
