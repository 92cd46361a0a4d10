"""Helpers of the command-line tests: run ``cli.main`` in-process, write small tables."""

from __future__ import annotations

import contextlib
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from ridgeboot import cli

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(argv: list[str]) -> tuple[int, str, str]:
    """cli.main(argv) -> (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def run_ok(argv: list[str]) -> str:
    """Run, check the exit code is 0 and nothing went to stderr; return stdout."""
    code, out, err = run(argv)
    assert code == 0, err
    return out


def run_error(argv: list[str]) -> str:
    """Run, check for exit code 2 with one line on stderr and no traceback; return that line."""
    code, out, err = run(argv)
    lines = err.strip().splitlines()
    assert code == 2, (code, out, err)
    assert len(lines) == 1 and lines[0].startswith("ridgeboot: error: "), err
    assert "Traceback" not in out + err
    return lines[0]


def fit_json(argv: list[str], tmp_path: Path) -> dict[str, Any]:
    """Run ``ridgeboot fit`` with ``--json`` (quietly, few replicates); return the record."""
    out_json = tmp_path / "fit-result.json"
    run_ok(["fit", *argv, "--no-progress", "--json", str(out_json)])
    return dict(json.loads(out_json.read_text()))


def longley_csv() -> str:
    """Path of the shipped Longley CSV."""
    path = resources.files("ridgeboot") / "data" / "longley.csv"
    assert isinstance(path, Path)  # a real file (editable or installed wheel), not a zip member
    return str(path)


def estimates(record: dict[str, Any], target: int = 0) -> np.ndarray:
    """The coefficient estimates of one target in a fit's JSON record."""
    return np.array([c["estimate"] for c in record["targets"][target]["coefficients"]])


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, read from its header."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, "not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def png_text(path: Path) -> dict[str, str]:
    """The text chunks of a PNG (matplotlib writes its metadata there), uncompressed ones."""
    data, pos, text = path.read_bytes(), 8, {}
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        key, _, value = body.partition(b"\0")
        if kind == b"tEXt":
            text[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt" and value[:1] == b"\0":  # flag 0: not compressed
            text[key.decode("latin-1")] = value[2:].split(b"\0", 2)[2].decode("utf-8")
        pos += 12 + length
    return text
