"""``ridgeboot fit`` on the files people have: each case found when trying it as a new user.

A table saved with its row index, a bad cell in a numeric column, true/false columns, text
columns, Latin-1 and compressed files, semicolons with decimal commas, a missing header,
Parquet: each is run through the command line and checked for its numbers, or for its
one-line message and exit code 2.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import ridgeboot as rb
from cli_support import estimates, fit_json, run_error, run_ok

FIXED = ["--alpha", "1", "--n-boot", "20"]


@pytest.fixture
def frame() -> pd.DataFrame:
    """40 rows: two numeric features, a true/false column, a text column and the target."""
    g = np.random.default_rng(17)
    n = 40
    df = pd.DataFrame(
        {
            "a": g.normal(size=n),
            "b": g.normal(size=n) * 100,
            "flag": g.integers(0, 2, n).astype(bool),
            "city": g.choice(["Oslo", "Paris", "Göteborg"], n),
        }
    )
    df["y"] = 1.5 * df.a - 0.02 * df.b + 2.0 * df.flag + g.normal(size=n)
    return df


def reference_coef(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray(rb.ridge(X, y, alpha=1.0).coef)


def numeric(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns="city")


def fit_file(path: Path, tmp_path: Path, *extra: str) -> dict:
    return fit_json([str(path), "--target", "y", *FIXED, *extra], tmp_path)


# -- the row index


def test_pandas_row_index_is_left_out_with_a_note(frame, tmp_path):
    plain, indexed = tmp_path / "plain.csv", tmp_path / "indexed.csv"
    numeric(frame).to_csv(plain, index=False)
    numeric(frame).to_csv(indexed)  # pandas writes the index as a first column with no name
    out = run_ok(["fit", str(indexed), "--target", "y", *FIXED, "--no-progress"])
    assert "the first column has no name and numbers the rows 0..n-1: a row index, left out" in out
    a, b = fit_file(plain, tmp_path), fit_file(indexed, tmp_path)
    assert b["feature_names"] == ["a", "b", "flag"]
    assert b["targets"][0]["intercept"] == a["targets"][0]["intercept"]
    np.testing.assert_array_equal(estimates(b), estimates(a))


def test_r_write_csv_row_names_are_left_out(tmp_path):
    path = tmp_path / "r.csv"  # R's write.csv: "" heads the quoted row names "1".."n"
    rows = [f'"{i + 1}",{i % 3},{(i * 7) % 5},{i % 4 + 0.5}' for i in range(12)]
    path.write_text('"","a","b","y"\n' + "\n".join(rows) + "\n")
    record = fit_file(path, tmp_path)
    assert record["feature_names"] == ["a", "b"]
    assert "numbers the rows 1..n" in " ".join(record["input_notes"])


def test_a_filtered_frames_index_is_left_out_and_a_nameless_column_is_an_error(frame, tmp_path):
    kept = numeric(frame)[frame.a > -0.5]  # the index now skips numbers
    plain, indexed = tmp_path / "plain.csv", tmp_path / "indexed.csv"
    kept.to_csv(plain, index=False)
    kept.to_csv(indexed)
    record = fit_file(indexed, tmp_path)
    assert "numbers the rows (distinct integers): a row index" in record["input_notes"][0]
    np.testing.assert_array_equal(estimates(record), estimates(fit_file(plain, tmp_path)))
    nameless = tmp_path / "nameless.csv"
    nameless.write_text(plain.read_text().replace("a,b,", "a,,", 1))
    message = run_error(["fit", str(nameless), "--target", "y", *FIXED])
    assert "nameless.csv: column 2 has no name in the header line" in message


# -- cells and columns


def test_a_bad_cell_in_a_numeric_column_is_an_error_naming_column_line_and_value(frame, tmp_path):
    df = numeric(frame).astype({"b": object})
    df.loc[4, "b"] = "1,234"  # data row 5: line 6 of the file
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    message = run_error(["fit", str(path), "--target", "y", *FIXED])
    assert "bad.csv: column 'b', line 6: '1,234' is not a number" in message
    assert "--thousands ," in message and "--decimal ," in message
    # the same with --features (an error before as well)
    message = run_error(["fit", str(path), "--target", "y", "--features", "a,b", *FIXED])
    assert "column 'b', line 6: '1,234'" in message


def test_true_false_columns_are_fitted_as_1_and_0(frame, tmp_path):
    path = tmp_path / "flags.csv"
    df = numeric(frame)
    df.to_csv(path, index=False)
    record = fit_file(path, tmp_path)
    assert record["feature_names"] == ["a", "b", "flag"]
    X = df[["a", "b", "flag"]].to_numpy(dtype=float)
    np.testing.assert_allclose(estimates(record), reference_coef(X, df.y.to_numpy()), rtol=1e-10)
    lower = tmp_path / "lower.csv"  # true/false in any case, with a missing-free column
    lower.write_text(path.read_text().replace("True", "true").replace("False", "FALSE"))
    np.testing.assert_array_equal(estimates(fit_file(lower, tmp_path)), estimates(record))


def test_text_columns_are_listed_in_one_error_with_the_ways_out(frame, tmp_path):
    df = frame.assign(shop=[f"s{i % 5}" for i in range(len(frame))])
    path = tmp_path / "text.csv"
    df.to_csv(path, index=False)
    message = run_error(["fit", str(path), "--target", "y", *FIXED])
    assert "2 text column(s) among the features: 'city' (line 2:" in message
    assert "'shop' (line 2: 's0')" in message
    assert "--drop city" in message and "--onehot city" in message


def test_drop_and_onehot(frame, tmp_path):
    path = tmp_path / "text.csv"
    frame.to_csv(path, index=False)
    dropped = fit_file(path, tmp_path, "--drop", "city")
    assert dropped["feature_names"] == ["a", "b", "flag"]
    assert dropped["dropped_columns"] == ["city"]
    hot = fit_file(path, tmp_path, "--onehot", "city")
    # levels sorted, the first ("Göteborg") the reference of the intercept
    assert hot["feature_names"] == ["a", "b", "flag", "city=Oslo", "city=Paris"]
    X = np.column_stack(
        [frame[["a", "b", "flag"]].to_numpy(dtype=float)]
        + [(frame.city == level).to_numpy(dtype=float) for level in ("Oslo", "Paris")]
    )
    np.testing.assert_allclose(estimates(hot), reference_coef(X, frame.y.to_numpy()), rtol=1e-10)
    no_icpt = fit_file(path, tmp_path, "--onehot", "city", "--no-intercept")
    assert no_icpt["feature_names"][3:] == ["city=Göteborg", "city=Oslo", "city=Paris"]
    message = run_error(["fit", str(path), "--target", "y", "--drop", "nope", *FIXED])
    assert "no column 'nope'" in message


# -- encodings and file formats


def test_latin1_file_is_read_with_a_note(frame, tmp_path):
    path = tmp_path / "latin.csv"
    frame.to_csv(path, index=False, encoding="latin-1")
    out = run_ok(["fit", str(path), "--target", "y", "--onehot", "city", *FIXED, "--no-progress"])
    assert "latin.csv is not UTF-8 (byte 0xf6 on line" in out and "Windows-1252" in out
    record = fit_file(path, tmp_path, "--onehot", "city", "--no-intercept")
    assert "city=Göteborg" in record["feature_names"]
    utf8 = tmp_path / "utf8.csv"
    frame.to_csv(utf8, index=False)
    no_icpt = fit_file(utf8, tmp_path, "--onehot", "city", "--no-intercept")
    np.testing.assert_array_equal(estimates(record), estimates(no_icpt))
    message = run_error(["fit", str(path), "--target", "y", "--encoding", "ascii", *FIXED])
    assert "latin.csv: not valid ascii (byte 0xf6" in message


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "zip", "gz-without-suffix"])
def test_compressed_files_are_read(kind, frame, tmp_path):
    text = numeric(frame).to_csv(index=False).encode()
    if kind == "zip":
        path = tmp_path / "data.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("data.csv", text)
    else:
        pack = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}
        suffix = "gz" if kind.startswith("gz") else kind
        path = tmp_path / ("data.csv" if kind == "gz-without-suffix" else f"data.csv.{suffix}")
        path.write_bytes(pack[suffix](text))
    plain = tmp_path / "plain.csv"
    plain.write_bytes(text)
    np.testing.assert_array_equal(
        estimates(fit_file(path, tmp_path)), estimates(fit_file(plain, tmp_path))
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a PNG image, not a text table"),
        (bytes(range(256)) * 4, "binary data, not a text table"),
        (b"\x1f\x8b\x08\x00broken", "a damaged gzip file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel (.xls) or other Office file"),
    ],
    ids=["png", "binary", "damaged-gz", "xls"],
)
def test_unreadable_files_are_named_in_the_error(content, message, tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    line = run_error(["fit", str(path), "--target", "y", *FIXED])
    assert f"{path}: {message}" in line
    assert "codec" not in line


def test_a_zip_of_several_files_says_so(frame, tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "a,y\n1,2\n")
        archive.writestr("b.csv", "a,y\n1,2\n")
    assert "two.zip: the zip archive holds 2 files (a.csv, b.csv)" in run_error(
        ["fit", str(path), "--target", "y", *FIXED]
    )


def test_semicolons_with_decimal_commas(frame, tmp_path):
    path, plain = tmp_path / "european.csv", tmp_path / "plain.csv"
    numeric(frame).to_csv(path, index=False, sep=";", decimal=",")
    numeric(frame).to_csv(plain, index=False)
    out = run_ok(["fit", str(path), "--target", "y", *FIXED, "--no-progress"])
    assert "decimal commas (2,5) read as numbers" in out
    np.testing.assert_allclose(
        estimates(fit_file(path, tmp_path)), estimates(fit_file(plain, tmp_path)), rtol=1e-12
    )


@pytest.mark.parametrize("sep", ["\t", "|", " "], ids=["tab", "bar", "spaces"])
def test_other_delimiters(sep, frame, tmp_path):
    path, plain = tmp_path / "data.txt", tmp_path / "plain.csv"
    numeric(frame).to_csv(path, index=False, sep=sep)
    numeric(frame).to_csv(plain, index=False)
    np.testing.assert_array_equal(
        estimates(fit_file(path, tmp_path)), estimates(fit_file(plain, tmp_path))
    )


def test_a_file_without_a_header_says_so(frame, tmp_path):
    path = tmp_path / "nohead.csv"
    numeric(frame).to_csv(path, index=False, header=False)
    message = run_error(["fit", str(path), "--target", "y", *FIXED])
    assert "nohead.csv: the first line (" in message
    assert "holds numbers, not column names: add a header line" in message


def test_parquet(frame, tmp_path):
    pytest.importorskip("pyarrow")
    path, plain = tmp_path / "data.parquet", tmp_path / "plain.csv"
    frame.to_parquet(path)
    frame.to_csv(plain, index=False)
    args = ("--onehot", "city")
    np.testing.assert_array_equal(
        estimates(fit_file(path, tmp_path, *args)), estimates(fit_file(plain, tmp_path, *args))
    )


def test_parquet_without_pyarrow_names_the_package(frame, tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    path = tmp_path / "data.parquet"
    frame.to_parquet(path)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    message = run_error(["fit", str(path), "--target", "y", *FIXED])
    assert "data.parquet: reading Parquet needs pyarrow" in message
    assert "pip install pyarrow" in message


def test_tables_are_parsed_by_pandas(frame, tmp_path, monkeypatch):
    """The hand-written parser took 3-5 s for 40 MB: pandas parses the table, once."""
    calls = []
    original = pd.read_csv

    def spy(*args, **kwargs):
        calls.append(kwargs.get("engine"))
        return original(*args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", spy)
    path = tmp_path / "data.csv"
    numeric(frame).to_csv(path, index=False)
    fit_file(path, tmp_path)
    expected = "pyarrow" if _has_pyarrow() else "c"
    assert calls == [expected]


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def test_reading_is_announced_when_progress_is_shown(frame, tmp_path):
    from cli_support import run

    path = tmp_path / "data.csv"
    numeric(frame).to_csv(path, index=False)
    code, _, err = run(["fit", str(path), "--target", "y", *FIXED, "--progress"])
    assert code == 0
    assert err.startswith(f"Reading {path} (0.00")  # before anything else


def test_column_names_with_brackets_are_printed_as_they_are(frame, tmp_path):
    """rich read 'a[/b]' as a closing tag (a traceback) and '[red]y' as a style (printed 'y')."""
    path = tmp_path / "brackets.csv"
    numeric(frame).rename(columns={"a": "price[usd]", "b": "w[/b]", "y": "[red]y"}).to_csv(
        path, index=False
    )
    out = run_ok(["fit", str(path), "--target", "[red]y", *FIXED, "--no-progress"])
    out = " ".join(out.split())  # a long path wraps the data summary
    assert "1 target ([red]y)" in out
    assert "price[usd]" in out and "w[/b]" in out and "[red]y: training MSE" in out
