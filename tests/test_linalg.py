"""ridgeboot._linalg, the numpy mirror of the core's rules, pinned to the core."""

from __future__ import annotations

import numpy as np
import pytest
import ridgeboot as rb
from ridgeboot import _core, _linalg


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("m", "p"), [(10, 3), (3, 10), (1000, 1000)])
def test_rank_cutoff_is_the_cores(dtype, m, p):
    core = _core.rank_cutoff_float64 if dtype == np.float64 else _core.rank_cutoff_float32
    assert _linalg.rank_cutoff(m, p, dtype) == core(m, p)
    assert _linalg.rank_cutoff(m, p, dtype) == np.finfo(dtype).eps * max(m, p)


def _gram_solve(X, y, w, alphas):
    """The out-of-core rule: eigh of the weighted, centred Gram and _linalg.shift_factors."""
    Xc, Yc, v = _linalg.weighted_centred(X, y[:, None], w, True)
    G = Xc.T @ (v[:, None] * Xc)
    R = Xc.T @ (v[:, None] * Yc)
    lam, V = np.linalg.eigh(G)
    f = _linalg.shift_factors(lam, alphas, len(v), X.shape[1])  # (k, p)
    return np.einsum("pq,kq,qt->kpt", V, f, V.T @ R)[..., 0]


def test_shift_factors_are_the_cores_eigen_route():
    # rank-deficient (a repeated column): alpha = 0 and an alpha below the rounding level
    # go through the core's eigenvalue route, which drops the null direction
    g = np.random.default_rng(0)
    X = g.standard_normal((40, 5))
    X = np.hstack([X, X[:, :1]])
    y = X @ g.standard_normal(6) + g.standard_normal(40)
    w = g.uniform(0.5, 2.0, 40)
    alphas = np.array([0.0, 1e-30, 0.5, 10.0])
    core = rb.ridge_path(X, y, alphas, solver="eigh", sample_weight=w).coef
    mirror = _gram_solve(X, y, w, alphas)
    scale = np.abs(core).max()
    np.testing.assert_allclose(mirror, core, atol=1e-10 * scale)
    # the null direction (column 0 minus column 5) carries nothing at alpha = 0
    assert abs(mirror[0, 0] - mirror[0, 5]) < 1e-10 * scale


def test_psd_pinv_drops_what_the_core_drops():
    g = np.random.default_rng(1)
    A = g.standard_normal((30, 4))
    A = np.hstack([A, (A[:, :2] @ [1.0, -2.0])[:, None]])  # rank 4 of 5
    G = A.T @ A
    P = _linalg.psd_pinv(G, 30, 5)
    np.testing.assert_allclose(P, np.linalg.pinv(G, rcond=1e-10, hermitian=True), atol=1e-12)
    full = G + np.eye(5)
    inv = np.linalg.inv(full)
    # normwise, not entry by entry: eigh's backward error eps ||A|| moves the inverse by
    # up to eps cond(A) ||A^-1|| in every entry, small ones included (an entry of 9e-5
    # came out 1.2e-12 off, relatively, with this machine's OpenBLAS)
    tol = 64 * np.finfo(float).eps * np.linalg.cond(full) * np.abs(inv).max()
    np.testing.assert_allclose(_linalg.psd_pinv(full, 30, 5), inv, rtol=0, atol=tol)


def test_weighted_centred_uses_rows_of_positive_weight():
    X = np.array([[1.0, 2.0], [3.0, 5.0], [100.0, 100.0]])
    Y = np.array([[1.0], [2.0], [50.0]])
    Xc, Yc, v = _linalg.weighted_centred(X, Y, np.array([1.0, 3.0, 0.0]), True)
    assert Xc.shape == (2, 2) and v.tolist() == [1.0, 3.0]
    np.testing.assert_allclose(Xc, [[-1.5, -2.25], [0.5, 0.75]])
    np.testing.assert_allclose(Yc, [[-0.75], [0.25]])
    assert (v @ Xc == 0).all() and (v @ Yc == 0).all()
