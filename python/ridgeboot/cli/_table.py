"""Read a table file for ``ridgeboot fit``: delimited text (plain or compressed) or Parquet.

The format is found from the file's first bytes, not its name: gzip, bz2, xz
and zip archives are opened (a zip must hold one file), Parquet needs pyarrow.
Text is decoded as UTF-8 (a byte-order mark is honoured), else as Windows-1252
with a note; the delimiter (comma, tab, semicolon, bar or runs of spaces) and
a decimal comma are detected from the first lines unless given. pandas parses
the table, with its pyarrow engine where pyarrow is installed. Every error
raises :class:`~ridgeboot.cli.CLIError` naming the file.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from ._common import WHITESPACE, CLIError

SAMPLE_CHARS = 65536  # text read to detect the delimiter and the decimal mark
SAMPLE_RECORDS = 50
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "bar", WHITESPACE: "spaces"}
FALLBACK_ENCODING = "cp1252"
SUPPORTED = (
    "ridgeboot fit reads delimited text (.csv, .tsv, .txt; also .gz, .bz2, .xz or .zip), "
    "Parquet, .npz, or X.npy y.npy"
)
_COMPRESSED = (
    (b"\x1f\x8b", "gzip", gzip.decompress),
    (b"BZh", "bz2", bz2.decompress),
    (b"\xfd7zXZ\x00", "xz", lzma.decompress),
)
_BINARY = (
    (b"\xd0\xcf\x11\xe0", "an Excel (.xls) or other Office file: save the sheet as CSV"),
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"\x93NUMPY", "a .npy array: pass X.npy and y.npy together"),
)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class ReadOptions:
    """How to read a text table; None means detect.

    Attributes
    ----------
    sep : str or None
        The delimiter (``--sep``).
    decimal : str or None
        The decimal mark (``--decimal``).
    thousands : str or None
        The thousands separator (``--thousands``); none by default.
    encoding : str or None
        The text encoding (``--encoding``).
    """

    sep: Optional[str] = None
    decimal: Optional[str] = None
    thousands: Optional[str] = None
    encoding: Optional[str] = None


@dataclass(frozen=True)
class Table:
    """A table as read, before its columns are checked.

    Attributes
    ----------
    frame : pandas.DataFrame
        The cells as pandas parsed them; column names stripped of spaces, an
        empty name as "".
    path : str
    notes : tuple of str
        What the reader decided that the user should know (encoding, decimal mark).
    where : callable
        Row position (0-based) -> "line 17" (text) or "row 17" (Parquet), for messages.
    """

    frame: Any
    path: str
    notes: tuple[str, ...]
    where: Callable[[int], str]


# -- bytes to text


def read_bytes(path: str) -> tuple[bytes, str]:
    """Read a file, unpacking gzip, bz2, xz or a one-file zip; return (bytes, format).

    The format is "parquet" or "text": what the bytes hold after unpacking.
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise CLIError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CLIError(f"{path}: is a directory, not a data file") from None
    except OSError as exc:
        raise CLIError(f"{path}: cannot read it ({exc.strerror})") from None
    for magic, name, unpack in _COMPRESSED:
        if data.startswith(magic):
            try:
                data = unpack(data)
            except (OSError, EOFError, ValueError, lzma.LZMAError) as exc:
                raise CLIError(f"{path}: a damaged {name} file ({exc})") from None
            break
    else:
        if data.startswith(b"PK\x03\x04"):
            return _unzip(path, data)
    if data.startswith(b"PAR1"):
        return data, "parquet"
    return data, "text"


