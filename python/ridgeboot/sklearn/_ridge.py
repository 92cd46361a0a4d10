"""``Ridge``: scikit-learn's estimator over ridgeboot's fit."""

from __future__ import annotations

from functools import partial
from typing import Any, Optional, Union

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin

from .._ridge import ridge
from .._sparse import is_sparse
from ._common import (
    _fit_inputs,
    _intercept,
    _LinearPredictMixin,
    _sklearn_layout,
    check_solver,
)


class Ridge(_LinearPredictMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """Ridge regression with the ridgeboot core.

    Minimizes ``sum_i s_i (y_i - b - x_i.w)^2 + alpha ||w||^2`` (``s`` = sample
    weights), as :class:`sklearn.linear_model.Ridge`, and takes its parameters.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Non-negative penalty, one for all targets or one per target.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    copy_X : bool, default=True
        Accepted for scikit-learn compatibility: ridgeboot never modifies X.
    max_iter, tol : optional
        Accepted for scikit-learn compatibility: they tune scikit-learn's iterative
        solvers; ridgeboot's solvers are direct and exact to rounding.
    solver : {"auto", "cholesky", "svd", "eigh"}, default="auto"
        See :func:`ridgeboot.ridge`; "auto" uses the SVD when alpha is 0.
        scikit-learn's iterative solvers ("sparse_cg", "lsqr", "sag", "saga",
        "lbfgs") raise a ValueError naming these. As in scikit-learn, "cholesky"
        redoes a singular system by the SVD (``solver_`` says which ran).
    positive : bool, default=False
        Only False: ``positive=True`` needs an iterative solver (ValueError).
    random_state : optional
        Accepted for scikit-learn compatibility (only "sag"/"saga" use it).
    n_threads : int, optional
        Native threads (None: every core, within a surrounding ``threadpoolctl``
        limit or ``OMP_NUM_THREADS``). Results do not depend on it.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        (n_features,) for a 1-D y or a y with one column, as scikit-learn's Ridge.
    intercept_ : numpy scalar or ndarray of shape (n_targets,)
        In the dtype of X (float32 kept).
    solver_ : str
        The solver that ran.
    n_iter_ : None
        As scikit-learn's Ridge for its direct solvers.
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
        copy_X: bool = True,
        max_iter: Optional[int] = None,
        tol: float = 1e-4,
        solver: str = "auto",
        positive: bool = False,
        random_state: Any = None,
        n_threads: Optional[int] = None,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state
        self.n_threads = n_threads

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Ridge:
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A scipy.sparse X is never densified (solvers "auto", "cholesky", "eigh").
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), optional

        Returns
        -------
        self : Ridge
        """
        solver = check_solver(self.solver, self.positive)
        X, y, sample_weight = _fit_inputs(self, X, y, sample_weight)
        alpha = self.alpha
        if y.ndim == 1 and np.ndim(alpha) == 1 and np.size(alpha) == 1:
            alpha = np.asarray(alpha).reshape(())[()]  # one penalty for the one target
        fit = partial(
            ridge,
            X,
            y,
            alpha,
            fit_intercept=self.fit_intercept,
            sample_weight=sample_weight,
            n_threads=self.n_threads,
        )
        try:
            result = fit(solver=solver)
        except np.linalg.LinAlgError:
            if solver != "cholesky":
                raise
            # as scikit-learn's Ridge: a singular system is solved by the SVD instead
            # (the minimum-norm solution; for sparse X by the Gram's eigenvalues, as
            # the SVD needs the rows); solver_ says so
            result = fit(solver="eigh" if is_sparse(X) else "svd")
        self.coef_ = _sklearn_layout(result.coef)
        self.intercept_ = _intercept(result.intercept, X.dtype)
        self.solver_ = result.solver
        self.n_iter_ = None
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
