"""The bootstrap draws in pure numpy: what ``rb.bootstrap_counts`` must reproduce bit for bit.

Draws (``cpp/include/ridgeboot/rng.hpp``, re-implemented from its documentation)
-------------------------------------------------------------------------------
* Philox4x32-10 (Random123): 128-bit counter (c0, c1, c2, c3), 64-bit key (k0, k1).
* Key = seed (k0 = low 32 bits, k1 = high 32 bits). Word ``w`` of stream ``s`` of replicate
  ``b`` is ``output[w % 4]`` of Philox(counter = (lo32(w // 4), hi32(w // 4), b, s), key).
* multinomial rows (stream 0): n draws in [0, n) by Lemire's method (x = next word,
  m = x * n; reject while (m mod 2**32) < (2**32 - n) mod n; draw = m >> 32).
* moving blocks (stream 1): ceil(n / L) starts in [0, n - L] drawn the same way, L consecutive
  rows each, stopping once n rows have been added.
* poisson (stream 2 per row i; stream 3 per block j): (o0, o1) = first two outputs of
  Philox(counter = (lo32(i), hi32(i), b, stream), key), u = ((o0 >> 5) 2**26 + (o1 >> 6)) / 2**53,
  count = smallest k with u < F(k) (F the Poisson(1) CDF accumulated in double, k <= 23).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

MASK32 = np.uint64(0xFFFFFFFF)
PHILOX_M0, PHILOX_M1 = 0xD2511F53, 0xCD9E8D57
PHILOX_W0, PHILOX_W1 = 0x9E3779B9, 0xBB67AE85

STREAM_ROWS, STREAM_BLOCKS, STREAM_POISSON_ROWS, STREAM_POISSON_BLOCKS = 0, 1, 2, 3


# ----------------------------------------------------------------------------- Philox4x32-10
def philox_scalar(ctr: tuple[int, int, int, int], key: tuple[int, int]) -> tuple[int, ...]:
    """Philox4x32-10 of one counter in plain Python integers (the textbook rounds)."""
    c0, c1, c2, c3 = (int(c) & 0xFFFFFFFF for c in ctr)
    k0, k1 = (int(k) & 0xFFFFFFFF for k in key)
    for rnd in range(10):
        if rnd:
            k0 = (k0 + PHILOX_W0) & 0xFFFFFFFF
            k1 = (k1 + PHILOX_W1) & 0xFFFFFFFF
        p0 = PHILOX_M0 * c0
        p1 = PHILOX_M1 * c2
        c0, c1, c2, c3 = (
            (p1 >> 32) ^ c1 ^ k0,
            p1 & 0xFFFFFFFF,
            (p0 >> 32) ^ c3 ^ k1,
            p0 & 0xFFFFFFFF,
        )
    return c0, c1, c2, c3


def philox_vec(c0, c1, c2, c3, k0: int, k1: int) -> np.ndarray:
    """Vectorised Philox4x32-10: counters as (broadcast) uint arrays -> (4, N) uint64."""
    c = [np.asarray(x, dtype=np.uint64) & MASK32 for x in np.broadcast_arrays(c0, c1, c2, c3)]
    c0, c1, c2, c3 = c
    key0, key1 = np.uint64(k0 & 0xFFFFFFFF), np.uint64(k1 & 0xFFFFFFFF)
    m0, m1 = np.uint64(PHILOX_M0), np.uint64(PHILOX_M1)
    w0, w1 = np.uint64(PHILOX_W0), np.uint64(PHILOX_W1)
    s32 = np.uint64(32)
    for rnd in range(10):
        if rnd:
            key0 = (key0 + w0) & MASK32
            key1 = (key1 + w1) & MASK32
        p0 = m0 * c0  # < 2**64: no overflow
        p1 = m1 * c2
        c0, c1, c2, c3 = (
            (p1 >> s32) ^ c1 ^ key0,
            p1 & MASK32,
            (p0 >> s32) ^ c3 ^ key1,
            p0 & MASK32,
        )
    return np.stack([c0, c1, c2, c3])


def split_seed(seed: int) -> tuple[int, int]:
    return seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF


def stream_words(seed: int, b: int, stream: int, n_words: int, start: int = 0) -> np.ndarray:
    """Words start .. start + n_words - 1 of (seed, replicate b, stream), as uint64."""
    k0, k1 = split_seed(seed)
    first, last = start // 4, (start + n_words - 1) // 4
    blocks = np.arange(first, last + 1, dtype=np.uint64)
    out = philox_vec(blocks & MASK32, blocks >> np.uint64(32), b, stream, k0, k1)  # (4, nb)
    words = out.T.reshape(-1)  # word w = output[w % 4] of block w // 4
    off = start - 4 * first
    return words[off : off + n_words]


class LemireDraws:
    """Bounded integers in [0, rng) from one word stream, Lemire's method with rejection."""

    def __init__(self, seed: int, b: int, stream: int, rng: int):
        self.seed, self.b, self.stream, self.rng = seed, b, stream, rng
        self.threshold = ((1 << 32) - rng) % rng
        self.pos = 0  # next word position
        self.rejected = 0

    def take(self, count: int) -> np.ndarray:
        """The next `count` draws, vectorised: a draw is the next *accepted* word."""
        out = np.empty(0, dtype=np.int64)
        r = np.uint64(self.rng)
        while out.size < count:
            need = count - out.size
            batch = need + need // 16 + 8
            words = stream_words(self.seed, self.b, self.stream, batch, self.pos)
            m = words * r
            low = m & MASK32
            ok = low >= np.uint64(self.threshold)
            acc = np.flatnonzero(ok)
            if acc.size > need:
                acc = acc[:need]
                used = int(acc[-1]) + 1
            else:
                used = batch
            self.rejected += int(used - acc.size)
            self.pos += used
            out = np.concatenate([out, (m[acc] >> np.uint64(32)).astype(np.int64)])
        return out


