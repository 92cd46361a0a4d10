"""Input validation: dtypes, shapes, finiteness and options, with messages that say what to do."""

from __future__ import annotations

import math
import numbers
import os
import sys
from typing import Any, Callable, Optional

import numpy as np
import numpy.typing as npt

from . import _core
from ._sparse import as_csr, input_dtype, is_sparse, sparse_only_error
from ._threads import available_cpus, default_threads

SOLVERS = ("auto", "cholesky", "svd", "eigh")
# Limits of the core's draws (cpp/include/ridgeboot/rng.hpp): 32-bit replicate and row
# counters, a 64-bit seed.
MAX_SEED: int = _core.MAX_SEED
MAX_REPLICATES: int = _core.MAX_REPLICATES  # replicates per run
MAX_ROWS: int = _core.MAX_ROWS
SCHEMES = ("multinomial", "poisson")


F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
# values from which the finiteness check splits the rows among threads; smaller inputs
# are checked on the calling thread
_THREADED_CHECK: int = _core.FINITE_CHECK_THREADED
_ALL_FINITE: dict[Any, Callable[[Any, Any, int], bool]] = {
    F32: _core.all_finite_float32,
    F64: _core.all_finite_float64,
}


def _float_dtype(dtypes: list[np.dtype[Any]]) -> np.dtype[Any]:
    """float32 only when every input is float32; anything else numeric computes in float64."""
    return F32 if all(d == F32 for d in dtypes) else F64


def check_numeric(a: np.ndarray, name: str) -> None:
    """Raise TypeError for complex, object, string and other non-real dtypes."""
    kind = a.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} has complex dtype {a.dtype}; ridgeboot fits real data only")
    if kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")


def as_array(a: Any, name: str) -> np.ndarray:
    """Convert to an ndarray of a real numeric dtype (not yet cast)."""
    if isinstance(a, np.ndarray):
        arr = a
    else:
        try:
            arr = np.asarray(a)
        except (TypeError, ValueError) as exc:  # ragged lists and the like
            raise ValueError(f"{name} could not be converted to an array: {exc}") from None
    check_numeric(arr, name)
    return arr


def _pandas_kind(a: Any) -> Optional[str]:
    """Tell a pandas DataFrame ("frame") or Series ("series"); None for anything else.

    pandas is looked up only when it is already loaded.
    """
    pd = sys.modules.get("pandas")
    if pd is None:
        return None
    if isinstance(a, pd.DataFrame):
        return "frame"
    if isinstance(a, pd.Series):
        return "series"
    return None


def from_pandas(a: Any, name: str) -> tuple[Any, Optional[tuple[str, ...]]]:
    """Convert a DataFrame or Series to an ndarray and its column names (None otherwise).

    Numeric columns of any kind (float, int, bool, pandas' nullable Float64/Int64/boolean
    without missing values) are accepted, mixed; float32 is kept when every column is
    float32. A column with text (object, string, category) or with missing values is
    named in the error.

    Raises
    ------
    TypeError
        For a column that is not numeric.
    ValueError
        For a column with missing values (NaN, None, pd.NA).
    """
    if a is None or type(a) is np.ndarray:  # the common case, at no cost
        return a, None
    kind = _pandas_kind(a)
    if kind is None:
        return a, None
    frame = a.to_frame() if kind == "series" else a
    for col, dtype in frame.dtypes.items():
        label = f"{name} column {col!r}" if kind == "frame" else f"{name} (Series {col!r})"
        if dtype.kind not in "biuf":
            raise TypeError(
                f"{label} holds {dtype} values, not numbers: encode it as numbers "
                "(e.g. pandas.get_dummies) or drop it"
            )
        if frame[col].isna().any():
            raise ValueError(
                f"{label} has {int(frame[col].isna().sum())} missing value(s): remove or "
                "impute them"
            )
    dtypes = {np.dtype(d.numpy_dtype if hasattr(d, "numpy_dtype") else d) for d in frame.dtypes}
    dtype = F32 if dtypes == {F32} else F64
    values = frame.to_numpy(dtype=dtype)
    if kind == "series":
        values = values[:, 0]
        return values, (None if a.name is None else (str(a.name),))
    return values, tuple(str(c) for c in frame.columns)


def aligned(a: Any) -> Any:
    """Copy an array whose values are not aligned: the core loads whole values.

    (np.frombuffer at an odd offset; arrays unpickled from a network frame by Dask.)
    """
    return a if a is None or a.flags.aligned else np.array(a, order="C")


