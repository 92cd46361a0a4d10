"""The ``ridgeboot demo --plot`` figure: four panels, drawn with matplotlib's Agg canvas.

1. The textbook picture, from data: two correlated features, contours of the
   training cost over (w1, w2), the L2 ball through the ridge solution, the
   least-squares and ridge solutions, and the bootstrap clouds of both.
2. Coefficient paths over alpha (Longley, standardized) with bootstrap
   percentile bands.
3. The truth on the synthetic data: squared bias, variance and mean squared error of
   the weights across fresh training sets (closed form with X fixed, simulated with X
   fixed and with fresh X).
4. The bootstrap's estimates from the one sample beside that truth: its variance (with
   its Monte-Carlo band) and its bias estimate.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

import ridgeboot as rb

from ._common import DEFAULT_CI_LEVEL, fmt_alpha
from ._figure import alpha_positions, new_figure, save_figure, style_alpha_axis
from ._sweep import DEMO_SOLVER, AlphaSweep, Settings, equicorrelated_design, gcv_choice

if TYPE_CHECKING:
    from matplotlib.axes import Axes

PLANE_TRUE_COEF = (1.0, 0.5)  # weights of the two-feature illustration
COLOR_OLS = "#d95f02"
COLOR_RIDGE = "#1b6ac9"
COLOR_TRUE = "#222222"
COLOR_BALL = "#7b3294"


# -- panel 1: the (w1, w2) plane


@dataclass(frozen=True)
class Plane:
    """The two-feature illustration.

    Attributes
    ----------
    X : ndarray of shape (n, 2)
    y : ndarray of shape (n,)
    true_coef, w_ols, w_ridge : ndarray of shape (2,)
    alpha : float
        The GCV choice for this problem.
    cloud_ols, cloud_ridge : ndarray of shape (B, 2)
        Bootstrap weights at alpha = 0 and at ``alpha``.
    """

    X: np.ndarray
    y: np.ndarray
    true_coef: np.ndarray
    w_ols: np.ndarray
    w_ridge: np.ndarray
    alpha: float
    cloud_ols: np.ndarray
    cloud_ridge: np.ndarray

    def summary(self) -> dict[str, Any]:
        """Return the numbers behind the panel, for the JSON output."""
        return {
            "n": self.X.shape[0],
            "true_coef": self.true_coef,
            "gcv_alpha": self.alpha,
            "coef_alpha0": self.w_ols,
            "coef_gcv": self.w_ridge,
            "variance_alpha0": self.cloud_ols.var(axis=0, ddof=1).sum(),
            "variance_gcv": self.cloud_ridge.var(axis=0, ddof=1).sum(),
        }


def plane_problem(args: argparse.Namespace, settings: Settings, alphas: np.ndarray) -> Plane:
    """Simulate two correlated features, pick alpha by GCV and bootstrap alpha = 0 and it."""
    X, y, w = equicorrelated_design(
        args.plot_n, 2, args.rho, args.noise, args.seed, true_coef=np.array(PLANE_TRUE_COEF)
    )
    alpha = float(alphas[gcv_choice(X, y, alphas)[0]])
    boot = rb.bootstrap(
        X,
        y,
        np.array([0.0, alpha]),
        settings.n_boot,
        solver=DEMO_SOLVER,
        seed=settings.seed,
        n_threads=settings.threads,
    )
    assert boot.coefs is not None  # keep_coefs=True is the default
    coef = np.asarray(boot.full.coef)
    return Plane(X, y, w, coef[0], coef[1], alpha, boot.coefs[:, 0], boot.coefs[:, 1])


def training_cost(plane: Plane, w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    """Residual sum of squares (intercept profiled out) at every (w1, w2) of a grid."""
    Xc = plane.X - plane.X.mean(axis=0)
    yc = plane.y - plane.y.mean()
    G, b, c = Xc.T @ Xc, Xc.T @ yc, yc @ yc
    quadratic = G[0, 0] * w1**2 + 2 * G[0, 1] * w1 * w2 + G[1, 1] * w2**2
    return np.asarray(c - 2 * (b[0] * w1 + b[1] * w2) + quadratic)


def plane_limits(plane: Plane) -> tuple[tuple[float, float], tuple[float, float]]:
    """Square axis limits holding the origin, both solutions and 99% of both clouds."""
    pts = np.vstack([plane.cloud_ols, plane.cloud_ridge])
    lo = np.minimum(np.quantile(pts, 0.005, axis=0), 0.0)
    hi = np.maximum(np.quantile(pts, 0.995, axis=0), np.maximum(plane.w_ols, plane.true_coef))
    centre, half = (lo + hi) / 2, 0.55 * float((hi - lo).max())
    return (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)


def covariance_ellipse(cloud: np.ndarray, color: str, coverage: float = 0.95) -> Any:
    """Make the ellipse holding ``coverage`` of a 2-D normal with the cloud's mean and spread."""
    from matplotlib.patches import Ellipse

    eigval, eigvec = np.linalg.eigh(np.cov(cloud.T))
    radius = np.sqrt(-2.0 * np.log(1.0 - coverage))  # chi-square(2) quantile, square-rooted
    width, height = 2 * radius * np.sqrt(np.maximum(eigval[::-1], 0.0))
    angle = float(np.degrees(np.arctan2(eigvec[1, -1], eigvec[0, -1])))
    return Ellipse(
        tuple(cloud.mean(axis=0)),
        width,
        height,
        angle=angle,
        fill=False,
        color=color,
        linewidth=2.0,
        zorder=4,
    )


