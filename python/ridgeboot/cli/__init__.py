"""The ``ridgeboot`` command line: ``demo``, ``fit`` and ``info``.

``ridgeboot demo`` shows on real (Longley) and simulated data what the ridge
penalty buys: weights that hold still when the training set is resampled.
``ridgeboot fit DATA.csv --target COL`` fits, picks alpha and bootstraps
standard errors and confidence intervals. ``ridgeboot info`` reports the build.

User errors (a missing file or column, bad data, an option the library
rejects) are printed as one line on stderr with exit code 2, no traceback;
``--traceback`` shows it.

This module holds the parser and :func:`main`; each command is a module
(``demo``, ``fit``, ``info``), imported when it runs. ``plot`` draws the demo's
figure, ``_sweep`` holds the demo's problems and alpha sweeps, ``_fit_input``
reads fit's data, and ``_common`` what they all share. Imports go one way only:
this module -> commands -> ``plot`` -> ``_sweep`` -> ``_common``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, Optional

import numpy as np

from .. import __version__
from .._validation import MAX_SEED
from ._common import (
    DEFAULT_FIT_ALPHAS,
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    CLIError,
    bounded,
    ci_level,
    cv_method,
    parse_alphas,
    thread_count,
)

__all__ = ["CLIError", "build_parser", "main"]


# -- parser


def _add_common_run_options(p: argparse.ArgumentParser, *, n_boot: int) -> None:
    p.add_argument(
        "--n-boot",
        type=bounded(int, 2),
        default=n_boot,
        metavar="B",
        help=f"bootstrap replicates (default {n_boot})",
    )
    p.add_argument(
        "--seed",
        type=bounded(int, 0, MAX_SEED),
        default=0,
        help="random seed of the data and of the bootstrap draws (default 0)",
    )
    p.add_argument(
        "--threads",
        type=thread_count,
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
    p.add_argument("--n", type=bounded(int, 5), default=100, help="synthetic rows (default 100)")
    p.add_argument("--p", type=bounded(int, 2), default=8, help="synthetic features (default 8)")
    p.add_argument(
        "--rho",
        type=bounded(float, 0.0, 1.0, open_high=True),
        default=0.95,
        help="correlation between every pair of synthetic features (default 0.95)",
    )
    p.add_argument(
        "--noise",
        type=bounded(float, 0.0),
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
        type=bounded(int, 5),
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
    how.add_argument("--alpha", type=bounded(float, 0.0), help="fixed penalty (no selection)")
    how.add_argument(
        "--cv",
        type=cv_method,
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
    p.add_argument("--ci-level", type=ci_level, default=0.95, help="coverage (default 0.95)")
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
    parser.add_argument("--version", action="version", version=f"ridgeboot {__version__}")
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


# -- commands, imported when run: --help, --version and info should not pay for the others


def _run_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(args)


def _run_fit(args: argparse.Namespace) -> int:
    from .fit import run_fit

    return run_fit(args)


def _run_info(args: argparse.Namespace) -> int:
    from .info import run_info

    return run_info(args)


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