def cast(a: np.ndarray, dtype: np.dtype[Any], name: str, *, vector: bool = False) -> np.ndarray:
    """Cast to dtype, copying only when the core could not map the buffer as it is.

    A finite value beyond the range of float32 is refused (it would become inf).
    """
    if a.dtype != dtype:
        if dtype == np.float32 and a.size and a.dtype.kind == "f":
            with np.errstate(invalid="ignore"):
                big = np.nanmax(np.where(np.isfinite(a), np.abs(a), 0))
            if big > np.finfo(np.float32).max:
                raise ValueError(
                    f"{name} holds {big:.3g}, beyond the float32 range: pass float64 data"
                )
        a = a.astype(dtype)
    item = a.itemsize
    if not a.flags.aligned:
        return np.array(a, order="C")  # see aligned()
    # numpy calls some negative-stride views contiguous (length-1 axes): copy explicitly
    if vector:
        return a if a.ndim == 1 and a.strides[0] == item else a.copy(order="C")
    for s in a.strides:  # (a plain loop: this runs on every call, small fits included)
        if s < 0 or s % item:
            return a.copy(order="C")
    return a


def all_finite(X: np.ndarray, Y: np.ndarray, n_threads: int = 1) -> bool:
    """Whether every value of X and Y (arrays prepare() made) is finite.

    One native pass, split among ``n_threads`` threads for large arrays.
    """
    return bool(_ALL_FINITE[X.dtype](X, Y, n_threads))


def check_finite_array(a: np.ndarray, name: str) -> None:
    """Raise ValueError when a holds NaN or infinity."""
    if not np.isfinite(a).all():
        raise ValueError(
            f"{name} contains NaN or infinity; remove or impute those values "
            "(or pass check_finite=False if you are sure they are absent)"
        )


def name_non_finite(X: np.ndarray, Y: np.ndarray) -> None:
    """Raise the ValueError that names which of X and y holds NaN or infinity."""
    check_finite_array(X, "X")
    check_finite_array(Y, "y")


Names = Optional[tuple[str, ...]]


class Prepared:
    """Validated inputs in the layout the core expects, and the names the input carried."""

    __slots__ = (
        "X",
        "Y",
        "weight",
        "dtype",
        "y_1d",
        "n",
        "p",
        "t",
        "feature_names",
        "target_names",
        "finite_unchecked",
    )

    def __init__(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        weight: Optional[np.ndarray],
        y_1d: bool,
        feature_names: Names = None,
        target_names: Names = None,
    ):
        self.X, self.Y, self.weight, self.y_1d = X, Y, weight, y_1d
        self.dtype = X.dtype
        self.n, self.p = X.shape
        self.t = Y.shape[1]
        self.feature_names, self.target_names = feature_names, target_names
        # True when prepare() left the finiteness check to the core fit (fit_grid)
        self.finite_unchecked = False


def prepare(
    X: Any,
    y: Any,
    sample_weight: Any,
    check_finite: bool,
    *,
    min_rows: int = 1,
    sparse: Optional[str] = None,
    n_threads: Optional[int] = 1,
    defer_finite: bool = False,
) -> Prepared:
    """Validate X (n, p), y (n,) or (n, t), sample_weight (n,); cast them to one float dtype.

    pandas DataFrames and Series are accepted (:func:`from_pandas`); their column names
    become ``feature_names`` and ``target_names``. A scipy.sparse X becomes a
    :class:`ridgeboot._sparse.SparseX` (CSR, never densified) when ``sparse`` is
    None; else ``sparse`` names the entry point in the TypeError that refuses it.
    ``n_threads``: the caller's, for the finiteness check of large arrays.
    ``defer_finite``: leave the finiteness check of a dense X and y to the core
    (``Prepared.finite_unchecked``; :func:`ridgeboot._ridge.fit_grid` and the bootstrap
    engine make it in their own call, without a pass of their own where they can).
    """
    if is_sparse(X):
        if sparse is not None:
            raise sparse_only_error(sparse)
        return _prepare_sparse(X, y, sample_weight, check_finite, min_rows)
    X, feature_names = from_pandas(X, "X")
    y, target_names = from_pandas(y, "y")
    sample_weight, _ = from_pandas(sample_weight, "sample_weight")
    X = as_array(X, "X")
    y = as_array(y, "y")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (n_samples, n_features), got {X.ndim}-D")
    n, p = _check_shapes(X.shape, y, min_rows)
    dtype = F32 if X.dtype == F32 and y.dtype == F32 else F64
    X = cast(X, dtype, "X")
    Y = cast(y, dtype, "y")
    y_1d = Y.ndim == 1
    if y_1d:
        Y = Y.reshape(n, 1)
    if check_finite and not defer_finite:
        _check_finite(X, Y, n_threads)
    data = Prepared(X, Y, _weights(sample_weight, n, dtype), y_1d, feature_names, target_names)
    data.finite_unchecked = check_finite and defer_finite
    return data


