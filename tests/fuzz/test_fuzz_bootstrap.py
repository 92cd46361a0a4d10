"""Fuzz rb.bootstrap and the statistics of its result (intervals, .632 errors, bias/variance)."""

from __future__ import annotations

from typing import Any

import numpy as np
import ridgeboot as rb
from hypothesis import given
from hypothesis import strategies as st
from screening import (
    CALL_BUDGET_S,
    CI_METHODS,
    FUZZ,
    QUICK_S,
    Data,
    Opt,
    all_finite,
    alpha_is_regular,
    arg,
    assert_matches_reference,
    block_lens,
    call,
    check_common,
    check_raised,
    datasets,
    ill_conditioned,
    mostly,
    needs_finite_output,
    note,
    path_alphas,
    returned,
    scalar_alpha,
    schemes,
    seeds,
    solvers,
    thread_counts,
)


@st.composite
def boot_alphas(draw: Any) -> Opt:
    if draw(st.booleans()):
        return Opt(draw(scalar_alpha()))
    return draw(path_alphas())


def boot_n_boot() -> st.SearchStrategy[Opt]:
    good = st.integers(2, 30).map(Opt)
    bad = st.sampled_from([0, 1, -1, 2.0, 2**32, 2**40, 2**64, None, True, "5"]).map(
        lambda b: Opt(b, arg("n_boot"))
    )
    return mostly(good, bad)


def oob_options() -> st.SearchStrategy[Opt]:
    good = st.sampled_from([True, False, "mse"]).map(Opt)
    bad = st.sampled_from(["rows", None, 1.5]).map(lambda o: Opt(o, arg("oob")))
    return mostly(good, bad)


