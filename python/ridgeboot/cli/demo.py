"""``ridgeboot demo``: what the ridge penalty buys, measured by the bootstrap.

Two problems are bootstrapped over one alpha grid that starts at 0: the Longley
data (NIST StRD; columns standardized) and a synthetic design with known weights
and equicorrelated features. Per alpha the demo reports the training error of
the full fit, the out-of-bag error, the size and the bootstrap's estimates of the
variance and the bias of the weights, and marks the alpha generalized
cross-validation picks. For the synthetic design it also reports the truth those
estimates aim at: the true squared bias, variance and mean squared error of the
weights across fresh training sets, in closed form for the fixed X and simulated
(fixed X with fresh noise, and fresh X).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.table import Table

import ridgeboot as rb

from ..datasets import equicorrelated_features, load_longley
from ._common import (
    EXIT_OK,
    CLIError,
    check_output_paths,
    fmt,
    fmt_alpha,
    make_console,
    require_memory,
    show_progress,
    standardize,
    write_json,
)
from ._figure import check_plot_file
from ._sweep import (
    DEMO_SOLVER,
    AlphaSweep,
    Problem,
    Settings,
    Truth,
    equicorrelated_design,
    sweep,
)
from .plot import draw_demo_figure

if TYPE_CHECKING:
    from rich.console import Console

GCV_MARK = "<- GCV"
OOB_MARK = "min OOB"
MSE_MARK = "min MSE"
BAND_Z = 1.96  # the bootstrap variance's Monte-Carlo band: +- 1.96 standard errors
BOOTSTRAP_BIAS_NOTE = (
    "|bias|^2, bootstrap = ||mean of the bootstrap weights - full-data fit||^2: the squared "
    "length of the bootstrap's own bias estimate (not the true squared bias, which needs the "
    "true weights)."
)


def demo_alphas() -> np.ndarray:
    """Return the demo's alpha grid: 0, then 13 log-spaced values from 1e-3 to 1e3.

    Returns
    -------
    ndarray of shape (14,)
    """
    return np.concatenate([[0.0], np.logspace(-3, 3, 13)])


def synthetic_problem(n: int, p: int, rho: float, noise: float, seed: int) -> Problem:
    """Build the synthetic problem: equicorrelated features, weights drawn N(0, 1)."""
    X, y, w = equicorrelated_design(n, p, rho, noise, seed)
    names = tuple(f"x{j + 1}" for j in range(p))
    notes = (
        f"Synthetic: x_ij = sqrt({rho:g}) z_i + sqrt(1 - {rho:g}) e_ij (every pair of features "
        f"correlated {rho:g}), y = X w + {noise:g} * noise, w drawn N(0, 1) with seed {seed}.",
        BOOTSTRAP_BIAS_NOTE,
    )
    details = {"rho": rho, "noise": noise, "true_coef": w}

    def draw_design(rng: np.random.Generator) -> np.ndarray:
        return equicorrelated_features(rng, n, p, rho)

    return Problem(
        "synthetic",
        "Synthetic, correlated features",
        X,
        y,
        names,
        w,
        notes,
        details,
        noise_sd=noise,
        draw_design=draw_design,
    )


def longley_problem() -> Problem:
    """Load Longley and standardize its columns, so one alpha grid suits every feature."""
    data = load_longley()
    Z, mean, scale = standardize(data.X)
    kappa = np.linalg.cond(Z)
    notes = (
        f"Longley (NIST StRD): {data.target_name} on {', '.join(data.feature_names)}. "
        "X columns standardized (mean 0, SD 1) before fitting so one alpha grid suits them all; "
        f"y in its own units. Condition number of the standardized X: {kappa:.3g}.",
        BOOTSTRAP_BIAS_NOTE,
    )
    details = {
        "target": data.target_name,
        "standardization": {"mean": mean, "scale": scale},
        "condition_number": kappa,
        "source": data.source,
    }
    return Problem(
        "longley",
        "Longley (NIST StRD), standardized X",
        Z,
        data.y,
        data.feature_names,
        None,
        notes,
        details,
    )


# -- printing


def sweep_table(s: AlphaSweep) -> Table:
    """Build the rich table of one problem: one row per alpha."""
    p = s.problem
    table = Table(
        title=f"{p.title}: n={p.X.shape[0]}, p={p.X.shape[1]}, {s.boot.n_boot} bootstrap "
        f"replicates, solver={s.boot.solver}",
        title_justify="left",
    )
    table.add_column("alpha", justify="right")
    table.add_column("train MSE", justify="right")
    table.add_column("OOB MSE", justify="right")
    table.add_column("||w|| (rms)", justify="right")
    table.add_column("var(w), bootstrap", justify="right")
    table.add_column("|bias|^2, bootstrap", justify="right")
    table.add_column("", justify="left")
    for i, alpha in enumerate(s.alphas):
        marks = [GCV_MARK] if i == s.gcv_index else []
        if i == s.oob_best_index:
            marks.append(OOB_MARK)
        style = "bold green" if i == s.gcv_index else None
        table.add_row(
            fmt_alpha(alpha),
            fmt(s.train_mse[i]),
            fmt(s.oob_mse[i]),
            fmt(s.norm[i]),
            fmt(s.variance[i]),
            fmt(s.bootstrap_bias2[i]),
            ", ".join(marks),
            style=style,
        )
    return table


def rounded_bias2(s: AlphaSweep, value: float) -> str:
    """Format a true squared bias, "0" where it is rounding error (alpha = 0, full rank).

    The closed form's E w_alpha carries an error of a few eps * p * ||w||; a squared bias
    below the square of 8 times that is 0 to rounding.
    """
    w = s.problem.true_coef
    assert w is not None
    floor = (8 * w.size * np.finfo(np.float64).eps * float(np.linalg.norm(w))) ** 2
    return "0" if abs(value) <= floor else fmt(value)


def truth_table(s: AlphaSweep, truth: Truth) -> Table:
    """Build the table of a simulated problem: the truth beside the bootstrap's estimates."""
    exact, fresh = truth.closed_form, truth.random_design
    best = int(np.argmin(exact.mse))
    table = Table(
        title=f"{s.problem.title}: the truth (known w and noise) against the bootstrap's "
        f"estimates from the one sample",
        title_justify="left",
    )
    table.add_column("alpha", justify="right")
    for header in (
        "bias^2\ntrue",
        "var(w)\ntrue",
        "MSE(w)\ntrue",
        "bias^2\nfresh X",
        "var(w)\nfresh X",
        "var(w)\nbootstrap",
        f"+- {BAND_Z:g}\nMC s.e.",
        "|bias|^2\nbootstrap",
    ):
        table.add_column(header, justify="right")
    table.add_column("", justify="left")
    for i, alpha in enumerate(s.alphas):
        marks = [GCV_MARK] if i == s.gcv_index else []
        if i == best:
            marks.append(MSE_MARK)
        table.add_row(
            fmt_alpha(alpha),
            rounded_bias2(s, exact.bias2[i]),
            fmt(exact.variance[i]),
            fmt(exact.mse[i]),
            fmt(fresh.bias2[i]),
            fmt(fresh.variance[i]),
            fmt(s.variance[i]),
            fmt(BAND_Z * s.variance_mc_se[i], 2),
            fmt(s.bootstrap_bias2[i]),
            ", ".join(marks),
            style="bold green" if i == s.gcv_index else None,
        )
    return table