def _check_finite(X: np.ndarray, Y: np.ndarray, n_threads: Optional[int]) -> None:
    """Raise the ValueError naming X or y if either holds NaN or infinity (one native pass)."""
    threads = resolve_threads(n_threads) if X.size + Y.size >= _THREADED_CHECK else 1
    if not all_finite(X, Y, threads):
        name_non_finite(X, Y)


def finish_finite_check(data: Prepared, n_threads: Optional[int] = 1) -> None:
    """Check here, for code that reads the values first, what prepare() left to the core."""
    if data.finite_unchecked:
        _check_finite(data.X, data.Y, n_threads)
        data.finite_unchecked = False


def _check_shapes(shape: tuple[int, ...], y: np.ndarray, min_rows: int) -> tuple[int, int]:
    """Check y against X's 2-D shape (dense or sparse); return (n, p)."""
    if y.ndim not in (1, 2):
        raise ValueError(
            f"y must be 1-D (n_samples,) or 2-D (n_samples, n_targets), got {y.ndim}-D"
        )
    n, p = shape
    if n < min_rows:
        raise ValueError(f"X has {n} rows; at least {min_rows} needed")
    if p == 0:
        raise ValueError("X has 0 features (columns)")
    if y.shape[0] != n:
        raise ValueError(f"X has {n} rows but y has {y.shape[0]}: they must match")
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError("y has 0 targets (columns)")
    return n, p


def _prepare_sparse(
    X: Any, y: Any, sample_weight: Any, check_finite: bool, min_rows: int
) -> Prepared:
    """:func:`prepare` for a scipy.sparse X: CSR arrays (:func:`ridgeboot._sparse.as_csr`)."""
    y, target_names = from_pandas(y, "y")
    sample_weight, _ = from_pandas(sample_weight, "sample_weight")
    y = as_array(y, "y")
    if len(X.shape) != 2:
        raise ValueError(f"sparse X must be 2-D (n_samples, n_features), got shape {X.shape}")
    n, p = _check_shapes(X.shape, y, min_rows)
    dtype = F32 if input_dtype(X) == F32 and y.dtype == F32 else F64
    Xs = as_csr(X, dtype, check_finite)
    Y = cast(y, dtype, "y")
    y_1d = Y.ndim == 1
    if y_1d:
        Y = Y.reshape(n, 1)
    if check_finite:
        check_finite_array(Y, "y")
    weight = _weights(sample_weight, n, dtype)
    return Prepared(Xs, Y, weight, y_1d, None, target_names)  # type: ignore[arg-type]


def _weights(sample_weight: Any, n: int, dtype: np.dtype[Any]) -> Optional[np.ndarray]:
    """Validate sample weights (n,) or a scalar; None stays None."""
    weight = None
    if sample_weight is not None:
        w = as_array(sample_weight, "sample_weight")
        if w.ndim == 0:
            w = np.full(n, w, dtype=dtype)
        if w.ndim != 1 or w.shape[0] != n:
            raise ValueError(f"sample_weight must have shape ({n},), got {w.shape}")
        weight = cast(w, dtype, "sample_weight", vector=True)
        if not np.isfinite(weight).all():
            raise ValueError("sample_weight contains NaN or infinity")
        if (weight < 0).any():
            raise ValueError("sample_weight must be non-negative")
        if not (weight > 0).any():
            raise ValueError("sample_weight is zero for every row: nothing to fit")
    return weight


def _scalar_alpha(alpha: Any) -> Optional[float]:
    """Return a plain real scalar alpha as a float (the fast path), else None."""
    if isinstance(alpha, (float, int, np.floating, np.integer)) and not isinstance(alpha, bool):
        return float(alpha)
    return None


