"""The demo's problems and their alpha sweeps: the data types both ``demo`` and ``plot`` use.

A :class:`Problem` (a design, a target, names and notes) is bootstrapped over
an alpha grid by :func:`sweep` into an :class:`AlphaSweep`, the numbers of one
table. ``plot`` draws from the same objects and simulates its two-feature
problem with :func:`equicorrelated_design`, so they live here and not in
``demo`` (which imports ``plot``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

import ridgeboot as rb

DEMO_SOLVER = "svd"  # alpha = 0 is on the grid: the SVD gives the minimum-norm least squares fit


@dataclass(frozen=True)
class Problem:
    """A regression problem of the demo.

    Attributes
    ----------
    key : str
        Short name used in the JSON output ("synthetic", "longley").
    title : str
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,)
    feature_names : tuple of str, length p
    true_coef : ndarray of shape (p,) or None
        Known weights (simulated data only).
    notes : tuple of str
        Lines printed under the table (how the data were made or transformed).
    details : dict
        Extra settings for the JSON output.
    """

    key: str
    title: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    true_coef: Optional[np.ndarray]
    notes: tuple[str, ...]
    details: dict[str, Any] = field(default_factory=dict)


def equicorrelated_design(
    n: int, p: int, rho: float, noise: float, seed: int, true_coef: Optional[np.ndarray] = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features with unit variance and correlation ``rho`` between every pair, and a noisy target.

    ``x_ij = sqrt(rho) z_i + sqrt(1 - rho) e_ij`` with z, e standard normal;
    ``y = X w + noise * eps``.

    Parameters
    ----------
    n, p : int
        Rows and features.
    rho : float
        Correlation in [0, 1).
    noise : float
        Standard deviation of the noise.
    seed : int
    true_coef : ndarray of shape (p,), optional
        The weights w; by default drawn standard normal from the same seed.

    Returns
    -------
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,)
    w : ndarray of shape (p,)
    """
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(p) if true_coef is None else np.asarray(true_coef, dtype=np.float64)
    common = rng.standard_normal((n, 1))
    own = rng.standard_normal((n, p))
    X = np.sqrt(rho) * common + np.sqrt(1.0 - rho) * own
    y = X @ w + noise * rng.standard_normal(n)
    return X, y, w


@dataclass(frozen=True)
class Settings:
    """The run's options (from the command line), shared by every bootstrap of the demo.

    Attributes
    ----------
    n_boot : int
        Bootstrap replicates.
    seed : int
        Seed of the data and of the draws.
    threads : int or None
        Native threads (None: every core).
    progress : bool
        Whether to show a progress bar while bootstrapping.
    """

    n_boot: int
    seed: int
    threads: Optional[int]
    progress: bool


@dataclass(frozen=True)
class AlphaSweep:
    """One problem bootstrapped over the alpha grid, reduced to the table's columns.

    Attributes
    ----------
    problem : Problem
    alphas : ndarray of shape (k,)
    boot : BootstrapResult
    train_mse, oob_mse, norm, variance, bias2 : ndarray of shape (k,)
        Training MSE of the full fit; out-of-bag MSE; RMS ||w|| over replicates;
        total bootstrap variance of w; squared bias (vs true w, else vs full fit).
    gcv_index : int
        Index of the alpha GCV chose.
    gcv_note : str or None
        Set when GCV chose an end of the grid.
    """

    problem: Problem
    alphas: np.ndarray
    boot: rb.BootstrapResult
    train_mse: np.ndarray
    oob_mse: np.ndarray
    norm: np.ndarray
    variance: np.ndarray
    bias2: np.ndarray
    gcv_index: int
    gcv_note: Optional[str]

    @property
    def gcv_alpha(self) -> float:
        """The alpha chosen by GCV."""
        return float(self.alphas[self.gcv_index])

    @property
    def oob_best_index(self) -> int:
        """Index of the smallest out-of-bag error."""
        return int(np.nanargmin(self.oob_mse))

    @property
    def full_coef(self) -> np.ndarray:
        """Full-data weights per alpha, shape (k, p)."""
        return np.asarray(self.boot.full.coef)

    @property
    def full_intercept(self) -> np.ndarray:
        """Full-data intercept per alpha, shape (k,)."""
        return np.asarray(self.boot.full.intercept)


def gcv_choice(X: np.ndarray, y: np.ndarray, alphas: np.ndarray) -> tuple[int, Optional[str]]:
    """Find the alpha GCV picks, with a note (printed, not warned) when it is a grid end.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,)
    alphas : ndarray of shape (k,)

    Returns
    -------
    index : int
        Position of the chosen alpha in ``alphas``.
    note : str or None
        Set when the choice is the smallest or largest alpha.
    """
    cv = rb.ridge_cv(X, y, alphas, cv="gcv", warn_edges=False)
    index = int(np.flatnonzero(alphas == cv.alpha)[0])
    if 0 < index < len(alphas) - 1:
        return index, None
    end = "smallest" if index == 0 else "largest"
    return index, f"GCV chose the {end} alpha of the grid; its optimum may lie beyond it."


def sweep(problem: Problem, alphas: np.ndarray, settings: Settings) -> AlphaSweep:
    """Bootstrap ``problem`` over ``alphas`` and compute the table's columns.

    Parameters
    ----------
    problem : Problem
    alphas : ndarray of shape (k,)
    settings : Settings

    Returns
    -------
    AlphaSweep
    """
    boot = rb.bootstrap(
        problem.X,
        problem.y,
        alphas,
        settings.n_boot,
        solver=DEMO_SOLVER,
        seed=settings.seed,
        n_threads=settings.threads,
        progress=settings.progress,
    )
    residuals = problem.y[None, :] - boot.full.predict(problem.X)  # (k, n)
    bv = boot.bias_variance(true_coef=problem.true_coef)
    gcv_index, gcv_note = gcv_choice(problem.X, problem.y, alphas)
    assert boot.oob_mse is not None  # oob=True is the default
    return AlphaSweep(
        problem=problem,
        alphas=alphas,
        boot=boot,
        train_mse=(residuals**2).mean(axis=1),
        oob_mse=np.asarray(boot.oob_mse),
        norm=np.asarray(bv.norm),
        variance=np.asarray(bv.variance),
        bias2=np.asarray(bv.bias2),
        gcv_index=gcv_index,
        gcv_note=gcv_note,
    )
