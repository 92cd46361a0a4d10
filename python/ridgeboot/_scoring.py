"""Held-out scores and the rule that picks the best alpha: one home for both.

A score is computed from seven weighted sums over the held-out rows (the names are the
core's ``REPLICATE_STATS``): the bootstrap engine returns them per replicate, and
:func:`sums_from_predictions` forms them from predictions, so k-fold, the bootstrap
hold-out and scikit-learn splitters score by the same formulas.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

import numpy as np

from ._engine import REPLICATE_STATS
from ._linalg import weighted_mean

SCORINGS = ("mse", "r2", "corr")


def greater_is_better(scoring: str) -> bool:
    """Whether a larger score is better: R^2 and correlation; not the mean squared error."""
    return scoring != "mse"


def scores_from_sums(sums: Mapping[str, np.ndarray], scoring: str) -> np.ndarray:
    """Score held-out rows from their weighted sums (see REPLICATE_STATS).

    "mse": sum v e^2 / sum v; "r2": 1 - sum v e^2 / sum v (y - ybar)^2; "corr": the
    weighted correlation of y and yhat. Undefined scores (no held-out row, a constant
    target or prediction) come out NaN or infinite, without a warning.
    """
    sv, se2, sy, sy2 = sums["sum_v"], sums["sum_v_e2"], sums["sum_v_y"], sums["sum_v_y2"]
    sp, sp2, syp = sums["sum_v_yhat"], sums["sum_v_yhat2"], sums["sum_v_y_yhat"]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if scoring == "mse":
            return se2 / sv  # type: ignore[no-any-return]
        ss_tot = sy2 - sy**2 / sv
        if scoring == "r2":
            return 1 - se2 / ss_tot  # type: ignore[no-any-return]
        cov = syp - sy * sp / sv
        var_p = sp2 - sp**2 / sv
        return cov / np.sqrt(ss_tot * var_p)  # type: ignore[no-any-return]


def stats_scores(stats: np.ndarray, scoring: str) -> np.ndarray:
    """Score the engine's per-replicate sums, stats (..., stat, k, t) -> (..., k, t)."""
    return scores_from_sums(
        {name: stats[..., q, :, :] for q, name in enumerate(REPLICATE_STATS)}, scoring
    )


def sums_from_predictions(
    y: np.ndarray, pred: np.ndarray, weight: Optional[np.ndarray]
) -> dict[str, np.ndarray]:
    """Form the weighted sums of held-out rows from targets y (m, t), predictions (k, m, t)."""
    v = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)[None]
    pred = np.asarray(pred, dtype=np.float64)
    total = np.broadcast_to(v.sum(), pred[:, 0].shape)

    def wsum(a: np.ndarray) -> np.ndarray:
        return np.asarray(np.einsum("m,kmt->kt", v, np.broadcast_to(a, pred.shape)))

    return {
        "sum_v": np.asarray(total),
        "sum_v_e2": wsum((y - pred) ** 2),
        "sum_v_y": wsum(y),
        "sum_v_y2": wsum(y**2),
        "sum_v_yhat": wsum(pred),
        "sum_v_yhat2": wsum(pred**2),
        "sum_v_y_yhat": wsum(y * pred),
    }


def r2_from_mse(mse: np.ndarray, y: np.ndarray, weight: Optional[np.ndarray] = None) -> np.ndarray:
    """R^2 = 1 - mse / Var_v(y) per target: the weighted variance (ddof=0) of y (n,) or (n, t).

    NaN for a constant target, where R^2 is undefined.
    """
    Y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    v = np.ones(len(Y)) if weight is None else np.asarray(weight, dtype=np.float64)
    var = v @ (Y - weighted_mean(Y, v)) ** 2 / v.sum()
    mse = np.asarray(mse, dtype=np.float64).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(var > 0, 1.0 - mse / var, np.nan)


def best_alpha_index(
    scores: np.ndarray, alphas: np.ndarray, greater: bool, ties: str = "larger"
) -> np.ndarray:
    """Index of the best score along axis 0; NaN never wins.

    Two tie rules. ``ties="larger"`` (:func:`ridgeboot.ridge_cv`): the larger alpha,
    the more stable model. ``ties="first"`` (the scikit-learn estimators, as
    scikit-learn's ``RidgeCV`` and ``GridSearchCV``): the first alpha in the order
    given; when every score is NaN, the first alpha.

    Parameters
    ----------
    scores : ndarray of shape (k,) or (k, ...)
    alphas : ndarray of shape (k,)
    greater : bool
        Whether a larger score is better.
    ties : {"larger", "first"}, default="larger"

    Returns
    -------
    ndarray of int, shape () or (...)
    """
    if ties == "first":
        order = np.arange(len(alphas))
    else:  # the largest alpha first wins ties
        order = np.argsort(alphas, kind="stable")[::-1]
    s = np.where(np.isnan(scores), -np.inf, scores if greater else -scores)[order]
    return order[np.argmax(s, axis=0)]  # type: ignore[no-any-return]


def mean_defined(rep_scores: np.ndarray, scoring: str) -> np.ndarray:
    """Mean over axis 0 (replicates, folds) of the scores that are defined (finite)."""
    ok = np.isfinite(rep_scores)
    if not ok.any(axis=0).all():
        raise ValueError(
            f"scoring={scoring!r} is undefined on every held-out set for some alpha/target "
            "(too few held-out rows, or a constant target): use scoring='mse' or larger folds"
        )
    return np.where(ok, rep_scores, 0).sum(axis=0) / ok.sum(axis=0)  # type: ignore[no-any-return]
