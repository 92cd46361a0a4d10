"""Fits that interpolate the training data say so: alpha = 0 (or an alpha the solvers treat
as 0) with at least as many coefficients as rows of positive weight."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import ridgeboot as rb


def wide(n=10, p=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, p)), rng.standard_normal(n)


@pytest.mark.parametrize(
    "call",
    [
        lambda X, y: rb.ridge(X, y, 0.0),
        lambda X, y: rb.ridge(X, y, 1e-30),
        lambda X, y: rb.ridge_path(X, y, [0.0, 1.0]),
        lambda X, y: rb.bootstrap(X, y, 0.0, 10),
        lambda X, y: rb.bootstrap(X, y, [0.0, 1.0], 10),
    ],
)
def test_interpolating_fits_warn(call):
    X, y = wide()
    with pytest.warns(rb.InterpolationWarning, match="interpolates the training data"):
        call(X, y)


def test_the_interpolating_fit_does_interpolate():
    X, y = wide()
    with pytest.warns(rb.InterpolationWarning):
        fit = rb.ridge(X, y, 0.0)
    np.testing.assert_allclose(fit.predict(X), y, atol=1e-10 * np.abs(y).max())


@pytest.mark.parametrize(
    ("n", "p", "fit_intercept", "alpha", "warns"),
    [
        (10, 9, True, 0.0, True),  # 9 slopes + intercept = 10 rows
        (10, 9, False, 0.0, False),  # 9 coefficients < 10 rows
        (10, 10, False, 0.0, True),
        (10, 12, True, 1.0, False),  # a real penalty: not interpolating
        (30, 5, True, 0.0, False),  # least squares with residual degrees of freedom
    ],
)
def test_interpolation_warning_counts_parameters_against_rows(n, p, fit_intercept, alpha, warns):
    X, y = wide(n, p)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rb.ridge(X, y, alpha, fit_intercept=fit_intercept)
    got = [w for w in caught if issubclass(w.category, rb.InterpolationWarning)]
    assert bool(got) == warns


def test_interpolation_warning_counts_rows_of_positive_weight():
    X, y = wide(20, 12)
    sw = np.r_[np.ones(10), np.zeros(10)]
    with pytest.warns(rb.InterpolationWarning, match="12 coefficients \\+ intercept and 10 rows"):
        rb.ridge(X, y, 0.0, sample_weight=sw)


def test_no_interpolation_warning_for_one_row_or_huge_data():
    """One row with an intercept: the intercept alone fits it, whatever alpha; and data
    scaled by 1e150 with alpha scaled alike are the same problem (no overflow)."""
    X, y = wide(10, 12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", rb.InterpolationWarning)
        rb.ridge(X[:1], y[:1], 0.0)
        rb.ridge(X * 1e150, y * 1e150, 1e300)  # alpha / scale^2 = 1: a real penalty
    with pytest.warns(rb.InterpolationWarning):
        rb.ridge(X * 1e150, y * 1e150, 1e-30)


@pytest.mark.parametrize(
    "call",
    [
        lambda X, y: rb.ridge(X, y, 1.0),
        lambda X, y: rb.ridge_path(X, y, [0.1, 1.0, 10.0]),
        lambda X, y: rb.bootstrap(X, y, 1.0, 4),
    ],
)
def test_a_real_penalty_on_wide_data_costs_no_svd(call, monkeypatch):
    """The check is O(n p) unless some alpha could be negligible: an SVD of a 500 x 5000 X
    took 3x the fit itself (the squared Frobenius norm bounds s_max^2)."""
    X, y = wide(40, 300)

    def no_svd(*args, **kwargs):
        raise AssertionError("the interpolation check ran an SVD for alpha > 0")

    monkeypatch.setattr(np.linalg, "svd", no_svd)
    with warnings.catch_warnings():
        warnings.simplefilter("error", rb.InterpolationWarning)
        call(X, y)


def test_an_alpha_negligible_only_against_the_frobenius_bound_does_not_warn():
    """alpha between eps max(m, p) s_max^2 and eps max(m, p) ||X||_F^2: the SVD decides."""
    X, y = wide(10, 400)
    Xc = X - X.mean(axis=0)
    s = np.linalg.svd(Xc, compute_uv=False)
    cutoff = 400 * np.finfo(float).eps
    alpha = cutoff * np.sqrt(s[0] ** 2 * (s**2).sum())  # above s_max^2, below ||X||_F^2
    assert cutoff * s[0] ** 2 < alpha < cutoff * (s**2).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error", rb.InterpolationWarning)
        rb.ridge(X, y, alpha)
    with pytest.warns(rb.InterpolationWarning):
        rb.ridge(X, y, cutoff * s[0] ** 2 / 2)


@pytest.mark.parametrize(("scale", "penalty"), [(2.0**520, 2.0**1010), (2.0**-600, 2.0**-1000)])
def test_the_bound_that_overflows_or_underflows_defers_to_the_scaled_svd(scale, penalty):
    """sum |x_i|^2 beyond the float64 range: alpha = 0 still warns; a penalty above
    eps * max(n, p) * s_max^2 (here ~2^997 and 0) does not."""
    X, y = wide(10, 12)
    with pytest.warns(rb.InterpolationWarning):
        rb.ridge(X * scale, y, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", rb.InterpolationWarning)
        rb.ridge(X * scale, y, penalty)