@FUZZ
@given(
    data=st.data(),
    d=datasets(),
    alphas=boot_alphas(),
    n_boot=boot_n_boot(),
    seed=seeds(),
    scheme=schemes(),
    solver=solvers(),
    threads=thread_counts(),
    oob=oob_options(),
    keep_coefs=st.booleans(),
    fit_intercept=st.booleans(),
)
def test_fuzz_bootstrap(
    data, d, alphas, n_boot, seed, scheme, solver, threads, oob, keep_coefs, fit_intercept
):
    block_len = data.draw(block_lens(d.n), label="block_len")
    note(d.label)
    out = call(
        rb.bootstrap,
        d.X,
        d.y,
        alphas.value,
        n_boot.value,
        solver=solver.value,
        fit_intercept=fit_intercept,
        sample_weight=d.w,
        scheme=scheme.value,
        block_len=block_len.value,
        seed=seed.value,
        n_threads=threads.value,
        keep_coefs=keep_coefs,
        oob=oob.value,
        check_finite=d.check_finite,
    )
    budget = QUICK_S if n_boot.invalid else CALL_BUDGET_S
    # a documented refusal: too few replicates drew a row of positive weight (sparse weights,
    # Poisson or block draws)
    few_rows = "replicates drew a row with positive weight" in str(out.error) and (
        not d.positive_w or scheme.value == "poisson"
    )
    options = (n_boot, seed, scheme, alphas, block_len, oob, threads)
    if not returned(out, d, solver, *options, budget=budget, refusal_ok=few_rows):
        return
    res = out.value
    _check_bootstrap_result(res, d, alphas.value, n_boot.value, keep_coefs, oob.value)
    auto_eigh = np.size(alphas.value) > 4  # bootstrap: "auto" is "eigh" beyond 4 alphas
    ill = ill_conditioned(out)
    finite = needs_finite_output(d, alphas.value, solver.value, auto_eigh) and not ill
    w_used = d.weights_in_dtype()
    counts = rb.bootstrap_counts(d.n, n_boot.value, seed.value, scheme.value, block_len.value)
    valid = ((counts * w_used) > 0).any(axis=1)
    assert res.n_valid == valid.sum()
    if res.n_valid < n_boot.value:
        assert any("replicates drew no row" in str(w.message) for w in out.warnings)
    if finite:
        assert all_finite(res.coef_mean, res.coef_std, res.intercept_mean, res.intercept_std)
        assert all_finite(res.full.coef, res.full.intercept)
        if res.coefs is not None:
            assert all_finite(res.coefs[valid], res.intercepts[valid])
            assert np.isnan(res.coefs[~valid]).all()
        if res.oob_mse is not None:
            has_oob = (((counts == 0) & (w_used > 0)).any(axis=1) & valid).any()
            if has_oob:
                assert all_finite(res.oob_mse), "out-of-bag rows exist but oob_mse is not finite"
            else:
                assert np.isnan(res.oob_mse).all()
    if d.regular and d.dtype == np.float64 and alpha_is_regular(alphas.value) and finite:
        full_coef = np.asarray(res.full.coef).reshape(-1, d.p, *d.y_shape)
        full_icpt = np.asarray(res.full.intercept).reshape(-1, *d.y_shape)
        for a_idx, a in enumerate(np.atleast_1d(np.asarray(alphas.value, dtype=np.float64))):
            assert_matches_reference(full_coef[a_idx], full_icpt[a_idx], d, a, fit_intercept)
    # the statistics of the result
    method = data.draw(st.sampled_from(CI_METHODS), label="ci method")
    level = data.draw(
        mostly(st.sampled_from([0.9, 0.5]), st.sampled_from([0.0, 1.0, np.nan, "0.9"])),
        label="ci level",
    )
    ci = call(res.ci, level, method)
    check_common(ci, finite_input=d.finite)
    level_ok = isinstance(level, float) and 0 < level < 1
    if not level_ok:
        check_raised(ci, arg("level"))
    elif method != "normal" and not keep_coefs:
        check_raised(ci, arg("keep_coefs"))
    else:
        assert ci.error is None, ci.message
        lo, hi = ci.value
        assert lo.shape == hi.shape == res.coef_mean.shape
        if finite:
            assert all_finite(lo, hi), f"{method} interval not finite"
            if method in ("percentile", "normal", "basic"):
                assert (lo <= hi).all()
    if oob.value is True:
        e = call(lambda: (res.err632, res.err632plus))
        check_common(e, finite_input=d.finite)
        if e.error is not None:
            check_raised(e, "out of bag")
        else:
            for est in e.value:
                assert np.shape(est) == np.shape(res.oob_mse)
                if finite:
                    assert all_finite(est)
    bv = call(res.bias_variance)
    check_common(bv, finite_input=d.finite)
    assert bv.error is None, bv.message
    shape = np.shape(res.intercept_mean)
    assert bv.value.bootstrap_bias2.shape == bv.value.variance.shape == shape
    assert bv.value.bias2 is None  # the true squared bias needs the true weights


def _check_bootstrap_result(
    res: Any, d: Data, alphas: Any, n_boot: int, keep_coefs: bool, oob: Any
) -> None:
    k_axis = () if np.ndim(alphas) == 0 else (len(alphas),)
    t_axis = d.y_shape
    assert res.coef_mean.shape == res.coef_std.shape == (*k_axis, d.p, *t_axis)
    assert np.shape(res.intercept_mean) == np.shape(res.intercept_std) == (*k_axis, *t_axis)
    assert res.coef_mean.dtype == d.dtype
    if keep_coefs:
        assert res.coefs.shape == (n_boot, *k_axis, d.p, *t_axis)
        assert res.intercepts.shape == (n_boot, *k_axis, *t_axis)
        assert res.coefs.dtype == d.dtype
    else:
        assert res.coefs is None and res.intercepts is None
    if oob is False:
        assert res.oob_mse is None
    else:
        assert np.shape(res.oob_mse) == (*k_axis, *t_axis)
    assert 2 <= res.n_valid <= n_boot == res.n_boot
