"""The ``ridgeboot`` command line: ``demo``, ``fit`` and ``info``.

``ridgeboot demo`` shows on real (Longley) and simulated data what the ridge
penalty buys: weights that hold still when the training set is resampled.
``ridgeboot fit DATA.csv --target COL`` fits, picks alpha and bootstraps
standard errors and confidence intervals. ``ridgeboot info`` reports the build.

User errors (a missing file or column, bad data, an option the library
rejects) are printed as one line on stderr with exit code 2, no traceback;
``--traceback`` shows it.
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import Any, Callable, Optional

import numpy as np

from .._validation import MAX_SEED

__all__ = ["CLIError", "build_parser", "main"]

EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
DEFAULT_FIT_ALPHAS = "logspace(-3, 3, 13)"


class CLIError(Exception):
    """A problem with the user's input: printed as one line, exit code 2."""


# -- argument types: each returns the parsed value or raises argparse.ArgumentTypeError


def _bounded(
    kind: Callable[[str], Any], low: float, high: Optional[float] = None, *, open_high: bool = False
) -> Callable[[str], Any]:
    """Make an argparse type: ``kind(text)`` within [low, high] ([low, high) with open_high)."""

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


def _thread_count(text: str) -> int:
    """--threads: a positive int, or -1 for every core."""
    value = _bounded(int, -1)(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be >= 1 (or -1 for every core), got 0")
    return int(value)


def _cv_method(text: str) -> Any:
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
    return values


def _ci_level(text: str) -> float:
    """--ci-level: a coverage strictly between 0 and 1."""
    value = float(_bounded(float, 0.0, 1.0, open_high=True)(text))
    if value == 0.0:
        raise argparse.ArgumentTypeError("must be > 0 and < 1, got 0")
    return value


# -- parser


def _add_common_run_options(p: argparse.ArgumentParser, *, n_boot: int) -> None:
    p.add_argument(
        "--n-boot",
        type=_bounded(int, 2),
        default=n_boot,
        metavar="B",
        help=f"bootstrap replicates (default {n_boot})",
    )
    p.add_argument(
        "--seed",
        type=_bounded(int, 0, MAX_SEED),
        default=0,
        help="random seed of the data and of the bootstrap draws (default 0)",
    )
    p.add_argument(
        "--threads",
        type=_thread_count,
        default=None,
        metavar="N",
        help="native threads (default: every core; results do not depend on it)",
    )
    p.add_argument("--json", metavar="FILE", help="write every number shown (and the settings)")
    p.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="no progress bar while bootstrapping",
    )


def _add_demo_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="why penalise: bootstrap ridge on Longley and on correlated synthetic data",
        description="Bootstrap the ridge fit over an alpha grid (0 included) on the Longley data "
        "(NIST StRD) and on a synthetic design with known weights and correlated features; "
        "print per alpha the training and out-of-bag error, the size, spread and bias of the "
        "weights, and the alpha GCV picks.",
    )
    p.add_argument("--n", type=_bounded(int, 5), default=100, help="synthetic rows (default 100)")
    p.add_argument("--p", type=_bounded(int, 2), default=8, help="synthetic features (default 8)")
    p.add_argument(
        "--rho",
        type=_bounded(float, 0.0, 1.0, open_high=True),
        default=0.95,
        help="correlation between every pair of synthetic features (default 0.95)",
    )
    p.add_argument(
        "--noise",
        type=_bounded(float, 0.0),
        default=1.0,
        help="noise standard deviation of the synthetic target (default 1.0)",
    )
    _add_common_run_options(p, n_boot=500)
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        help='draw the three-panel figure (needs pip install "ridgeboot[plot]")',
    )
    p.add_argument(
        "--plot-n",
        type=_bounded(int, 5),
        default=30,
        metavar="N",
        help="rows of the two-feature problem drawn in the figure's first panel (default 30)",
    )
    p.set_defaults(run=_run_demo)


