"""What the ``ridgeboot`` commands share: errors, exit codes, option types, formatting, output.

Nothing here imports another module of :mod:`ridgeboot.cli`, so every command
module can import it. rich is imported only when a console is made: building
the parser (``--help``, ``--version``) should not pay for it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np

from .._validation import check_memory

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
# fit's default candidate alphas, relative to the data: GRID_NUM values log-spaced from
# 10**GRID_LOW to 10**GRID_HIGH times the largest eigenvalue of X'X (X as fitted: centred when
# an intercept is fitted, standardized with --standardize), so that data in any units get
# candidates from almost no shrinkage to almost all
GRID_LOW, GRID_HIGH, GRID_NUM = -6, 3, 19
SCALE_RATIO = 1e3  # feature SDs further apart than this: fit warns the penalty is not scale-free
DEFAULT_GRID_RULE = (
    f"{GRID_NUM} values log-spaced from 1e{GRID_LOW} to 1e{GRID_HIGH} times the largest "
    "eigenvalue of X'X, X centred when an intercept is fitted and standardized with --standardize"
)
# what fit's intervals cover, in one sentence (completed by the method's name, e.g. "95% BCa")
INTERVALS_COVER = (
    "{method} bootstrap intervals for the coefficients of the ridge fit at the chosen alpha "
    "held fixed, i.e. for the shrunken coefficients E[w_alpha], not the true weights, unless "
    "alpha is re-selected per replicate; see docs/coverage.md"
)
# ... and with --select-in-replicates (completed by the method's name and the criterion)
INTERVALS_COVER_RESELECTED = (
    "{method} bootstrap intervals for the coefficients of the ridge fit with alpha re-selected "
    "by {cv} in every replicate, so they include the variability of the choice of alpha; how "
    "often they cover the true weights is measured in docs/coverage.md"
)
CI_METHOD_NAMES = {"percentile": "percentile", "basic": "basic", "normal": "normal", "bca": "BCa"}
DEFAULT_CI_LEVEL = 0.95  # fit's intervals, and the bands of the demo's coefficient paths
PIPED_WIDTH = 120  # columns of the tables when stdout is not a terminal (a file, a pipe)


class CLIError(Exception):
    """A problem with the user's input: printed as one line, exit code 2."""

    # its documented home, re-exported there: tracebacks and pickles name ridgeboot.cli.CLIError
    __module__ = "ridgeboot.cli"


# -- argument types: each returns the parsed value or raises argparse.ArgumentTypeError


