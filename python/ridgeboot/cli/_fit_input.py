"""``ridgeboot fit``'s input: a table file's columns, a ``.npz`` archive or an ``X.npy y.npy`` pair.

A table (read by :mod:`~ridgeboot.cli._table`) becomes numbers column by
column: numbers as they are, true/false as 1/0, a column of text one 0/1 column
per level when ``--onehot`` names it. A leading unnamed column that numbers the
rows (0..n-1 or 1..n) or labels them (distinct text) is a row index and left
out with a note. A numeric column with a cell that is not a number is an error
naming the column, line and value; the text columns a fit would use are listed
in one error with the ways out (``--drop COL``, ``--onehot COL``). A ``.npz``
holds arrays ``X`` and ``y`` (optionally ``feature_names`` and ``target_names``).
Problems raise :class:`~ridgeboot.cli.CLIError` with a one-line message that
names the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from ._common import CLIError
from ._table import ReadOptions, Table, read_table

MIN_ROWS = 3
SHOWN_NAMES = 20  # column names listed in an error
_UNNAMED = re.compile(r"^(Unnamed: \d+)?$")  # an empty header cell, or pandas' name for one
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
TRUE_FALSE = {"true": 1.0, "false": 0.0}


@dataclass(frozen=True)
class FitData:
    """The arrays to fit and their names.

    Attributes
    ----------
    X : ndarray of shape (n, p)
    Y : ndarray of shape (n, t)
    feature_names : tuple of str, length p
    target_names : tuple of str, length t
    notes : tuple of str
        What reading decided (an index column left out, the encoding, levels of
        one-hot columns), printed with the data summary.
    dropped : tuple of str
        Columns of the file left out: ``--drop``, a row index, empty columns.
    """

    X: np.ndarray
    Y: np.ndarray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    notes: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Selection:
    """Which columns of a table to use (the command line's ``--target`` and the like).

    Attributes
    ----------
    targets : tuple of str
    features : tuple of str or None
        None: every column that is not a target, dropped or the index.
    drop, onehot : tuple of str
    fit_intercept : bool
        With an intercept a one-hot column leaves out its first level (the reference).
    """

    targets: tuple[str, ...] = ()
    features: Optional[tuple[str, ...]] = None
    drop: tuple[str, ...] = ()
    onehot: tuple[str, ...] = ()
    fit_intercept: bool = True

    @property
    def names_columns(self) -> bool:
        """Whether any column was named (which only a table has)."""
        return bool(self.targets or self.features or self.drop or self.onehot)


# -- one column


@dataclass(frozen=True)
class Column:
    """A column of a table read as numbers, or why it is not.

    Attributes
    ----------
    values : ndarray of shape (n,) or None
        float64, NaN where a cell is missing; None for text.
    kind : str
        "number", "boolean", "text" (mostly not numbers) or "bad" (numbers but
        for ``n_bad`` cells, the first at ``bad_row``: ``bad_value``).
    cells : pandas.Series or None
        The cells as read, kept for a text column (its levels, whether it labels the rows).
    """

    values: Optional[np.ndarray]
    kind: str
    bad_row: int = -1
    bad_value: str = ""
    n_bad: int = 0
    cells: Any = field(default=None, repr=False)


def parse_column(series: Any) -> Column:
    """Read a pandas column as numbers: numbers, true/false as 1/0, else text or bad cells."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(series.dtype):  # numpy's, or pandas' nullable "boolean"
        return Column(series.to_numpy(dtype=np.float64, na_value=np.nan), "boolean")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return Column(series.to_numpy(dtype=np.float64, na_value=np.nan), "number")
    missing = series.isna().to_numpy()
    text = series.astype(object).where(~missing, "").astype(str).str.strip()
    lowered = text.str.lower()
    if lowered[~missing].isin(list(TRUE_FALSE)).all() and not missing.all():
        values = lowered.map(TRUE_FALSE).to_numpy(dtype=np.float64, na_value=np.nan)
        return Column(values, "boolean")
    values = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = np.flatnonzero(~missing & np.isnan(values) & (lowered != "nan").to_numpy())
    present = int((~missing).sum())
    if bad.size == 0:
        return Column(values, "number")
    if 2 * (present - bad.size) >= present:
        return Column(values, "bad", int(bad[0]), str(text.iloc[bad[0]]), int(bad.size))
    return Column(None, "text", int(bad[0]), str(text.iloc[bad[0]]), int(bad.size), series)


def counts_rows(values: Optional[np.ndarray]) -> Optional[str]:
    """Return "0..n-1" or "1..n" when the values number the rows so, else None."""
    if values is None or values.size == 0:
        return None
    steps = np.arange(values.size, dtype=np.float64)
    if np.array_equal(values, steps):
        return "0..n-1"
    if np.array_equal(values, steps + 1):
        return "1..n"
    return None


# -- a table's columns to arrays


def _where_bad(path: str, table: Table, name: str, col: Column) -> str:
    return f"{path}: column {name!r}, {table.where(col.bad_row)}: {col.bad_value!r} is not a number"


def _bad_cell_error(table: Table, name: str, col: Column) -> CLIError:
    more = f" ({col.n_bad - 1} more such cells)" if col.n_bad > 1 else ""
    hints = []
    if _THOUSANDS.match(col.bad_value):
        hints.append("if ',' groups thousands, give --thousands ,")
    if _DECIMAL_COMMA.match(col.bad_value):
        hints.append("if ',' is the decimal mark, give --decimal ,")
    hint = "; ".join(hints) or f"correct the cell, or leave the column out: --drop {name}"
    return CLIError(
        f"{_where_bad(table.path, table, name, col)}, though the column's other cells are{more}; "
        f"{hint}"
    )


def _require_complete(table: Table, name: str, values: np.ndarray, target: bool) -> np.ndarray:
    missing = np.flatnonzero(~np.isfinite(values))
    if missing.size:
        out = "" if target else f" (or leave the column out: --drop {name})"
        raise CLIError(
            f"{table.path}: column {name!r} has {missing.size} missing or non-finite value(s), "
            f"first on {table.where(int(missing[0]))}; remove or impute them{out}"
        )
    return values


def _columns(table: Table) -> list[tuple[str, Any]]:
    frame = table.frame
    return [(str(frame.columns[j]), frame.iloc[:, j]) for j in range(frame.shape[1])]


def row_labels(col: Column) -> Optional[str]:
    """Say how a column identifies the rows (a range, distinct integers or text), else None."""
    rows = counts_rows(col.values)
    if rows:
        return f"numbers the rows {rows}"
    v = col.values
    if (
        v is not None
        and np.isfinite(v).all()
        and (v == np.round(v)).all()
        and np.unique(v).size == v.size
    ):
        return "numbers the rows (distinct integers)"
    if col.kind == "text" and col.cells.notna().all() and col.cells.is_unique:
        return "labels the rows (distinct text)"
    return None


def _index_and_empty(table: Table, parsed: dict[int, Column]) -> tuple[set[int], list[str]]:
    """Find the unnamed columns to leave out (a row index, empty columns); note each."""
    skip, notes = set(), []
    for j, (name, _) in enumerate(_columns(table)):
        if not _UNNAMED.match(name):
            continue
        col = parsed[j]
        labels = row_labels(col) if j == 0 else None
        if labels:
            notes.append(f"the first column has no name and {labels}: a row index, left out")
        elif col.values is not None and np.isnan(col.values).all():
            notes.append(f"column {j + 1} has no name and no values: left out")
        else:
            raise CLIError(
                f"{table.path}: column {j + 1} has no name in the header line: name it (a first "
                "column without a name is left out as a row index when it numbers or labels "
                "the rows)"
            )
        skip.add(j)
    return skip, notes


def _unknown_column(table: Table, name: str, names: Sequence[str]) -> CLIError:
    shown = ", ".join(names[:SHOWN_NAMES]) + (", ..." if len(names) > SHOWN_NAMES else "")
    numeric = all(re.fullmatch(r"[+-]?\d+", n) for n in names if n)
    hint = " (the first line holds numbers: has the file a header line?)" if numeric else ""
    if len(names) == 1:
        hint = " (one column only: if the delimiter is another, give it with --sep)"
    return CLIError(f"{table.path}: no column {name!r}; the columns are {shown}{hint}")


def _one_hot(
    table: Table, name: str, series: Any, drop_first: bool
) -> tuple[np.ndarray, list[str], str]:
    missing = series.isna().to_numpy()
    if missing.any():
        raise CLIError(
            f"{table.path}: column {name!r} (--onehot) has {int(missing.sum())} missing "
            f"cell(s), first on {table.where(int(np.flatnonzero(missing)[0]))}"
        )
    text = series.astype(str).str.strip()
    levels = sorted(set(text), key=_level_key)
    if len(levels) < 2:
        raise CLIError(f"{table.path}: column {name!r} (--onehot) has one level: nothing to fit")
    kept = levels[1:] if drop_first else levels
    block = np.column_stack([(text == level).to_numpy(dtype=np.float64) for level in kept])
    reference = f", reference level {levels[0]!r} (the intercept)" if drop_first else ""
    note = f"--onehot {name}: {len(kept)} 0/1 columns {name}=<level>{reference}"
    return block, [f"{name}={level}" for level in kept], note


def _level_key(level: str) -> tuple[int, float, str]:
    try:
        return (0, float(level), level)
    except ValueError:
        return (1, 0.0, level)


def table_to_data(table: Table, sel: Selection) -> FitData:
    """Turn a table's columns into the arrays to fit, as :class:`Selection` says."""
    columns = _columns(table)
    names = [name for name, _ in columns]
    if len(table.frame) < MIN_ROWS:
        raise CLIError(f"{table.path}: {len(table.frame)} data row(s); at least {MIN_ROWS} needed")
    for name in (*sel.targets, *(sel.features or ()), *sel.drop, *sel.onehot):
        if name not in names:
            raise _unknown_column(table, name, names)
    parsed = {j: parse_column(series) for j, (_, series) in enumerate(columns)}
    skip, notes = _index_and_empty(table, parsed)
    notes = list(table.notes) + notes
    position = {name: j for j, name in enumerate(names) if j not in skip}
    both = [c for c in sel.targets if c in (sel.features or ()) or c in sel.drop or c in sel.onehot]
    if both:
        raise CLIError(f"column {both[0]!r} is both a target and a feature (or dropped)")
    if sel.features is not None:
        features = [c for c in sel.features if c not in sel.drop]
    else:
        features = [c for c in position if c not in sel.targets and c not in sel.drop]
        for c in features:
            if c not in sel.onehot and (rows := counts_rows(parsed[position[c]].values)):
                notes.append(f"column {c!r} numbers the rows {rows}: if it is an index, --drop {c}")
    outside = [c for c in sel.onehot if c not in features]
    if outside:
        raise CLIError(f"--onehot {outside[0]}: the column is not among the features")
    if not features:
        raise CLIError(f"{table.path}: no feature column besides the target(s)")
    Y = np.column_stack([_numeric(table, c, parsed[position[c]], target=True) for c in sel.targets])
    for c in features:  # the first bad cell, before listing text columns
        if c not in sel.onehot and parsed[position[c]].kind == "bad":
            raise _bad_cell_error(table, c, parsed[position[c]])
    text = [c for c in features if c not in sel.onehot and parsed[position[c]].kind == "text"]
    if text:
        raise _text_columns_error(table, text, [parsed[position[c]] for c in text])
    blocks, feature_names = [], []
    for c in features:
        if c in sel.onehot:
            block, block_names, note = _one_hot(
                table, c, columns[position[c]][1], sel.fit_intercept
            )
            notes.append(note)
        else:
            block, block_names = _numeric(table, c, parsed[position[c]])[:, None], [c]
        blocks.append(block)
        feature_names.extend(block_names)
    dropped = [names[j] or f"column {j + 1}" for j in sorted(skip)] + list(sel.drop)
    return FitData(
        np.column_stack(blocks),
        Y,
        tuple(feature_names),
        tuple(sel.targets),
        tuple(notes),
        tuple(dropped),
    )


def _numeric(table: Table, name: str, col: Column, target: bool = False) -> np.ndarray:
    if col.kind == "bad":
        raise _bad_cell_error(table, name, col)
    if col.values is None:
        role = "the target" if target else "a feature"
        raise CLIError(f"{_where_bad(table.path, table, name, col)}: {role} column must be numeric")
    return _require_complete(table, name, col.values, target)


def _text_columns_error(table: Table, names: Sequence[str], cols: Sequence[Column]) -> CLIError:
    listed = ", ".join(
        f"{name!r} ({table.where(c.bad_row)}: {c.bad_value!r})" for name, c in zip(names, cols)
    )
    first = names[0]
    return CLIError(
        f"{table.path}: {len(names)} text column(s) among the features: {listed}. A feature must "
        f"be numeric: leave a column out with --drop {first}, or turn it into one 0/1 column "
        f"per value with --onehot {first}"
    )


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


def load_data(paths: Sequence[str], sel: Selection, options: ReadOptions) -> FitData:
    """Dispatch on the input form: a table file, DATA.npz or X.npy y.npy.

    Parameters
    ----------
    paths : sequence of str
        One table or .npz file, or two .npy files.
    sel : Selection
        The columns to use (tables only).
    options : ReadOptions
        How to read a text table.

    Returns
    -------
    FitData
    """
    if len(paths) > 2:
        raise CLIError("give one data file (a table or .npz) or two (X.npy y.npy)")
    is_numpy = len(paths) == 2 or paths[0].endswith((".npz", ".npy"))
    if is_numpy and sel.names_columns:
        raise CLIError(
            "--target, --features, --drop and --onehot name columns of a table; "
            ".npz/.npy input has X and y"
        )
    if len(paths) == 2:
        return arrays_to_data(
            _load_array_file(paths[0]), _load_array_file(paths[1]), " ".join(paths)
        )
    path = paths[0]
    if path.endswith(".npz"):
        return load_npz(path)
    if path.endswith(".npy"):
        raise CLIError(f"{path}: a .npy file holds one array; pass X.npy and y.npy together")
    if not sel.targets:
        raise CLIError("name the target column(s) of the table with --target COL")
    return table_to_data(read_table(path, options), sel)