def _add_fit_parser(sub: Any) -> None:
    p = sub.add_parser(
        "fit",
        help="fit ridge on a CSV (or .npz, or X.npy y.npy), choose alpha, bootstrap SEs and CIs",
        description="Fit ridge regression, choose alpha by cross-validation (or fix it), "
        "bootstrap the coefficients and print estimates, standard errors and confidence "
        "intervals per feature and target.",
    )
    p.add_argument(
        "data",
        nargs="+",
        metavar="DATA",
        help="DATA.csv (header row), DATA.npz (arrays X, y) or X.npy y.npy",
    )
    p.add_argument(
        "--target",
        action="append",
        metavar="COL",
        help="target column of the CSV (repeat for several targets)",
    )
    p.add_argument(
        "--features", metavar="A,B,C", help="feature columns (default: every other numeric column)"
    )
    how = p.add_mutually_exclusive_group()
    how.add_argument("--alpha", type=_bounded(float, 0.0), help="fixed penalty (no selection)")
    how.add_argument(
        "--cv",
        type=_cv_method,
        default=None,
        metavar="{gcv,loo,K,bootstrap}",
        help="how to choose alpha: gcv (default), loo, K folds or bootstrap",
    )
    p.add_argument(
        "--alphas",
        type=parse_alphas,
        default=None,
        metavar="LIST",
        help=f"candidate alphas, '0.1,1,10' or '{DEFAULT_FIT_ALPHAS}' (the default)",
    )
    p.add_argument("--ci-level", type=_ci_level, default=0.95, help="coverage (default 0.95)")
    p.add_argument(
        "--ci-method",
        choices=("percentile", "basic", "normal", "bca"),
        default="percentile",
        help="interval method (default percentile)",
    )
    p.add_argument(
        "--solver",
        choices=("auto", "cholesky", "svd", "eigh"),
        default="auto",
        help="ridge solver (default auto: svd when alpha is 0)",
    )
    p.add_argument(
        "--no-intercept",
        dest="fit_intercept",
        action="store_false",
        help="fit without an intercept",
    )
    p.add_argument(
        "--standardize",
        action="store_true",
        help="scale every feature to mean 0 and SD 1 first (coefficients per SD)",
    )
    _add_common_run_options(p, n_boot=1000)
    p.add_argument("--csv", metavar="FILE", help="write the coefficient table as CSV")
    p.set_defaults(run=_run_fit)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``ridgeboot`` argument parser: subcommands ``demo``, ``fit`` and ``info``.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="ridgeboot",
        description="Ridge regression and multithreaded bootstrap (C++17/Eigen core).",
    )
    parser.add_argument("--version", action="version", version=f"ridgeboot {_version()}")
    parser.add_argument(
        "--traceback",
        action="store_true",
        help="show the full traceback of an error (for bug reports)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_demo_parser(sub)
    _add_fit_parser(sub)
    info = sub.add_parser("info", help="how the C++ core was built, and package versions")
    info.set_defaults(run=_run_info)
    return parser


# -- commands (imported lazily: `ridgeboot info` should not pay for rich tables or matplotlib)


def _run_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(args)


def _run_fit(args: argparse.Namespace) -> int:
    from .fit import run_fit

    return run_fit(args)


def _version() -> str:
    from .. import __version__

    return __version__


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _run_info(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    import ridgeboot as rb

    table = Table(title=f"ridgeboot {rb.__version__}", show_header=False)
    table.add_column("key", style="bold")
    table.add_column("value")
    for key, value in rb.build_info().items():
        table.add_row(key, str(value))
    table.add_section()
    table.add_row("python", f"{platform.python_version()} ({sys.executable})")
    table.add_row("platform", platform.platform())
    for name in ("numpy", "rich", "tqdm", "scikit-learn", "matplotlib"):
        table.add_row(name, _package_version(name))
    Console().print(table)
    return EXIT_OK


# -- entry point


def _print_error(message: str) -> None:
    first_line = " ".join(message.split())
    print(f"ridgeboot: error: {first_line}", file=sys.stderr)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``ridgeboot`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code: 0 on success, 2 for a usage or input error (message on
        stderr), 130 when interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help / --version (0), or a usage error argparse printed (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("ridgeboot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (CLIError, ValueError, TypeError, MemoryError, OSError, np.linalg.LinAlgError) as exc:
        if args.traceback:
            raise
        _print_error(str(exc) or type(exc).__name__)
        return EXIT_USER_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
