"""The counter-based draws: Philox4x32-10, the documented bootstrap draw algorithm, statistics.

An independent numpy re-implementation of ``cpp/include/ridgeboot/rng.hpp`` (in
``reference/draws.py``) must reproduce ``rb.bootstrap_counts`` bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import ridgeboot as rb
from reference import (
    LemireDraws,
    philox_scalar,
    philox_vec,
    reference_counts,
    reference_counts_one,
    stream_words,
)
from ridgeboot import _core

# Random123 kat_vectors, philox4x32 10 rounds: (counter, key, expected output)
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    (
        (0xFFFFFFFF,) * 4,
        (0xFFFFFFFF,) * 2,
        (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD),
    ),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]
KAT_IDS = ["zeros", "ones", "pi"]


# ----------------------------------------------------------------------------- Philox KAT
@pytest.mark.parametrize(("ctr", "key", "expected"), KAT, ids=KAT_IDS)
def test_philox_known_answers_core(ctr, key, expected):
    out = _core.philox4x32_10(list(ctr), list(key))
    assert tuple(int(v) for v in out) == expected


@pytest.mark.parametrize(("ctr", "key", "expected"), KAT, ids=KAT_IDS)
def test_philox_known_answers_reference(ctr, key, expected):
    # the reference generator used below must itself be right
    assert philox_scalar(ctr, key) == expected
    vec = philox_vec(*ctr, *key).reshape(4, -1)[:, 0]
    assert tuple(int(v) for v in vec) == expected


def test_philox_core_matches_reference_on_random_blocks():
    rng = np.random.default_rng(20240611)
    for _ in range(50):
        ctr = tuple(int(v) for v in rng.integers(0, 2**32, 4))
        key = tuple(int(v) for v in rng.integers(0, 2**32, 2))
        assert tuple(int(v) for v in _core.philox4x32_10(list(ctr), list(key))) == philox_scalar(
            ctr, key
        )


def test_philox_rejects_out_of_range_words():
    with pytest.raises(TypeError):
        _core.philox4x32_10([2**32, 0, 0, 0], [0, 0])
    with pytest.raises(TypeError):
        _core.philox4x32_10([0, 0, 0], [0, 0])


def test_word_stream_order():
    # word w = output[w % 4] of block w // 4, counter (lo(w//4), hi(w//4), b, stream), key = seed
    seed, b, stream = 0x0123456789ABCDEF, 5, 1
    words = stream_words(seed, b, stream, 12)
    for w in range(12):
        blk = philox_scalar((w // 4, 0, b, stream), (seed & 0xFFFFFFFF, seed >> 32))
        assert int(words[w]) == blk[w % 4]
    # a window starting mid-block is the same words
    assert np.array_equal(stream_words(seed, b, stream, 7, start=3), words[3:10])


# ----------------------------------------------------------------------------- bit-exact draws
DRAW_CASES = [
    # (n, n_boot, seed, scheme, block_len)
    (1, 3, 0, "multinomial", None),
    (2, 5, 1, "multinomial", None),
    (7, 6, 3, "multinomial", None),
    (100, 6, 2**64 - 1, "multinomial", None),
    (257, 4, 2**64 - 2, "multinomial", None),
    (1000, 4, 2**63, "multinomial", None),
    (37, 5, 2**32, "multinomial", 5),
    (120, 4, 2**32 - 1, "multinomial", 8),
    (10, 4, 5, "multinomial", 10),
    (10, 4, 5, "multinomial", 9),
    (1, 3, 7, "poisson", None),
    (100, 6, 2**64 - 1, "poisson", None),
    (1000, 4, 12345, "poisson", None),
    (37, 5, 2**32 - 1, "poisson", 5),
    (50, 4, 2**64 - 1, "poisson", 7),
    (10, 4, 5, "poisson", 10),
]


@pytest.mark.parametrize(("n", "n_boot", "seed", "scheme", "block_len"), DRAW_CASES)
def test_counts_match_reference_bit_for_bit(n, n_boot, seed, scheme, block_len):
    got = rb.bootstrap_counts(n, n_boot, seed, scheme, block_len)
    assert got.dtype == np.int32
    assert got.shape == (n_boot, n)
    np.testing.assert_array_equal(got, reference_counts(n, n_boot, seed, scheme, block_len))


def test_counts_match_reference_with_lemire_rejections():
    # n = 10**6: (2**32 - n) mod n = 967296, so ~2e-4 of the words are rejected: the retry
    # path of Lemire's method is exercised (and must consume the *next* word).
    n, seed = 10**6, 99
    got = rb.bootstrap_counts(n, 2, seed)
    total_rejected = 0
    for b in range(2):
        ref, rejected = reference_counts_one(n, b, seed, "multinomial")
        total_rejected += rejected
        np.testing.assert_array_equal(got[b], ref)
    assert total_rejected > 100


def test_lemire_reference_rejects_as_documented():
    # range 2**31 + 1: threshold (2**32 - range) % range = 2**31 - 1, so about half the words
    # are rejected; the vectorised draws must equal a scalar loop over the same words.
    seed, b, rng_ = 42, 0, 2**31 + 1
    draws = LemireDraws(seed, b, 0, rng_)
    vec = draws.take(40)
    words = [int(w) for w in stream_words(seed, b, 0, 400)]
    threshold = ((1 << 32) - rng_) % rng_
    out, pos = [], 0
    while len(out) < 40:
        m = words[pos] * rng_
        pos += 1
        if (m & 0xFFFFFFFF) >= threshold:
            out.append(m >> 32)
    assert vec.tolist() == out
    assert draws.rejected == pos - 40 > 10


def test_block_len_one_is_the_row_bootstrap():
    # A block of one row is the ordinary bootstrap (row streams 0 / 2).
    for scheme in ("multinomial", "poisson"):
        np.testing.assert_array_equal(
            rb.bootstrap_counts(30, 5, 11, scheme, 1), rb.bootstrap_counts(30, 5, 11, scheme)
        )


def test_replicate_depends_only_on_its_index():
    full = rb.bootstrap_counts(53, 20, seed=8)
    np.testing.assert_array_equal(rb.bootstrap_counts(53, 7, seed=8), full[:7])
    assert rb.bootstrap_counts(53, 0, seed=8).shape == (0, 53)


@pytest.mark.parametrize(
    ("scheme", "block_len"), [("multinomial", None), ("poisson", None), ("multinomial", 6)]
)
def test_counts_do_not_depend_on_threads(scheme, block_len):
    ref = rb.bootstrap_counts(301, 64, 5, scheme, block_len, n_threads=1)
    for threads in (2, 3, 8):
        got = rb.bootstrap_counts(301, 64, 5, scheme, block_len, n_threads=threads)
        np.testing.assert_array_equal(got, ref)


def test_seed_changes_the_draw():
    seeds = [0, 1, 2, 2**32, 2**32 + 1, 2**63, 2**64 - 1]
    draws = {s: rb.bootstrap_counts(200, 3, s) for s in seeds}
    for i, a in enumerate(seeds):
        for b in seeds[i + 1 :]:
            assert not np.array_equal(draws[a], draws[b]), (a, b)
    # both key words matter: seed 1 and seed 2**32 swap (k0, k1) = (1, 0) / (0, 1)
    assert not np.array_equal(draws[1], draws[2**32])
    # replicates differ from each other, schemes use different streams
    c = draws[0]
    assert not np.array_equal(c[0], c[1])
    pois = rb.bootstrap_counts(200, 3, 0, "poisson")
    assert not np.array_equal(c, pois)


def test_seed_types_and_range():
    np.testing.assert_array_equal(
        rb.bootstrap_counts(20, 2, np.uint64(2**64 - 1)), rb.bootstrap_counts(20, 2, 2**64 - 1)
    )
    with pytest.raises(ValueError, match="seed"):
        rb.bootstrap_counts(20, 2, -1)
    with pytest.raises(ValueError, match="seed"):
        rb.bootstrap_counts(20, 2, 2**64)
    with pytest.raises(TypeError, match="seed"):
        rb.bootstrap_counts(20, 2, 1.5)
    with pytest.raises(ValueError, match="scheme"):
        rb.bootstrap_counts(20, 2, 0, "bayesian")
    with pytest.raises(ValueError, match="block_len"):
        rb.bootstrap_counts(20, 2, 0, "multinomial", 0)
    with pytest.raises(ValueError, match="block_len"):
        rb.bootstrap_counts(20, 2, 0, "poisson", 21)
    with pytest.raises(ValueError, match="n"):
        rb.bootstrap_counts(0, 2)


# ----------------------------------------------------------------------------- statistics
def test_multinomial_statistics():
    n, B = 50, 4000
    c = rb.bootstrap_counts(n, B, seed=2024).astype(np.float64)
    assert (c.sum(axis=1) == n).all()
    assert c.min() >= 0
    # each row: Binomial(n, 1/n) over replicates -> mean 1, variance 1 - 1/n
    col_mean = c.mean(axis=0)
    se_mean = math.sqrt((1 - 1 / n) / B)
    assert np.abs(col_mean - 1).max() < 5 * se_mean
    col_var = c.var(axis=0, ddof=1)
    assert abs(col_var.mean() - (1 - 1 / n)) < 0.02
    assert np.abs(col_var - (1 - 1 / n)).max() < 0.2
    # frequencies of 0, 1, 2, 3 against the binomial pmf
    for k in range(4):
        pmf = math.comb(n, k) * (1 / n) ** k * (1 - 1 / n) ** (n - k)
        assert abs((c == k).mean() - pmf) < 5 * math.sqrt(pmf * (1 - pmf) / (n * B)) + 1e-3, k


def test_poisson_statistics():
    n, B = 50, 4000
    c = rb.bootstrap_counts(n, B, seed=77, scheme="poisson").astype(np.float64)
    N = c.size
    assert abs(c.mean() - 1) < 5 / math.sqrt(N)
    assert abs(c.var(ddof=1) - 1) < 5 * math.sqrt(3 / N)
    assert c.min() >= 0 and c.max() <= 23
    for k in range(5):
        pmf = math.exp(-1) / math.factorial(k)
        assert abs((c == k).mean() - pmf) < 5 * math.sqrt(pmf * (1 - pmf) / N), k
    # rows do not sum to n (independent counts), and their spread is that of Poisson(n)
    sums = c.sum(axis=1)
    assert sums.std() == pytest.approx(math.sqrt(n), rel=0.1)


@pytest.mark.parametrize("scheme", ["multinomial", "poisson"])
def test_replicates_and_rows_uncorrelated(scheme):
    n, B = 2000, 200
    c = rb.bootstrap_counts(n, B, seed=3, scheme=scheme).astype(np.float64)
    r = np.corrcoef(c)  # replicate x replicate, over rows
    off = r[~np.eye(B, dtype=bool)]
    assert np.abs(off).max() < 6 / math.sqrt(n)
    assert abs(off.mean()) < 0.005
    # neighbouring rows within a replicate: no serial correlation
    lag1 = np.mean([np.corrcoef(row[:-1], row[1:])[0, 1] for row in c])
    assert abs(lag1) < 4 / math.sqrt(n * B)
    # same row in consecutive replicates
    lagb = np.corrcoef(c[:-1].ravel(), c[1:].ravel())[0, 1]
    assert abs(lagb) < 5 / math.sqrt(c[1:].size)


def _starts_from_counts(counts: np.ndarray, L: int) -> np.ndarray:
    """Decompose counts into windows of L rows; raise if impossible."""
    n = len(counts)
    starts = np.zeros(n, dtype=np.int64)
    active = 0
    for i in range(n):
        if i >= L:
            active -= starts[i - L]
        starts[i] = counts[i] - active
        if starts[i] < 0:
            raise AssertionError(f"counts are not a sum of {L}-row windows at row {i}")
        active += starts[i]
    return starts


def test_moving_block_counts_come_in_runs():
    n, L, B = 120, 8, 40  # n % L == 0: every block is whole
    c = rb.bootstrap_counts(n, B, seed=4, block_len=L)
    assert (c.sum(axis=1) == n).all()
    for row in c:
        starts = _starts_from_counts(row, L)
        assert starts.sum() == n // L
        assert starts[n - L + 1 :].sum() == 0  # starts lie in [0, n - L]
    # the decomposition is not vacuous: ordinary bootstrap counts fail it
    plain = rb.bootstrap_counts(n, 5, seed=4)
    failures = 0
    for row in plain:
        try:
            ok = _starts_from_counts(row, L).sum() == n // L
        except AssertionError:
            ok = False
        failures += not ok
    assert failures == 5
    # strong serial correlation inside a replicate, unlike the row bootstrap
    lag1 = np.mean([np.corrcoef(r[:-1], r[1:])[0, 1] for r in c.astype(float)])
    assert lag1 > 0.6


def test_moving_block_truncated_last_block():
    n, L = 37, 5  # ceil(37/5) = 8 starts, the last contributes 2 rows
    c = rb.bootstrap_counts(n, 30, seed=9, block_len=L)
    assert (c.sum(axis=1) == n).all()
    assert c.max() >= 2


def test_poisson_block_counts_constant_within_blocks():
    n, L = 53, 6
    c = rb.bootstrap_counts(n, 50, seed=6, scheme="poisson", block_len=L)
    for j in range(0, n, L):
        blk = c[:, j : j + L]
        assert (blk == blk[:, :1]).all()
    per_block = c[:, ::L].astype(float)
    assert abs(per_block.mean() - 1) < 0.2
    assert len(np.unique(c[:, 0])) > 1
