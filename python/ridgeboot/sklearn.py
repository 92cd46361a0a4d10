"""scikit-learn estimators over the ridgeboot core: Ridge, RidgeCV, BootstrapRidge.

They follow scikit-learn's conventions (``__init__`` only stores parameters,
``fit`` validates and sets attributes ending in ``_``; ``coef_`` has shape
``(n_features,)`` for a 1-D y and ``(n_targets, n_features)`` for a 2-D y, the
transpose of ridgeboot's ``(p, t)``), so they work in ``Pipeline``,
``GridSearchCV`` and ``cross_val_score``. The penalty convention is
scikit-learn's: ``alpha`` multiplies ``||w||^2`` against the un-normalised
(weighted) sum of squares, so ``Ridge(alpha=a)`` here and in scikit-learn fit
the same model.

Needs scikit-learn: ``pip install "ridgeboot[sklearn]"``.
"""

from __future__ import annotations

import numbers
from typing import Any, Optional, Union

import numpy as np

try:
    from sklearn.base import (
        BaseEstimator,
        MultiOutputMixin,
        RegressorMixin,
    )
    from sklearn.model_selection import check_cv
    from sklearn.utils import check_random_state
    from sklearn.utils.validation import (
        _check_sample_weight,
        check_is_fitted,
    )
except ImportError as exc:  # pragma: no cover - exercised only without scikit-learn
    raise ImportError(
        "ridgeboot.sklearn needs scikit-learn, which is not installed: "
        'pip install "ridgeboot[sklearn]"'
    ) from exc

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _sk_validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    _sk_validate_data = None

from ._bootstrap import BootstrapResult, bootstrap
from ._cv import ridge_cv
from ._ridge import ridge, ridge_path
from ._scoring import (
    SCORINGS,
    best_alpha_index,
    greater_is_better,
    scores_from_sums,
    sums_from_predictions,
)

__all__ = ["BootstrapRidge", "Ridge", "RidgeCV"]

FLOAT_DTYPES = (np.float64, np.float32)


def _validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
    if _sk_validate_data is not None:
        return _sk_validate_data(estimator, *args, **kwargs)
    return estimator._validate_data(*args, **kwargs)  # pragma: no cover - scikit-learn < 1.6


def _fit_inputs(
    estimator: Any, X: Any, y: Any, sample_weight: Any
) -> tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """Validate X (n, p) (float32 kept), y (n,) or (n, t) in X's dtype, and weights (n,)."""
    X, y = _validate_data(estimator, X, y, dtype=FLOAT_DTYPES, y_numeric=True, multi_output=True)
    y = np.asarray(y, dtype=X.dtype)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
    return X, y, sample_weight


def _sklearn_layout(coef: np.ndarray) -> np.ndarray:
    """Convert ridgeboot's (p,) or (p, t) coefficients to scikit-learn's (p,) or (t, p).

    A y with one column gives (p,), as :class:`sklearn.linear_model.Ridge` does.
    """
    if coef.ndim == 1:
        return coef
    return coef[:, 0].copy() if coef.shape[1] == 1 else np.ascontiguousarray(coef.T)


def _intercept(intercept: Any, dtype: Any) -> Any:
    """Return the intercept as a float for a 1-D y, an array (t,) for a 2-D y."""
    arr = np.asarray(intercept, dtype=dtype)
    return float(arr) if arr.ndim == 0 else arr


class _LinearPredictMixin:
    """``predict`` from ``coef_`` (scikit-learn layout) and ``intercept_``."""

    def predict(self, X: Any) -> np.ndarray:
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self, "coef_")
        X = _validate_data(self, X, dtype=FLOAT_DTYPES, reset=False)
        coef = self.coef_  # type: ignore[attr-defined]
        return X @ coef.T.astype(X.dtype, copy=False) + self.intercept_  # type: ignore[attr-defined,no-any-return]


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


