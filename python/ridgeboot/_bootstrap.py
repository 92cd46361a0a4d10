"""The bootstrap: B weighted refits on native threads, and what they tell about the weights."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Callable, Optional, Union

import numpy as np

from ._engine import EngineJob, current_runner
from ._ridge import RidgePathResult, RidgeResult, fit_grid, path_solver
from ._validation import (
    MAX_REPLICATES,
    MAX_ROWS,
    MAX_SEED,
    SCHEMES,
    SOLVERS,
    FloatArray,
    Prepared,
    check_bool,
    check_choice,
    check_int,
    check_memory,
    path_grid,
    prepare,
    resolve_threads,
)

CI_METHODS = ("percentile", "basic", "normal", "bca")


def _drop_absent_axes(
    a: np.ndarray, axes: tuple[bool, bool], k_axis: int, t_axis: int
) -> np.ndarray:
    """Squeeze the alpha axis (scalar alpha) and the target axis (1-D y) where absent."""
    has_k, has_t = axes
    drop = [ax for ax, keep in ((k_axis, has_k), (t_axis, has_t)) if not keep]
    return np.squeeze(a, axis=tuple(drop)) if drop else a


def _block_len(block_len: Optional[int], n: int) -> int:
    if block_len is None:
        return 0
    return check_int(block_len, "block_len", 1, n)


def bootstrap_counts(
    n: int,
    n_boot: int,
    seed: int = 0,
    scheme: str = "multinomial",
    block_len: Optional[int] = None,
    *,
    n_threads: Optional[int] = None,
) -> np.ndarray:
    """How often each row is in each replicate: exactly the draws of :func:`bootstrap`.

    Draws come from Philox4x32-10 keyed by ``seed``, counter (position, replicate,
    stream), so replicate b depends only on (seed, b, n, scheme, block_len).
    See ``cpp/include/ridgeboot/rng.hpp`` for the exact algorithm.

    Parameters
    ----------
    n : int
        Number of rows.
    n_boot : int
        Number of replicates B.
    seed : int, default=0
        0 <= seed <= 2**64 - 1.
    scheme : {"multinomial", "poisson"}, default="multinomial"
        "multinomial": n rows drawn uniformly with replacement (Lemire's
        unbiased bounded integers); "poisson": an independent Poisson(1) count
        per row.
    block_len : int, optional
        Moving-block bootstrap: ceil(n / L) starts uniform on [0, n - L], L
        consecutive rows each, trimmed to n rows ("multinomial"); one Poisson(1)
        count per non-overlapping block of L rows ("poisson").
    n_threads : int, optional
        Threads used to draw; the draws do not depend on it.

    Returns
    -------
    ndarray of int32, shape (n_boot, n)
    """
    n = check_int(n, "n", 1, MAX_ROWS)
    n_boot = check_int(n_boot, "n_boot", 0, MAX_REPLICATES)
    seed = check_int(seed, "seed", 0, MAX_SEED)
    check_choice(scheme, SCHEMES, "scheme")
    check_memory(4.0 * n * n_boot, f"a ({n_boot}, {n}) table of counts", "draw fewer replicates")
    from . import _core

    return _core.bootstrap_counts(
        n, n_boot, seed, scheme, _block_len(block_len, n), resolve_threads(n_threads)
    )


@dataclass(frozen=True)
class BiasVariance:
    """The bias-variance picture across alpha.

    Attributes
    ----------
    alphas : ndarray of shape (k,) or ()
    bias2 : ndarray of shape ([k][, t])
        ||mean_b(w_b) - w_ref||^2 (w_ref = true_coef, or the full-data fit). Against
        the true weights this includes the error of the one sample at hand (it is
        not zero at alpha = 0); against the full fit it is the bootstrap bias.
    variance : ndarray of shape ([k][, t])
        Total bootstrap variance sum_j Var_b(w_bj) (ddof=1).
    norm : ndarray of shape ([k][, t])
        Root-mean-square weight norm over replicates, sqrt(mean_b ||w_b||^2).
    """

    alphas: FloatArray
    bias2: FloatArray
    variance: FloatArray
    norm: FloatArray


@dataclass(frozen=True)
class BootstrapResult:
    """Result of :func:`bootstrap`.

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
    n_boot, seed, scheme, block_len, alphas, solver
        The run's settings.
    n_valid : int
        Replicates that were fitted: a draw with no row of positive weight (few
        Poisson blocks, sparse sample weights) is skipped with a warning.
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
    _data: Optional[Prepared] = field(repr=False)  # None: out of core (ridgeboot.distributed)
    _oob_loss: Optional[np.ndarray] = field(repr=False, default=None)
    _oob_count: Optional[np.ndarray] = field(repr=False, default=None)
    _axes: tuple[bool, bool] = field(
        repr=False, default=(False, False)
    )  # (alpha axis, target axis)

    def _in_memory(self) -> Prepared:
        if self._data is None:
            raise ValueError(
                "this needs the training data in memory; this result comes from an out-of-core "
                "bootstrap (dask arrays): compute X and y and run ridgeboot.bootstrap"
            )
        return self._data

    # -- shape helpers: internal arrays carry (k, ..., t); public ones drop absent axes
    def _public(self, a: np.ndarray, k_axis: int, t_axis: int) -> np.ndarray:
        return _drop_absent_axes(a, self._axes, k_axis, t_axis)

    def _full_kpt(self) -> tuple[np.ndarray, np.ndarray]:
        """Full-data fit as (k, p, t) and (k, t)."""
        coef = np.asarray(self.full.coef)
        icpt = np.asarray(self.full.intercept, dtype=coef.dtype)
        return self._public_to_kpt(coef), self._public_to_kpt(icpt)

    def _coefs_bkpt(self) -> np.ndarray:
        if self.coefs is None:
            raise ValueError(
                "this needs every replicate's coefficients: run bootstrap with keep_coefs=True"
            )
        c = self.coefs
        if self.n_valid < self.n_boot:  # skipped replicates hold NaN
            c = c[~np.isnan(c.reshape(len(c), -1)).any(axis=1)]
        has_k, has_t = self._axes
        if not has_k:
            c = c[:, None]
        if not has_t:
            c = c[..., None]
        return c

    # -- prediction error
    def _apparent(self) -> tuple[np.ndarray, np.ndarray]:
        """Training error of the full fit and the no-information error, both (k, t)."""
        d = self._in_memory()
        coef, icpt = self._full_kpt()
        v = d.weight if d.weight is not None else np.ones(d.n, dtype=d.dtype)
        v = v.astype(np.float64) / v.sum()
        X, Y = d.X.astype(np.float64), d.Y.astype(np.float64)
        pred = np.einsum("np,kpt->knt", X, coef.astype(np.float64)) + icpt[:, None, :]
        err = np.einsum("n,knt->kt", v, (Y[None] - pred) ** 2)
        ybar, y2 = v @ Y, v @ Y**2
        pbar, p2 = np.einsum("n,knt->kt", v, pred), np.einsum("n,knt->kt", v, pred**2)
        gamma = y2[None] - 2 * ybar[None] * pbar + p2
        return err, gamma

    def _err1(self) -> np.ndarray:
        """Leave-one-out bootstrap error Err(1), shape (k, t).

        Per row, the mean loss over the replicates that leave it out; then the
        (sample-weighted) mean over the rows left out at least once.
        """
        if self._oob_loss is None or self._oob_count is None:
            raise ValueError("err632 needs per-row out-of-bag sums: run bootstrap with oob=True")
        d = self._in_memory()
        seen = self._oob_count > 0
        if not seen.any():
            raise ValueError("no row was ever out of bag; increase n_boot")
        v = (d.weight if d.weight is not None else np.ones(d.n))[seen].astype(np.float64)
        per_row = self._oob_loss[seen] / self._oob_count[seen][:, None, None]
        return np.einsum("n,nkt->kt", v / v.sum(), per_row)  # type: ignore[no-any-return]

    @property
    def err632(self) -> FloatArray:
        """Efron's .632 estimate, 0.368 * training error + 0.632 * Err(1); shape ([k][, t])."""
        err, _ = self._apparent()
        return self._public(0.368 * err + 0.632 * self._err1(), 0, 1)

    @property
    def err632plus(self) -> FloatArray:
        """Efron & Tibshirani's .632+ estimate (1997), shape ([k][, t]).

        With gamma the no-information error and R = (Err1 - err) / (gamma - err)
        the relative overfitting rate (0 unless Err1 > err and gamma > err),
        w = 0.632 / (1 - 0.368 R) and the estimate is (1 - w) err + w min(Err1, gamma).
        """
        err, gamma = self._apparent()
        err1 = np.minimum(self._err1(), gamma)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where((err1 > err) & (gamma > err), (err1 - err) / (gamma - err), 0.0)
        w = 0.632 / (1 - 0.368 * np.clip(rate, 0, 1))
        return self._public((1 - w) * err + w * err1, 0, 1)

    # -- confidence intervals
    def ci(self, level: float = 0.95, method: str = "percentile") -> tuple[FloatArray, FloatArray]:
        """Confidence intervals for every coefficient.

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
        check_choice(method, CI_METHODS, "method")
        if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
            raise ValueError(f"level must be a number in (0, 1), got {level!r}")
        level = float(level)
        tail = (1 - level) / 2
        full, _ = self._full_kpt()
        if method == "normal":
            z = NormalDist().inv_cdf(1 - tail)
            mean = self._public_to_kpt(self.coef_mean)
            se = self._public_to_kpt(self.coef_std)
            centre = 2 * full - mean
            return self._public(centre - z * se, 0, 2), self._public(centre + z * se, 0, 2)
        c = self._coefs_bkpt()
        if method == "percentile":
            lo, hi = np.quantile(c, [tail, 1 - tail], axis=0)
        elif method == "basic":
            qlo, qhi = np.quantile(c, [tail, 1 - tail], axis=0)
            lo, hi = 2 * full - qhi, 2 * full - qlo
        else:
            lo, hi = self._bca(c, full, tail)
        dt = c.dtype
        return self._public(lo.astype(dt), 0, 2), self._public(hi.astype(dt), 0, 2)

    def _public_to_kpt(self, a: np.ndarray) -> np.ndarray:
        """Inverse of _public for ([k,] ...[, t]) arrays: the alpha axis first, targets last."""
        has_k, has_t = self._axes
        if not has_t:
            a = a[..., None]
        if not has_k:
            a = a[None]
        return a

    def _bca(self, c: np.ndarray, full: np.ndarray, tail: float) -> tuple[np.ndarray, np.ndarray]:
        nd = NormalDist()
        B = c.shape[0]
        below = (c < full[None]).sum(axis=0) + 0.5 * (c == full[None]).sum(axis=0)
        prop = np.clip(below / B, 1 / (2 * B), 1 - 1 / (2 * B))
        z0 = np.vectorize(nd.inv_cdf)(prop)
        acc = self._acceleration()
        cdf = np.vectorize(nd.cdf)
        levels = []
        for q in (tail, 1 - tail):
            zq = nd.inv_cdf(q)
            levels.append(cdf(z0 + (z0 + zq) / (1 - acc * (z0 + zq))))
        srt = np.sort(c, axis=0)
        out = []
        for lev, q in zip(levels, (tail, 1 - tail)):
            lev = np.where(np.isfinite(lev), lev, q)  # undefined correction: percentile level
            pos = np.clip(lev * (B - 1), 0, B - 1)
            i0 = np.floor(pos).astype(int)
            i1 = np.minimum(i0 + 1, B - 1)
            frac = pos - i0
            v0 = np.take_along_axis(srt, i0[None], axis=0)[0]
            v1 = np.take_along_axis(srt, i1[None], axis=0)[0]
            out.append(v0 + frac * (v1 - v0))
        return out[0], out[1]

    def _acceleration(self) -> np.ndarray:
        """Jackknife acceleration a = sum d^3 / (6 (sum d^2)^1.5), shape (k, p, t).

        d = mean - w_(i), with the exact leave-one-out fits w_(i) from Sherman-Morrison
        on the augmented system [1, X]^T V [1, X] + diag(0, alpha I): no n refits.
        """
        d = self._in_memory()
        X, Y = d.X.astype(np.float64), d.Y.astype(np.float64)
        v = d.weight.astype(np.float64) if d.weight is not None else np.ones(d.n)
        keep = v > 0
        X, Y, v = X[keep], Y[keep], v[keep]
        alphas = np.atleast_1d(np.asarray(self.alphas, dtype=np.float64))
        Xa = np.hstack([np.ones((len(X), 1)), X]) if self.fit_intercept else X
        off = 1 if self.fit_intercept else 0
        acc = np.zeros((len(alphas), d.p, d.t))
        for a_idx, alpha in enumerate(alphas):
            A = Xa.T @ (v[:, None] * Xa)
            A[np.arange(off, Xa.shape[1]), np.arange(off, Xa.shape[1])] += alpha
            Ainv = np.linalg.pinv(A, hermitian=True)
            theta = Ainv @ (Xa.T @ (v[:, None] * Y))  # (q, t)
            resid = Y - Xa @ theta  # (m, t)
            AX = Xa @ Ainv  # (m, q): row i = (A^-1 x_i)^T
            lev = np.einsum("iq,iq->i", AX, Xa) * v
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(lev < 1 - 1e-12, v / (1 - lev), 0.0)
            # theta_(i) = theta - A^-1 x_i v_i e_i / (1 - v_i h_i); keep the feature rows
            delta = AX[:, off:, None] * (scale[:, None] * resid)[:, None, :]  # (m, p, t)
            jack = theta[off:][None] - delta
            dev = jack.mean(axis=0)[None] - jack
            # the acceleration is scale-free: scale first so that cubes cannot overflow
            scale = np.max(np.abs(dev), axis=0)
            dev = dev / np.where(scale > 0, scale, 1.0)[None]
            num = (dev**3).sum(axis=0)
            den = 6 * (dev**2).sum(axis=0) ** 1.5
            acc[a_idx] = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        return acc

    # -- bias and variance across alpha
    def bias_variance(self, true_coef: Any = None) -> BiasVariance:
        """Squared bias, total variance and weight norm per alpha.

        Parameters
        ----------
        true_coef : array_like of shape (p,) or (p, t), optional
            The true weights (on simulated data); by default the full-data fit
            of each alpha is the reference.

        Returns
        -------
        BiasVariance
            ``alphas``, ``bias2``, ``variance``, ``norm``, each of shape ([k][, t]).
        """
        mean = self._public_to_kpt(self.coef_mean).astype(np.float64)
        std = self._public_to_kpt(self.coef_std).astype(np.float64)
        if true_coef is None:
            ref = self._full_kpt()[0].astype(np.float64)
        else:
            ref = np.asarray(true_coef, dtype=np.float64)
            p, t = mean.shape[1], mean.shape[2]
            if ref.shape not in ((p,), (p, t)) and not (ref.ndim == 2 and ref.shape == (p, 1)):
                raise ValueError(f"true_coef must have shape ({p},) or ({p}, {t}), got {ref.shape}")
            ref = ref.reshape(1, p, -1)
        bias2 = ((mean - ref) ** 2).sum(axis=1)
        var = (std**2).sum(axis=1)
        B = self.n_valid
        norm = np.sqrt((mean**2).sum(axis=1) + var * (B - 1) / B)
        alphas = np.asarray(self.alphas, dtype=np.float64)
        return BiasVariance(
            alphas, self._public(bias2, 0, 1), self._public(var, 0, 1), self._public(norm, 0, 1)
        )

    def coef_cov_analytic(self) -> FloatArray:
        """HC0 sandwich covariance of the full-data ridge weights, as a cross-check of the spread.

        (Xc^T V Xc + alpha I)^-1 Xc^T V Omega V Xc (Xc^T V Xc + alpha I)^-1 with Omega =
        diag(e_i^2) from the full fit's residuals (Xc centred by the weighted means).

        Returns
        -------
        ndarray of shape ([k,] [t,] p, p)
        """
        d = self._in_memory()
        X, Y = d.X.astype(np.float64), d.Y.astype(np.float64)
        v = d.weight.astype(np.float64) if d.weight is not None else np.ones(d.n)
        coef, icpt = self._full_kpt()
        Xc = X - (v @ X) / v.sum() if self.fit_intercept else X
        alphas = np.atleast_1d(np.asarray(self.alphas, dtype=np.float64))
        out = np.empty((len(alphas), d.t, d.p, d.p))
        for a_idx, alpha in enumerate(alphas):
            Ainv = np.linalg.pinv(Xc.T @ (v[:, None] * Xc) + alpha * np.eye(d.p), hermitian=True)
            resid = Y - (X @ coef[a_idx].astype(np.float64) + icpt[a_idx].astype(np.float64))
            for u in range(d.t):
                meat = (Xc * ((v * resid[:, u]) ** 2)[:, None]).T @ Xc
                out[a_idx, u] = Ainv @ meat @ Ainv
        return self._public(out, 0, 1)


def bootstrap(
    X: Any,
    y: Any,
    alphas: Any,
    n_boot: int = 1000,
    *,
    solver: str = "auto",
    fit_intercept: bool = True,
    sample_weight: Any = None,
    scheme: str = "multinomial",
    block_len: Optional[int] = None,
    seed: int = 0,
    n_threads: Optional[int] = None,
    keep_coefs: bool = True,
    progress: bool = False,
    oob: Union[bool, str] = True,
    check_finite: bool = True,
) -> BootstrapResult:
    """Bootstrap the ridge fit: B resampled training sets, fitted in parallel.

    Replicate b is the weighted ridge problem with row weights
    ``sample_weight * counts[b]``, ``counts = bootstrap_counts(n, n_boot, seed,
    scheme, block_len)``: rows drawn zero times cost nothing and nothing is
    copied; with an intercept each replicate is centred by its own weighted means.

    Parameters
    ----------
    X : array_like of shape (n, p)
    y : array_like of shape (n,) or (n, t)
    alphas : float or array_like of shape (k,)
        One penalty, or a path (one factorization per replicate serves all).
    n_boot : int, default=1000
        Number of replicates B (>= 2).
    solver : {"auto", "cholesky", "svd", "eigh"}, default="auto"
        As in :func:`ridge_path`; "auto" is fixed once for all replicates.
    fit_intercept : bool, default=True
    sample_weight : array_like of shape (n,), optional
    scheme : {"multinomial", "poisson"}, default="multinomial"
    block_len : int, optional
        Moving-block bootstrap for time series (see :func:`bootstrap_counts`).
    seed : int, default=0
    n_threads : int, optional
        Native threads (None: all cores). Results are bit-identical for any value.
    keep_coefs : bool, default=True
        Keep every replicate's weights; False keeps streaming mean and spread
        only (memory O(threads p^2 + k p t)).
    progress : bool, default=False
        Show a tqdm progress bar.
    oob : {True, "mse", False}, default=True
        Out-of-bag errors. True: ``oob_mse``, ``err632`` and ``err632plus``
        (predicts every out-of-bag row of every replicate and keeps n*k*t
        per-row sums); "mse": ``oob_mse`` only (O(k*t) memory); False: none
        (fastest: for many targets the predictions cost more than the fits).
    check_finite : bool, default=True

    Returns
    -------
    BootstrapResult

    Raises
    ------
    MemoryError
        When kept coefficients (or out-of-bag sums) would not fit in memory.
    KeyboardInterrupt
        Ctrl-C stops the run within about 0.1 s plus one replicate.
    """
    data = prepare(X, y, sample_weight, check_finite)
    n_boot = check_int(n_boot, "n_boot", 2, MAX_REPLICATES)
    seed = check_int(seed, "seed", 0, MAX_SEED)
    check_choice(scheme, SCHEMES, "scheme")
    check_choice(solver, SOLVERS, "solver")
    grid, has_k = path_grid(alphas, data.t, data.dtype)
    L = _block_len(block_len, data.n)
    k, p, t = grid.shape[0], data.p, data.t
    item = data.dtype.itemsize
    if keep_coefs:
        check_memory(
            float(n_boot) * k * (p + 1) * t * item,
            f"keeping {n_boot} replicates' coefficients",
            "pass keep_coefs=False to keep only their mean and spread (or lower n_boot)",
        )
    if oob not in (True, False, "mse"):
        raise ValueError(f"oob must be True, 'mse' or False; got {oob!r}")
    oob_rows = oob is True
    if oob_rows:
        check_memory(
            8.0 * data.n * k * t,
            "the per-row out-of-bag sums for err632",
            "pass oob='mse' (out-of-bag MSE only) or oob=False",
        )
    auto = solver == "auto"
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    full_coef, full_icpt, solver = fit_grid(
        data, grid, solver, fit_intercept, n_threads, auto_choice=path_solver(grid)
    )
    threads = resolve_threads(n_threads)
    runner = current_runner()
    bar, callback = _progress_bar(progress, n_boot)
    job = EngineJob(
        grid,
        solver,
        fit_intercept,
        n_boot,
        scheme,
        L,
        seed,
        keep_coefs=keep_coefs,
        reference=(full_coef, full_icpt),
        oob_rows=oob_rows,
        oob_mse=bool(oob),
        svd_fallback=auto,
    )
    try:
        raw = runner(job, data.X, data.Y, data.weight, threads, callback)
        if bar is not None:
            bar.update(n_boot - bar.n)
    finally:
        if bar is not None:
            bar.close()
    return _make_result(
        raw,
        data,
        grid,
        has_k,
        full_coef,
        full_icpt,
        solver,
        fit_intercept,
        n_boot,
        seed,
        scheme,
        block_len,
        bool(oob),
    )


def _progress_bar(progress: bool, total: int) -> tuple[Any, Optional[Callable[[int], None]]]:
    if not progress:
        return None, None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="replicate", desc="bootstrap")

    def update(done: int) -> None:
        bar.update(done - bar.n)

    return bar, update


def check_valid_replicates(n_valid: int, n_boot: int) -> int:
    """Replicates with a fit: an error below 2, a warning when some were skipped."""
    if n_valid < n_boot:
        if n_valid < 2:
            raise ValueError(
                f"only {n_valid} of {n_boot} replicates drew a row with positive weight; "
                "increase n_boot or use more (or shorter) blocks"
            )
        warnings.warn(
            f"{n_boot - n_valid} of {n_boot} replicates drew no row with positive weight and "
            "were skipped: statistics use the other replicates (their kept coefficients are NaN)",
            RuntimeWarning,
            stacklevel=4,
        )
    return n_valid


def full_fit_result(
    coef: np.ndarray, icpt: np.ndarray, grid: np.ndarray, axes: tuple[bool, bool], solver: str
) -> Union[RidgeResult, RidgePathResult]:
    """Return the full-data fit, coef (k, p, t) and intercept (k, t), as ridge(_path) would."""
    has_k, has_t = axes
    if has_k:
        return RidgePathResult(
            _drop_absent_axes(coef, axes, 0, 2),
            _drop_absent_axes(icpt, axes, 0, 1),
            grid[:, 0].copy(),
            solver,
        )
    c, b = coef[0], icpt[0]
    return RidgeResult(
        c[:, 0] if not has_t else c, b[0].item() if not has_t else b, float(grid[0, 0]), solver
    )


def _make_result(
    raw: dict[str, np.ndarray],
    data: Prepared,
    grid: np.ndarray,
    has_k: bool,
    full_coef: np.ndarray,
    full_icpt: np.ndarray,
    solver: str,
    fit_intercept: bool,
    n_boot: int,
    seed: int,
    scheme: str,
    block_len: Optional[int],
    oob: bool,
) -> BootstrapResult:
    has_t = not data.y_1d
    dt = data.dtype

    def public(a: Optional[np.ndarray], k_axis: int, t_axis: int) -> Any:
        return None if a is None else _drop_absent_axes(a, (has_k, has_t), k_axis, t_axis)

    B = check_valid_replicates(int(raw["n_valid"][0]), n_boot)
    s, ss = raw["coef_sum"], raw["coef_sumsq"]
    coef_mean = full_coef.astype(np.float64) + s / B
    coef_var = np.maximum(ss - s * s / B, 0) / (B - 1)
    i_s, i_ss = raw["intercept_sum"], raw["intercept_sumsq"]
    icpt_mean = full_icpt.astype(np.float64) + i_s / B
    icpt_var = np.maximum(i_ss - i_s * i_s / B, 0) / (B - 1)
    oob_mse = None
    if oob:
        reps = int(raw["oob_replicates"][0])
        oob_mse = raw["oob_mse_sum"] / reps if reps else np.full(grid.shape, np.nan)
        oob_mse = public(oob_mse, 0, 1)
    alphas_out: Union[float, FloatArray] = grid[:, 0].copy() if has_k else float(grid[0, 0])
    full = full_fit_result(full_coef, full_icpt, grid, (has_k, has_t), solver)
    return BootstrapResult(
        coefs=public(raw.get("coefs"), 1, 3),
        intercepts=public(raw.get("intercepts"), 1, 2),
        coef_mean=public(coef_mean.astype(dt), 0, 2),
        coef_std=public(np.sqrt(coef_var).astype(dt), 0, 2),
        intercept_mean=public(icpt_mean.astype(dt), 0, 1),
        intercept_std=public(np.sqrt(icpt_var).astype(dt), 0, 1),
        oob_mse=oob_mse,
        full=full,
        n_boot=n_boot,
        n_valid=B,
        seed=seed,
        scheme=scheme,
        block_len=block_len,
        alphas=alphas_out,
        solver=solver,
        fit_intercept=fit_intercept,
        _data=data,
        _oob_loss=raw.get("oob_loss"),
        _oob_count=raw.get("oob_count"),
        _axes=(has_k, has_t),
    )