def _poisson1_cdf() -> np.ndarray:
    p = 0.36787944117144233  # exp(-1) as the double literal
    F = [p]
    for k in range(1, 24):
        p = p / k
        F.append(F[-1] + p)
    return np.array(F)


POISSON1_CDF = _poisson1_cdf()


def poisson1_counts(seed: int, b: int, stream: int, count: int) -> np.ndarray:
    k0, k1 = split_seed(seed)
    idx = np.arange(count, dtype=np.uint64)
    o = philox_vec(idx & MASK32, idx >> np.uint64(32), b, stream, k0, k1)
    hi = (o[0] >> np.uint64(5)).astype(np.float64)
    lo = (o[1] >> np.uint64(6)).astype(np.float64)
    u = (hi * 67108864.0 + lo) * (1.0 / 9007199254740992.0)
    # smallest k with u < F(k), at most 23
    return np.minimum(np.searchsorted(POISSON1_CDF, u, side="right"), 23).astype(np.int64)


def reference_counts_one(
    n: int, b: int, seed: int, scheme: str, block_len: Optional[int] = None
) -> tuple[np.ndarray, int]:
    """(counts of replicate b, rejected words) following the documented algorithm.

    block_len None or 1 draws rows one by one (streams 0 / 2).
    """
    L = 0 if block_len is None else int(block_len)
    if scheme == "poisson":
        if L <= 1:
            return poisson1_counts(seed, b, STREAM_POISSON_ROWS, n), 0
        n_blocks = -(-n // L)
        per_block = poisson1_counts(seed, b, STREAM_POISSON_BLOCKS, n_blocks)
        return np.repeat(per_block, L)[:n], 0
    if L <= 1:
        draws = LemireDraws(seed, b, STREAM_ROWS, n)
        rows = draws.take(n)
        return np.bincount(rows, minlength=n), draws.rejected
    draws = LemireDraws(seed, b, STREAM_BLOCKS, n - L + 1)
    starts = draws.take(-(-n // L))
    rows = (starts[:, None] + np.arange(L)[None, :]).reshape(-1)[:n]
    return np.bincount(rows, minlength=n), draws.rejected


def reference_counts(
    n: int, n_boot: int, seed: int = 0, scheme: str = "multinomial", block_len: Optional[int] = None
) -> np.ndarray:
    return np.stack(
        [reference_counts_one(n, b, seed, scheme, block_len)[0] for b in range(n_boot)]
    ).astype(np.int32)
