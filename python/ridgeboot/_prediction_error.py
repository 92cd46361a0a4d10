"""Prediction error from the bootstrap: Efron's .632 and Efron & Tibshirani's .632+ estimators.

The engine returns, per training row i, the sum over the replicates that left it out of
its squared error and how many they were. From those and the full-data fit this module
forms the three quantities the estimators combine, per alpha and target: the training
error of the full fit, the no-information error, and the leave-one-out bootstrap error
Err(1). A result keeps only these (k, t) arrays, not the per-row sums.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._sparse import SparseX

ROWS_PER_BLOCK_BYTES = 32 * 2**20  # predictions formed per block of rows, to bound memory


@dataclass(frozen=True)
class ErrorParts:
    """What the .632 estimators combine, each of shape (k, t).

    Attributes
    ----------
    train_mse : ndarray
        Training (apparent) error of the full-data fit, weighted by sample_weight.
    no_information : ndarray
        No-information error gamma: the expected squared error if targets and
        predictions were independent, sum_ij v_i v_j (y_i - yhat_j)^2 / (sum v)^2.
    err1 : ndarray
        Leave-one-out bootstrap error: per row the mean loss over the replicates that
        left it out, then the weighted mean over the rows left out at least once.
    """

    train_mse: np.ndarray
    no_information: np.ndarray
    err1: np.ndarray


def error_parts(
    X: np.ndarray,
    Y: np.ndarray,
    weight: Optional[np.ndarray],
    coef: np.ndarray,
    intercept: np.ndarray,
    oob_loss: np.ndarray,
    oob_count: np.ndarray,
) -> ErrorParts:
    """Form the .632 parts from the data, the full fit and the per-row out-of-bag sums.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    Y : ndarray of shape (n, t)
    weight : ndarray of shape (n,) or None
    coef : ndarray of shape (k, p, t)
        The full-data fit per alpha.
    intercept : ndarray of shape (k, t)
    oob_loss : ndarray of shape (n, k, t)
        Per row, the sum of its squared error over the replicates that left it out.
    oob_count : ndarray of shape (n,)
        Per row, how many replicates left it out.

    Returns
    -------
    ErrorParts

    Raises
    ------
    ValueError
        When no row was ever out of bag.
    """
    n = X.shape[0]
    v = weight if weight is not None else np.ones(n, dtype=X.dtype)
    v = v.astype(np.float64) / v.sum()
    k, p, t = coef.shape
    coef64, icpt64 = coef.astype(np.float64), intercept.astype(np.float64)
    sparse = isinstance(X, SparseX)  # CSR rows times the coefficients, never densified
    X64 = X.csr.astype(np.float64) if isinstance(X, SparseX) else X.astype(np.float64)
    Y64 = Y.astype(np.float64)
    err, pbar, p2 = np.zeros((k, t)), np.zeros((k, t)), np.zeros((k, t))
    step = max(1, ROWS_PER_BLOCK_BYTES // (8 * k * t))
    for r0 in range(0, n, step):
        w, Yb = v[r0 : r0 + step], Y64[r0 : r0 + step]
        if sparse:
            rows = X64[r0 : r0 + step]
            prod = np.stack([np.asarray(rows @ c) for c in coef64])
        else:
            prod = np.einsum("np,kpt->knt", X64[r0 : r0 + step], coef64)
        pred = prod + icpt64[:, None, :]
        err += np.einsum("n,knt->kt", w, (Yb[None] - pred) ** 2)
        pbar += np.einsum("n,knt->kt", w, pred)
        p2 += np.einsum("n,knt->kt", w, pred**2)
    ybar, y2 = v @ Y64, v @ Y64**2
    gamma = y2[None] - 2 * ybar[None] * pbar + p2
    seen = oob_count > 0
    if not seen.any():
        raise ValueError("no row was ever out of bag; increase n_boot")
    vs = (np.ones(n) if weight is None else np.asarray(weight, dtype=np.float64))[seen]
    per_row = oob_loss[seen] / oob_count[seen][:, None, None]
    err1 = np.einsum("n,nkt->kt", vs / vs.sum(), per_row)
    return ErrorParts(err, gamma, err1)


def err632(parts: ErrorParts) -> np.ndarray:
    """Efron's .632 estimate, 0.368 * training error + 0.632 * Err(1); shape (k, t)."""
    return 0.368 * parts.train_mse + 0.632 * parts.err1


def err632plus(parts: ErrorParts) -> np.ndarray:
    """Efron & Tibshirani's .632+ estimate (1997), shape (k, t).

    With gamma the no-information error and R = (Err1 - err) / (gamma - err) the
    relative overfitting rate (0 unless Err1 > err and gamma > err), w = 0.632 /
    (1 - 0.368 R) and the estimate is (1 - w) err + w min(Err1, gamma).
    """
    err, gamma = parts.train_mse, parts.no_information
    err1 = np.minimum(parts.err1, gamma)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where((err1 > err) & (gamma > err), (err1 - err) / (gamma - err), 0.0)
    w = 0.632 / (1 - 0.368 * np.clip(rate, 0, 1))
    return (1 - w) * err + w * err1  # type: ignore[no-any-return]
