"""The result of a bootstrap: arrays, the settings, and what they tell about the weights.

:class:`BootstrapResult` is data. Its analyses delegate to :mod:`ridgeboot._intervals`
(confidence intervals, the sandwich) and :mod:`ridgeboot._prediction_error` (the .632
estimators). Internally arrays carry every axis, (k, ..., t); the public ones drop the
alpha axis for a scalar alpha and the target axis for a 1-D y.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import numpy as np

from . import _core, _intervals, _prediction_error
from ._bias_variance import BiasVariance, true_bias_variance
from ._describe import coefficient_table, short_repr
from ._prediction_error import ErrorParts
from ._replicate_selection import ReplicateSelection, SmoothedEstimate, smoothed_result
from ._result_axes import Axes, drop_absent_axes, full_fit_result, one_alpha
from ._ridge import RidgePathResult, RidgeResult
from ._sparse import SparseX
from ._validation import FloatArray, Names, check_choice


@dataclass(frozen=True)
class TrainingData:
    """The rows a bootstrap was fitted on, kept by reference (no copy).

    Only BCa's jackknife and the sandwich covariance read them.

    Attributes
    ----------
    X : ndarray of shape (n, p)
    Y : ndarray of shape (n, t)
    weight : ndarray of shape (n,) or None
    """

    X: np.ndarray
    Y: np.ndarray
    weight: Optional[np.ndarray]


@dataclass(frozen=True, repr=False)
class BootstrapResult:
    """Result of :func:`ridgeboot.bootstrap`.

    Shapes use B replicates, k alphas (no axis for a scalar alpha), p features
    and t targets (no axis for a 1-D y).

    Attributes
    ----------
    coefs : ndarray of shape (B[, k], p[, t]) or None
        Every replicate's weights (``keep_coefs=True``), in the input's dtype.
    intercepts : ndarray of shape (B[, k][, t]) or None
    coef_mean, coef_std : ndarray of shape ([k,] p[, t])
        Mean and standard deviation (ddof=1) over the replicates.
    intercept_mean, intercept_std : ndarray of shape ([k][, t])
    oob_mse : ndarray of shape ([k][, t])
        Out-of-bag mean squared error, averaged over the replicates that have
        out-of-bag rows (weighted by sample_weight within a replicate).
    full : RidgeResult or RidgePathResult
        The fit on all rows, same alphas and solver.
    n_boot, seed, scheme, block_len, alphas, solver, fit_intercept
        The run's settings; ``solver`` is the one the replicates used.
    n_valid : int
        Replicates that were fitted: a draw with no row of positive weight (few
        Poisson blocks, sparse sample weights) is skipped with a warning.
    n_fallback : int
        With solver="auto": replicates whose factorization failed or was
        ill-conditioned, redone by the SVD.
    feature_names, target_names : tuple of str or None
        The column names of X and y when they were pandas objects.
    selection : ReplicateSelection or None
        With ``select=``: the alpha each replicate chose. ``alphas`` is then the
        alpha chosen on all rows (``full`` is ``ridge_cv``'s fit there), and every
        spread and interval is that of the whole procedure, choice included.
    """

    coefs: Optional[FloatArray]
    intercepts: Optional[FloatArray]
    coef_mean: FloatArray
    coef_std: FloatArray
    intercept_mean: FloatArray
    intercept_std: FloatArray
    oob_mse: Optional[FloatArray]
    full: Union[RidgeResult, RidgePathResult]
    n_boot: int
    n_valid: int
    seed: int
    scheme: str
    block_len: Optional[int]
    alphas: Union[float, FloatArray]
    solver: str
    fit_intercept: bool
    n_fallback: int = 0
    feature_names: Names = None
    target_names: Names = None
    selection: Optional[ReplicateSelection] = None
    # None out of core (ridgeboot.distributed with dask arrays): no BCa, no sandwich
    _training: Optional[TrainingData] = field(repr=False, default=None)
    # per training row: the sum of its out-of-bag losses (n, k, t) and how many
    # replicates left it out (n,); or why they are absent
    _oob_rows: Union[tuple[np.ndarray, np.ndarray], str] = field(
        repr=False, default="err632 needs per-row out-of-bag sums: run bootstrap with oob=True"
    )
    _axes: Axes = field(repr=False, default=(False, False))

    def __repr__(self) -> str:
        return short_repr(
            self,
            {
                "n_boot": self.n_boot,
                "n_valid": self.n_valid,
                "alphas": self.alphas,
                "coef_mean": self.coef_mean,
                "scheme": self.scheme,
                "block_len": self.block_len,
                "seed": self.seed,
                "solver": self.solver,
                "keep_coefs": self.coefs is not None,
                "feature_names": self.feature_names,
                "target_names": self.target_names,
                "select": None if self.selection is None else self.selection.method,
            },
        )

    def summary(self, level: float = 0.95, method: str = "percentile") -> Any:
        """Every coefficient with its standard error and confidence interval, as a table.

        The interval covers the ridge coefficient at each alpha, the alpha held fixed
        (the replicates refit with that alpha): it does not include the uncertainty of
        choosing alpha -- unless the bootstrap ran with ``select=``.

        Parameters
        ----------
        level : float, default=0.95
            Coverage, in (0, 1).
        method : {"percentile", "basic", "normal", "bca"}, default="percentile"
            As in :meth:`ci`.

        Returns
        -------
        pandas.DataFrame
            One row per feature (x target x alpha where present), indexed by
            ("alpha", "target", "feature") as present; columns ``coef`` (the fit on
            all rows), ``std`` (bootstrap standard error, ddof=1), ``ci_low``,
            ``ci_high``. ``attrs`` records ``level``, ``method``, ``n_boot`` and
            ``interval`` (what the interval covers).
        """
        lo, hi = self.ci(level, method)
        full, _ = self._full_kpt()
        columns = {
            "coef": full,
            "std": self._kpt(self.coef_std),
            "ci_low": self._kpt(lo),
            "ci_high": self._kpt(hi),
        }
        if self.selection is None:
            covers = "at each alpha, the alpha held fixed (not chosen per replicate)"
        else:
            covers = (
                f"of the whole procedure, alpha re-chosen by {self.selection.method} per replicate"
            )
        return coefficient_table(
            columns,
            alphas=[float(a) for a in self._alpha_values()] if self._axes[0] else None,
            targets=(self.target_names or ()) if self._axes[1] else None,
            features=self.feature_names,
            attrs={
                "level": float(level),
                "method": method,
                "n_boot": self.n_valid,
                "interval": f"{float(level):.3g} {method} bootstrap interval of the ridge "
                f"coefficient {covers}",
            },
        )

    # -- shape helpers
    def _public(self, a: np.ndarray, k_axis: int, t_axis: int) -> np.ndarray:
        return drop_absent_axes(a, self._axes, k_axis, t_axis)

    def _kpt(self, a: np.ndarray) -> np.ndarray:
        """Inverse of _public for ([k,] ...[, t]) arrays: the alpha axis first, targets last."""
        has_k, has_t = self._axes
        a = np.asarray(a)
        if not has_t:
            a = a[..., None]
        if not has_k:
            a = a[None]
        return a

    def _full_kpt(self) -> tuple[np.ndarray, np.ndarray]:
        """Full-data fit as (k, p, t) and (k, t)."""
        coef = np.asarray(self.full.coef)
        return self._kpt(coef), self._kpt(np.asarray(self.full.intercept, dtype=coef.dtype))

    def _alpha_values(self) -> np.ndarray:
        return np.atleast_1d(np.asarray(self.alphas, dtype=np.float64))

    def _fixed_alpha(self, what: str, part: str) -> None:
        if self.selection is not None:
            raise ValueError(
                f"{what} is not available with select=: {part} would hold alpha fixed, "
                "while the replicates re-selected it; use method 'percentile', 'basic' or "
                "'normal', or smoothed()"
            )

    def _training_data(self, what: str, sparse: bool = False) -> TrainingData:
        if self._training is None:
            raise ValueError(
                f"{what} needs the training rows in memory; this result comes from an "
                "out-of-core bootstrap (dask arrays): compute X and y and run ridgeboot.bootstrap"
            )
        if not sparse and isinstance(self._training.X, SparseX):
            raise TypeError(
                f"{what} needs a dense X; this bootstrap ran on sparse X: run it on X.toarray() "
                "for this analysis"
            )
        return self._training

    def _coefs_bkpt(self) -> np.ndarray:
        """Every fitted replicate's coefficients, (B', k, p, t)."""
        if self.coefs is None:
            raise ValueError(
                "this needs every replicate's coefficients: run bootstrap with keep_coefs=True"
            )
        c = self.coefs
        if self.n_valid < self.n_boot:  # skipped replicates hold NaN
            fitted = ~np.isnan(c.reshape(len(c), -1)).any(axis=1)
            # none left: every fitted replicate is NaN too (NaN data, check_finite=False)
            c = c[fitted] if fitted.any() else c
        has_k, has_t = self._axes
        if not has_k:
            c = c[:, None]
        return c if has_t else c[..., None]

    # -- prediction error
    def _parts(self) -> ErrorParts:
        if isinstance(self._oob_rows, str):
            raise ValueError(self._oob_rows)
        d = self._training_data("err632", sparse=True)
        coef, icpt = self._full_kpt()
        return _prediction_error.error_parts(d.X, d.Y, d.weight, coef, icpt, *self._oob_rows)

    @property
    def err632(self) -> FloatArray:
        """Efron's .632 estimate of the prediction error, shape ([k][, t])."""
        return self._public(_prediction_error.err632(self._parts()), 0, 1)

    @property
    def err632plus(self) -> FloatArray:
        """Efron & Tibshirani's .632+ estimate of the prediction error, shape ([k][, t])."""
        return self._public(_prediction_error.err632plus(self._parts()), 0, 1)

    # -- confidence intervals
    def ci(self, level: float = 0.95, method: str = "percentile") -> tuple[FloatArray, FloatArray]:
        """Confidence intervals for every coefficient.

        Each interval is for the ridge coefficient at its alpha (E w_alpha, the mean of
        the ridge weights over repeated samples, shrunk toward 0; alpha held fixed, or
        re-chosen in every replicate with ``select=``), not for the true unpenalized
        weights; their measured coverage of both is in the user guide's "Coverage of the
        intervals" page (docs/coverage.md).

        Parameters
        ----------
        level : float, default=0.95
            Coverage, in (0, 1).
        method : {"percentile", "basic", "normal", "bca"}, default="percentile"
            "percentile": quantiles of the replicates; "basic": 2 w_full minus
            those quantiles; "normal": bias-corrected w_full - bias +- z se (works
            without kept coefficients); "bca": bias-corrected and accelerated
            (Efron 1987), the acceleration from exact leave-one-out fits in closed
            form. "percentile", "basic" and "bca" need ``keep_coefs=True``.

        Returns
        -------
        lo, hi : ndarray of shape ([k,] p[, t])
        """
        check_choice(method, _intervals.CI_METHODS, "method")
        if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
            raise ValueError(f"level must be a number in (0, 1), got {level!r}")
        tail = (1 - float(level)) / 2
        full, _ = self._full_kpt()
        if method == "normal":
            mean, std = self._kpt(self.coef_mean), self._kpt(self.coef_std)
            lo, hi = _intervals.normal(full, mean, std, tail)
            return self._public(lo, 0, 2), self._public(hi, 0, 2)
        c = self._coefs_bkpt()
        if method == "percentile":
            lo, hi = _intervals.percentile(c, tail)
        elif method == "basic":
            lo, hi = _intervals.basic(c, full, tail)
        else:
            self._fixed_alpha("ci(method='bca')", "its jackknife refits")
            d = self._training_data("ci(method='bca')")
            acc = _intervals.jackknife_acceleration(
                d.X, d.Y, d.weight, self._alpha_values(), self.fit_intercept
            )
            lo, hi = _intervals.bca(c, full, tail, acc)
        dt = c.dtype
        return self._public(lo.astype(dt), 0, 2), self._public(hi.astype(dt), 0, 2)

    # -- bias and variance across alpha
    def bias_variance(self, true_coef: Any = None, noise_sd: Any = None) -> BiasVariance:
        """Estimate variance and bias per alpha by the bootstrap, beside the truth where known.

        Without arguments: the bootstrap's estimate of the total variance of the
        weights (with its Monte-Carlo error) and the squared length of its bias
        estimate. On simulated data, ``true_coef`` (and ``noise_sd``) add the true
        squared bias (and variance and MSE) in closed form for the training design,
        by :func:`ridgeboot.ridge_truth` with this run's X, alphas, sample weights and
        intercept; the true values say what the bootstrap's numbers estimate.

        Parameters
        ----------
        true_coef : array_like of shape (p,) or (p, t), optional
            The true weights w of the model y = b + X w + noise.
        noise_sd : float or array_like of shape (n,), optional
            The model's noise standard deviation (per row, or one for all); needs
            ``true_coef``.

        Returns
        -------
        BiasVariance
            ``alphas``, ``variance``, ``variance_mc_se``, ``bootstrap_bias2``,
            ``norm``, and with the truth ``bias2``, ``true_variance``, ``mse``,
            ``estimation_error2``; each of shape ([k][, t]) or None.
        """
        mean = self._kpt(self.coef_mean).astype(np.float64)
        std = self._kpt(self.coef_std).astype(np.float64)
        k, p, t = mean.shape
        var = (std**2).sum(axis=1)
        B = self.n_valid
        norm = np.sqrt((mean**2).sum(axis=1) + var * (B - 1) / B)
        full = self._full_kpt()[0].astype(np.float64)
        boot_bias2 = ((mean - full) ** 2).sum(axis=1)
        mc_se = None
        if self.coefs is not None:
            c = self._coefs_bkpt().astype(np.float64)
            spread2 = ((c - c.mean(axis=0)) ** 2).sum(axis=2)  # (B, k, t)
            mc_se = self._public(spread2.std(axis=0, ddof=1) / np.sqrt(len(c)), 0, 1)
        truth: dict[str, Any] = {}
        if noise_sd is not None and true_coef is None:
            raise ValueError("noise_sd needs true_coef: the truth is that of a known model")
        if true_coef is not None:
            ref = np.asarray(true_coef, dtype=np.float64)
            if ref.shape not in ((p,), (p, t)) and not (ref.ndim == 2 and ref.shape == (p, 1)):
                raise ValueError(f"true_coef must have shape ({p},) or ({p}, {t}), got {ref.shape}")
            ref = np.broadcast_to(ref.reshape(p, -1), (p, t))
            if self.selection is not None:
                raise ValueError(
                    "bias_variance(true_coef) is not available with select=: its closed-form "
                    "truth holds alpha fixed, while the replicates re-selected it"
                )
            d = self._training_data("bias_variance(true_coef)")
            bias2, true_var = true_bias_variance(
                d.X, d.weight, ref, noise_sd, self._alpha_values(), self.fit_intercept
            )
            truth["bias2"] = self._public(bias2, 0, 1)
            truth["estimation_error2"] = self._public(((mean - ref[None]) ** 2).sum(axis=1), 0, 1)
            if noise_sd is not None:
                truth["true_variance"] = self._public(true_var, 0, 1)
                truth["mse"] = self._public(bias2 + true_var, 0, 1)
        return BiasVariance(
            alphas=np.asarray(self.alphas, dtype=np.float64),
            variance=self._public(var, 0, 1),
            variance_mc_se=mc_se,
            bootstrap_bias2=self._public(boot_bias2, 0, 1),
            norm=self._public(norm, 0, 1),
            **truth,
        )

    def smoothed(self) -> SmoothedEstimate:
        """Efron's bootstrap-smoothed (bagged) estimate and its delta-method standard error.

        The smoothed estimate is the mean of the replicates' coefficients (each at
        its own alpha with ``select=``); its standard error, sd = (sum_i cov_i^2)^(1/2)
        with cov_i the bootstrap covariance between row i's count and the estimate
        (Efron 2014, "Estimation and accuracy after model selection"), accounts for
        the choice of alpha and is typically smaller than ``coef_std``, the spread
        of the unsmoothed estimate. Needs ``keep_coefs=True`` and the multinomial
        bootstrap (the formula is for resampling rows).

        Returns
        -------
        SmoothedEstimate
            ``coef`` and ``coef_se`` of shape ([k,] p[, t]), intercepts ([k][, t]),
            also ``*_se_bias_corrected`` (the Monte-Carlo part of sd^2 removed).
        """
        if self.scheme != "multinomial" or self.block_len is not None:
            raise ValueError(
                "smoothed() needs the multinomial bootstrap of rows (Efron's delta method "
                f"regresses on row counts); this run used scheme={self.scheme!r}"
                + (f", block_len={self.block_len}" if self.block_len is not None else "")
            )
        if self.coefs is None or self.intercepts is None:
            raise ValueError("smoothed() needs every replicate's coefficients: keep_coefs=True")
        n = self._training_data("smoothed()").X.shape[0]
        # the run's own draws (bootstrap_counts(n, n_boot, seed): no block length)
        counts = _core.bootstrap_counts(n, self.n_boot, self.seed, "multinomial", 0, 1)
        fitted = ~np.isnan(self.coefs.reshape(self.n_boot, -1)).any(axis=1)
        return smoothed_result(
            counts[fitted],
            self.coefs[fitted],
            self.intercepts[fitted],
            np.shape(self.intercept_mean),
        )

    def coef_cov_analytic(self) -> FloatArray:
        """HC0 sandwich covariance of the full-data ridge weights, as a cross-check of the spread.

        (Xc^T V Xc + alpha I)^-1 Xc^T V Omega V Xc (Xc^T V Xc + alpha I)^-1 with Omega =
        diag(e_i^2) from the full fit's residuals (Xc centred by the weighted means).

        Returns
        -------
        ndarray of shape ([k,] [t,] p, p)
        """
        self._fixed_alpha("coef_cov_analytic()", "the sandwich")
        d = self._training_data("coef_cov_analytic()")
        coef, icpt = self._full_kpt()
        out = _intervals.sandwich_covariance(
            d.X, d.Y, d.weight, coef, icpt, self._alpha_values(), self.fit_intercept
        )
        return self._public(out, 0, 1)


