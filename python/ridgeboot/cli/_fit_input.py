"""``ridgeboot fit``'s input: a CSV table, a ``.npz`` archive or an ``X.npy y.npy`` pair.

A CSV file has a header row (read with the csv module); a ``.npz`` holds arrays
``X`` and ``y`` (optionally ``feature_names`` and ``target_names``). Problems
with the input raise :class:`~ridgeboot.cli.CLIError` with a one-line message
that names the file, and the line or column where it can.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from ._common import CLIError

MIN_ROWS = 3
MISSING_TOKENS = frozenset({"", "na", "nan", "n/a", "null", "none"})


@dataclass(frozen=True)
class FitData:
    """The arrays to fit and their names.

    Attributes
    ----------
    X : ndarray of shape (n, p)
    Y : ndarray of shape (n, t)
    feature_names : tuple of str, length p
    target_names : tuple of str, length t
    skipped : tuple of str
        Non-numeric CSV columns left out of the default features.
    """

    X: np.ndarray
    Y: np.ndarray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    skipped: tuple[str, ...] = ()


# -- reading CSV


def _sniff_dialect(sample: str) -> Any:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_csv_table(path: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Read the header, data rows and their line numbers of a CSV file (blank lines skipped).

    Raises
    ------
    CLIError
        For a missing or empty file, duplicate column names, or a row whose
        number of fields differs from the header's.
    """
    if not os.path.isfile(path):
        raise CLIError(f"{path}: no such file")
    with open(path, newline="", encoding="utf-8-sig") as f:
        text = f.read()
    reader = csv.reader(text.splitlines(), _sniff_dialect(text[:4096]))
    lines = [(i + 1, row) for i, row in enumerate(reader) if any(c.strip() for c in row)]
    if not lines:
        raise CLIError(f"{path}: the file is empty (a header row naming the columns is needed)")
    header = [c.strip() for c in lines[0][1]]
    duplicates = sorted({c for c in header if header.count(c) > 1})
    if duplicates:
        raise CLIError(f"{path}: duplicate column names {duplicates}")
    for line_no, row in lines[1:]:
        if len(row) != len(header):
            raise CLIError(
                f"{path}, line {line_no}: {len(row)} fields but the header has {len(header)}"
            )
    return header, [row for _, row in lines[1:]], [line_no for line_no, _ in lines[1:]]


@dataclass(frozen=True)
class Column:
    """A CSV column parsed as numbers: values (NaN where missing), or why it is not numeric."""

    values: Optional[np.ndarray]
    bad_value: Optional[str] = None
    bad_line: Optional[int] = None

    @property
    def numeric(self) -> bool:
        """Whether every non-missing cell is a number."""
        return self.values is not None


def parse_column(cells: Sequence[str], line_numbers: Sequence[int]) -> Column:
    """Parse cells as floats; missing tokens ("", NA, NaN, null, ...) become NaN."""
    values = np.empty(len(cells))
    for i, cell in enumerate(cells):
        text = cell.strip()
        if text.lower() in MISSING_TOKENS:
            values[i] = np.nan
            continue
        try:
            values[i] = float(text)
        except ValueError:
            return Column(None, text, line_numbers[i])
    return Column(values)


def _require_numeric(
    path: str, name: str, column: Column, line_numbers: Sequence[int]
) -> np.ndarray:
    if column.values is None:
        raise CLIError(
            f"{path}: column {name!r} is not numeric (line {column.bad_line}: {column.bad_value!r})"
        )
    missing = np.flatnonzero(~np.isfinite(column.values))
    if missing.size:
        raise CLIError(
            f"{path}: column {name!r} has {missing.size} missing or non-finite value(s), first on "
            f"line {line_numbers[missing[0]]}; remove or impute them (or leave the column out "
            "with --features)"
        )
    return column.values


