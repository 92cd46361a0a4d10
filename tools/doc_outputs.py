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
                                          # compare outputs and figures; exit 1 and show
                                          # the first difference

The check compares numbers to 6 significant digits' rounding (another instruction set may
change the last bits of a bootstrap) and everything else exactly, and the figures the
commands draw with the committed ones pixel by pixel when the same matplotlib version drew
them (:func:`figure_differences`); ``tests/test_docs.py`` runs it.
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
FIGURE_TOLERANCE = 0.005  # the share of a figure's pixels that may differ (figure_differences)


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


def outputs(commands: set[str], scratch: bool) -> tuple[dict[str, str], list[str]]:
    """Run each command once, here or in a scratch copy of the layout (files written there).

    Returns the output of each command and, in a scratch copy, the figures the commands
    drew that differ from the committed ones (:func:`figure_differences`).
    """
    results: dict[str, str] = {}
    differences: list[str] = []
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
        if scratch:
            for drawn in sorted((Path(folder) / "docs").glob("*.png")):
                differences.extend(figure_differences(drawn, ROOT / "docs" / drawn.name))
    return results, differences


def png_software(path: Path) -> str | None:
    """Read the Software text of a PNG (matplotlib writes its name and version there)."""
    data, pos = path.read_bytes(), 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        key, _, value = body.partition(b"\0")
        if kind == b"tEXt" and key == b"Software":
            return value.decode("latin-1")
        pos += 12 + length
    return None


def figure_differences(drawn: Path, committed: Path) -> list[str]:
    """Compare a figure a command drew now with the committed one.

    With the matplotlib version that drew the committed figure, the two must have the
    same size and differ in at most FIGURE_TOLERANCE of their pixels by more than a quarter
    of the colour range (another instruction set moves the last bits of a bootstrap, not a
    point on a plot; a figure of other data, or shifted by one pixel, differs in several
    per cent). With another version the text renders differently, and only the
    existence of the committed figure is checked.
    """
    name = committed.relative_to(ROOT)
    if not committed.exists():
        return [f"{name}: drawn by a command on the pages but not committed"]
    if png_software(drawn) != png_software(committed):
        return []
    from matplotlib.image import imread

    new, old = imread(drawn)[..., :3], imread(committed)[..., :3]
    if new.shape != old.shape:
        return [
            f"{name}: the command draws it {new.shape[1]}x{new.shape[0]} pixels, the "
            f"committed one is {old.shape[1]}x{old.shape[0]}: run tools/doc_outputs.py"
        ]
    changed = float((abs(new - old).max(axis=2) > 0.25).mean())
    if changed > FIGURE_TOLERANCE:
        return [
            f"{name}: {100 * changed:.2g} % of its pixels differ from what the command "
            "draws now: run tools/doc_outputs.py"
        ]
    return []


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
    """Compare every shown output, and every figure the commands draw, with a fresh run.

    Returns the problems, one line each.
    """
    found = [b for page in pages() for b in blocks(page)]
    results, problems = outputs({b.command for b in found}, scratch=True)
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
    results, _ = outputs(commands, scratch=False)
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
