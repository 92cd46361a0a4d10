"""Fuzz rb.ridge with hostile data, alphas, solvers and thread counts (see screening.py)."""

from __future__ import annotations

import numpy as np
import ridgeboot as rb
from hypothesis import given
from hypothesis import strategies as st
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
    returned,
    ridge_alphas,
    solvers,
    thread_counts,
)


@FUZZ
@given(data=st.data(), d=datasets(), solver=solvers(), threads=thread_counts())
def test_fuzz_ridge(data, d, solver, threads):
    alpha = data.draw(ridge_alphas(d.t), label="alpha")
    fit_intercept = data.draw(st.booleans(), label="fit_intercept")
    note(d.label)
    out = call(
        rb.ridge,
        d.X,
        d.y,
        alpha.value,
        solver=solver.value,
        fit_intercept=fit_intercept,
        sample_weight=d.w,
        n_threads=threads.value,
        check_finite=d.check_finite,
    )
    if not returned(out, d, solver, alpha, threads):
        return
    r = out.value
    assert r.coef.shape == (d.p, *d.y_shape)
    assert r.coef.dtype == d.dtype
    if d.t is None:
        assert isinstance(r.intercept, float)
    else:
        assert np.shape(r.intercept) == (d.t,)
    assert r.solver in ("cholesky", "svd", "eigh")
    if solver.value != "auto":
        assert r.solver == solver.value
    if np.ndim(alpha.value) == 1:
        assert np.shape(r.alpha) == (d.t,)
    pred = check_prediction(r, d, (d.n, *d.y_shape))
    ill = ill_conditioned(out)
    if needs_finite_output(d, alpha.value, solver.value, auto_eigh=False) and not ill:
        assert all_finite(r.coef, r.intercept, pred.value), "finite problem, non-finite answer"
    if d.regular and d.dtype == np.float64 and alpha_is_regular(alpha.value) and not ill:
        assert_matches_reference(r.coef, r.intercept, d, alpha.value, fit_intercept)