def draw_cloud(ax: Axes, cloud: np.ndarray, color: str, label: str, zorder: int) -> None:
    """Draw bootstrap weights as faint points, outlined by their 95% covariance ellipse."""
    ax.scatter(
        cloud[:, 0],
        cloud[:, 1],
        s=6,
        color=color,
        alpha=0.3,
        linewidths=0,
        zorder=zorder,
        label=label,
    )
    ax.add_patch(covariance_ellipse(cloud, color))


def draw_plane(ax: Axes, plane: Plane, rho: float) -> None:
    """Panel 1: cost contours, the L2 ball, both solutions, both bootstrap clouds."""
    from matplotlib.patches import Circle

    (x0, x1), (y0, y1) = plane_limits(plane)
    w1, w2 = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
    excess = training_cost(plane, w1, w2) - training_cost(plane, *plane.w_ols)
    at_ridge = float(training_cost(plane, *plane.w_ridge) - training_cost(plane, *plane.w_ols))
    levels = at_ridge * 2.0 ** np.arange(-4, 7) if at_ridge > 0 else None
    ax.contour(w1, w2, excess, levels=levels, colors="0.6", linewidths=0.7)
    if at_ridge > 0:
        ax.contour(
            w1, w2, excess, levels=[at_ridge], colors=COLOR_BALL, linewidths=1.3, linestyles="--"
        )
    radius = float(np.linalg.norm(plane.w_ridge))
    ax.add_patch(Circle((0, 0), radius, fill=False, color=COLOR_BALL, linewidth=1.8))
    var0 = plane.cloud_ols.var(axis=0, ddof=1).sum()
    var_a = plane.cloud_ridge.var(axis=0, ddof=1).sum()
    a = fmt_alpha(plane.alpha)
    draw_cloud(
        ax,
        plane.cloud_ols,
        COLOR_OLS,
        zorder=2,
        label=f"bootstrap fits, alpha=0: total var {var0:.3g}",
    )
    draw_cloud(
        ax,
        plane.cloud_ridge,
        COLOR_RIDGE,
        zorder=3,
        label=f"bootstrap fits, alpha={a}: total var {var_a:.3g}",
    )
    ax.axhline(0, color="0.3", linewidth=0.6)
    ax.axvline(0, color="0.3", linewidth=0.6)
    ax.plot(
        *plane.w_ols,
        "X",
        color=COLOR_OLS,
        markersize=12,
        markeredgecolor="white",
        zorder=5,
        label="least squares (alpha=0)",
    )
    ax.plot(
        *plane.w_ridge,
        "o",
        color=COLOR_RIDGE,
        markersize=10,
        markeredgecolor="white",
        zorder=5,
        label=f"ridge, alpha={a} (GCV)",
    )
    ax.plot(
        *plane.true_coef,
        "P",
        color=COLOR_TRUE,
        markersize=10,
        markeredgecolor="white",
        zorder=5,
        label=f"true w = ({plane.true_coef[0]:g}, {plane.true_coef[1]:g})",
    )
    ax.plot([], [], color="0.6", linewidth=0.7, label="training cost (RSS) contours")
    ax.plot(
        [],
        [],
        color=COLOR_BALL,
        linewidth=1.3,
        linestyle="--",
        label="the cost contour through the ridge solution",
    )
    ax.plot([], [], color=COLOR_BALL, linewidth=1.8, label="L2 ball ||w|| <= ||w_ridge||")
    ax.plot([], [], color="0.3", linewidth=2.0, label="95% ellipse of each cloud")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.set_title(
        f"1. Two features, correlation {rho:g}, n={plane.X.shape[0]}: ridge = lowest\n"
        f"cost inside the L2 ball; its bootstrap cloud is {var0 / var_a:.2g}x less variable",
        fontsize=11,
    )
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.11),
        ncol=2,
        fontsize=8,
        framealpha=0.9,
        markerscale=1.2,
    )


