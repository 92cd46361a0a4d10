"""Converting penalties between ridgeboot (scikit-learn's convention) and other tools.

ridgeboot minimizes ``sum_i (y_i - b - x_i.w)^2 + alpha ||w||^2``: alpha against
the un-normalised sum of squares, as scikit-learn's ``Ridge``.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def from_glmnet(lam: Any, n: int) -> Any:
    """Glmnet (alpha=0, gaussian) minimizes RSS / (2n) + lam / 2 ||w||^2: alpha = n * lam.

    glmnet also standardizes X (and reports coefficients on the original scale);
    pass standardized X to ridgeboot for the same fit.
    """
    return np.multiply(lam, n)


def to_glmnet(alpha: Any, n: int) -> Any:
    """Inverse of :func:`from_glmnet`: lam = alpha / n."""
    return np.divide(alpha, n)


def from_statsmodels(a: Any, n: int) -> Any:
    """Convert a statsmodels ``fit_regularized(alpha=a, L1_wt=0)`` penalty: alpha = n * a.

    statsmodels minimizes RSS / (2n) + a / 2 ||w||^2.
    """
    return np.multiply(a, n)


def to_statsmodels(alpha: Any, n: int) -> Any:
    """Inverse of :func:`from_statsmodels`: a = alpha / n."""
    return np.divide(alpha, n)


def from_huth(a: Any) -> Any:
    """Convert a Huth-lab ``bootstrap_ridge`` alpha: alpha = a^2.

    That code filters singular values by s / (s^2 + a^2).
    """
    return np.square(a)


def to_huth(alpha: Any) -> Any:
    """Inverse of :func:`from_huth`: a = sqrt(alpha)."""
    return np.sqrt(alpha)
