"""``RidgeCV``: alpha chosen by leave-one-out, GCV, k-fold, the bootstrap or any splitter."""

from __future__ import annotations

import numbers
from typing import Any, Optional, Union

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.model_selection import check_cv

from .._cv import ridge_cv
from .._ridge import ridge, ridge_path
from .._scoring import (
    SCORINGS,
    best_alpha_index,
    greater_is_better,
    scores_from_sums,
    sums_from_predictions,
)
from ._common import _fit_inputs, _intercept, _LinearPredictMixin, _sklearn_layout

RIDGEBOOT_CV = ("loo", "gcv", "bootstrap")


class RidgeCV(_LinearPredictMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """Ridge regression with alpha chosen by leave-one-out, GCV, k-fold or bootstrap validation.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties (>= 0).
    fit_intercept : bool, default=True
    cv : None, "loo", "gcv", "bootstrap", int, CV splitter or iterable of splits, default=None
        None or "loo": exact leave-one-out squared error from one SVD (what
        :class:`sklearn.linear_model.RidgeCV` does with ``cv=None``); "gcv":
        generalized cross-validation; int k: k contiguous folds; "bootstrap":
        held-out random chunks (these four run in :func:`ridgeboot.ridge_cv`).
        A scikit-learn splitter (``KFold(5, shuffle=True)``, ...) or a list of
        (train, test) index arrays: one :func:`ridgeboot.ridge_path` per split.
    scoring : {None, "mse", "r2", "corr"}, default=None
        Held-out score for k-fold, "bootstrap" and splitters. None does what
        scikit-learn's ``RidgeCV`` does: R^2 (the estimator's ``score``) for an
        int or a splitter; "mse" for "bootstrap". "loo" and "gcv" always use
        squared errors.
    alpha_per_target : bool, default=False
        Choose one alpha per target (otherwise the alpha best on average).
    solver : {"auto", "cholesky", "svd", "eigh"}, default="auto"
    n_threads : int, optional

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen penalty.
    cv_scores_ : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        Score of every alpha (in the order of ``alphas``), greater is better as in
        scikit-learn: the negative mean squared error for "loo", "gcv" and "mse".
    best_score_ : float or ndarray of shape (n_targets,)
        Score of the chosen alpha (averaged over targets unless ``alpha_per_target``).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        (n_features,) for a 1-D y or a y with one column, as scikit-learn's Ridge.
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    Unlike :func:`ridgeboot.ridge_cv`, this estimator does not warn when the
    chosen alpha is an end of the grid (scikit-learn's ``RidgeCV`` does not
    either); compare ``alpha_`` with ``alphas`` to check.

    With sample weights the leave-one-out score is the weighted mean
    ``sum_i w_i e_i^2 / sum_i w_i``; scikit-learn's ``RidgeCV`` divides by n
    instead, so its ``best_score_`` differs by the factor ``mean(w)`` (the
    chosen alpha and the coefficients agree).
    """

    def __init__(
        self,
        alphas: Any = (0.1, 1.0, 10.0),
        *,
        fit_intercept: bool = True,
        cv: Any = None,
        scoring: Optional[str] = None,
        alpha_per_target: bool = False,
        solver: str = "auto",
        n_threads: Optional[int] = None,
    ) -> None:
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.alpha_per_target = alpha_per_target
        self.solver = solver
        self.n_threads = n_threads

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RidgeCV:
        """Choose alpha and fit the model on all rows with it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), optional

        Returns
        -------
        self : RidgeCV
        """
        X, y, sample_weight = _fit_inputs(self, X, y, sample_weight)
        if X.shape[0] < 2:
            raise ValueError(f"RidgeCV needs at least 2 samples, got n_samples = {X.shape[0]}")
        alphas = np.asarray(self.alphas, dtype=np.float64).reshape(-1)
        cv = "loo" if self.cv is None else self.cv
        if isinstance(cv, str):
            self._fit_ridge_cv(X, y, sample_weight, alphas, cv)
        elif isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
            self._fit_ridge_cv(X, y, sample_weight, alphas, int(cv))
        else:
            self._fit_splits(X, y, sample_weight, alphas, cv)
        return self

    def _fit_ridge_cv(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: Optional[np.ndarray],
        alphas: np.ndarray,
        cv: Union[str, int],
    ) -> None:
        result = ridge_cv(
            X,
            y,
            alphas,
            cv=cv,
            warn_edges=False,
            alpha_per_target=self.alpha_per_target,
            scoring=self.scoring or ("r2" if isinstance(cv, numbers.Integral) else "mse"),
            fit_intercept=self.fit_intercept,
            sample_weight=sample_weight,
            solver=self.solver,
            n_threads=self.n_threads,
        )
        sign = 1.0 if result.greater_is_better else -1.0
        self.alpha_ = result.alpha
        self.cv_scores_ = sign * np.asarray(result.scores)
        self.best_score_ = _scalar_or_array(sign * np.asarray(result.best_score))
        self.coef_ = _sklearn_layout(np.asarray(result.coef))
        self.intercept_ = _intercept(result.intercept, X.dtype)

    def _fit_splits(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: Optional[np.ndarray],
        alphas: np.ndarray,
        cv: Any,
    ) -> None:
        scoring = self.scoring or "r2"
        if scoring not in SCORINGS:
            raise ValueError(f"scoring must be one of {SCORINGS}; got {scoring!r}")
        greater = greater_is_better(scoring)
        Y = y.reshape(len(y), -1)
        fold_scores = []
        for train, test in check_cv(cv).split(X, y):
            w_train = None if sample_weight is None else sample_weight[train]
            path = ridge_path(
                X[train],
                Y[train],
                alphas,
                solver=self.solver,
                fit_intercept=self.fit_intercept,
                sample_weight=w_train,
                n_threads=self.n_threads,
            )
            w_test = None if sample_weight is None else sample_weight[test]
            sums = sums_from_predictions(Y[test], path.predict(X[test]), w_test)
            # greater is better, as in scikit-learn: the negative MSE for "mse"
            fold_scores.append((1 if greater else -1) * scores_from_sums(sums, scoring))
        if not fold_scores:
            raise ValueError("cv produced no (train, test) split")
        scores = np.mean(fold_scores, axis=0)  # (k, t)
        if self.alpha_per_target:
            best = best_alpha_index(scores, alphas, True)
            alpha: Any = alphas[best]
            best_score: Any = scores[best, np.arange(scores.shape[1])]
        else:
            index = int(best_alpha_index(scores.mean(axis=1), alphas, True))
            alpha, best_score = float(alphas[index]), float(scores[index].mean())
        fit = ridge(
            X,
            y,
            alpha if np.ndim(alpha) == 0 or y.ndim == 2 else float(alpha[0]),
            solver=self.solver,
            fit_intercept=self.fit_intercept,
            sample_weight=sample_weight,
            n_threads=self.n_threads,
        )
        one_target = y.ndim == 1
        self.alpha_ = float(np.ravel(alpha)[0]) if one_target else alpha
        self.cv_scores_ = scores[:, 0] if one_target else scores
        self.best_score_ = float(np.ravel(best_score)[0]) if one_target else best_score
        self.coef_ = _sklearn_layout(fit.coef)
        self.intercept_ = _intercept(fit.intercept, X.dtype)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


def _scalar_or_array(a: np.ndarray) -> Any:
    return float(a) if a.ndim == 0 else a