def mark_gcv(ax: Axes, x: float, label: bool) -> None:
    """Draw a vertical line at the GCV alpha."""
    ax.axvline(x, color="0.2", linestyle="--", linewidth=1, label="GCV choice" if label else None)


# -- panel 2: coefficient paths


def draw_paths(ax: Axes, s: AlphaSweep, level: float = DEFAULT_CI_LEVEL) -> None:
    """Panel 2: full-data coefficients per alpha with bootstrap percentile bands."""
    x, zero_x = alpha_positions(s.alphas)
    lo, hi = s.boot.ci(level=level, method="percentile")  # (k, p) each
    coef = s.full_coef
    colors = [f"C{j}" for j in range(coef.shape[1])]
    for j, name in enumerate(s.problem.feature_names):
        ax.fill_between(x, lo[:, j], hi[:, j], color=colors[j], alpha=0.15, linewidth=0)
        ax.plot(x, coef[:, j], "-o", color=colors[j], markersize=3, linewidth=1.4, label=name)
    ax.axhline(0, color="0.3", linewidth=0.6)
    mark_gcv(ax, x[s.gcv_index], label=True)
    style_alpha_axis(ax, s.alphas, zero_x)
    ax.set_ylim(*path_limits(coef, lo, hi))
    ax.set_ylabel(f"coefficient (change in {s.problem.details.get('target', 'y')} per SD)")
    ax.set_title(
        f"2. {s.problem.title}: coefficient paths\n"
        f"lines: full-data fit; bands: {level:.0%} bootstrap percentile intervals\n"
        "for the ridge coefficient at each alpha (alpha held fixed)",
        fontsize=11,
    )
    ax.legend(fontsize=8, ncol=2, loc="upper right", framealpha=0.9)


def path_limits(coef: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """Choose y limits showing every path and band, padded by 5%."""
    bottom, top = float(min(coef.min(), lo.min())), float(max(coef.max(), hi.max()))
    pad = 0.05 * (top - bottom)
    return bottom - pad, top + pad


# -- panels 3 and 4: the truth, and the bootstrap beside it


def tradeoff_legend(ax: Axes) -> None:
    """Put the legend under a panel."""
    ax.legend(
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.11),
        ncol=2,
        framealpha=0.9,
    )


