"""``BootstrapRidge``: ridge with bootstrap standard errors, intervals and out-of-bag error."""

from __future__ import annotations

import numbers
from typing import Any, Optional

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils import check_random_state

from .._bootstrap import BootstrapResult, bootstrap
from .._scoring import r2_from_mse
from ._common import _fit_inputs, _intercept, _LinearPredictMixin, _sklearn_layout


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
        assert boot.oob_mse is not None  # the default oob="auto" computes it
        self.oob_mse_ = _intercept(boot.oob_mse, np.float64)
        # an out-of-bag R^2 per target, averaged over targets
        self.oob_score_ = float(np.mean(r2_from_mse(boot.oob_mse, y, sample_weight)))
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # rb.bootstrap takes sparse X (ci_method="bca" does not)
        tags.non_deterministic = self.random_state is None
        return tags
