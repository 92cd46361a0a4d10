"""Alpha chosen inside each bootstrap replicate, and Efron's smoothed estimate.

With ``rb.bootstrap(..., select="gcv" | "loo")`` every replicate chooses its own
alpha from the grid by the closed-form criterion on its own weighted rows (the
core's ``cv.hpp``, exactly :func:`ridgeboot.ridge_cv` with sample weights
``w * counts[b]``), so the spread of the replicates includes the variability of
the choice. :class:`ReplicateSelection` records the choices;
:func:`smoothed_estimate` gives the bootstrap-smoothed (bagged) estimate and
Efron's delta-method standard error for it (Efron 2014, "Estimation and accuracy
after model selection", JASA 109:991-1007).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._validation import FloatArray


@dataclass(frozen=True, repr=False)
class ReplicateSelection:
    """How the replicates chose alpha (``rb.bootstrap(..., select=...)``).

    Shapes: B replicates, k alphas in the grid, t targets (no axis for a 1-D y
    or when one alpha serves all targets, ``alpha_per_target=False``).

    Attributes
    ----------
    method : {"gcv", "loo"}
        The criterion each replicate minimised, as ``ridge_cv(cv=method)``.
    grid : ndarray of shape (k,)
        The candidate alphas, ascending.
    alpha_selected : ndarray of shape (B[, t])
        The alpha replicate b chose (NaN for a replicate that drew no row of
        positive weight and was not fitted).
    frequency : ndarray of shape (k[, t])
        Fraction of the fitted replicates that chose each alpha of ``grid``.
    full_data_alpha : float or ndarray of shape (t,)
        The alpha chosen on all rows (the fit the bootstrap is centred on).
    per_target : bool
        Whether each target chose its own alpha.
    """

    method: str
    grid: FloatArray
    alpha_selected: FloatArray
    frequency: FloatArray
    full_data_alpha: float | FloatArray
    per_target: bool

    def __repr__(self) -> str:
        B = self.alpha_selected.shape[0]
        return (
            f"ReplicateSelection(method={self.method!r}, grid of {len(self.grid)} alphas, "
            f"{B} replicates, full_data_alpha={self.full_data_alpha!r})"
        )


def make_selection(
    method: str,
    grid: np.ndarray,
    index: np.ndarray,
    full_alpha: np.ndarray,
    per_target: bool,
    has_t: bool,
) -> ReplicateSelection:
    """Build the record from the engine's (B, t) grid rows (-1: replicate not fitted)."""
    k = len(grid)
    fitted = index >= 0
    selected = np.where(fitted, grid[np.clip(index, 0, k - 1)], np.nan)
    n_fitted = np.maximum(fitted.sum(axis=0), 1)
    frequency = np.stack([(index == a).sum(axis=0) / n_fitted for a in range(k)])  # (k, t)
    one = has_t and per_target
    return ReplicateSelection(
        method=method,
        grid=grid.copy(),
        alpha_selected=selected if one else selected[:, 0],
        frequency=frequency if one else frequency[:, 0],
        full_data_alpha=full_alpha.copy() if one else float(full_alpha[0]),
        per_target=per_target,
    )


@dataclass(frozen=True, repr=False)
class SmoothedEstimate:
    """The bootstrap-smoothed (bagged) estimate and its delta-method standard error.

    Efron (2014): the smoothed estimate s = mean_b t_b of a statistic t (here every
    coefficient and intercept, each at its replicate's own alpha when alpha is
    re-selected) has the standard error sd = (sum_i cov_i^2)^(1/2), where cov_i =
    mean_b (N_bi - mean_b N_bi)(t_b - s) and N_bi is how often row i is in
    replicate b. ``se_bias_corrected`` removes the Monte-Carlo part of sd^2,
    sd^2 - (n / B^2) sum_b (t_b - s)^2 (Efron 2014, section 4), floored at 0.

    Attributes
    ----------
    coef, coef_se, coef_se_bias_corrected : ndarray of shape (p[, t])
    intercept, intercept_se, intercept_se_bias_corrected : float or ndarray of shape (t,)
    n_replicates : int
        The fitted replicates the figures use.
    """

    coef: FloatArray
    coef_se: FloatArray
    coef_se_bias_corrected: FloatArray
    intercept: float | FloatArray
    intercept_se: float | FloatArray
    intercept_se_bias_corrected: float | FloatArray
    n_replicates: int

    def __repr__(self) -> str:
        return f"SmoothedEstimate(coef shape {np.shape(self.coef)}, {self.n_replicates} replicates)"


def smoothed_estimate(
    counts: np.ndarray, coefs: np.ndarray, intercepts: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Efron's smoothed estimate and standard errors, for coefficients and intercepts.

    Parameters
    ----------
    counts : ndarray of shape (B, n)
        How often each row is in each (fitted) replicate.
    coefs : ndarray of shape (B, m)
        Each replicate's coefficients (flattened); intercepts (B, q) likewise.

    Returns
    -------
    ((mean, se, se_corrected) of shape (m,), the same for the intercepts (q,))
    """
    B, n = counts.shape
    centred_counts = counts - counts.mean(axis=0)  # (B, n)

    def one(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        t = t.astype(np.float64)
        mean = t.mean(axis=0)
        dev = t - mean  # (B, m)
        cov = centred_counts.T @ dev / B  # (n, m)
        var = np.einsum("im,im->m", cov, cov)
        corrected = var - n / B**2 * np.einsum("bm,bm->m", dev, dev)
        return mean, np.sqrt(var), np.sqrt(np.maximum(corrected, 0.0))

    return one(coefs), one(intercepts)


def smoothed_result(
    counts: np.ndarray, coefs: np.ndarray, intercepts: np.ndarray, intercept_shape: tuple[int, ...]
) -> SmoothedEstimate:
    """SmoothedEstimate from the replicates' public arrays (B, p[, t]) and (B[, t])."""
    B = coefs.shape[0]
    (c, c_se, c_sc), (b, b_se, b_sc) = smoothed_estimate(
        counts.astype(np.float64), coefs.reshape(B, -1), intercepts.reshape(B, -1)
    )
    shape = coefs.shape[1:]

    def icpt(a: np.ndarray) -> Optional[float] | np.ndarray:
        return float(a[0]) if intercept_shape == () else a.reshape(intercept_shape)

    return SmoothedEstimate(
        coef=c.reshape(shape),
        coef_se=c_se.reshape(shape),
        coef_se_bias_corrected=c_sc.reshape(shape),
        intercept=icpt(b),  # type: ignore[arg-type]
        intercept_se=icpt(b_se),  # type: ignore[arg-type]
        intercept_se_bias_corrected=icpt(b_sc),  # type: ignore[arg-type]
        n_replicates=B,
    )