def alpha_grid(
    alpha: Any, t: int, y_1d: bool, dtype: np.dtype[Any], name: str = "alpha"
) -> tuple[np.ndarray, bool]:
    """Per-target alpha (scalar or (t,)) -> ((1, t) grid, whether alpha had a target axis)."""
    value = _scalar_alpha(alpha)
    if value is not None:
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be finite and >= 0, got {value}")
        if dtype == F32:
            check_alpha_range(np.array([value]), dtype, name)
        grid = np.empty((1, t), dtype=dtype)
        grid.fill(value)
        return grid, False
    a = as_array(alpha, name)
    if a.ndim > 1:
        raise ValueError(f"{name} must be a scalar or have shape (n_targets,), got shape {a.shape}")
    per_target = a.ndim == 1
    if per_target and y_1d:
        raise ValueError(
            f"{name} has shape {a.shape}, one penalty per target, but y is 1-D: "
            f"pass a scalar {name} (or a 2-D y of shape (n, t))"
        )
    if per_target and a.shape[0] != t:
        raise ValueError(
            f"Number of targets and number of penalties do not correspond: "
            f"{name} has {a.shape[0]} values but y has {t} target(s)"
        )
    check_alpha_values(a, name)
    check_alpha_range(a, dtype, name)
    grid = np.ascontiguousarray(np.broadcast_to(a.astype(dtype), (t,)).reshape(1, t))
    return grid, per_target


def path_grid(
    alphas: Any, t: int, dtype: np.dtype[Any], name: str = "alphas"
) -> tuple[np.ndarray, bool]:
    """Scalar or (k,) alphas -> ((k, t) grid, whether there is an alpha axis)."""
    a = as_array(alphas, name)
    if a.ndim > 1:
        raise ValueError(
            f"{name} must be a scalar or a 1-D array of penalties, got shape {a.shape}"
        )
    has_axis = a.ndim == 1
    a = np.atleast_1d(a)
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    check_alpha_values(a, name)
    check_alpha_range(a, dtype, name)
    grid = np.ascontiguousarray(np.repeat(a.astype(dtype).reshape(-1, 1), t, axis=1))
    return grid, has_axis


def check_alpha_range(a: np.ndarray, dtype: np.dtype[Any], name: str) -> None:
    """Alphas must be representable in the computing dtype (float32 tops out at 3.4e38)."""
    if dtype == np.float32 and a.size and float(np.max(a)) > float(np.finfo(np.float32).max):
        raise ValueError(f"{name} exceeds the float32 range: pass float64 data or a smaller {name}")


def check_alpha_values(a: np.ndarray, name: str) -> None:
    """Alphas must be finite and non-negative."""
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite, got {a}")
    if (a < 0).any():
        raise ValueError(f"{name} must be >= 0, got {a}")


def check_rcond(rcond: Any) -> float:
    """Validate rcond (None: the core's default cutoff, passed on as 0)."""
    if rcond is None:
        return 0.0
    if isinstance(rcond, bool) or not isinstance(rcond, numbers.Real):
        raise TypeError(f"rcond must be a number or None, got {type(rcond).__name__}")
    value = float(rcond)
    if not (math.isfinite(value) and 0 < value < 1):
        raise ValueError(
            "rcond must be in (0, 1), a cutoff relative to the largest singular value; "
            f"got {rcond!r}"
        )
    return value


def check_choice(value: Any, choices: tuple[str, ...], name: str) -> str:
    """Check that a string option is one of choices."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def resolve_threads(n_threads: Optional[int]) -> int:
    """Thread count: as given (capped at 8x cores); -1 = every available core.

    None = every available core within a surrounding limit (``OMP_NUM_THREADS``,
    ``threadpoolctl.threadpool_limits``: see :mod:`ridgeboot._threads`).
    """
    cpus = available_cpus()
    if n_threads is None:
        return default_threads()
    if isinstance(n_threads, bool) or not isinstance(n_threads, numbers.Integral):
        raise TypeError(f"n_threads must be an int or None, got {type(n_threads).__name__}")
    n = int(n_threads)
    if n == -1:
        return cpus
    if n < 1:
        raise ValueError(f"n_threads must be >= 1, -1 (all cores) or None; got {n}")
    return min(n, 8 * cpus)


def check_bool(value: Any, name: str) -> bool:
    """Check that a flag is a bool (numpy bools too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_int(value: Any, name: str, minimum: int, maximum: Optional[int] = None) -> int:
    """Check an integer option lies within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    v = int(value)
    if v < minimum or (maximum is not None and v > maximum):
        upper = f" and <= {maximum}" if maximum is not None else ""
        raise ValueError(f"{name} must be >= {minimum}{upper}; got {v}")
    return v


def available_memory() -> int:
    """Bytes of memory available to allocate (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))  # pragma: no cover


def format_bytes(n: float) -> str:
    """Human-readable size."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def check_memory(nbytes: float, what: str, advice: str) -> None:
    """Raise MemoryError, saying how much and how to avoid it, when nbytes would not fit."""
    avail = available_memory()
    if nbytes > 0.9 * avail:
        raise MemoryError(
            f"{what} would need {format_bytes(nbytes)} but only {format_bytes(avail)} "
            f"is available; {advice}"
        )


FloatArray = npt.NDArray[np.floating[Any]]