def draw_truth(ax: Axes, s: AlphaSweep) -> None:
    """Panel 3: true squared bias, variance and MSE of the weights against alpha."""
    assert s.truth is not None
    exact, sim, fresh = s.truth.closed_form, s.truth.simulated, s.truth.random_design
    x, zero_x = alpha_positions(s.alphas)
    ax.plot(x, exact.bias2, "-", color="C3", linewidth=2, label="true bias^2 (X fixed, exact)")
    ax.plot(x, exact.variance, "-", color="C0", linewidth=2, label="true variance (X fixed, exact)")
    ax.plot(x, exact.mse, "-", color="k", linewidth=2, label="true MSE of w = bias^2 + variance")
    ax.plot(
        x, sim.bias2, "o", color="C3", markersize=4, label=f"simulated, {sim.n_sets} noise draws"
    )
    ax.plot(x, sim.variance, "o", color="C0", markersize=4)
    ax.plot(
        x,
        fresh.bias2,
        "--",
        color="C3",
        linewidth=1.2,
        label=f"bias^2, fresh X ({fresh.n_sets} training sets)",
    )
    ax.plot(x, fresh.variance, "--", color="C0", linewidth=1.2, label="variance, fresh X")
    ax.plot(x, fresh.mse, "--", color="k", linewidth=1.2, label="MSE of w, fresh X")
    ax.set_ylabel("squared bias, variance, MSE of the weights")
    ax.set_ylim(bottom=0)
    mark_gcv(ax, x[s.gcv_index], label=True)
    style_alpha_axis(ax, s.alphas, zero_x)
    tradeoff_legend(ax)
    ax.set_title(
        f"3. {s.problem.title}: the truth across fresh training sets\n"
        f"bias^2 rises from 0, variance falls; n={s.problem.X.shape[0]}, "
        f"p={s.problem.X.shape[1]}, known w and noise",
        fontsize=11,
    )


def draw_bootstrap_vs_truth(ax: Axes, s: AlphaSweep, z: float = 1.96) -> None:
    """Panel 4: the bootstrap's variance (Monte-Carlo band) and bias estimate beside the truth."""
    assert s.truth is not None
    exact = s.truth.closed_form
    x, zero_x = alpha_positions(s.alphas)
    ax.plot(x, exact.variance, "-", color="C0", linewidth=2, label="true variance")
    ax.plot(x, s.variance, "--o", color="C0", markersize=3, label="bootstrap variance (one sample)")
    band = z * s.variance_mc_se
    ax.fill_between(
        x,
        s.variance - band,
        s.variance + band,
        color="C0",
        alpha=0.2,
        linewidth=0,
        label=f"+- {z:g} Monte-Carlo s.e. ({s.boot.n_valid} replicates)",
    )
    ax.plot(x, exact.bias2, "-", color="C3", linewidth=2, label="true bias^2")
    ax.plot(
        x,
        s.bootstrap_bias2,
        "--s",
        color="C3",
        markersize=3,
        label="bootstrap bias estimate, squared length",
    )
    ax.set_ylabel("squared bias and variance of the weights")
    ax.set_ylim(bottom=0)
    mark_gcv(ax, x[s.gcv_index], label=True)
    style_alpha_axis(ax, s.alphas, zero_x)
    tradeoff_legend(ax)
    ax.set_title(
        f"4. {s.problem.title}: the bootstrap's estimates\n"
        "from the one sample, beside the truth (X fixed)",
        fontsize=11,
    )


def draw_demo_figure(
    path: str, sweeps: list[AlphaSweep], args: argparse.Namespace, settings: Settings
) -> dict[str, Any]:
    """Draw the four-panel figure to ``path`` (PNG, or any format matplotlib infers).

    Parameters
    ----------
    path : str
    sweeps : list of AlphaSweep
        The demo's results: one with key "longley" (panel 2) and one with key
        "synthetic" and its truth (panels 3 and 4).
    args : argparse.Namespace
        The demo's options (n, rho, noise, seed for the two-feature problem).
    settings : Settings

    Returns
    -------
    dict
        The numbers behind panel 1.
    """
    by_key = {s.problem.key: s for s in sweeps}
    fig = new_figure(15.5, 14.0)
    axes = fig.subplots(2, 2)
    plane = plane_problem(args, settings, by_key["synthetic"].alphas)
    draw_plane(axes[0, 0], plane, args.rho)
    draw_paths(axes[0, 1], by_key["longley"])
    draw_truth(axes[1, 0], by_key["synthetic"])
    draw_bootstrap_vs_truth(axes[1, 1], by_key["synthetic"])
    save_figure(fig, path, args.command_line, bbox_inches="tight", pad_inches=0.15)
    return plane.summary()