def make_result(
    *,
    grid: np.ndarray,
    axes: Axes,
    dtype: np.dtype[Any],
    full: tuple[np.ndarray, np.ndarray],
    moments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    replicates: tuple[Optional[np.ndarray], Optional[np.ndarray]],
    oob_mse: Optional[np.ndarray],
    settings: dict[str, Any],
    training: Optional[TrainingData],
    oob_rows: Union[tuple[np.ndarray, np.ndarray], str],
    selection: Optional[ReplicateSelection] = None,
) -> BootstrapResult:
    """Build a BootstrapResult from arrays with every axis (the one construction path).

    Parameters
    ----------
    grid : ndarray of shape (k, t)
    axes : (has_k, has_t)
    dtype : the computing dtype of the public arrays
    full : coef (k, p, t), intercept (k, t) of the full-data fit
    moments : coef mean, coef std (k, p, t), intercept mean, intercept std (k, t), float64
    replicates : coefs (B, k, p, t), intercepts (B, k, t), or None each
    oob_mse : (k, t) or None
    settings : n_boot, n_valid, n_fallback, seed, scheme, block_len, solver, fit_intercept
    training : see BootstrapResult
    oob_rows : the per-row out-of-bag sums (n, k, t) and counts (n,), or why they are absent
    selection : the replicates' choices of alpha (select=), or None
    """
    has_k, _ = axes

    def public(a: Optional[np.ndarray], k_axis: int, t_axis: int) -> Any:
        return None if a is None else drop_absent_axes(a, axes, k_axis, t_axis)

    coef_mean, coef_std, icpt_mean, icpt_std = moments
    coefs, intercepts = replicates
    return BootstrapResult(
        coefs=public(coefs, 1, 3),
        intercepts=public(intercepts, 1, 2),
        coef_mean=public(coef_mean.astype(dtype, copy=False), 0, 2),
        coef_std=public(coef_std.astype(dtype, copy=False), 0, 2),
        intercept_mean=public(icpt_mean.astype(dtype, copy=False), 0, 1),
        intercept_std=public(icpt_std.astype(dtype, copy=False), 0, 1),
        oob_mse=public(oob_mse, 0, 1),
        full=full_fit_result(
            full[0],
            full[1],
            grid,
            axes,
            settings["solver"],
            (settings.get("feature_names"), settings.get("target_names")),
        ),
        alphas=grid[:, 0].copy() if has_k else one_alpha(grid),
        selection=selection,
        _training=training,
        _oob_rows=oob_rows,
        _axes=axes,
        **settings,
    )
