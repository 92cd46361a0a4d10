"""How ``RidgeCV`` validates its alphas and scores held-out predictions, as scikit-learn does.

Scores are "greater is better", as in scikit-learn. ``scoring`` is one of:

- None: the estimator's default (see :class:`ridgeboot.sklearn.RidgeCV`);
- "mse" or "corr": ridgeboot's held-out scores from :mod:`ridgeboot._scoring`,
  weighted by ``sample_weight`` ("mse" reported negated);
- any other string (``"r2"``, ``"neg_mean_squared_error"``, ``"explained_variance"``,
  ...) or a callable ``scorer(estimator, X, y)`` (``make_scorer(...)``): scikit-learn's
  scorer, called as scikit-learn's ``RidgeCV`` calls it.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Optional, Union

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import check_scoring

from .._scoring import greater_is_better, scores_from_sums, sums_from_predictions

RIDGEBOOT_SCORINGS = ("mse", "corr")
Scoring = Union[None, str, Callable[..., Any]]


def check_alphas(alphas: Any) -> np.ndarray:
    """Validate the candidate penalties as scikit-learn's ``RidgeCV`` does -> (k,) float64.

    Raises
    ------
    TypeError
        For a value that is not a real number, naming it (``alphas[2]``).
    ValueError
        For a negative or non-finite value, or an empty grid.
    """
    values = list(np.ravel(alphas)) if np.ndim(alphas) else [alphas]
    if isinstance(alphas, (list, tuple)):
        values = list(alphas)
    if not values:
        raise ValueError("alphas is empty")
    single = np.ndim(alphas) == 0 or len(values) == 1
    out = np.empty(len(values))
    for i, a in enumerate(values):
        name = "alphas" if single else f"alphas[{i}]"
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Real):
            raise TypeError(f"{name} must be an instance of float, not {type(a).__name__}")
        if not np.isfinite(float(a)) or a < 0:
            # ridgeboot's leave-one-out is exact at alpha = 0 (the minimum-norm fit)
            raise ValueError(f"{name} == {a}, must be > 0.0 or exactly 0.0")
        out[i] = float(a)
    return out


class _IdentityRegressor(RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """A fitted "regressor" whose predictions are its input: scores given predictions."""

    def fit(self, X: Any, y: Any = None) -> _IdentityRegressor:  # pragma: no cover - unused
        return self

    def predict(self, X: Any) -> Any:
        return X


def resolve_scoring(estimator: Any, scoring: Scoring) -> Scoring:
    """None, a ridgeboot score name, or scikit-learn's scorer for ``scoring``."""
    if scoring is None or (isinstance(scoring, str) and scoring in RIDGEBOOT_SCORINGS):
        return scoring
    if not isinstance(scoring, str) and not callable(scoring):
        raise ValueError(
            "scoring must be None, 'mse', 'corr', a scikit-learn scorer name or a callable "
            f"scorer(estimator, X, y); got {scoring!r}"
        )
    scorer: Callable[..., Any] = check_scoring(estimator, scoring=scoring)
    return scorer


def score_predictions(
    scorer: Scoring,
    y: np.ndarray,
    pred: np.ndarray,
    weight: Optional[np.ndarray],
    per_target: bool,
) -> np.ndarray:
    """Score held-out predictions of every alpha: y (n, t), pred (k, n, t) -> (k,) or (k, t).

    ``per_target`` scores each target on its own (``alpha_per_target``); otherwise
    scikit-learn's scorer sees every target at once and ridgeboot's scores are
    averaged over targets. scikit-learn's scorer gets ``sample_weight`` when there
    are weights, as scikit-learn's ``RidgeCV`` passes them with ``cv=None``.
    """
    if scorer is None:
        raise ValueError("no scorer")  # pragma: no cover - callers handle None
    if isinstance(scorer, str):
        sign = 1.0 if greater_is_better(scorer) else -1.0
        scores = sign * scores_from_sums(sums_from_predictions(y, pred, weight), scorer)
        return scores if per_target else scores.mean(axis=1)
    identity = _IdentityRegressor()
    kwargs = {} if weight is None else {"sample_weight": weight}
    one = y.shape[1] == 1
    if per_target:
        return np.array(
            [
                [scorer(identity, pred[a, :, u], y[:, u], **kwargs) for u in range(y.shape[1])]
                for a in range(len(pred))
            ]
        )
    return np.array(
        [
            scorer(identity, pred[a, :, 0] if one else pred[a], y[:, 0] if one else y, **kwargs)
            for a in range(len(pred))
        ]
    )