def bounded(
    kind: Callable[[str], Any], low: float, high: Optional[float] = None, *, open_high: bool = False
) -> Callable[[str], Any]:
    """Make an argparse type: ``kind(text)`` within [low, high] ([low, high) with open_high).

    Parameters
    ----------
    kind : callable
        ``int`` or ``float``: converts the text; its ``__name__`` names the type in errors.
    low : float
        Smallest value accepted.
    high : float, optional
        Largest value accepted (excluded with ``open_high``); no upper bound by default.
    open_high : bool
        Whether ``high`` itself is rejected.

    Returns
    -------
    callable
        ``str -> value``, raising :class:`argparse.ArgumentTypeError` when out of range.
    """

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid {kind.__name__}") from None
        too_high = high is not None and (value >= high if open_high else value > high)
        if value < low or too_high:
            bound = "" if high is None else (f" and < {high}" if open_high else f" and <= {high}")
            raise argparse.ArgumentTypeError(f"must be >= {low}{bound}, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def thread_count(text: str) -> int:
    """--threads: a positive int, or -1 for every core."""
    value = bounded(int, -1)(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be >= 1 (or -1 for every core), got 0")
    return int(value)


def cv_method(text: str) -> Any:
    """--cv: "gcv", "loo", "bootstrap" or a number of folds >= 2."""
    if text in ("gcv", "loo", "bootstrap"):
        return text
    try:
        folds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be gcv, loo, bootstrap or a number of folds, got {text!r}"
        ) from None
    if folds < 2:
        raise argparse.ArgumentTypeError(f"k-fold needs at least 2 folds, got {folds}")
    return folds


SEPARATOR_NAMES = {"comma": ",", "tab": "\t", "\\t": "\t", "semicolon": ";", "bar": "|"}
WHITESPACE = r"\s+"  # pandas' separator for runs of spaces and tabs
WHITESPACE_SEPARATORS = (" ", "space", "spaces", "whitespace")


def separator(text: str) -> str:
    """--sep: one character, or comma, tab (also a typed backslash-t), semicolon, bar, space."""
    if text.lower() in WHITESPACE_SEPARATORS:
        return WHITESPACE
    value = SEPARATOR_NAMES.get(text.lower(), text)
    if len(value) != 1:
        raise argparse.ArgumentTypeError(
            f"one character, or comma, tab, semicolon, bar or space; got {text!r}"
        )
    return value


def column_list(text: str) -> list[str]:
    """--features, --drop, --onehot: comma-separated column names (spaces around them ignored)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected column names separated by commas, got {text!r}")
    return names


def ci_level(text: str) -> float:
    """--ci-level: a coverage strictly between 0 and 1."""
    value = float(bounded(float, 0.0, 1.0, open_high=True)(text))
    if value == 0.0:
        raise argparse.ArgumentTypeError("must be > 0 and < 1, got 0")
    return value


def parse_alphas(text: str) -> np.ndarray:
    """--alphas: comma-separated numbers, or ``logspace(a, b, k)`` / ``linspace(a, b, k)``.

    Parameters
    ----------
    text : str
        For example ``"0.1,1,10"`` or ``"logspace(-3, 3, 13)"``.

    Returns
    -------
    ndarray of shape (k,)
    """
    s = text.strip().replace(" ", "")
    for name, make in (("logspace", np.logspace), ("linspace", np.linspace)):
        if s.startswith(f"{name}(") and s.endswith(")"):
            parts = s[len(name) + 1 : -1].split(",")
            usage = f"write {name}(start, stop, num), got {text!r}"
            try:
                start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
            except (ValueError, IndexError):
                raise argparse.ArgumentTypeError(usage) from None
            if len(parts) != 3 or num < 1:
                raise argparse.ArgumentTypeError(usage)
            return np.asarray(make(start, stop, num), dtype=np.float64)
    try:
        values = np.array([float(v) for v in s.split(",") if v], dtype=np.float64)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers or logspace(a, b, k), got {text!r}"
        ) from None
    if values.size == 0:
        raise argparse.ArgumentTypeError("no alpha given")
    bad = values[~(np.isfinite(values) & (values >= 0))]
    if bad.size:
        raise argparse.ArgumentTypeError(
            f"every candidate alpha must be a finite number >= 0, got {bad[0]:g} in {text!r}"
        )
    return values


# -- numbers as text


def fmt(value: float, digits: int = 4) -> str:
    """Format with ``digits`` significant digits; "n/a" for NaN and infinity.

    Parameters
    ----------
    value : float
    digits : int
        Significant digits: 4 in the demo's tables, 6 in ``fit``'s results.

    Returns
    -------
    str
    """
    return "n/a" if not np.isfinite(value) else f"{value:.{digits}g}"


def fmt_alpha(alpha: float) -> str:
    """Format an alpha for a table or a label: "0" or three significant digits."""
    return "0" if alpha == 0 else f"{alpha:.3g}"


# -- output


def show_progress(flag: Optional[bool]) -> bool:
    """Resolve ``--progress/--no-progress``: as given, else whether stderr is a terminal."""
    if flag is not None:
        return flag
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty()) if callable(isatty) else False


def make_console() -> Console:
    """Make the console the commands print to.

    Returns
    -------
    rich.console.Console
        The terminal's width on a terminal; :data:`PIPED_WIDTH` columns otherwise,
        so a file or a pipe gets whole table rows rather than rich's 80 columns.
        Without rich's markup: a column named ``price[usd]`` or ``a[/b]`` is
        printed as it is, not read as a style (or refused as a bad tag).
    """
    from rich.console import Console

    width = None if Console().is_terminal else PIPED_WIDTH
    return Console(width=width, markup=False)


def jsonable(value: Any) -> Any:
    """Turn arrays and numpy scalars into lists and floats, NaN and infinity into None.

    Parameters
    ----------
    value : Any
        Nested dicts, lists and tuples of arrays, numpy scalars and plain values.

    Returns
    -------
    Any
        The same structure with only JSON types (dict keys as str).
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def write_json(path: str, payload: dict[str, Any]) -> None:
    """Write ``payload`` as JSON (strict: no NaN), one space of indent, ending in a newline."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(jsonable(payload), f, indent=1, allow_nan=False)
        f.write("\n")


def check_output_paths(outputs: Sequence[tuple[str, Optional[str]]], inputs: Sequence[str]) -> None:
    """Check, before any work, that every output file named on the command line can be written.

    Parameters
    ----------
    outputs : sequence of (flag, path or None)
        The output options, e.g. ``("--json", "fit.json")``; None when not given.
    inputs : sequence of str
        The input files, which no output may overwrite.

    Raises
    ------
    CLIError
        When a path is a directory, its directory does not exist, it cannot be
        opened for writing, two outputs share it, or it is an input file.
    """
    seen: dict[str, str] = {}
    sources = {os.path.realpath(p) for p in inputs}
    for flag, path in outputs:
        if path is None:
            continue
        real = os.path.realpath(path)
        if real in seen:
            raise CLIError(f"{flag} and {seen[real]} both name {path}: give each its own file")
        if real in sources:
            raise CLIError(f"{flag} {path} would overwrite the input file: name another file")
        seen[real] = flag
        if os.path.isdir(path):
            raise CLIError(f"{flag} {path}: is a directory; name a file in it")
        folder = os.path.dirname(path) or "."
        if not os.path.isdir(folder):
            raise CLIError(f"{flag} {path}: the directory {folder} does not exist")
        existed = os.path.exists(path)
        try:
            with open(path, "a", encoding="utf-8"):
                pass
        except OSError as exc:
            raise CLIError(f"{flag} {path}: cannot write there ({exc.strerror})") from None
        if not existed:
            os.remove(path)


def require_memory(nbytes: float, what: str, advice: str) -> None:
    """Refuse, before any work, what would not fit in memory, in the command line's words.

    Parameters
    ----------
    nbytes : float
        Bytes needed.
    what : str
        What needs them, naming the flag (``"--n-boot 1000000000: keeping ..."``).
    advice : str
        The way out, naming flags.

    Raises
    ------
    CLIError
        When ``nbytes`` exceeds 90% of the memory available.
    """
    try:
        check_memory(nbytes, what, advice)
    except MemoryError as exc:
        raise CLIError(str(exc)) from None


# -- data


def standardize(
    X: np.ndarray, names: Optional[Sequence[str]] = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre every column and divide it by its standard deviation (ddof=0).

    Parameters
    ----------
    X : ndarray of shape (n, p)
    names : sequence of str of length p, optional
        Column names for the error message (default: numbered from 1).

    Returns
    -------
    Z : ndarray of shape (n, p)
    mean, scale : ndarray of shape (p,)

    Raises
    ------
    CLIError
        When a column is constant (its SD is 0): it has no scale to divide by.
    """
    mean, scale = X.mean(axis=0), X.std(axis=0)
    constant = np.flatnonzero(scale == 0)
    if constant.size:
        j = int(constant[0])
        name = repr(names[j]) if names is not None else str(j + 1)
        raise CLIError(f"column {name} is constant: it cannot be standardized")
    return (X - mean) / scale, mean, scale
