"""Keep the command output shown in README.md and docs/*.md true: regenerate it, or check it.

A page shows a command's output as an HTML comment naming the command, then a fenced block::

    <!-- output: ridgeboot fit python/ridgeboot/data/longley.csv --target Employed -->
    ```text
    ...what it prints...
    ```

``<!-- output: COMMAND | head N -->`` keeps the first N lines. The command runs
in-process (``ridgeboot.cli.main``) from the repository's root, output not on a terminal
(tables 120 columns wide, ``--help`` 90), stdout then stderr.

    python tools/doc_outputs.py           # rewrite the blocks, and the files the commands
                                          # write (docs/demo.png, docs/fit.png)
    python tools/doc_outputs.py --check   # run the commands in a scratch directory and
                                          # compare; exit 1 and show the first difference

The check compares numbers to 6 significant digits' rounding (another instruction set may
change the last bits of a bootstrap) and everything else exactly; ``tests/test_docs.py``
runs it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("README.md", "docs/*.md")
MARKER = re.compile(
    r"<!-- output: (?P<command>.+?)(?: \| head (?P<head>\d+))? -->\n"
    r"```text\n(?P<body>.*?)```\n",
    re.DOTALL,
)
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
HELP_COLUMNS = 90
REL_TOL = 2e-5  # a printed number (6 significant digits) may move by one in its last digit


@dataclass(frozen=True)
class Block:
    """One shown output: its page, the command, how many lines, and the text shown."""

    page: Path
    command: str
    head: int | None
    body: str


def pages() -> list[Path]:
    """List the Markdown pages that may show outputs."""
    found: list[Path] = []
    for pattern in PAGES:
        found.extend(sorted(ROOT.glob(pattern)))
    return found


def blocks(page: Path) -> Iterator[Block]:
    """Yield the output blocks of a page, in order."""
    for m in MARKER.finditer(page.read_text(encoding="utf-8")):
        head = int(m["head"]) if m["head"] else None
        yield Block(page, m["command"], head, m["body"])


def run_command(command: str) -> str:
    """Run ``ridgeboot ...`` in-process in the current directory; return stdout then stderr."""
    from ridgeboot import cli

    argv = shlex.split(command)
    if argv[0] != "ridgeboot":
        raise SystemExit(f"not a ridgeboot command: {command}")
    out, err = io.StringIO(), io.StringIO()
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(HELP_COLUMNS)  # argparse wraps --help to the terminal's width
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            cli.main(argv[1:])
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return out.getvalue() + err.getvalue()


def shown(output: str, head: int | None) -> str:
    """Cut an output to what a block shows, lines stripped of trailing spaces."""
    # argparse before Python 3.10 heads the options "optional arguments:"
    lines = [
        line.rstrip().replace("optional arguments:", "options:") for line in output.splitlines()
    ]
    if head is not None:
        lines = lines[:head]
    return "\n".join(lines) + "\n"


def outputs(commands: set[str], scratch: bool) -> dict[str, str]:
    """Run each command once, here or in a scratch copy of the layout (files written there)."""
    results: dict[str, str] = {}
    where = tempfile.TemporaryDirectory() if scratch else contextlib.nullcontext(str(ROOT))
    with where as folder:
        if scratch:
            os.symlink(ROOT / "python", Path(folder) / "python")
            (Path(folder) / "docs").mkdir()
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            for command in sorted(commands):
                results[command] = run_command(command)
        finally:
            os.chdir(cwd)
    return results


def same_text(a: str, b: str) -> bool:
    """Equal but for numbers within REL_TOL of each other."""
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False
    for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
        fx, fy = float(x), float(y)
        if x != y and abs(fx - fy) > REL_TOL * max(abs(fx), abs(fy)):
            return False
    return True


def first_difference(expected: str, actual: str) -> str:
    """Describe the first differing line of two texts."""
    for i, (e, a) in enumerate(zip(expected.splitlines(), actual.splitlines())):
        if not same_text(e, a):
            return f"line {i + 1}:\n  shown: {e}\n  now:   {a}"
    return f"the shown text has {len(expected.splitlines())} lines, the output now " + str(
        len(actual.splitlines())
    )


def check() -> list[str]:
    """Compare every shown output with a fresh run; return the problems."""
    found = [b for page in pages() for b in blocks(page)]
    results = outputs({b.command for b in found}, scratch=True)
    problems = []
    for b in found:
        now = shown(results[b.command], b.head)
        if not same_text(b.body, now):
            where = b.page.relative_to(ROOT)
            problems.append(f"{where}: {b.command}: {first_difference(b.body, now)}")
    return problems


def update() -> None:
    """Rewrite every block with a fresh run (from the root: the files they write are kept)."""
    all_pages = pages()
    commands = {b.command for page in all_pages for b in blocks(page)}
    results = outputs(commands, scratch=False)
    for page in all_pages:
        text = page.read_text(encoding="utf-8")

        def replace(m: re.Match[str]) -> str:
            head = int(m["head"]) if m["head"] else None
            cut = f" | head {head}" if head is not None else ""
            body = shown(results[m["command"]], head)
            return f"<!-- output: {m['command']}{cut} -->\n```text\n{body}```\n"

        page.write_text(MARKER.sub(replace, text), encoding="utf-8")


def main() -> int:
    """Regenerate (default) or check (``--check``) the shown outputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not rewrite")
    args = parser.parse_args()
    if not args.check:
        update()
        return 0
    problems = check()
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