class BootstrapRidge(_LinearPredictMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """Ridge regression with bootstrap standard errors, confidence intervals and out-of-bag error.

    ``coef_`` and ``intercept_`` are the fit on all rows (the same as
    :class:`Ridge`); the bootstrap refits ``n_boot`` resampled training sets
    in parallel native threads and describes how much those weights move.

    Parameters
    ----------
    alpha : float, default=1.0
        Non-negative penalty.
    n_boot : int, default=200
        Bootstrap replicates (>= 2).
    fit_intercept : bool, default=True
    solver : {"auto", "cholesky", "svd", "eigh"}, default="auto"
    scheme : {"multinomial", "poisson"}, default="multinomial"
        Resampling scheme (see :func:`ridgeboot.bootstrap`).
    block_len : int, optional
        Moving-block bootstrap for time series.
    ci_level : float, default=0.95
        Coverage of ``coef_ci_``.
    ci_method : {"percentile", "basic", "normal", "bca"}, default="percentile"
    random_state : int, RandomState instance or None, default=None
        An int is the bootstrap seed itself (so ``random_state=s`` reproduces
        ``ridgeboot.bootstrap(..., seed=s)``); None draws a fresh seed.
    n_threads : int, optional
        Native threads (None: every core). Results do not depend on it.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        (n_features,) for a 1-D y or a y with one column, as scikit-learn's Ridge.
    intercept_ : float or ndarray of shape (n_targets,)
    coef_std_ : ndarray, same shape as ``coef_``
        Bootstrap standard errors (ddof=1).
    coef_ci_ : tuple (lo, hi) of ndarrays, same shape as ``coef_``
        Confidence intervals at ``ci_level`` by ``ci_method``.
    oob_mse_ : float or ndarray of shape (n_targets,)
        Out-of-bag mean squared error.
    oob_score_ : float
        ``1 - oob_mse_ / var(y)`` (sample-weighted variance), averaged over
        targets: an out-of-bag R^2.
    bootstrap_ : BootstrapResult
        The full result of :func:`ridgeboot.bootstrap`.
    seed_ : int
        The bootstrap seed used.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    """

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        n_boot: int = 200,
        fit_intercept: bool = True,
        solver: str = "auto",
        scheme: str = "multinomial",
        block_len: Optional[int] = None,
        ci_level: float = 0.95,
        ci_method: str = "percentile",
        random_state: Any = None,
        n_threads: Optional[int] = None,
    ) -> None:
        self.alpha = alpha
        self.n_boot = n_boot
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.scheme = scheme
        self.block_len = block_len
        self.ci_level = ci_level
        self.ci_method = ci_method
        self.random_state = random_state
        self.n_threads = n_threads

    def _seed(self) -> int:
        state = self.random_state
        if isinstance(state, numbers.Integral) and not isinstance(state, bool):
            return int(state)
        return int(check_random_state(self.random_state).randint(0, np.iinfo(np.int32).max))

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> BootstrapRidge:
        """Fit on all rows and bootstrap the fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), optional

        Returns
        -------
        self : BootstrapRidge
        """
        if np.ndim(self.alpha) != 0:
            raise ValueError(f"alpha must be a single number, got {self.alpha!r}")
        X, y, sample_weight = _fit_inputs(self, X, y, sample_weight)
        self.seed_ = self._seed()
        boot = bootstrap(
            X,
            y,
            float(self.alpha),
            self.n_boot,
            solver=self.solver,
            fit_intercept=self.fit_intercept,
            sample_weight=sample_weight,
            scheme=self.scheme,
            block_len=self.block_len,
            seed=self.seed_,
            n_threads=self.n_threads,
        )
        self.bootstrap_: BootstrapResult = boot
        self.coef_ = _sklearn_layout(np.asarray(boot.full.coef))
        self.intercept_ = _intercept(boot.full.intercept, X.dtype)
        self.coef_std_ = _sklearn_layout(boot.coef_std)
        lo, hi = boot.ci(level=self.ci_level, method=self.ci_method)
        self.coef_ci_ = (_sklearn_layout(lo), _sklearn_layout(hi))
        assert boot.oob_mse is not None  # oob=True is the default
        self.oob_mse_ = _intercept(boot.oob_mse, np.float64)
        self.oob_score_ = self._oob_r2(y, sample_weight, boot.oob_mse)
        return self

    @staticmethod
    def _oob_r2(y: np.ndarray, sample_weight: Optional[np.ndarray], oob_mse: Any) -> float:
        """1 - oob_mse / var(y) per target (weighted variance), averaged over targets."""
        Y = y.reshape(len(y), -1).astype(np.float64)
        w = np.ones(len(Y)) if sample_weight is None else sample_weight.astype(np.float64)
        mean = w @ Y / w.sum()
        var = w @ (Y - mean) ** 2 / w.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = 1.0 - np.asarray(oob_mse, dtype=np.float64).reshape(-1) / var
        return float(np.mean(r2))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.non_deterministic = self.random_state is None
        return tags
