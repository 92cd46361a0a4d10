"""``Ridge``: scikit-learn's estimator over ridgeboot's fit."""

from __future__ import annotations

from typing import Any, Optional, Union

from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin

from .._ridge import ridge
from ._common import _fit_inputs, _intercept, _LinearPredictMixin, _sklearn_layout


class Ridge(_LinearPredictMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """Ridge regression with the ridgeboot core.

    Minimizes ``sum_i s_i (y_i - b - x_i.w)^2 + alpha ||w||^2`` (``s`` = sample
    weights), as :class:`sklearn.linear_model.Ridge`.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Non-negative penalty, one for all targets or one per target.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    solver : {"auto", "cholesky", "svd", "eigh"}, default="auto"
        See :func:`ridgeboot.ridge`; "auto" uses the SVD when alpha is 0.
    n_threads : int, optional
        Native threads (None: every core). Results do not depend on it.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        (n_features,) for a 1-D y or a y with one column, as scikit-learn's Ridge.
    intercept_ : float or ndarray of shape (n_targets,)
    solver_ : str
        The solver that ran.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X had string column names (e.g. a pandas DataFrame).

    Examples
    --------
    >>> import numpy as np
    >>> from ridgeboot.sklearn import Ridge
    >>> X = np.arange(12.0).reshape(6, 2) ** 0.5
    >>> Ridge(alpha=1e-8).fit(X, X @ [1.0, -1.0] + 2).coef_.round(4).tolist()
    [1.0, -1.0]
    """

    def __init__(
        self,
        alpha: Union[float, Any] = 1.0,
        *,
        fit_intercept: bool = True,
        solver: str = "auto",
        n_threads: Optional[int] = None,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.n_threads = n_threads

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Ridge:
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), optional

        Returns
        -------
        self : Ridge
        """
        X, y, sample_weight = _fit_inputs(self, X, y, sample_weight)
        result = ridge(
            X,
            y,
            self.alpha,
            solver=self.solver,
            fit_intercept=self.fit_intercept,
            sample_weight=sample_weight,
            n_threads=self.n_threads,
        )
        self.coef_ = _sklearn_layout(result.coef)
        self.intercept_ = _intercept(result.intercept, X.dtype)
        self.solver_ = result.solver
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
