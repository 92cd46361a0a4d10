"""Fuzz rb.ridge_path with hostile data, alpha grids, solvers and thread counts."""

from __future__ import annotations

import numpy as np
import ridgeboot as rb
from hypothesis import given
from screening import (
    FUZZ,
    all_finite,
    alpha_is_regular,
    assert_matches_reference,
    call,
    check_prediction,
    datasets,
    ill_conditioned,
    needs_finite_output,
    note,
    path_alphas,
    returned,
    solvers,
    thread_counts,
)


@FUZZ
@given(d=datasets(), alphas=path_alphas(), solver=solvers(), threads=thread_counts())
def test_fuzz_ridge_path(d, alphas, solver, threads):
    note(d.label)
    out = call(
        rb.ridge_path,
        d.X,
        d.y,
        alphas.value,
        solver=solver.value,
        sample_weight=d.w,
        n_threads=threads.value,
        check_finite=d.check_finite,
    )
    if not returned(out, d, solver, alphas, threads):
        return
    r = out.value
    k = np.atleast_1d(np.asarray(alphas.value)).size
    assert r.coef.shape == (k, d.p, *d.y_shape)
    assert r.intercept.shape == (k, *d.y_shape)
    assert r.alphas.shape == (k,)
    assert r.coef.dtype == d.dtype
    pred = check_prediction(r, d, (k, d.n, *d.y_shape))
    ill = ill_conditioned(out)
    auto_eigh = np.size(alphas.value) > 2  # ridge_path: "auto" is "eigh" beyond 2 alphas
    if needs_finite_output(d, alphas.value, solver.value, auto_eigh) and not ill:
        assert all_finite(r.coef, r.intercept, pred.value), "finite problem, non-finite answer"
    if d.regular and d.dtype == np.float64 and alpha_is_regular(alphas.value) and not ill:
        for a_idx, a in enumerate(np.atleast_1d(np.asarray(alphas.value, dtype=np.float64))):
            assert_matches_reference(r.coef[a_idx], r.intercept[a_idx], d, a, True)
