"""Sparse X: scipy.sparse matrices and arrays as the core's CSR arrays, never densified.

The core (``cpp/include/ridgeboot/sparse.hpp``) forms the weighted, centred Gram
X^T W X and the cross-products X^T W y from the stored entries of each row, with
the intercept by implicit centring that does not cancel for columns with large
means; the solvers then work on the (p, p) Gram. Memory O(nnz + p^2 + p t).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

# The solvers that run on the Gram of a sparse X ("svd" factors the rows themselves).
SPARSE_SOLVERS = ("auto", "cholesky", "eigh")


def is_sparse(a: Any) -> bool:
    """Whether ``a`` is a scipy.sparse matrix or array (scipy is looked up only when loaded)."""
    sp = sys.modules.get("scipy.sparse")
    return sp is not None and bool(sp.issparse(a))


class SparseX:
    """A validated CSR matrix in the layout the core maps without a copy.

    Attributes
    ----------
    indptr, indices : ndarray of int64
        Row pointers (n + 1) and column indices (nnz), each column at most once per row.
    data : ndarray of float32 or float64
        The stored values (nnz), all finite unless the caller skipped the check.
    shape : tuple of int
    dtype : numpy.dtype
    csr : scipy.sparse CSR matrix or array
        The same arrays as a scipy object (products with dense matrices).
    """

    __slots__ = ("indptr", "indices", "data", "shape", "dtype", "csr")
    ndim = 2

    def __init__(self, csr: Any):
        self.csr = csr
        self.indptr = np.ascontiguousarray(csr.indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(csr.indices, dtype=np.int64)
        self.data = np.ascontiguousarray(csr.data)
        self.shape = (int(csr.shape[0]), int(csr.shape[1]))
        self.dtype = self.data.dtype

    @property
    def nnz(self) -> int:
        """Number of stored values."""
        return int(self.data.shape[0])

    def core_args(self) -> tuple[Any, ...]:
        """(indptr, indices, data, n, p): the leading arguments of the core's sparse functions."""
        return (self.indptr, self.indices, self.data, self.shape[0], self.shape[1])

    def rows(self, mask: np.ndarray) -> Any:
        """Return the rows where ``mask`` is true, as a scipy CSR object."""
        return self.csr[np.flatnonzero(mask)]


def input_dtype(X: Any) -> np.dtype[Any]:
    """Return the dtype of a sparse matrix's stored values, checked to be real and numeric.

    Raises
    ------
    TypeError
        For complex, object and other non-real values.
    """
    dtype: np.dtype[Any] = np.dtype(X.dtype)
    if dtype.kind == "c":
        raise TypeError(f"sparse X has complex dtype {dtype}; ridgeboot fits real data only")
    if dtype.kind not in "biuf":
        raise TypeError(f"sparse X must hold real numbers, got dtype {dtype}")
    return dtype


def as_csr(X: Any, dtype: np.dtype[Any], check_finite: bool) -> SparseX:
    """Convert a scipy.sparse matrix or array to a canonical CSR of ``dtype``.

    CSR is used as it is (its values cast only when their dtype differs); CSC, COO,
    LIL, DOK, BSR and DIA are converted to CSR (one copy of the nnz stored values,
    never a dense array). Duplicate entries (COO, non-canonical CSR) are summed, as
    scipy's ``toarray`` would. Indices of any integer width are accepted (int32 is
    widened to int64).

    Raises
    ------
    ValueError
        For a sparse X that is not 2-D, or stored values that are NaN or infinite
        (with ``check_finite``).
    """
    if len(X.shape) != 2:
        raise ValueError(f"sparse X must be 2-D (n_samples, n_features), got shape {X.shape}")
    input_dtype(X)
    csr = X if X.format == "csr" else X.tocsr()
    if csr.dtype != dtype:
        if dtype == np.float32 and csr.nnz and csr.dtype.kind == "f":
            with np.errstate(invalid="ignore"):
                big = np.nanmax(np.where(np.isfinite(csr.data), np.abs(csr.data), 0))
            if big > np.finfo(np.float32).max:
                raise ValueError(f"X holds {big:.3g}, beyond the float32 range: pass float64 data")
        csr = csr.astype(dtype)
    if not csr.has_canonical_format:
        csr = csr.copy() if csr is X else csr
        csr.sum_duplicates()
    if check_finite and not np.isfinite(csr.data).all():
        raise ValueError(
            "X (sparse) contains NaN or infinity among its stored values; remove or impute "
            "them (or pass check_finite=False if you are sure they are absent)"
        )
    return SparseX(csr)


def check_sparse_solver(solver: str) -> None:
    """Refuse "svd" for sparse X, naming the solvers that take it.

    Raises
    ------
    ValueError
        For solver="svd".
    """
    if solver == "svd":
        raise ValueError(
            "solver='svd' does not support sparse X: it factors the rows of X; the solvers "
            f"for sparse X are {', '.join(map(repr, SPARSE_SOLVERS))} (they work on the "
            "Gram X^T W X; 'eigh' gives the minimum-norm solution at alpha = 0), or pass "
            "X.toarray()"
        )


def sparse_only_error(entry: str) -> TypeError:
    """Return the error of an entry point that does not take sparse X."""
    return TypeError(
        f"{entry} does not take sparse X; rb.ridge, rb.ridge_path, rb.ridge_cv, "
        "rb.bootstrap and ridgeboot.sklearn's Ridge and RidgeCV do. Pass X.toarray() to "
        "densify it"
    )


def predict_sparse(X: Any, coef: np.ndarray, intercept: Any, dtype: np.dtype[Any]) -> Any:
    """X @ coef + intercept for a sparse X (n, p), never densified."""
    if len(X.shape) != 2 or X.shape[1] != coef.shape[0]:
        raise ValueError(f"X must have shape (n_samples, {coef.shape[0]}), got {X.shape}")
    input_dtype(X)
    return np.asarray(X.astype(dtype) @ coef) + intercept
