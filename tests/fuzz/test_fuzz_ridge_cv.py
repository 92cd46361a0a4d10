"""Fuzz rb.ridge_cv: every cv, scoring and bootstrap hold-out option, hostile data."""

from __future__ import annotations

from typing import Any

import numpy as np
import ridgeboot as rb
from hypothesis import given
from hypothesis import strategies as st
from screening import (
    BAD_PATH_ALPHAS,
    FUZZ,
    Opt,
    all_finite,
    arg,
    call,
    check_prediction,
    datasets,
    ill_conditioned,
    mostly,
    needs_finite_output,
    note,
    returned,
    scalar_alpha,
    seeds,
    solvers,
    thread_counts,
)


@st.composite
def cv_options(draw: Any, n: int) -> dict[str, Opt]:
    """cv and the options that go with it."""
    cv = draw(
        mostly(
            st.one_of(
                st.sampled_from(["gcv", "loo", "bootstrap"]).map(Opt),
                st.integers(2, max(2, n)).map(lambda k: Opt(k, None if k <= n else arg("cv"))),
            ),
            st.sampled_from([1, 0, -1, n + 1, 2.5, True, "kfold", "GCV", None]).map(
                lambda c: Opt(c, arg("cv"))
            ),
        )
    )
    opts = {"cv": cv}
    opts["scoring"] = draw(
        mostly(
            st.sampled_from(["mse", "r2", "corr"]).map(Opt),
            st.sampled_from(["accuracy", None, 1]).map(lambda s: Opt(s, arg("scoring"))),
        )
    )
    if cv.value == "bootstrap":
        opts["n_boot"] = draw(
            mostly(
                st.integers(1, 20).map(Opt),
                # beyond the address space (2**50 x 8 B), so that even an overcommitting
                # kernel refuses the allocation ridge_cv attempts (see test_bug_ridge_cv_*)
                st.sampled_from([0, -1, 2.0, 2**50, 2**63]).map(lambda b: Opt(b, arg("n_boot"))),
            )
        )
        opts["chunk_len"] = draw(
            mostly(
                st.sampled_from([None, *sorted({1, max(1, n // 3), n})]).map(Opt),
                st.sampled_from([0, n + 1, 2.5]).map(lambda c: Opt(c, arg("chunk_len"))),
            )
        )
        opts["n_chunks"] = draw(
            mostly(
                st.sampled_from([None, None, 1, 2]).map(Opt),
                st.sampled_from([0, -1, 10**6, 1.5]).map(lambda c: Opt(c, arg("n_chunks"))),
            )
        )
        opts["heldout_fraction"] = draw(
            mostly(
                st.sampled_from([0.2, 0.5]).map(Opt),
                st.sampled_from([0.0, 1.0, -0.5, np.nan, "0.2", None]).map(
                    lambda h: Opt(h, arg("heldout_fraction"))
                ),
            )
        )
        if opts["n_chunks"].value is not None:  # heldout_fraction is not used then
            opts["heldout_fraction"] = Opt(opts["heldout_fraction"].value)
    return opts


@st.composite
def cv_alphas(draw: Any) -> Opt:
    kind = draw(st.sampled_from(["grid"] * 8 + ["one", "bad"]))
    if kind == "grid":
        values = draw(st.lists(scalar_alpha(), min_size=2, max_size=6))
        return Opt(values)
    if kind == "one":
        return Opt(draw(scalar_alpha()))
    return Opt(draw(st.sampled_from(BAD_PATH_ALPHAS)), arg("alphas", "alpha"))


@FUZZ
@given(
    data=st.data(),
    d=datasets(min_n=2),
    alphas=cv_alphas(),
    solver=solvers(),
    seed=seeds(),
    threads=thread_counts(),
    alpha_per_target=st.booleans(),
    shuffle=st.booleans(),
    fit_intercept=st.booleans(),
)
def test_fuzz_ridge_cv(
    data, d, alphas, solver, seed, threads, alpha_per_target, shuffle, fit_intercept
):
    opts = data.draw(cv_options(d.n), label="cv options")
    note(d.label)
    kwargs = {k: o.value for k, o in opts.items()}
    out = call(
        rb.ridge_cv,
        d.X,
        d.y,
        alphas.value,
        alpha_per_target=alpha_per_target,
        fit_intercept=fit_intercept,
        sample_weight=d.w,
        solver=solver.value,
        shuffle=shuffle,
        seed=seed.value,
        n_threads=threads.value,
        check_finite=d.check_finite,
        **kwargs,
    )
    cv = opts["cv"].value
    too_few_rows = arg("X") if d.n < 2 else None  # ridge_cv needs 2 rows
    msg = str(out.error)
    documented = (
        "chunks" in msg  # cv="bootstrap": n, chunk_len and n_chunks leave no chunk
        # r2 / corr need >= 2 held-out rows with a varying target: documented refusal
        or (isinstance(out.error, ValueError) and "scoring=" in msg and "undefined" in msg)
    )
    options = (too_few_rows, alphas, seed, threads, *opts.values())
    if not returned(out, d, solver, *options, refusal_ok=documented):
        return
    r = out.value
    k = np.atleast_1d(np.asarray(alphas.value)).size
    grid = np.atleast_1d(np.asarray(alphas.value, dtype=np.float64))
    assert r.coef.shape == (d.p, *d.y_shape)
    assert r.coef.dtype == d.dtype
    assert r.alphas.shape == (k,)
    assert np.shape(r.scores) == (k, *d.y_shape)
    assert np.shape(r.dof) == (k,)
    per_target = alpha_per_target and d.t is not None
    assert np.shape(r.alpha) == ((d.t,) if per_target else ())
    assert np.isin(np.atleast_1d(r.alpha), grid.astype(d.dtype).astype(np.float64)).all()
    assert np.shape(r.intercept) == d.y_shape
    ill = ill_conditioned(out)
    if needs_finite_output(d, r.alpha, solver.value, auto_eigh=False) and not ill:
        assert all_finite(r.coef, r.intercept, r.dof), "finite problem, non-finite answer"
    if cv == "bootstrap":
        assert r.alpha_replicates.shape[0] == kwargs["n_boot"]
        assert r.heldout.shape[0] == kwargs["n_boot"]
    check_prediction(r, d, (d.n, *d.y_shape))
