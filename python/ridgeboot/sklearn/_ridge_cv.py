"""``RidgeCV``: alpha chosen by leave-one-out, GCV, k-fold, the bootstrap or any splitter."""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Optional

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.model_selection import check_cv

from .._cv import closed_form, ridge_cv
from .._ridge import ridge, ridge_path
from .._scoring import best_alpha_index
from .._sparse import is_sparse
from .._validation import path_grid, prepare
from ._common import (
    _fit_inputs,
    _intercept,
    _LinearPredictMixin,
    _sklearn_layout,
    check_solver,
)
from ._ridge import Ridge
from ._selection import (
    Scoring,
    check_alphas,
    resolve_scoring,
    score_predictions,
)

GCV_MODES = (None, "auto", "svd", "eigen")


class RidgeCV(_LinearPredictMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """Ridge regression with alpha chosen by leave-one-out, GCV, k-fold or bootstrap validation.

    A drop-in for :class:`sklearn.linear_model.RidgeCV` (same parameters, attributes
    and choices), plus ridgeboot's generalized cross-validation and bootstrap hold-out.

    Parameters
    ----------
    alphas : float or array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties (>= 0; alpha = 0 is exact in ridgeboot's leave-one-out).
    fit_intercept : bool, default=True
    scoring : None, str or callable, default=None
        How held-out predictions are scored (greater is better). None: with
        ``cv=None`` the negative mean of ``sample_weight * e^2`` over the rows (e the
        leave-one-out residuals), as scikit-learn; with an int or a splitter the
        estimator's ``score`` (R^2), as scikit-learn's ``GridSearchCV``; with
        ``"gcv"`` the negative GCV criterion; with ``"bootstrap"`` the negative MSE.
        A scikit-learn scorer name or callable (``"r2"``,
        ``"neg_mean_squared_error"``, ``make_scorer(...)``) is called as scikit-learn
        calls it: on the leave-one-out predictions (with ``sample_weight``) for
        ``cv=None``, on each fold's fitted model and test rows for k-fold and
        splitters. ridgeboot's "mse" and "corr" score with the sample weights.
    cv : None, "gcv", "bootstrap", int, CV splitter or iterable of splits, default=None
        None (or "loo"): exact leave-one-out from one eigendecomposition of the
        Gram or kernel -- what scikit-learn's ``RidgeCV`` calls "GCV" in
        ``gcv_mode``, though it is leave-one-out. "gcv": ridgeboot's true
        generalized cross-validation (Golub, Heath & Wahba), (RSS / n) /
        (1 - tr(H) / n)^2, a different criterion. int k: ``KFold(k)``; a
        scikit-learn splitter or a list of (train, test) index arrays: one
        :func:`ridgeboot.ridge_path` per split. "bootstrap": held-out random
        chunks (:func:`ridgeboot.ridge_cv`).
    gcv_mode : {None, "auto", "svd", "eigen"}, default=None
        Accepted for scikit-learn compatibility: scikit-learn's choice of how its
        efficient leave-one-out decomposes X. ridgeboot always decomposes the
        Gram or the kernel, whichever is smaller (scikit-learn's "auto"); every
        mode gives the same leave-one-out to rounding. For a sparse X, "svd"
        emits scikit-learn's FutureWarning (its "svd" mode does not take sparse
        X) and the Gram is decomposed, as scikit-learn does.
    store_cv_results : bool, default=False
        With ``cv=None``: keep ``cv_results_``.
    alpha_per_target : bool, default=False
        Choose one alpha per target (otherwise the alpha best on average). Not
        with an int or a splitter (as in scikit-learn; :func:`ridgeboot.ridge_cv`
        chooses per target by k-fold).
    solver : {"auto", "cholesky", "svd", "eigh"}, default="auto"
        Solver of the folds and the final fit. "auto" with ``cv=None`` or "gcv"
        takes the final fit from the leave-one-out's own eigendecomposition.
    n_threads : int, optional
        Native threads (None: every core, within a surrounding ``threadpoolctl``
        limit or ``OMP_NUM_THREADS``). Results do not depend on it.

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen penalty.
    best_score_ : float or ndarray of shape (n_targets,)
        Score of the chosen alpha (one per target with ``alpha_per_target``).
    cv_scores_ : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        Score of every alpha in the order of ``alphas`` (per target with
        ``alpha_per_target``).
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        With ``store_cv_results``: each row's ``sample_weight * e^2`` (scoring None)
        or its leave-one-out prediction (otherwise).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : numpy scalar or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    Ties between alphas go to the first in the order of ``alphas``, and an alpha
    whose score is NaN is never chosen unless every score is (then the first), as
    in scikit-learn (:func:`ridgeboot.ridge_cv` prefers the larger alpha instead).
    k-fold scores are averaged over the folds as they are (a fold whose score is
    undefined, e.g. R^2 on one row, makes the mean NaN, with a warning), as
    scikit-learn's ``GridSearchCV`` does.

    float32 input is validated, selected and refitted in float64 and the results
    are returned in float32, as scikit-learn's ``RidgeCV`` does (the selection
    compares small differences of errors).

    ``fit`` takes ``groups`` for group splitters (``GroupKFold``).
    """

    def __init__(
        self,
        alphas: Any = (0.1, 1.0, 10.0),
        *,
        fit_intercept: bool = True,
        scoring: Scoring = None,
        cv: Any = None,
        gcv_mode: Optional[str] = None,
        store_cv_results: bool = False,
        alpha_per_target: bool = False,
        solver: str = "auto",
        n_threads: Optional[int] = None,
    ) -> None:
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target
        self.solver = solver
        self.n_threads = n_threads

    cv_results_: np.ndarray

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **params: Any) -> RidgeCV:
        """Choose alpha and fit the model on all rows with it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A scipy.sparse X is never densified.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or array-like of shape (n_samples,), optional
        **params
            ``groups``: array-like of shape (n_samples,), for group splitters.

        Returns
        -------
        self : RidgeCV
        """
        groups = params.pop("groups", None)
        if params:
            raise TypeError(
                f"RidgeCV.fit got unexpected arguments {sorted(params)}: it takes "
                "sample_weight and groups"
            )
        if self.gcv_mode not in GCV_MODES:
            raise ValueError(f"gcv_mode must be one of {GCV_MODES}; got {self.gcv_mode!r}")
        if self.gcv_mode == "svd" and is_sparse(X):
            warnings.warn(
                "The 'svd' mode is not supported for sparse X: the Gram X^T X is decomposed "
                "instead (scikit-learn's 'eigen' mode, which scikit-learn also falls back to)",
                FutureWarning,
                stacklevel=2,
            )
        solver = check_solver(self.solver)
        alphas = check_alphas(self.alphas)
        dtype = getattr(X, "dtype", None)
        out_dtype = np.float32 if dtype == np.float32 else np.float64
        X, y, sample_weight = _fit_inputs(self, X, y, sample_weight, dtype=np.float64)
        if X.shape[0] < 2:
            raise ValueError(f"RidgeCV needs at least 2 samples, got n_samples = {X.shape[0]}")
        cv = "loo" if self.cv is None else self.cv
        if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
            if not 2 <= int(cv) <= X.shape[0]:
                raise ValueError(f"cv={cv}: k-fold needs 2 <= cv <= n_samples = {X.shape[0]}")
        elif isinstance(cv, str) and cv not in ("loo", "gcv", "bootstrap"):
            raise ValueError(
                f"cv must be None, 'loo', 'gcv', 'bootstrap', an int, a splitter or an "
                f"iterable of splits; got {cv!r}"
            )
        scorer = resolve_scoring(self, self.scoring)
        if isinstance(cv, str) and cv in ("loo", "gcv"):
            coef, intercept = self._fit_closed_form(X, y, sample_weight, alphas, cv, scorer, solver)
        else:
            if self.store_cv_results:
                raise ValueError("cv!=None and store_cv_results=True are incompatible")
            if cv == "bootstrap":
                coef, intercept = self._fit_bootstrap(X, y, sample_weight, alphas, solver)
            else:
                if self.alpha_per_target:
                    raise ValueError(
                        "cv!=None and alpha_per_target=True are incompatible (as in "
                        "scikit-learn) for k-fold and splitters; use cv=None, 'gcv' or "
                        "'bootstrap', or ridgeboot.ridge_cv(..., cv=k, alpha_per_target=True)"
                    )
                coef, intercept = self._fit_splits(
                    X, y, sample_weight, alphas, cv, groups, scorer, solver
                )
        self.coef_ = _sklearn_layout(np.asarray(coef, dtype=out_dtype))
        self.intercept_ = _intercept(intercept, out_dtype)
        if self.store_cv_results:
            self.cv_results_ = np.asarray(self.cv_results_, dtype=out_dtype)
        return self

    # -- leave-one-out and GCV in closed form
    def _fit_closed_form(
        self,
        X: np.ndarray,
        y: np.ndarray,
        w: Optional[np.ndarray],
        alphas: np.ndarray,
        method: str,
        scorer: Scoring,
        solver: str,
    ) -> tuple[np.ndarray, Any]:
        if method == "gcv" and (self.store_cv_results or scorer not in (None, "mse")):
            raise ValueError(
                "cv='gcv' (generalized cross-validation) has no per-row predictions: "
                "scoring and store_cv_results need cv=None (leave-one-out)"
            )
        data = prepare(X, y, w, check_finite=False, min_rows=2)
        grid, _ = path_grid(alphas, data.t, data.dtype)
        keep = method == "loo" and (self.store_cv_results or scorer is not None)
        crit, _, fits, resid = closed_form(
            data, grid, self.fit_intercept, method, self.n_threads, keep_rows=keep
        )
        n = data.n
        v = np.ones(n) if w is None else w
        pred = None
        if resid is not None:
            # a row of weight 0 is in no fit: its held-out prediction is the fit's own
            if is_sparse(X):
                fitted = np.stack([np.asarray(X @ c) for c in fits[0]]) + fits[1][:, None, :]
            else:
                fitted = np.einsum("np,kpt->knt", X, fits[0]) + fits[1][:, None, :]
            pred = np.where(
                np.isnan(resid).transpose(1, 0, 2), fitted, data.Y - resid.transpose(1, 0, 2)
            )
        if scorer is None or (scorer == "mse" and method == "gcv"):
            # scikit-learn's mean over the rows of w e^2 (ridgeboot's crit is over sum w)
            scores = -crit * (v.sum() / n if method == "loo" else 1.0)
            if not self.alpha_per_target:
                scores = scores.mean(axis=1)
            if self.store_cv_results:
                assert resid is not None
                self._store(v[:, None, None] * np.nan_to_num(resid) ** 2, data.y_1d)
        else:
            assert pred is not None
            scores = score_predictions(scorer, data.Y, pred, w, self.alpha_per_target)
            if self.store_cv_results:
                self._store(pred.transpose(1, 0, 2), data.y_1d)
        best = self._choose(scores, alphas, data.t, data.y_1d)
        targets = np.arange(data.t)
        if solver == "auto":  # the closed form's own eigendecomposition fitted every alpha
            return fits[0][best, :, targets].T, self._one(fits[1][best, targets], data.y_1d)
        return self._refit(X, y, w, alphas[best], solver, data.y_1d)

    def _store(self, rows: np.ndarray, y_1d: bool) -> None:
        """cv_results_ from (n, k, t): (n, k) for a 1-D y, else (n, t, k)."""
        self.cv_results_ = rows[:, :, 0] if y_1d else rows.transpose(0, 2, 1)

    # -- ridgeboot's bootstrap hold-out
    def _fit_bootstrap(
        self, X: np.ndarray, y: np.ndarray, w: Optional[np.ndarray], alphas: np.ndarray, solver: str
    ) -> tuple[np.ndarray, Any]:
        scoring = self.scoring or "mse"
        if scoring not in ("mse", "r2", "corr"):
            raise ValueError(
                f"cv='bootstrap' scores with ridgeboot's 'mse', 'r2' or 'corr'; got {scoring!r}"
            )
        result = ridge_cv(
            X,
            y,
            alphas,
            cv="bootstrap",
            warn_edges=False,
            alpha_per_target=self.alpha_per_target,
            scoring=scoring,
            fit_intercept=self.fit_intercept,
            sample_weight=w,
            solver=solver,
            n_threads=self.n_threads,
        )
        sign = 1.0 if result.greater_is_better else -1.0
        self.cv_scores_ = sign * np.asarray(result.scores)
        self.best_score_ = _scalar_or_array(sign * np.asarray(result.best_score))
        self.alpha_ = _scalar_or_array(np.asarray(result.alpha))
        return np.asarray(result.coef), result.intercept

    # -- k-fold and scikit-learn splitters
    def _fit_splits(
        self,
        X: np.ndarray,
        y: np.ndarray,
        w: Optional[np.ndarray],
        alphas: np.ndarray,
        cv: Any,
        groups: Any,
        scorer: Scoring,
        solver: str,
    ) -> tuple[np.ndarray, Any]:
        if scorer is None:
            scorer = resolve_scoring(self, "r2")  # GridSearchCV: the estimator's score
        assert scorer is not None
        Y = y.reshape(len(y), -1)
        fold_scores = []
        failed: list[str] = []
        for train, test in check_cv(cv).split(X, y, groups):
            try:
                path = ridge_path(
                    X[train],
                    Y[train],
                    alphas,
                    solver=solver,
                    fit_intercept=self.fit_intercept,
                    sample_weight=None if w is None else w[train],
                    n_threads=self.n_threads,
                )
            except (ValueError, np.linalg.LinAlgError) as exc:
                # as GridSearchCV (error_score=nan): the fold scores NaN, with a warning
                failed.append(str(exc))
                fold_scores.append(np.full(len(alphas), np.nan))
                continue
            if isinstance(scorer, str):  # ridgeboot's weighted scores
                w_test = None if w is None else w[test]
                fold_scores.append(
                    score_predictions(scorer, Y[test], path.predict(X[test]), w_test, False)
                )
                continue
            y_test = y[test]
            scores = []
            for a, alpha in enumerate(alphas):
                model = Ridge(alpha, fit_intercept=self.fit_intercept, solver=solver)
                model.coef_ = _sklearn_layout(path.coef[a])
                model.intercept_ = _intercept(path.intercept[a], X.dtype)
                model.n_features_in_ = X.shape[1]
                scores.append(scorer(model, X[test], y_test))
            fold_scores.append(np.array(scores, dtype=np.float64))
        if not fold_scores:
            raise ValueError("cv produced no (train, test) split")
        if len(failed) == len(fold_scores):
            raise ValueError(f"the fit failed on every fold: {failed[0]}")
        if failed:
            warnings.warn(
                f"the fit failed on {len(failed)} of {len(fold_scores)} folds (scored NaN): "
                f"{failed[0]}",
                UserWarning,
                stacklevel=3,
            )
        with np.errstate(invalid="ignore"):
            scores = np.mean(fold_scores, axis=0)  # (k,)
        if not np.isfinite(scores).all():
            warnings.warn(
                f"some held-out scores are non-finite (alphas {alphas[~np.isfinite(scores)]}): "
                "a fold's score is undefined (too few test rows for the scoring?)",
                UserWarning,
                stacklevel=3,
            )
        best = self._choose(scores, alphas, Y.shape[1], y.ndim == 1)
        return self._refit(X, y, w, alphas[best], solver, y.ndim == 1)

    # -- shared
    def _choose(self, scores: np.ndarray, alphas: np.ndarray, t: int, y_1d: bool) -> np.ndarray:
        """Set alpha_, best_score_, cv_scores_ from (k,) or (k, t) scores -> index per target."""
        per_target = scores.ndim == 2
        best = best_alpha_index(scores, alphas, True, ties="first")
        if per_target and t > 1:
            self.alpha_ = alphas[best]
            self.best_score_ = scores[best, np.arange(t)]
            self.cv_scores_ = scores
            return np.asarray(best)
        if per_target:  # one target: scalars, as scikit-learn
            scores, best = scores[:, 0], best[0]
        self.alpha_ = float(alphas[best])
        self.best_score_ = float(scores[best])
        self.cv_scores_ = scores
        return np.full(t, best)

    def _one(self, a: np.ndarray, y_1d: bool) -> Any:
        return a[0] if y_1d else a

    def _refit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        w: Optional[np.ndarray],
        alpha: np.ndarray,
        solver: str,
        y_1d: bool,
    ) -> tuple[np.ndarray, Any]:
        fit = ridge(
            X,
            y,
            float(alpha[0]) if y_1d or np.all(alpha == alpha[0]) else alpha,
            solver=solver,
            fit_intercept=self.fit_intercept,
            sample_weight=w,
            n_threads=self.n_threads,
        )
        return fit.coef, fit.intercept

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _scalar_or_array(a: np.ndarray) -> Any:
    return float(a) if a.ndim == 0 else a
