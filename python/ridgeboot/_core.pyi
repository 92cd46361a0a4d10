"""Type stubs for the private C++ extension (cpp/src/module.cpp and the bind_* files)."""

from typing import Any, Callable, Optional

import numpy as np
import numpy.typing as npt

_F64 = npt.NDArray[np.float64]
_F32 = npt.NDArray[np.float32]
_I32 = npt.NDArray[np.int32]

def fit_float64(
    X: _F64,
    Y: _F64,
    sample_weight: Optional[_F64],
    alphas: _F64,
    solver: str,
    fit_intercept: bool,
    svd_fallback: bool,
    rcond: float,
    n_threads: int,
    check_finite: bool,
) -> tuple[tuple[_F64, _F64], float, str, int]: ...
def fit_float32(
    X: _F32,
    Y: _F32,
    sample_weight: Optional[_F32],
    alphas: _F32,
    solver: str,
    fit_intercept: bool,
    svd_fallback: bool,
    rcond: float,
    n_threads: int,
    check_finite: bool,
) -> tuple[tuple[_F32, _F32], float, str, int]: ...

class NonFiniteInput(ValueError): ...

class EngineRequest:
    first: int
    n_boot: int
    chunk_sums: bool
    scheme: str
    seed: int
    block_len: int
    n_threads: int
    svd_fallback: bool
    keep_coefs: bool
    moments: bool
    fit_reference: bool
    coef_scale: float
    intercept_scale: float
    oob_rows: bool
    oob_mse: bool
    replicate_stats: bool
    select: str
    select_per_target: bool
    check_finite: bool
    def __init__(self) -> None: ...

def run_engine_float64(
    X: _F64,
    Y: _F64,
    sample_weight: Optional[_F64],
    alphas: _F64,
    solver: str,
    fit_intercept: bool,
    request: EngineRequest,
    counts: Optional[_I32],
    reference: Optional[tuple[_F64, _F64]],
    progress: Optional[Callable[[int], None]],
) -> dict[str, np.ndarray]: ...
def run_engine_float32(
    X: _F32,
    Y: _F32,
    sample_weight: Optional[_F32],
    alphas: _F32,
    solver: str,
    fit_intercept: bool,
    request: EngineRequest,
    counts: Optional[_I32],
    reference: Optional[tuple[_F32, _F32]],
    progress: Optional[Callable[[int], None]],
) -> dict[str, np.ndarray]: ...
def all_finite_float64(A: _F64, B: _F64, n_threads: int) -> bool: ...
def all_finite_float32(A: _F32, B: _F32, n_threads: int) -> bool: ...
def bootstrap_counts(
    n: int, n_boot: int, seed: int, scheme: str, block_len: int, n_threads: int
) -> _I32: ...
def moments_from_sums(
    sum: np.ndarray,
    sumsq: np.ndarray,
    full: np.ndarray,
    B: float,
    scale: float,
    overwrite: bool = False,
) -> tuple[np.ndarray, np.ndarray]: ...
def poisson_counts(
    row_start: int,
    n_rows: int,
    first: int,
    n_boot: int,
    seed: int,
    block_len: int,
    n_threads: int,
) -> _I32: ...

SUM_CHUNK: int
ENGINE_OUTPUTS: dict[str, str]
REFERENCE_FIT: tuple[str, ...]
REPLICATE_STATS: tuple[str, ...]
MAX_REPLICATES: int
MAX_ROWS: int
FINITE_CHECK_THREADED: int
MAX_SEED: int
ILL_CONDITIONED: float

def philox4x32_10(counter: list[int], key: list[int]) -> list[int]: ...
def build_info() -> dict[str, Any]: ...
def thread_limit() -> int: ...
def cv_scores_float64(
    X: _F64,
    Y: _F64,
    sample_weight: Optional[_F64],
    alphas: _F64,
    fit_intercept: bool,
    method: str,
    n_threads: int,
    keep_rows: bool = ...,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    Optional[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]],
    Optional[npt.NDArray[np.float64]],
]: ...
def cv_scores_float32(
    X: _F32,
    Y: _F32,
    sample_weight: Optional[_F32],
    alphas: _F32,
    fit_intercept: bool,
    method: str,
    n_threads: int,
    keep_rows: bool = ...,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    Optional[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]],
    Optional[npt.NDArray[np.float64]],
]: ...
def rank_cutoff_float64(m: int, p: int) -> float: ...
def rank_cutoff_float32(m: int, p: int) -> float: ...

# sparse X (cpp/src/bind_sparse.hpp): CSR arrays (int64 indptr and indices, values)
_I64 = npt.NDArray[np.int64]

def fit_sparse_float64(
    indptr: _I64,
    indices: _I64,
    data: _F64,
    n: int,
    p: int,
    Y: _F64,
    sample_weight: Optional[_F64],
    alphas: _F64,
    solver: str,
    fit_intercept: bool,
    svd_fallback: bool,
    rcond: float,
) -> tuple[tuple[_F64, _F64], float, str, int]: ...
def fit_sparse_float32(
    indptr: _I64,
    indices: _I64,
    data: _F32,
    n: int,
    p: int,
    Y: _F32,
    sample_weight: Optional[_F32],
    alphas: _F32,
    solver: str,
    fit_intercept: bool,
    svd_fallback: bool,
    rcond: float,
) -> tuple[tuple[_F32, _F32], float, str, int]: ...
def cv_scores_sparse_float64(
    indptr: _I64,
    indices: _I64,
    data: _F64,
    n: int,
    p: int,
    Y: _F64,
    sample_weight: Optional[_F64],
    alphas: _F64,
    fit_intercept: bool,
    method: str,
    keep_rows: bool = ...,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    Optional[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]],
    Optional[npt.NDArray[np.float64]],
]: ...
def cv_scores_sparse_float32(
    indptr: _I64,
    indices: _I64,
    data: _F32,
    n: int,
    p: int,
    Y: _F32,
    sample_weight: Optional[_F32],
    alphas: _F32,
    fit_intercept: bool,
    method: str,
    keep_rows: bool = ...,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    Optional[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]],
    Optional[npt.NDArray[np.float64]],
]: ...
def run_engine_sparse_float64(
    indptr: _I64,
    indices: _I64,
    data: _F64,
    n: int,
    p: int,
    Y: _F64,
    sample_weight: Optional[_F64],
    alphas: _F64,
    solver: str,
    fit_intercept: bool,
    request: EngineRequest,
    counts: Optional[_I32],
    reference: Optional[tuple[_F64, _F64]],
    progress: Optional[Callable[[int], None]],
) -> dict[str, np.ndarray]: ...
def run_engine_sparse_float32(
    indptr: _I64,
    indices: _I64,
    data: _F32,
    n: int,
    p: int,
    Y: _F32,
    sample_weight: Optional[_F32],
    alphas: _F32,
    solver: str,
    fit_intercept: bool,
    request: EngineRequest,
    counts: Optional[_I32],
    reference: Optional[tuple[_F32, _F32]],
    progress: Optional[Callable[[int], None]],
) -> dict[str, np.ndarray]: ...