def truth_notes(s: AlphaSweep, truth: Truth) -> tuple[str, ...]:
    """Say what each column of the truth table is, with the simulation's own check."""
    sim, fresh = truth.simulated, truth.random_design
    return (
        "true: squared bias ||E w_alpha - w||^2 (0 to rounding at alpha = 0), total variance "
        "tr Cov w_alpha and their sum, the mean squared error of the weights E ||w_alpha - "
        f"w||^2, over fresh noise with X fixed, in closed form; {sim.n_sets} refits of this X "
        f"on fresh noise agree (largest gap {truth.agreement():.2g} Monte-Carlo standard "
        "errors).",
        f"fresh X: the same over {fresh.n_sets} training sets drawn from scratch (new X and "
        "noise), unbiased estimates (so a little below 0 where the squared bias is 0); "
        f"Monte-Carlo s.e. at most {fmt(float(fresh.bias2_se.max()), 2)} (bias^2), "
        f"{fmt(float(fresh.variance_se.max()), 2)} (var).",
        f"bootstrap: from the one sample, {s.boot.n_valid} replicates; +- {BAND_Z:g} MC s.e. "
        "is the Monte-Carlo error of the finite replicates only, not the distance from the "
        "truth. " + BOOTSTRAP_BIAS_NOTE,
    )


STABILIZING_RATIO = 2.0  # variance at alpha = 0 over variance at the GCV alpha
SMALL_TRAINING_RISE = 1.25  # training MSE at the GCV alpha over that at alpha = 0


