"""Type stubs for the private C++ extension (see cpp/src/bindings.cpp)."""

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
    n_threads: int,
) -> tuple[_F64, _F64, float]: ...
def fit_float32(
    X: _F32,
    Y: _F32,
    sample_weight: Optional[_F32],
    alphas: _F32,
    solver: str,
    fit_intercept: bool,
    n_threads: int,
) -> tuple[_F32, _F32, float]: ...
def bootstrap_float64(
    X: _F64,
    Y: _F64,
    sample_weight: Optional[_F64],
    alphas: _F64,
    solver: str,
    fit_intercept: bool,
    first: int,
    n_boot: int,
    chunk_sums: bool,
    scheme: str,
    block_len: int,
    seed: int,
    counts: Optional[_I32],
    n_threads: int,
    keep_coefs: bool,
    reference: Optional[tuple[_F64, _F64]],
    oob_rows: bool,
    oob_mse: bool,
    replicate_stats: bool,
    progress: Optional[Callable[[int], None]],
) -> dict[str, np.ndarray]: ...
def bootstrap_float32(
    X: _F32,
    Y: _F32,
    sample_weight: Optional[_F32],
    alphas: _F32,
    solver: str,
    fit_intercept: bool,
    first: int,
    n_boot: int,
    chunk_sums: bool,
    scheme: str,
    block_len: int,
    seed: int,
    counts: Optional[_I32],
    n_threads: int,
    keep_coefs: bool,
    reference: Optional[tuple[_F32, _F32]],
    oob_rows: bool,
    oob_mse: bool,
    replicate_stats: bool,
    progress: Optional[Callable[[int], None]],
) -> dict[str, np.ndarray]: ...
def all_finite_float64(A: _F64, B: _F64) -> bool: ...
def all_finite_float32(A: _F32, B: _F32) -> bool: ...
def bootstrap_counts(
    n: int, n_boot: int, seed: int, scheme: str, block_len: int, n_threads: int
) -> _I32: ...
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
MAX_REPLICATES: int
MAX_ROWS: int
MAX_SEED: int

def philox4x32_10(counter: list[int], key: list[int]) -> list[int]: ...
def build_info() -> dict[str, Any]: ...
