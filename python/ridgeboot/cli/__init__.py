"""The ``ridgeboot`` command line: ``demo``, ``fit`` and ``info``.

``ridgeboot demo`` shows on real (Longley) and simulated data what the ridge
penalty buys: weights that hold still when the training set is resampled.
``ridgeboot fit DATA.csv --target COL`` fits, picks alpha and bootstraps
standard errors and confidence intervals (``--plot`` draws them).
``ridgeboot info`` reports the build.

User errors (a missing file or column, bad data, an option the library
rejects, a usage error) are printed as one line on stderr with exit code 2, no
traceback; ``--traceback`` shows it.

This module holds the parser and :func:`main`; each command is a module
(``demo``, ``fit``, ``info``), imported when it runs. ``plot`` draws the demo's
figure and ``fit_plot`` fit's, both on ``_figure``; ``_sweep`` holds the demo's
problems and alpha sweeps; ``_fit_result`` fit's results and their wording,
``_fit_input`` turns fit's input into arrays, ``_table`` reads table files, and
``_common`` holds what they all share. Imports go one way only: this module ->
commands -> ``plot``, ``fit_plot`` -> ``_figure``, ``_sweep``, ``_fit_result``
-> ``_fit_input`` -> ``_table`` -> ``_common``.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, Optional

import numpy as np

from .. import __version__
from .._validation import MAX_REPLICATES, MAX_SEED
from ._common import (
    DEFAULT_CI_LEVEL,
    DEFAULT_GRID_RULE,
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    INTERVALS_COVER,
    SCALE_RATIO,
    CLIError,
    bounded,
    ci_level,
    column_list,
    cv_method,
    parse_alphas,
    separator,
    thread_count,
)

__all__ = ["CLIError", "build_parser", "main"]


# -- parser


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other error of the CLI."""

    def error(self, message: str) -> NoReturn:
        """Print ``ridgeboot: error: <message>`` and where the options are listed; exit 2."""
        _print_error(f"{message} (see: {self.prog} --help)")
        sys.exit(EXIT_USER_ERROR)


def _add_run_options(p: argparse.ArgumentParser, *, n_boot: int, seed_help: str) -> None:
    g = p.add_argument_group("bootstrap")
    g.add_argument(
        "--n-boot",
        type=bounded(int, 2, MAX_REPLICATES),
        default=n_boot,
        metavar="B",
        help=f"bootstrap replicates (default {n_boot})",
    )
    g.add_argument(
        "--seed", type=bounded(int, 0, MAX_SEED), default=0, help=f"{seed_help} (default 0)"
    )
    g.add_argument(
        "--threads",
        type=thread_count,
        default=None,
        metavar="N",
        help="native threads (default: every core; results do not depend on it)",
    )
    g.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr while working (default: only when stderr is a terminal)",
    )


def _add_demo_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="why penalise: bootstrap ridge on Longley and on correlated synthetic data",
        description="Bootstrap the ridge fit over an alpha grid (0 included) on the Longley data "
        "(NIST StRD) and on a synthetic design with known weights and correlated features; "
        "print per alpha the training and out-of-bag error, the size of the weights and the "
        "bootstrap's estimates of their variance and bias, and the alpha GCV picks; for the "
        "synthetic design, beside them the true squared bias, variance and MSE of the weights "
        "over fresh training sets.",
    )
    g = p.add_argument_group("synthetic data")
    g.add_argument("--n", type=bounded(int, 5), default=100, help="synthetic rows (default 100)")
    g.add_argument("--p", type=bounded(int, 2), default=8, help="synthetic features (default 8)")
    g.add_argument(
        "--rho",
        type=bounded(float, 0.0, 1.0, open_high=True),
        default=0.95,
        help="correlation between every pair of synthetic features (default 0.95)",
    )
    g.add_argument(
        "--noise",
        type=bounded(float, 0.0),
        default=1.0,
        help="noise standard deviation of the synthetic target (default 1.0)",
    )
    g.add_argument(
        "--truth-sets",
        type=bounded(int, 2, MAX_REPLICATES),
        default=2000,
        metavar="R",
        help="fresh training sets simulated for the synthetic design's true bias and variance "
        "(default 2000)",
    )
    _add_run_options(p, n_boot=500, seed_help="seed of the synthetic data and of the draws")
    out = p.add_argument_group("output")
    out.add_argument("--json", metavar="FILE", help="write every number shown (and the settings)")
    out.add_argument(
        "--plot",
        metavar="FILE.png",
        help='draw the four-panel figure (needs pip install "ridgeboot[plot]")',
    )
    out.add_argument(
        "--plot-n",
        type=bounded(int, 5),
        default=30,
        metavar="N",
        help="rows of the two-feature problem drawn in the figure's first panel (default 30)",
    )
    p.set_defaults(run=_run_demo)