def explain_sweep(s: AlphaSweep) -> str:
    """Read one table in plain language, quoting its numbers (alpha = 0 vs the GCV alpha)."""
    g = s.gcv_index
    if g == 0:
        return (
            f"{s.problem.title}: GCV kept alpha = 0 here, so on this sample the penalty is not "
            f"worth its bias; the variance of the weights would still fall from "
            f"{fmt(s.variance[0])} at alpha = 0 to {fmt(s.variance[-1])} at alpha = "
            f"{fmt_alpha(s.alphas[-1])}, at the price of training MSE {fmt(s.train_mse[0])} -> "
            f"{fmt(s.train_mse[-1])}."
        )
    ratio = s.variance[0] / s.variance[g] if s.variance[g] > 0 else np.inf
    text = (
        f"{s.problem.title}: across {s.boot.n_boot} resampled training sets the total variance "
        f"of the weights is {fmt(s.variance[0])} at alpha = 0 and {fmt(s.variance[g])} at the "
        f"GCV choice alpha = {fmt_alpha(s.alphas[g])} ({ratio:.3g}x smaller). The training MSE "
        f"goes from {fmt(s.train_mse[0])} to {fmt(s.train_mse[g])}, the out-of-bag MSE (error "
        f"on the rows each replicate did not see) from {fmt(s.oob_mse[0])} to "
        f"{fmt(s.oob_mse[g])}."
    )
    if s.truth is not None:
        exact = s.truth.closed_form
        best = int(np.argmin(exact.mse))
        text += (
            " The truth, known here: the squared bias of the weights is "
            f"{rounded_bias2(s, exact.bias2[0])} at alpha = 0 and "
            f"{rounded_bias2(s, exact.bias2[g])} at alpha = {fmt_alpha(s.alphas[g])}, the "
            f"variance {fmt(exact.variance[0])} and {fmt(exact.variance[g])}, so their mean "
            f"squared error goes from {fmt(exact.mse[0])} to {fmt(exact.mse[g])} (smallest, "
            f"{fmt(exact.mse[best])}, at alpha = {fmt_alpha(s.alphas[best])}): that is the bias "
            "the penalty trades for stability. The bootstrap, from the one sample, put the "
            f"variance at {fmt(s.variance[0])} and {fmt(s.variance[g])}; its own bias estimate "
            f"has squared length {fmt(s.bootstrap_bias2[0])} and {fmt(s.bootstrap_bias2[g])}."
        )
    cheap = s.train_mse[g] <= SMALL_TRAINING_RISE * s.train_mse[0]
    if ratio >= STABILIZING_RATIO and cheap:
        text += " Much steadier weights for a little training error: that is what ridge buys."
    elif ratio >= STABILIZING_RATIO:
        text += " Much steadier weights, paid for with a visibly worse training fit."
    else:
        text += (
            " Here least squares is already fairly stable, so the penalty buys little: ridge "
            "pays off when features are strongly correlated or rows are few."
        )
    return text


def explanation(sweeps: list[AlphaSweep]) -> str:
    """Write the text under the tables: why penalise, with this run's numbers."""
    intro = (
        "Why penalise? The weights that minimise the training error are themselves noisy: "
        "refit on a resampled training set and they move. With correlated features the data "
        "fix a combination of weights (their sum) much better than their differences, so "
        "least squares can trade one weight against another almost for free, and those trades "
        "follow the noise. The penalty alpha ||w||^2 picks, among nearly equally good fits, "
        "the one with small weights, and holds it still: a little more training error for "
        "much less variance."
    )
    return "\n\n".join([intro, *(explain_sweep(s) for s in sweeps)])


def print_report(console: Console, sweeps: list[AlphaSweep]) -> None:
    """Print the tables, their notes and the explanation."""
    for s in sweeps:
        console.print()
        console.print(sweep_table(s))
        for note in s.problem.notes:
            console.print(f"  {note}", style="dim")
        if s.gcv_note:
            console.print(f"  {s.gcv_note}", style="yellow")
        if s.truth is not None:
            console.print()
            console.print(truth_table(s, s.truth))
            for note in truth_notes(s, s.truth):
                console.print(f"  {note}", style="dim")
    console.print()
    console.print(explanation(sweeps))


# -- JSON


