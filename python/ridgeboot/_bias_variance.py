"""The bias-variance picture of a bootstrap across alpha: what is estimated, what is true."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from ._truth import ridge_truth
from ._validation import FloatArray


@dataclass(frozen=True)
class BiasVariance:
    """Bias and variance of the ridge weights across alpha, estimated and (if known) true.

    The bootstrap's estimates always; the truth where the model is known.

    Attributes
    ----------
    alphas : ndarray of shape (k,) or ()
    variance : ndarray of shape ([k][, t])
        The bootstrap's estimate of the total variance of the weights,
        sum_j Var_b(w_bj) (ddof=1).
    variance_mc_se : ndarray of shape ([k][, t]) or None
        Monte-Carlo standard error of ``variance`` from B finite replicates,
        sd_b(||w_b - mean_b w_b||^2) / sqrt(B); None without kept coefficients. It
        measures the resampling noise only, not how far the one sample at hand is
        from the truth.
    bootstrap_bias2 : ndarray of shape ([k][, t])
        ||mean_b(w_b) - w_full||^2, the squared length of the bootstrap's own bias
        estimate mean_b(w_b) - w_full (w_full the fit on all rows).
    norm : ndarray of shape ([k][, t])
        Root-mean-square weight norm over replicates, sqrt(mean_b ||w_b||^2).
    bias2 : ndarray of shape ([k][, t]) or None
        The true squared bias ||E w_alpha - w||^2 over fresh noise with X fixed at the
        training rows (closed form, :func:`ridgeboot.ridge_truth`); needs ``true_coef``.
        0 at alpha = 0 when the design has full column rank.
    true_variance : ndarray of shape ([k][, t]) or None
        The true total variance tr Cov w_alpha, same setting; needs ``true_coef``
        and ``noise_sd``.
    mse : ndarray of shape ([k][, t]) or None
        The true mean squared error of the weights, ``bias2 + true_variance``.
    estimation_error2 : ndarray of shape ([k][, t]) or None
        ||mean_b(w_b) - w||^2 with the true w: the squared error of the bagged weights
        on this one sample. A single draw, whose expectation is the bagged estimator's
        squared bias plus its variance -- not the squared bias (it is not 0 at
        alpha = 0). Needs ``true_coef``.
    """

    alphas: FloatArray
    variance: FloatArray
    variance_mc_se: Optional[FloatArray]
    bootstrap_bias2: FloatArray
    norm: FloatArray
    bias2: Optional[FloatArray] = None
    true_variance: Optional[FloatArray] = None
    mse: Optional[FloatArray] = None
    estimation_error2: Optional[FloatArray] = None


def true_bias_variance(
    X: np.ndarray,
    weight: Optional[np.ndarray],
    coef: np.ndarray,
    noise_sd: Any,
    alphas: np.ndarray,
    fit_intercept: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the true squared bias and total variance (k, t) of the fit, per column of coef.

    Closed form for the fixed design (:func:`ridgeboot.ridge_truth`); the variance is 0
    without ``noise_sd``.
    """
    k, t = len(alphas), coef.shape[1]
    bias2, variance = np.empty((k, t)), np.empty((k, t))
    for j in range(t):
        truth = ridge_truth(
            X,
            coef[:, j],
            0.0 if noise_sd is None else noise_sd,
            alphas,
            fit_intercept=fit_intercept,
            sample_weight=weight,
        )
        bias2[:, j], variance[:, j] = truth.bias2, truth.variance
    return bias2, variance