def _unzip(path: str, data: bytes) -> tuple[bytes, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/") and "__MACOSX" not in n]
            if "[Content_Types].xml" in names:
                raise CLIError(f"{path}: an Excel (.xlsx) or other Office file: save it as CSV")
            if len(names) != 1:
                raise CLIError(
                    f"{path}: the zip archive holds {len(names)} files "
                    f"({', '.join(names[:5])}); unzip it and pass the data file"
                )
            inner = archive.read(names[0])
    except zipfile.BadZipFile as exc:
        raise CLIError(f"{path}: a damaged zip file ({exc})") from None
    return inner, "parquet" if inner.startswith(b"PAR1") else "text"


def decode(path: str, data: bytes, encoding: Optional[str]) -> tuple[str, str, Optional[str]]:
    """Decode text: the given encoding, else UTF-8 (or the byte-order mark's), else cp1252.

    Returns
    -------
    text : str
        Without a byte-order mark.
    codec : str
        The codec used.
    note : str or None
        Set when the UTF-8 fallback was taken.
    """
    if encoding is not None:
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding, None
        except LookupError:
            raise CLIError(f"--encoding {encoding}: not an encoding Python knows") from None
        except UnicodeDecodeError as exc:
            raise CLIError(
                f"{path}: not valid {encoding} (byte {data[exc.start]:#04x} at offset "
                f"{exc.start}); give the file's encoding with --encoding"
            ) from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name, None
            except UnicodeDecodeError as exc:
                raise CLIError(f"{path}: starts as {name} text but is not ({exc.reason})") from None
    head = data[:8192]
    for magic, what in _BINARY:
        if head.startswith(magic):
            raise CLIError(f"{path}: {what}, not a text table. {SUPPORTED}")
    if b"\x00" in head:
        raise CLIError(f"{path}: binary data, not a text table. {SUPPORTED}")
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError as exc:
        bad, line = data[exc.start], data.count(b"\n", 0, exc.start) + 1
    try:
        text, codec, used = data.decode(FALLBACK_ENCODING), FALLBACK_ENCODING, "Windows-1252"
    except UnicodeDecodeError:
        text, codec, used = data.decode("latin-1"), "latin-1", "Latin-1"
    note = (
        f"{path} is not UTF-8 (byte {bad:#04x} on line {line}): read as {used}; "
        "give --encoding if that is wrong"
    )
    return text, codec, note


# -- the delimiter and the decimal mark


def _records(sample: str, sep: str) -> list[list[str]]:
    """Split the sample's first records by ``sep`` (skip blank lines, drop a cut last line)."""
    lines = sample.splitlines()
    if len(sample) >= SAMPLE_CHARS and len(lines) > 1:
        lines = lines[:-1]
    if sep == WHITESPACE:
        rows = [line.split() for line in lines if line.strip()]
    else:
        rows = [r for r in csv.reader(lines, delimiter=sep) if _is_record(r)]
    return rows[: SAMPLE_RECORDS + 1]


def _is_record(row: Sequence[str]) -> bool:
    """Whether pandas reads a csv record as a row: not an empty or whitespace-only line."""
    return len(row) > 1 or (len(row) == 1 and bool(row[0].strip()))


def sniff_delimiter(sample: str) -> str:
    """Choose the delimiter whose split gives the header's number of fields on the most lines."""
    best, best_key = ",", (-1.0, 0, 0)
    for rank, sep in enumerate((*DELIMITERS, WHITESPACE)):
        rows = _records(sample, sep)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:] or rows
        agree = sum(len(r) == width for r in body) / len(body)
        key = (agree, width, -rank)
        if key > best_key:
            best, best_key = sep, key
    return best


def sniff_decimal(sample: str, sep: str) -> str:
    """Return "," when the data write decimal commas (never with a comma delimiter), else "."."""
    if sep == ",":
        return "."
    cells = [c.strip() for row in _records(sample, sep)[1:] for c in row]
    commas = sum(bool(_DECIMAL_COMMA.match(c)) for c in cells)
    points = sum(bool(_DECIMAL_POINT.match(c)) for c in cells)
    return "," if commas and not points else "."


def header_fields(sample: str, sep: str) -> list[str]:
    """Return the first record's fields, stripped."""
    rows = _records(sample, sep)
    return [c.strip() for c in rows[0]] if rows else []