def load_csv(path: str, targets: Sequence[str], features: Optional[Sequence[str]]) -> FitData:
    """Read targets and features from a CSV (default features: every other numeric column)."""
    header, rows, line_numbers = read_csv_table(path)
    if len(rows) < MIN_ROWS:
        raise CLIError(f"{path}: {len(rows)} data row(s); at least {MIN_ROWS} are needed")
    wanted = list(targets) + list(features or [])
    unknown = [c for c in wanted if c not in header]
    if unknown:
        raise CLIError(f"{path}: no column {unknown[0]!r}; the columns are {', '.join(header)}")
    columns = {
        name: parse_column([row[j] for row in rows], line_numbers) for j, name in enumerate(header)
    }
    if features is None:
        features = [c for c in header if c not in targets and columns[c].numeric]
    overlap = [c for c in features if c in targets]
    if overlap:
        raise CLIError(f"column {overlap[0]!r} is both a target and a feature")
    if not features:
        raise CLIError(f"{path}: no numeric feature column besides the target(s)")
    Y = np.column_stack([_require_numeric(path, c, columns[c], line_numbers) for c in targets])
    X = np.column_stack([_require_numeric(path, c, columns[c], line_numbers) for c in features])
    skipped = tuple(
        c for c in header if c not in targets and c not in features and not columns[c].numeric
    )
    return FitData(X, Y, tuple(features), tuple(targets), skipped)


# -- reading numpy files


def _load_array_file(path: str) -> Any:
    if not os.path.isfile(path):
        raise CLIError(f"{path}: no such file")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise CLIError(f"{path}: not a readable numpy file ({exc})") from None


def _names(given: Any, default_prefix: str, count: int, what: str) -> tuple[str, ...]:
    if given is None:
        return tuple(f"{default_prefix}{j + 1}" for j in range(count))
    names = tuple(str(v) for v in np.atleast_1d(given))
    if len(names) != count:
        raise CLIError(f"{what} has {len(names)} names for {count} columns")
    return names


def arrays_to_data(X: Any, y: Any, source: str, names: Optional[dict[str, Any]] = None) -> FitData:
    """Check the shapes of arrays read from numpy files and name their columns."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2:
        raise CLIError(f"{source}: X must be 2-D (rows, features), got shape {X.shape}")
    if y.ndim not in (1, 2):
        raise CLIError(f"{source}: y must be 1-D or 2-D (rows, targets), got shape {y.shape}")
    if X.shape[0] < MIN_ROWS:
        raise CLIError(f"{source}: {X.shape[0]} row(s); at least {MIN_ROWS} are needed")
    Y = y.reshape(len(y), -1)
    names = names or {}
    return FitData(
        X,
        Y,
        _names(names.get("feature_names"), "x", X.shape[1], "feature_names"),
        _names(names.get("target_names"), "y", Y.shape[1], "target_names")
        if Y.shape[1] > 1 or names.get("target_names") is not None
        else ("y",),
    )


def load_npz(path: str) -> FitData:
    """Read arrays ``X``, ``y`` (and optional ``feature_names``, ``target_names``) of a .npz."""
    archive = _load_array_file(path)
    with archive:
        missing = [k for k in ("X", "y") if k not in archive.files]
        if missing:
            raise CLIError(f"{path}: no array {missing[0]!r} (it holds {', '.join(archive.files)})")
        names = {k: archive[k] for k in ("feature_names", "target_names") if k in archive.files}
        return arrays_to_data(archive["X"], archive["y"], path, names)


def load_data(
    paths: Sequence[str], targets: Optional[Sequence[str]], features: Optional[Sequence[str]]
) -> FitData:
    """Dispatch on the input form: DATA.csv, DATA.npz or X.npy y.npy."""
    is_numpy = len(paths) == 2 or paths[0].endswith((".npz", ".npy"))
    if len(paths) > 2:
        raise CLIError("give one data file (.csv or .npz) or two (X.npy y.npy)")
    if is_numpy and (targets or features):
        raise CLIError("--target and --features select CSV columns; .npz/.npy input has X and y")
    if len(paths) == 2:
        return arrays_to_data(
            _load_array_file(paths[0]), _load_array_file(paths[1]), " ".join(paths)
        )
    path = paths[0]
    if path.endswith(".npz"):
        return load_npz(path)
    if path.endswith(".npy"):
        raise CLIError(f"{path}: a .npy file holds one array; pass X.npy and y.npy together")
    if not targets:
        raise CLIError("name the target column(s) of the CSV with --target COL")
    return load_csv(path, targets, features)
