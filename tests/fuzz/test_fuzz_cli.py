"""Fuzz the command line: ``ridgeboot fit`` on small CSV files with one hostile thing each."""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st
from screening import (
    BIG_MACHINE,
    FUZZ,
    check_common,
    note,
    run_cli,
)


@dataclass
class CliCase:
    header: list[str]
    rows: list[list[str]]
    delimiter: str
    argv: list[str]
    bad_cell: Optional[tuple[str, str]]  # (column, "missing" or "text") of a broken cell
    label: str = ""


NUMBER_TOKENS = ("nan", "NA", "", "inf", "-inf", "1e999", "abc", "0x10", " 2 ", "1_000", "1e-320")
# option -> (valid values, hostile values); the valid ones include edge cases (alpha 0, 1e300)
CLI_OPTIONS = {
    "--alpha": (["1", "0", "1e-300", "1e300", "0.5"], ["-1", "nan", "inf", "abc", ""]),
    "--cv": (["gcv", "loo", "bootstrap", "2", "3"], ["1", "0", "100", "kfold", "-2"]),
    "--alphas": (
        ["0.1,1,10", "0", "1e300", "logspace(-300,300,3)", "0,1e-300,1"],
        ["1,nan", "", "linspace(0,1,0)", "1,-2", "logspace(1,2)", "a,b"],
    ),
    "--n-boot": (
        ["2", "5", "20"],
        ["1", "0", "-3", "2.5", "1099511627776"] + ([] if BIG_MACHINE else ["4294967295"]),
    ),
    "--seed": (["0", "7", "18446744073709551615"], ["-1", "18446744073709551616", "1.5"]),
    "--threads": (["1", "-1", "10000"], ["0", "2.5", "-5"]),
    "--solver": (["auto", "cholesky", "svd", "eigh"], ["qr", ""]),
    "--ci-method": (["percentile", "basic", "normal", "bca"], ["x", "BCA"]),
    "--ci-level": (["0.9", "0.5"], ["0", "1", "nan", "-0.5", "x"]),
}
CLI_DATA_HOSTILITY = ("cell", "ragged", "rows", "header", "target", "features")


@st.composite
def cli_cases(draw: Any) -> CliCase:
    """A small CSV and a ``ridgeboot fit`` command line; at most one thing in it is hostile."""
    g = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    hostile = draw(
        st.sampled_from([None] * 8 + list(CLI_DATA_HOSTILITY) + list(CLI_OPTIONS)), label="hostile"
    )
    n_rows = draw(st.sampled_from([0, 1, 2] if hostile == "rows" else [3, 4, 6, 8]))
    n_feat = draw(st.integers(1, 4))
    header = [f"x{j}" for j in range(n_feat)] + ["y"]
    if hostile == "header":
        kind = draw(st.sampled_from(["duplicate", "empty", "quoted", "unicode", "blank-line"]))
        if kind == "duplicate":
            header[-1] = header[0]
        elif kind == "empty":
            header[0] = ""
        elif kind == "quoted":
            header[0] = 'a,"b'
        elif kind == "unicode":
            header[0] = "é x"
        else:
            header = [" "] * len(header)
    values = g.standard_normal((n_rows, n_feat + 1))
    structure = draw(
        st.sampled_from(["random"] * 4 + ["constant-y", "constant-x", "huge", "tiny", "int"])
    )
    if structure == "constant-y":
        values[:, -1] = 1.5
    elif structure == "constant-x":
        values[:, 0] = 2.0
    elif structure == "huge":
        values *= 1e150
    elif structure == "tiny":
        values *= 1e-150
    elif structure == "int":
        values = np.round(values * 3)
    rows = [[repr(float(v)) for v in row] for row in values]
    bad_cell = None
    if hostile == "cell" and n_rows:
        i, j = g.integers(n_rows), g.integers(n_feat + 1)
        token = draw(st.sampled_from(NUMBER_TOKENS))
        rows[i][j] = token
        try:
            if not math.isfinite(float(token.strip())):
                bad_cell = (header[j], "missing")
        except ValueError:
            missing = token.strip().lower() in ("", "na", "nan")
            bad_cell = (header[j], "missing" if missing else "text")
    if hostile == "ragged" and n_rows:
        rows[g.integers(n_rows)].append("1.0")
    argv = ["fit", "{path}", "--no-progress"]
    if hostile == "target":
        argv += draw(
            st.sampled_from([["--target", "nope"], [], ["--target", "x0", "--target", "x0"]])
        )
    else:
        two = n_feat >= 2 and draw(st.integers(0, 5)) == 0
        argv += ["--target", "y"] + (["--target", "x0"] if two else [])
    if hostile == "features":
        argv += ["--features", draw(st.sampled_from(["x0,zz", "y", ",", "x0,x0"]))]
    elif draw(st.integers(0, 5)) == 0 and "x0" not in argv:
        argv += ["--features", "x0"]
    how = draw(st.sampled_from(["default", "--alpha", "--cv", "--alphas", "--cv --alphas"]))
    if hostile in ("--alpha", "--cv", "--alphas"):
        how = hostile
    for name, (good, bad) in CLI_OPTIONS.items():
        used = name in how.split() or name not in ("--alpha", "--cv", "--alphas")
        if name == hostile:
            argv += [name, draw(st.sampled_from(bad))]
        elif name == "--n-boot":
            argv += [name, draw(st.sampled_from(good))]
        elif used and draw(st.booleans()):
            argv += [name, draw(st.sampled_from(good))]
    if draw(st.integers(0, 3)) == 0:
        argv += ["--standardize"]
    if draw(st.integers(0, 3)) == 0:
        argv += ["--no-intercept"]
    if draw(st.booleans()):
        argv += ["--json", "{dir}/out.json", "--csv", "{dir}/coef.csv"]
    return CliCase(
        header,
        rows,
        draw(st.sampled_from([",", ";", "\t"])),
        argv,
        bad_cell,
        f"{n_rows} rows, {n_feat} features, {structure}, hostile {hostile}",
    )


@settings(FUZZ, max_examples=200)
@given(case=cli_cases())
def test_fuzz_cli_fit(case):
    note(case.label)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, delimiter=case.delimiter)
            writer.writerow(case.header)
            writer.writerows(case.rows)
        argv = [a.format(path=path, dir=tmp) for a in case.argv]
        note(" ".join(argv))
        code, stdout, stderr, outcome = run_cli(argv)
        note(f"exit {code}; stderr: {stderr!r}")
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        event(f"exit {code}: {last.replace(tmp, '<tmp>')[:60]}")
        assert outcome.error is None, f"cli.main raised {outcome.message}"
        check_common(outcome, finite_input=True)
        assert "Traceback" not in stdout + stderr
        assert code in (0, 2), f"exit code {code}"
        if code == 2:
            lines = stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("ridgeboot: error: "), stderr
            return
        assert "rows," in stdout
        if case.bad_cell is not None:  # a fit went ahead: the broken cell's column was not used
            column, kind = case.bad_cell
            used = [argv[i + 1] for i, a in enumerate(argv) if a in ("--target", "--features")]
            assert "--features" in argv and column not in ",".join(used).split(","), (
                f"a {kind} cell in column {column!r} was not reported"
            )
        json_path = os.path.join(tmp, "out.json")
        if os.path.exists(json_path):
            with open(json_path, encoding="utf-8") as f:
                record = json.load(f)
            for target in record["targets"]:
                for c in target["coefficients"]:
                    for key in ("estimate", "std_error", "ci_low", "ci_high"):
                        assert c[key] is not None, f"{key} of {c['feature']} is not finite"
                assert target["intercept"] is not None