def _add_fit_input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "data",
        nargs="+",
        metavar="DATA",
        help="a table with a header line (CSV, TSV or other delimited text, plain or .gz, .bz2, "
        ".xz, .zip; or Parquet), DATA.npz (arrays X, y) or X.npy y.npy",
    )
    g = p.add_argument_group("columns of a table")
    g.add_argument(
        "--target",
        action="append",
        metavar="COL",
        help="target column (repeat for several targets)",
    )
    g.add_argument(
        "--features",
        type=column_list,
        metavar="A,B,C",
        help="feature columns (default: every column but the targets, --drop and a row index)",
    )
    g.add_argument(
        "--drop",
        type=column_list,
        action="extend",
        default=[],
        metavar="COL",
        help="leave a column out (repeatable, or A,B)",
    )
    g.add_argument(
        "--onehot",
        type=column_list,
        action="extend",
        default=[],
        metavar="COL",
        help="one 0/1 column per value of a text column; with an intercept the first value "
        "(sorted) is the reference (repeatable, or A,B)",
    )
    r = p.add_argument_group("reading text tables (detected unless given)")
    r.add_argument(
        "--sep",
        type=separator,
        metavar="SEP",
        help="delimiter: one character, or comma, tab, semicolon, bar, space",
    )
    r.add_argument("--decimal", choices=(".", ","), help="decimal mark")
    r.add_argument("--thousands", metavar="CHAR", help="thousands separator, e.g. ',' (none)")
    r.add_argument(
        "--encoding", metavar="ENC", help="text encoding (default: UTF-8, else Windows-1252)"
    )