def sweep_record(s: AlphaSweep) -> dict[str, Any]:
    """Every number of one table, plus the full-data fit per alpha."""
    rows = [
        {
            "alpha": s.alphas[i],
            "train_mse": s.train_mse[i],
            "oob_mse": s.oob_mse[i],
            "norm_rms": s.norm[i],
            "variance": s.variance[i],
            "variance_mc_se": s.variance_mc_se[i],
            "bootstrap_bias2": s.bootstrap_bias2[i],
            "gcv_choice": i == s.gcv_index,
            "oob_best": i == s.oob_best_index,
            "coef": s.full_coef[i],
            "intercept": s.full_intercept[i],
        }
        for i in range(len(s.alphas))
    ]
    p = s.problem
    record: dict[str, Any] = {
        "name": p.key,
        "title": p.title,
        "n": p.X.shape[0],
        "p": p.X.shape[1],
        "feature_names": list(p.feature_names),
        "gcv_alpha": s.gcv_alpha,
        "gcv_note": s.gcv_note,
        "oob_best_alpha": s.alphas[s.oob_best_index],
        "notes": list(p.notes),
        **p.details,
        "rows": rows,
        "bootstrap": {
            "what": "estimates from the one sample: variance = total bootstrap variance of the "
            "weights (ddof=1), variance_mc_se = its Monte-Carlo standard error, bias_estimate "
            "= mean of the bootstrap weights - full-data fit (k, p), bias2_estimate = its "
            "squared length",
            "alphas": s.alphas,
            "n_boot": s.boot.n_valid,
            "variance": s.variance,
            "variance_mc_se": s.variance_mc_se,
            "bias_estimate": s.bias_estimate,
            "bias2_estimate": s.bootstrap_bias2,
        },
    }
    if s.truth is not None:
        exact, sim, fresh = s.truth.closed_form, s.truth.simulated, s.truth.random_design
        record["truth"] = {
            "what": "closed form, X fixed at the training rows, fresh noise: bias2 = ||E w_a - "
            "w||^2, variance = tr Cov w_a, mse = E ||w_a - w||^2 = bias2 + variance",
            "alphas": exact.alphas,
            "bias2": exact.bias2,
            "variance": exact.variance,
            "mse": exact.mse,
        }
        for key, sets, what in (
            ("truth_simulated", sim, "X fixed at the training rows, fresh noise"),
            ("truth_random_design", fresh, "fresh X and fresh noise per training set"),
        ):
            record[key] = {
                "what": f"simulated over n_sets training sets ({what}); unbiased estimates with "
                "their Monte-Carlo standard errors (*_se)",
                "alphas": sets.alphas,
                "bias2": sets.bias2,
                "variance": sets.variance,
                "mse": sets.mse,
                "bias2_se": sets.bias2_se,
                "variance_se": sets.variance_se,
                "mse_se": sets.mse_se,
                "n_sets": sets.n_sets,
            }
    return record


# -- command


def run_demo(args: argparse.Namespace) -> int:
    """Run ``ridgeboot demo`` with parsed arguments; return the exit code."""
    if args.n < args.p + 3:
        raise CLIError(f"--n must be at least --p + 3 = {args.p + 3} so alpha = 0 is a fit")
    if args.plot:
        check_plot_file(args.plot)  # fail now, not after bootstrapping
    check_output_paths((("--plot", args.plot), ("--json", args.json)), ())
    args.progress = show_progress(args.progress)
    console = make_console()
    settings = Settings(args.n_boot, args.seed, args.threads, args.progress, args.truth_sets)
    alphas = demo_alphas()
    widest = max(args.p, len(load_longley().feature_names))
    require_memory(
        8.0 * args.n_boot * len(alphas) * (widest + 1),
        f"--n-boot {args.n_boot}: keeping every replicate's weights for {len(alphas)} alphas",
        "lower --n-boot (or --p)",
    )
    problems = [
        longley_problem(),
        synthetic_problem(args.n, args.p, args.rho, args.noise, args.seed),
    ]
    sweeps = []
    for problem in problems:
        console.print(
            f"Bootstrapping {problem.title} ({settings.n_boot} replicates, "
            f"{len(alphas)} alphas)...",
            style="dim",
        )
        sweeps.append(sweep(problem, alphas, settings))
    print_report(console, sweeps)
    payload: dict[str, Any] = {
        "command": "demo",
        "ridgeboot_version": rb.__version__,
        "settings": {
            "n": args.n,
            "p": args.p,
            "rho": args.rho,
            "noise": args.noise,
            "seed": args.seed,
            "n_boot": args.n_boot,
            "threads": args.threads,
            "solver": DEMO_SOLVER,
            "scheme": "multinomial",
            "alphas": alphas,
            "truth_sets": args.truth_sets,
        },
        "datasets": [sweep_record(s) for s in sweeps],
    }
    if args.plot:
        plane = draw_demo_figure(args.plot, sweeps, args, settings)
        payload["figure"] = {"file": args.plot, "plane": plane}
        console.print(f"\nFigure written to {args.plot}")
    if args.json:
        write_json(args.json, payload)
        console.print(f"Numbers written to {args.json}")
    return EXIT_OK
