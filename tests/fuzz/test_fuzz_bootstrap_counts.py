"""Fuzz rb.bootstrap_counts: hostile n, n_boot, seeds, schemes, block lengths and threads."""

from __future__ import annotations

import numpy as np
import ridgeboot as rb
from hypothesis import given
from hypothesis import strategies as st
from screening import (
    FUZZ,
    QUICK_S,
    arg,
    block_lens,
    call,
    check_common,
    check_raised,
    first_invalid,
    mostly,
    schemes,
    seeds,
    thread_counts,
)


@FUZZ
@given(
    n=mostly(st.integers(1, 30), st.sampled_from([0, -1, 2.5, 2**32, True, "3", None])),
    n_boot=mostly(st.integers(0, 30), st.sampled_from([-1, 2.0, 2**32, 2**40, 2**64, None, True])),
    seed=seeds(),
    scheme=schemes(),
    threads=thread_counts(),
    data=st.data(),
)
def test_fuzz_bootstrap_counts(n, n_boot, seed, scheme, threads, data):
    n_ok = isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 30
    block_len = data.draw(block_lens(n if n_ok else 3), label="block_len")
    b_ok = isinstance(n_boot, int) and not isinstance(n_boot, bool) and 0 <= n_boot <= 30
    out = call(
        rb.bootstrap_counts,
        n,
        n_boot,
        seed.value,
        scheme.value,
        block_len.value,
        n_threads=threads.value,
    )
    check_common(out, finite_input=True, budget=QUICK_S)
    invalid = first_invalid(
        None if n_ok else arg("n"),
        None if b_ok else arg("n_boot"),
        seed,
        scheme,
        block_len,
        threads,
    )
    if invalid:
        check_raised(out, invalid)
        return
    assert out.error is None, f"valid input refused: {out.message}"
    counts = out.value
    assert counts.shape == (n_boot, n) and counts.dtype == np.int32
    assert (counts >= 0).all()
    if scheme.value == "multinomial":
        assert (counts.sum(axis=1) == n).all()
    again = rb.bootstrap_counts(n, n_boot, seed.value, scheme.value, block_len.value, n_threads=1)
    np.testing.assert_array_equal(counts, again)  # the draws do not depend on the threads
