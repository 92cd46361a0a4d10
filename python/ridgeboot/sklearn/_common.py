"""What the estimators share: scikit-learn's input validation, layouts, solvers, ``predict``."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from .._validation import SOLVERS

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _sk_validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    _sk_validate_data = None


FLOAT_DTYPES = (np.float64, np.float32)
# scipy.sparse formats taken as they are (others become CSR in validation): the core
# reads CSR (ridgeboot._sparse converts CSC); both slice rows for the k-fold splits.
SPARSE_FORMATS = ("csr", "csc")
# scikit-learn's iterative solvers: ridgeboot solves directly (exact to rounding) and
# offers none of them, nor positive=True (which needs one of them, lbfgs).
ITERATIVE_SOLVERS = ("sparse_cg", "lsqr", "sag", "saga", "lbfgs")


def check_solver(solver: Any, positive: Any = False) -> str:
    """Check ``solver`` (and ``positive``) against what ridgeboot offers.

    Raises
    ------
    ValueError
        For scikit-learn's iterative solvers and ``positive=True``, naming the
        supported solvers.
    """
    supported = ", ".join(map(repr, SOLVERS))
    if positive is not False and positive is not None and bool(positive):
        raise ValueError(
            "ridgeboot does not support positive=True: positive coefficients need an "
            f"iterative solver (scikit-learn's 'lbfgs'), and ridgeboot's solvers ({supported}) "
            "are direct; use sklearn.linear_model.Ridge(positive=True)"
        )
    if solver in ITERATIVE_SOLVERS:
        raise ValueError(
            f"solver={solver!r} is one of scikit-learn's iterative solvers, which ridgeboot "
            f"does not offer; its solvers are {supported} (direct, exact to rounding)"
        )
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {supported}; got {solver!r}")
    return str(solver)


def _validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
    if _sk_validate_data is not None:
        return _sk_validate_data(estimator, *args, **kwargs)
    return estimator._validate_data(*args, **kwargs)  # pragma: no cover - scikit-learn < 1.6


def _fit_inputs(
    estimator: Any, X: Any, y: Any, sample_weight: Any, dtype: Any = FLOAT_DTYPES
) -> tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """Validate X (n, p), y (n,) or (n, t) in X's dtype, and weights (n,).

    float32 X is kept unless ``dtype`` says otherwise. A scipy.sparse X stays sparse
    (CSR and CSC as they are, other formats as CSR): ridgeboot never densifies it.
    """
    X, y = _validate_data(
        estimator,
        X,
        y,
        dtype=dtype,
        y_numeric=True,
        multi_output=True,
        accept_sparse=SPARSE_FORMATS,
    )
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
    """Return the intercept as a scalar of ``dtype`` for a 1-D y, an array (t,) for a 2-D y.

    A numpy scalar, as scikit-learn's: it has a ``.shape`` and keeps float32.
    """
    arr = np.asarray(intercept, dtype=dtype)
    return arr[()] if arr.ndim == 0 else arr


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
        X = _validate_data(self, X, dtype=FLOAT_DTYPES, reset=False, accept_sparse=SPARSE_FORMATS)
        coef = self.coef_  # type: ignore[attr-defined]
        out = X @ coef.T.astype(X.dtype, copy=False)  # sparse X: an ndarray, never densified
        return np.asarray(out) + self.intercept_  # type: ignore[attr-defined,no-any-return]