def _add_fit_parser(sub: Any) -> None:
    p = sub.add_parser(
        "fit",
        help="fit ridge on a table (or .npz, or X.npy y.npy), choose alpha, bootstrap SEs and CIs",
        description="Fit ridge regression, choose alpha by cross-validation (or fix it), "
        "bootstrap the coefficients at that alpha and print estimates, standard errors and "
        "confidence intervals per feature and target.",
    )
    _add_fit_input_options(p)
    a = p.add_argument_group("the model and alpha")
    how = a.add_mutually_exclusive_group()
    how.add_argument("--alpha", type=bounded(float, 0.0), help="fixed penalty (no selection)")
    how.add_argument(
        "--cv",
        type=cv_method,
        default=None,
        metavar="{gcv,loo,K,bootstrap}",
        help="how to choose alpha: gcv (default), loo, K folds or bootstrap",
    )
    a.add_argument(
        "--alphas",
        type=parse_alphas,
        default=None,
        metavar="LIST",
        help="candidate alphas, '0.1,1,10' or 'logspace(-3, 3, 13)' "
        f"(default: {DEFAULT_GRID_RULE})",
    )
    a.add_argument(
        "--select-in-replicates",
        action="store_true",
        help="re-choose alpha in every bootstrap replicate by --cv gcv or loo among the same "
        "candidates, so the standard errors and intervals include the variability of the "
        "choice (not with --alpha, K folds, --cv bootstrap or --ci-method bca)",
    )
    a.add_argument(
        "--solver",
        choices=("auto", "cholesky", "svd", "eigh"),
        default="auto",
        help="ridge solver (default auto: svd when alpha is 0)",
    )
    a.add_argument(
        "--no-intercept",
        dest="fit_intercept",
        action="store_false",
        help="fit without an intercept",
    )
    a.add_argument(
        "--standardize",
        action="store_true",
        help="scale every feature to mean 0 and SD 1 first (coefficients per SD); the penalty "
        "is not scale-free, so without it features whose SDs differ by more than a factor "
        f"{SCALE_RATIO:g} are warned about",
    )
    _add_run_options(
        p, n_boot=1000, seed_help="seed of the bootstrap draws (and of --cv bootstrap's hold-outs)"
    )
    i = p.add_argument_group(
        "intervals",
        description=INTERVALS_COVER.format(method="Percentile, basic, normal or BCa") + ".",
    )
    i.add_argument(
        "--ci-level",
        type=ci_level,
        default=DEFAULT_CI_LEVEL,
        help=f"coverage (default {DEFAULT_CI_LEVEL})",
    )
    i.add_argument(
        "--ci-method",
        choices=("percentile", "basic", "normal", "bca"),
        default="percentile",
        help="interval method (default percentile)",
    )
    out = p.add_argument_group("output")
    out.add_argument("--json", metavar="FILE", help="write every number shown (and the settings)")
    out.add_argument("--csv", metavar="FILE", help="write the coefficient table as CSV")
    out.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw the coefficients with their intervals and the CV curve "
        '(needs pip install "ridgeboot[plot]")',
    )
    out.add_argument(
        "--plot-scale",
        choices=("sd", "raw"),
        default="sd",
        help="the plot's coefficients per SD of their feature (sd, default: comparable across "
        "features) or per unit (raw)",
    )
    p.set_defaults(run=_run_fit)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``ridgeboot`` argument parser: subcommands ``demo``, ``fit`` and ``info``.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = _Parser(
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


_NEGATIVE_VALUE = re.compile(r"^-\.?\d")
# the library's argument names as they start its messages ("n_boot must be ..."), and their flags
_API_FLAGS = {
    "alphas": "--alphas",
    "alpha": "--alpha",
    "cv": "--cv",
    "n_boot": "--n-boot",
    "n_threads": "--threads",
    "seed": "--seed",
    "level": "--ci-level",
    "method": "--ci-method",
    "solver": "--solver",
}
_API_NAME = re.compile(r"\b(" + "|".join(_API_FLAGS) + r")\b(?= must| is |=)")


def join_negative_values(argv: Sequence[str]) -> list[str]:
    """Attach a value that starts with a minus sign to its option: ``--alphas -1,1`` -> one token.

    argparse takes ``-1,1,10`` or ``-1e-3`` for an option and reports a missing
    value; joined as ``--alphas=-1,1,10`` the value reaches the option's own check.
    """
    out: list[str] = []
    for token in argv:
        previous = out[-1] if out else ""
        if _NEGATIVE_VALUE.match(token) and previous.startswith("--") and "=" not in previous:
            out[-1] = f"{previous}={token}"
        else:
            out.append(token)
    return out


def cli_wording(message: str) -> str:
    """Name command-line flags where a library message names its arguments (``n_boot``)."""
    return _API_NAME.sub(lambda m: _API_FLAGS[m.group(1)], message)


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
    argv = join_negative_values(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help / --version (0), or a usage error argparse printed (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    args.command_line = shlex.join(["ridgeboot", *argv])
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("ridgeboot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (CLIError, ValueError, TypeError, MemoryError, OSError, np.linalg.LinAlgError) as exc:
        if args.traceback:
            raise
        message = str(exc) or type(exc).__name__
        _print_error(message if isinstance(exc, CLIError) else cli_wording(message))
        return EXIT_USER_ERROR
