"""The truth the bootstrap estimates: rb.ridge_truth (closed form) and its simulations.

The closed form is checked against an independent numpy computation (np.linalg.solve on the
weighted centred Gram) at a tolerance from the conditioning, and the simulations against
the closed form at a tolerance from their Monte-Carlo error, derived exactly: with X fixed
the ridge weights are a linear function of Gaussian noise, so the fits are Gaussian and the
variances of the estimators have closed forms in Sigma = Cov w_alpha and b = E w_alpha - w.
"""

from __future__ import annotations

import numpy as np
import pytest
import ridgeboot as rb
from ridgeboot.datasets import equicorrelated_features, make_equicorrelated

EPS = np.finfo(np.float64).eps
Z = 5.0  # Monte-Carlo tolerance in standard deviations (the seeds are fixed)


def gram(X, sw, fit_intercept=True):
    v = np.ones(len(X)) if sw is None else sw
    Xc = X - (v @ X) / v.sum() if fit_intercept else X
    return Xc, v, Xc.T @ (v[:, None] * Xc)


def solve_reference(X, w, sd, alpha, sw=None, fit_intercept=True):
    """E w_alpha and Cov w_alpha by np.linalg.solve (alpha > 0 or a full-rank design)."""
    Xc, v, G = gram(X, sw, fit_intercept)
    H = Xc.T @ ((v**2 * sd**2)[:, None] * Xc)
    A = G + alpha * np.eye(X.shape[1])
    mean = np.linalg.solve(A, Xc.T @ (v * (X @ w)))
    left = np.linalg.solve(A, H)
    return mean, np.linalg.solve(A, left.T).T, np.linalg.cond(A)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_closed_form_matches_numpy_solve(fit_intercept, weighted):
    rng = np.random.default_rng(0)
    n, p = 60, 5
    X = equicorrelated_features(rng, n, p, 0.8) + rng.uniform(-2, 2, p)
    w = rng.standard_normal(p)
    sd = 0.3 + np.abs(X[:, 1])  # heteroskedastic
    sw = rng.uniform(0.2, 3.0, n) if weighted else None
    alphas = np.array([0.0, 1e-3, 0.5, 10.0, 1e3])
    truth = rb.ridge_truth(X, w, sd, alphas, fit_intercept=fit_intercept, sample_weight=sw)
    assert truth.mean.shape == (5, p) and truth.cov.shape == (5, p, p)
    for i, a in enumerate(alphas):
        mean, cov, cond = solve_reference(X, w, sd, a, sw, fit_intercept)
        # both are backward-stable solves: forward error ~ eps * cond, constants in C = 100
        rtol = 100 * EPS * cond
        np.testing.assert_allclose(truth.mean[i], mean, rtol=0, atol=rtol * np.linalg.norm(mean))
        np.testing.assert_allclose(truth.cov[i], cov, rtol=0, atol=rtol * np.linalg.norm(cov))
        np.testing.assert_allclose(truth.bias2[i], ((mean - w) ** 2).sum(), rtol=0,
                                   atol=3 * rtol * (w**2).sum())  # fmt: skip
        np.testing.assert_allclose(truth.variance[i], np.trace(cov), rtol=p * rtol)
    np.testing.assert_array_equal(truth.mse, truth.bias2 + truth.variance)


def test_true_bias_is_zero_at_alpha_zero_and_rises():
    X, _, w = make_equicorrelated(100, 8, 0.95, 1.0, 0)
    truth = rb.ridge_truth(X, w, 1.0, np.concatenate([[0.0], np.logspace(-3, 3, 13)]))
    # the SVD's V'V w = w to rounding: ||b|| <= a few eps ||w|| per coordinate
    assert truth.bias2[0] <= (8 * 10 * EPS * np.linalg.norm(w)) ** 2
    assert (np.diff(truth.bias2) > 0).all() and (np.diff(truth.variance) < 0).all()


