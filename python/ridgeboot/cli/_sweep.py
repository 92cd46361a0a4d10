"""The demo's problems and their alpha sweeps: the data types both ``demo`` and ``plot`` use.

A :class:`Problem` (a design, a target, names and notes) is bootstrapped over
an alpha grid by :func:`sweep` into an :class:`AlphaSweep`, the numbers of one
table. ``plot`` draws from the same objects and simulates its two-feature
problem with :func:`equicorrelated_design`, so they live here and not in
``demo`` (which imports ``plot``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

import ridgeboot as rb
from ridgeboot.datasets import make_equicorrelated

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
    noise_sd : float or None
        Standard deviation of the model's noise (simulated data only).
    draw_design : callable or None
        ``draw_design(rng) -> X`` draws a fresh design from the same distribution as
        ``X`` (simulated data only), for the random-design truth.
    """

    key: str
    title: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    true_coef: Optional[np.ndarray]
    notes: tuple[str, ...]
    details: dict[str, Any] = field(default_factory=dict)
    noise_sd: Optional[float] = None
    draw_design: Optional[Callable[[np.random.Generator], np.ndarray]] = None


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
    return make_equicorrelated(n, p, rho, noise, seed, true_coef)


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
    truth_sets : int
        Simulated training sets for the truth of a simulated problem.
    """

    n_boot: int
    seed: int
    threads: Optional[int]
    progress: bool
    truth_sets: int = 2000


@dataclass(frozen=True)
class Truth:
    """What the ridge weights do across fresh training sets of a simulated problem.

    Attributes
    ----------
    closed_form : RidgeTruth
        X fixed at the training rows, fresh noise, exact.
    simulated : SimulatedTruth
        The same by refitting fresh noise vectors on the fixed X.
    random_design : SimulatedTruth
        Fresh X and fresh noise for every training set.
    """

    closed_form: rb.RidgeTruth
    simulated: rb.SimulatedTruth
    random_design: rb.SimulatedTruth

    def agreement(self) -> float:
        """Largest |simulated - closed form| / Monte-Carlo SE over alphas, bias² and variance."""
        sim, exact = self.simulated, self.closed_form
        z = [
            np.abs(sim.bias2 - exact.bias2) / np.where(sim.bias2_se > 0, sim.bias2_se, np.inf),
            np.abs(sim.variance - exact.variance) / sim.variance_se,
        ]
        return float(np.max(z))


def compute_truth(problem: Problem, alphas: np.ndarray, settings: Settings) -> Optional[Truth]:
    """Compute the truth of a simulated problem over ``alphas``; None for real data.

    Parameters
    ----------
    problem : Problem
    alphas : ndarray of shape (k,)
    settings : Settings
        ``truth_sets`` training sets, seeded from ``seed``.

    Returns
    -------
    Truth or None
    """
    w, sd, draw = problem.true_coef, problem.noise_sd, problem.draw_design
    if w is None or sd is None or draw is None:
        return None
    R, threads = settings.truth_sets, settings.threads
    return Truth(
        closed_form=rb.ridge_truth(problem.X, w, sd, alphas),
        simulated=rb.simulate_ridge_truth(
            problem.X,
            w,
            sd,
            alphas,
            R,
            seed=settings.seed + 1,
            solver=DEMO_SOLVER,
            n_threads=threads,
        ),
        random_design=rb.simulate_random_design_truth(
            draw, w, sd, alphas, R, seed=settings.seed + 2, solver=DEMO_SOLVER, n_threads=threads
        ),
    )


@dataclass(frozen=True)
class AlphaSweep:
    """One problem bootstrapped over the alpha grid, reduced to the table's columns.

    Attributes
    ----------
    problem : Problem
    alphas : ndarray of shape (k,)
    boot : BootstrapResult
    train_mse, oob_mse, norm : ndarray of shape (k,)
        Training MSE of the full fit; out-of-bag MSE; RMS ||w|| over replicates.
    variance, variance_mc_se : ndarray of shape (k,)
        The bootstrap's estimate of the total variance of w, and its Monte-Carlo
        standard error (B finite).
    bias_estimate : ndarray of shape (k, p)
        The bootstrap's bias estimate mean_b(w_b) - w_full.
    bootstrap_bias2 : ndarray of shape (k,)
        Its squared length ||mean_b(w_b) - w_full||^2.
    gcv_index : int
        Index of the alpha GCV chose.
    gcv_note : str or None
        Set when GCV chose an end of the grid.
    truth : Truth or None
        The true bias, variance and MSE (simulated problems only).
    """

    problem: Problem
    alphas: np.ndarray
    boot: rb.BootstrapResult
    train_mse: np.ndarray
    oob_mse: np.ndarray
    norm: np.ndarray
    variance: np.ndarray
    variance_mc_se: np.ndarray
    bias_estimate: np.ndarray
    bootstrap_bias2: np.ndarray
    gcv_index: int
    gcv_note: Optional[str]
    truth: Optional[Truth] = None

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
    bv = boot.bias_variance()
    gcv_index, gcv_note = gcv_choice(problem.X, problem.y, alphas)
    assert boot.oob_mse is not None  # oob=True is the default
    assert bv.variance_mc_se is not None  # keep_coefs=True is the default
    return AlphaSweep(
        problem=problem,
        alphas=alphas,
        boot=boot,
        train_mse=(residuals**2).mean(axis=1),
        oob_mse=np.asarray(boot.oob_mse),
        norm=np.asarray(bv.norm),
        variance=np.asarray(bv.variance),
        variance_mc_se=np.asarray(bv.variance_mc_se),
        bias_estimate=np.asarray(boot.coef_mean, dtype=np.float64)
        - np.asarray(boot.full.coef, dtype=np.float64),
        bootstrap_bias2=np.asarray(bv.bootstrap_bias2),
        gcv_index=gcv_index,
        gcv_note=gcv_note,
        truth=compute_truth(problem, alphas, settings),
    )
