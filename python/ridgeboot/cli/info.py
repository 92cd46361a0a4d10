"""``ridgeboot info``: how the C++ core was built, and the versions around it."""

from __future__ import annotations

import argparse
import platform
import sys
from importlib import metadata

from rich.console import Console
from rich.table import Table

import ridgeboot as rb

from ._common import EXIT_OK

REPORTED_PACKAGES = ("numpy", "pandas", "pyarrow", "rich", "tqdm", "scikit-learn", "matplotlib")


def package_version(name: str) -> str:
    """Return the installed version of the distribution ``name``, or "not installed"."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def run_info(args: argparse.Namespace) -> int:
    """Run ``ridgeboot info``: print the build and the versions; return the exit code."""
    table = Table(title=f"ridgeboot {rb.__version__}", show_header=False)
    table.add_column("key", style="bold")
    table.add_column("value")
    for key, value in rb.build_info().items():
        table.add_row(key, str(value))
    table.add_section()
    table.add_row("python", f"{platform.python_version()} ({sys.executable})")
    table.add_row("platform", platform.platform())
    for name in REPORTED_PACKAGES:
        table.add_row(name, package_version(name))
    # rich's own width (80 columns when piped): a two-column table of short values
    Console().print(table)
    return EXIT_OK