def test_alpha_zero_with_p_above_n_is_the_minimum_norm_fit():
    """The bias at alpha = 0 is the part of w outside the row space of the centred X."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((10, 25))
    w = rng.standard_normal(25)
    truth = rb.ridge_truth(X, w, 1.0, [0.0, 1e-9])
    Xc = X - X.mean(axis=0)
    P = np.linalg.pinv(Xc) @ Xc  # projection on the row space
    np.testing.assert_allclose(truth.mean[0], P @ w, atol=1e-12 * np.linalg.norm(w))
    pinv = np.linalg.pinv(Xc)
    np.testing.assert_allclose(truth.cov[0], pinv @ pinv.T, rtol=1e-9, atol=1e-12)
    # a tiny alpha is the same fit, to O(alpha / s_min^2)
    np.testing.assert_allclose(truth.bias2[1], truth.bias2[0], rtol=1e-6)


def mc_sds(truth: rb.RidgeTruth, w: np.ndarray, R: int):
    """Standard deviations of the unbiased estimators of bias2, variance and mse from R
    Gaussian fits: with d = mean - E w ~ N(0, S / R) independent of the sample covariance,
    Var ||b + d||^2 = 2 tr(S^2) / R^2 + 4 b'Sb / R, Var tr(S_hat) = 2 tr(S^2) / (R - 1),
    and mse = ||b + d||^2 + (R - 1) / R tr(S_hat)."""
    b = truth.mean - w
    tr_s2 = np.einsum("kpq,kqp->k", truth.cov, truth.cov)
    bsb = np.einsum("kp,kpq,kq->k", b, truth.cov, b)
    var_mean2 = 2 * tr_s2 / R**2 + 4 * bsb / R
    var_trace = 2 * tr_s2 / (R - 1)
    sd_bias2 = np.sqrt(var_mean2 + var_trace / R**2)
    sd_variance = np.sqrt(var_trace)
    sd_mse = np.sqrt(var_mean2 + ((R - 1) / R) ** 2 * var_trace)
    return sd_bias2, sd_variance, sd_mse


@pytest.mark.parametrize("hetero", [False, True])
def test_fixed_design_simulation_agrees_with_closed_form(hetero):
    X, _, w = make_equicorrelated(100, 8, 0.95, 1.0, 0)
    sd = 0.25 + np.abs(X[:, 0]) if hetero else 1.0
    alphas = np.concatenate([[0.0], np.logspace(-3, 3, 13)])
    R = 3000
    truth = rb.ridge_truth(X, w, sd, alphas)
    sim = rb.simulate_ridge_truth(X, w, sd, alphas, R, seed=5)
    assert sim.n_sets == R and sim.mean.shape == (14, 8)
    sd_bias2, sd_variance, sd_mse = mc_sds(truth, w, R)
    assert np.all(np.abs(sim.bias2 - truth.bias2) <= Z * sd_bias2)
    assert np.all(np.abs(sim.variance - truth.variance) <= Z * sd_variance)
    assert np.all(np.abs(sim.mse - truth.mse) <= Z * sd_mse)
    # the estimates add up exactly, and the reported errors estimate the derived ones: those
    # of the variance and MSE are sample SDs, within ~ sqrt(2 / R) relative (3 %; 15 %
    # allowed); that of bias2 estimates b'Sb from b + N(0, S / R), noisy where b is of the
    # size of that noise (a factor 1.5 allowed)
    np.testing.assert_allclose(sim.mse, sim.bias2 + sim.variance, rtol=1e-12)
    np.testing.assert_allclose(sim.variance_se, sd_variance, rtol=0.15)
    np.testing.assert_allclose(sim.mse_se, sd_mse, rtol=0.15)
    ratio = sim.bias2_se / sd_bias2
    assert np.all((ratio > 1 / 1.5) & (ratio < 1.5))


def test_fixed_design_simulation_is_one_multi_target_fit():
    """The R noise vectors are the columns of one target matrix, fitted by rb.ridge_path."""
    X, _, w = make_equicorrelated(30, 3, 0.5, 1.0, 2)
    alphas = np.array([0.1, 1.0])
    sim = rb.simulate_ridge_truth(X, w, 0.7, alphas, 7, seed=3)
    noise = 0.7 * np.random.default_rng(3).standard_normal((30, 7))
    fit = rb.ridge_path(X, X @ w[:, None] + noise, alphas)
    np.testing.assert_allclose(sim.mean, fit.coef.mean(axis=2), rtol=1e-12)


def test_random_design_simulation_at_alpha_zero_matches_wishart_moments():
    """Gaussian rows x ~ N(0, C): E w_0 = w and E tr Cov w_0 = sigma^2 tr(C^-1) / (n - p - 2)
    (with an intercept the centred Gram is Wishart(C, n - 1), E W^-1 = C^-1 / (n - 1 - p - 1))."""
    n, p, rho, sigma = 40, 4, 0.6, 1.5
    w = np.array([1.0, -0.5, 0.25, 2.0])
    C = (1 - rho) * np.eye(p) + rho
    sim = rb.simulate_random_design_truth(
        lambda rng: equicorrelated_features(rng, n, p, rho), w, sigma, [0.0, 5.0], 4000, seed=7
    )
    expected = sigma**2 * np.trace(np.linalg.inv(C)) / (n - p - 2)
    assert abs(sim.variance[0] - expected) <= Z * sim.variance_se[0]
    assert abs(sim.bias2[0]) <= Z * sim.bias2_se[0]
    # a penalty shrinks: bias appears, variance falls
    assert sim.bias2[1] > Z * sim.bias2_se[1] and sim.variance[1] < sim.variance[0]


def test_random_design_noise_may_depend_on_x():
    calls = []

    def sd(X):
        calls.append(X.shape)
        return 0.1 + np.abs(X[:, 0])

    sim = rb.simulate_random_design_truth(
        lambda rng: rng.standard_normal((20, 3)), np.ones(3), sd, 1.0, 5, seed=0
    )
    assert calls == [(20, 3)] * 5 and sim.bias2.shape == (1,)


def test_bad_inputs_are_refused():
    X = np.ones((5, 2)) + np.arange(10).reshape(5, 2) ** 2
    with pytest.raises(ValueError, match="true_coef"):
        rb.ridge_truth(X, np.ones(3), 1.0, 1.0)
    with pytest.raises(ValueError, match="noise_sd"):
        rb.ridge_truth(X, np.ones(2), -1.0, 1.0)
    with pytest.raises(ValueError, match="alphas"):
        rb.ridge_truth(X, np.ones(2), 1.0, -1.0)
    with pytest.raises(ValueError, match="n_sets"):
        rb.simulate_ridge_truth(X, np.ones(2), 1.0, 1.0, 1)


def test_bias_variance_refuses_a_fixed_alpha_truth_for_a_selecting_bootstrap():
    X, y, w = make_equicorrelated(40, 3, 0.5, 1.0, 4)
    boot = rb.bootstrap(X, y, np.logspace(-2, 2, 5), 20, select="gcv")
    assert boot.bias_variance().variance.shape == ()
    with pytest.raises(ValueError, match="select="):
        boot.bias_variance(w, noise_sd=1.0)