def line_numbers(text: str, sep: str) -> list[int]:
    """Return the line each data row starts on, as pandas counts rows (blank lines skipped)."""
    if sep == WHITESPACE:
        return [i + 1 for i, line in enumerate(text.splitlines()) if line.strip()][1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts, last = [], 0
    for row in reader:
        if _is_record(row):
            starts.append(last + 1)
        last = reader.line_num
    return starts[1:]


# -- parsing


def _parse_text(path: str, text: str, utf8: bytes, options: ReadOptions) -> Table:
    notes = []
    sample = text[:SAMPLE_CHARS]
    sep = options.sep if options.sep is not None else sniff_delimiter(sample)
    decimal = options.decimal
    if decimal is None:
        decimal = sniff_decimal(sample, sep)
        if decimal == ",":
            notes.append(
                f"{path}: decimal commas (2,5) read as numbers; give --decimal . if that is wrong"
            )
    header = header_fields(sample, sep)
    if not header:
        raise CLIError(f"{path}: the file is empty (a header line naming the columns is needed)")
    _check_header(path, header)
    frame = _read_csv(path, utf8, sep, decimal, options.thousands)
    if frame.shape[1] != len(header):
        raise CLIError(
            f"{path}: the header has {len(header)} fields but the rows {frame.shape[1]} "
            f"(delimiter: {DELIMITER_NAMES.get(sep, repr(sep))}; give --sep if that is wrong)"
        )
    frame.columns = header
    lines: list[int] = []

    def where(row: int) -> str:
        if not lines:
            lines.extend(line_numbers(text, sep))
        return f"line {lines[row]}" if row < len(lines) else f"data row {row + 1}"

    return Table(frame, path, tuple(notes), where)


def _check_header(path: str, header: list[str]) -> None:
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        raise CLIError(f"{path}: duplicate column names {', '.join(map(repr, repeated))}")
    numbers = [v for v in map(_as_number, header) if v is not None and np.isfinite(v)]
    if 2 * len(numbers) >= len(header) and any(v != int(v) for v in numbers):
        shown = ", ".join(header[:4]) + (", ..." if len(header) > 4 else "")
        raise CLIError(
            f"{path}: the first line ({shown}) holds numbers, not column names: "
            "add a header line naming the columns"
        )


def _as_number(text: str) -> Optional[float]:
    try:
        return float(text)
    except ValueError:
        return None


def _read_csv(path: str, data: bytes, sep: str, decimal: str, thousands: Optional[str]) -> Any:
    import pandas as pd

    if thousands is None and sep != WHITESPACE and _has_pyarrow():
        # decimal only when it is not ".": pandas before 2.0 refuses it with this engine
        comma = {"decimal": decimal} if decimal != "." else {}
        try:
            return pd.read_csv(io.BytesIO(data), engine="pyarrow", sep=sep, **comma)
        except (ValueError, TypeError, pd.errors.ParserError):
            pass  # the C parser reads what pyarrow refuses (whitespace lines) or says where
    try:
        return pd.read_csv(
            io.BytesIO(data),
            engine="c",
            sep=sep,
            decimal=decimal,
            thousands=thousands,
            index_col=False,  # never take the first column as the index, even when rows are longer
        )
    except pd.errors.EmptyDataError:
        raise CLIError(
            f"{path}: the file is empty (a header line naming the columns is needed)"
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise CLIError(f"{path}: {_parser_message(str(exc), sep)}") from None


def _parser_message(message: str, sep: str) -> str:
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if found:
        width, line, seen = found.groups()
        return (
            f"line {line}: {seen} fields but the header has {width} "
            f"(delimiter: {DELIMITER_NAMES.get(sep, repr(sep))})"
        )
    return " ".join(message.split())


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _read_parquet(path: str, data: bytes) -> Table:
    import pandas as pd

    if not _has_pyarrow():
        raise CLIError(
            f"{path}: reading Parquet needs pyarrow, which is not installed: pip install pyarrow"
        )
    try:
        frame = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    except Exception as exc:  # noqa: BLE001 - pyarrow's errors have no common base besides this
        raise CLIError(f"{path}: not a readable Parquet file ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.reset_index(drop=True)
    return Table(frame, path, (), lambda row: f"row {row + 1}")


def read_table(path: str, options: ReadOptions) -> Table:
    """Read a delimited text or Parquet file into a :class:`Table`.

    Parameters
    ----------
    path : str
    options : ReadOptions

    Returns
    -------
    Table

    Raises
    ------
    CLIError
        A missing, unreadable, binary or malformed file, with its name.
    """
    data, kind = read_bytes(path)
    if kind == "parquet":
        return _read_parquet(path, data)
    text, codec, note = decode(path, data, options.encoding)
    # pandas parses UTF-8 bytes: the file's own when they are, without copying
    utf8 = data if codec == "utf-8" else text.encode("utf-8")
    table = _parse_text(path, text, utf8, options)
    if note:
        table = Table(table.frame, path, (note, *table.notes), table.where)
    return table
