// Counter-based random numbers and the bootstrap draws built on them.
//
// Generator: Philox4x32-10 (Salmon et al., SC'11), exactly as in Random123:
// a 128-bit counter (c0, c1, c2, c3) and a 64-bit key (k0, k1) map to four
// 32-bit words. The key is the seed (k0 = low 32 bits, k1 = high 32 bits).
// The counter of a draw is (j_lo, j_hi, b, stream): j is the position in the
// stream, b the replicate index, stream one of the Stream values below. So a
// replicate's draw depends only on (seed, b, n, scheme, block_len), never on
// the thread that runs it or on how replicates are chunked.
//
// Word sequence of a stream: word w is output[w % 4] of Philox(counter =
// (w / 4 low 32 bits, w / 4 high 32 bits, b, stream), key).
//
// multinomial (stream 0): n draws i_1..i_n of a row in [0, n), each by
// Lemire's method on the word sequence (x = next word; m = x * n as 64 bits;
// if (m mod 2^32) < (2^32 - n) mod n, take the next word and retry; the draw is
// m >> 32); counts[i] = how often row i was drawn.
// moving blocks (stream 1; L = block_len >= 2, L = 1 is the row draw above):
// ceil(n / L) starts drawn the same way in
// [0, n - L]; each adds rows start .. start + L - 1, stopping once n rows have
// been added.
// poisson (stream 2, per row i; with L >= 2, stream 3 per block j of rows [jL, jL + L)):
// words (o0, o1) = first two outputs of Philox(counter = (i_lo, i_hi, b,
// stream), key); u = ((o0 >> 5) * 2^26 + (o1 >> 6)) / 2^53 in [0, 1); the
// weight is the smallest k with u < F(k), F the Poisson(1) CDF built by
// F(0) = p0 = exp(-1), p_k = p_{k-1} / k, F(k) = F(k-1) + p_k in double.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include "types.hpp"

namespace ridgeboot {

// Limits of the draws: a replicate index and a row index are 32-bit counter
// words; the seed is the 64-bit key.
inline constexpr std::uint64_t kMaxReplicates = 0xFFFFFFFFull;  // replicate indices 0 .. 2^32 - 1
inline constexpr std::uint64_t kMaxRows = 0xFFFFFFFFull;        // rows a draw can index
inline constexpr std::uint64_t kMaxSeed = ~std::uint64_t(0);     // 2^64 - 1

using Philox4x32Counter = std::array<std::uint32_t, 4>;
using Philox4x32Key = std::array<std::uint32_t, 2>;

// Philox4x32-10 of the kBlocks counters (first + j as (low, high) words, c2, c3),
// j < kBlocks, written in order: out[4 j + l] = output l of counter j. The
// rounds run across the counters, which the compiler vectorizes: a million
// multinomial draws took 3.2 ms instead of 3.9 one counter at a time.
template <int kBlocks>
void philox4x32_10_blocks(std::uint64_t first, std::uint32_t c2, std::uint32_t c3, Philox4x32Key key,
                          std::uint32_t* out) {
  constexpr std::uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  constexpr std::uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  std::uint32_t x0[kBlocks], x1[kBlocks], x2[kBlocks], x3[kBlocks];
  for (int j = 0; j < kBlocks; ++j) {
    const std::uint64_t c = first + std::uint64_t(j);
    x0[j] = std::uint32_t(c), x1[j] = std::uint32_t(c >> 32), x2[j] = c2, x3[j] = c3;
  }
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += W0;
      key[1] += W1;
    }
    for (int j = 0; j < kBlocks; ++j) {
      const std::uint64_t p0 = std::uint64_t(M0) * x0[j];
      const std::uint64_t p1 = std::uint64_t(M1) * x2[j];
      x0[j] = std::uint32_t(p1 >> 32) ^ x1[j] ^ key[0];
      x1[j] = std::uint32_t(p1);
      x2[j] = std::uint32_t(p0 >> 32) ^ x3[j] ^ key[1];
      x3[j] = std::uint32_t(p0);
    }
  }
  for (int j = 0; j < kBlocks; ++j)
    out[4 * j] = x0[j], out[4 * j + 1] = x1[j], out[4 * j + 2] = x2[j], out[4 * j + 3] = x3[j];
}

inline Philox4x32Counter philox4x32_10(Philox4x32Counter ctr, Philox4x32Key key) {
  Philox4x32Counter out;
  philox4x32_10_blocks<1>(std::uint64_t(ctr[0]) | std::uint64_t(ctr[1]) << 32, ctr[2], ctr[3], key, out.data());
  return out;
}

enum class Stream : std::uint32_t {
  multinomial_rows = 0,
  multinomial_blocks = 1,
  poisson_rows = 2,
  poisson_blocks = 3,
};

enum class Scheme { multinomial, poisson };

// The 32-bit words of one (seed, replicate, stream), in order.
class WordStream {
 public:
  WordStream(std::uint64_t seed, std::uint64_t replicate, Stream stream)
      : key_{std::uint32_t(seed), std::uint32_t(seed >> 32)},
        replicate_(std::uint32_t(replicate)),
        stream_(std::uint32_t(stream)) {
    if (replicate > kMaxReplicates) throw std::invalid_argument("replicate index exceeds 2^32 - 1");
  }

  std::uint32_t next() {
    if (pos_ % kWords == 0) philox4x32_10_blocks<kWords / 4>(pos_ / 4, replicate_, stream_, key_, words_.data());
    return words_[pos_++ % kWords];
  }

  // Unbiased integer in [0, range), 1 <= range <= 2^32 - 1 (Lemire 2019).
  std::uint32_t below(std::uint32_t range) {
    std::uint64_t m = std::uint64_t(next()) * range;
    auto low = std::uint32_t(m);
    if (low < range) {
      const std::uint32_t threshold = std::uint32_t(-range) % range;
      while (low < threshold) {
        m = std::uint64_t(next()) * range;
        low = std::uint32_t(m);
      }
    }
    return std::uint32_t(m >> 32);
  }

 private:
  static constexpr std::uint64_t kWords = 64;  // made at a time
  Philox4x32Key key_;
  std::uint32_t replicate_, stream_;
  std::uint64_t pos_ = 0;
  std::array<std::uint32_t, kWords> words_{};
};

// Poisson(1) variate for one (seed, replicate, stream, index), by inversion.
inline std::int32_t poisson1(std::uint64_t seed, std::uint64_t replicate, Stream stream, std::uint64_t index) {
  struct Cdf {
    double F[24];
    Cdf() {
      double p = 0.36787944117144233;  // exp(-1)
      F[0] = p;
      for (int k = 1; k < 24; ++k) {
        p = p / k;
        F[k] = F[k - 1] + p;
      }
    }
  };
  static const Cdf cdf;
  const auto o = philox4x32_10(
      {std::uint32_t(index), std::uint32_t(index >> 32), std::uint32_t(replicate), std::uint32_t(stream)},
      {std::uint32_t(seed), std::uint32_t(seed >> 32)});
  const double u = (double(o[0] >> 5) * 67108864.0 + double(o[1] >> 6)) * (1.0 / 9007199254740992.0);
  std::int32_t k = 0;
  while (k < 23 && !(u < cdf.F[k])) ++k;
  return k;
}

struct DrawSpec {
  Scheme scheme = Scheme::multinomial;
  std::uint64_t seed = 0;
  Index block_len = 0;  // 0: rows are drawn one by one
};

// Poisson count of one row (global index `row`) in replicate b: it depends on
// the row's index alone, so any chunk of rows draws its own rows' counts.
inline std::int32_t poisson_count(const DrawSpec& spec, std::uint64_t b, Index row) {
  const Index L = spec.block_len;
  return L > 1 ? poisson1(spec.seed, b, Stream::poisson_blocks, std::uint64_t(row / L))
               : poisson1(spec.seed, b, Stream::poisson_rows, std::uint64_t(row));
}

// counts (n): how often each row is in replicate b.
inline void draw_counts(const DrawSpec& spec, std::uint64_t b, Index n, std::int32_t* counts) {
  if (n <= 0) return;
  if (std::uint64_t(n) > kMaxRows) throw std::invalid_argument("n exceeds 2^32 - 1 rows");
  const Index L = spec.block_len;
  if (L < 0 || L > n) throw std::invalid_argument("block_len must be in [1, n]");
  if (spec.scheme == Scheme::poisson) {
    if (L <= 1) {
      for (Index i = 0; i < n; ++i) counts[i] = poisson_count(spec, b, i);
    } else {
      for (Index j = 0; j * L < n; ++j) {
        const std::int32_t c = poisson1(spec.seed, b, Stream::poisson_blocks, j);
        for (Index i = j * L; i < std::min(n, (j + 1) * L); ++i) counts[i] = c;
      }
    }
    return;
  }
  std::fill(counts, counts + n, 0);
  if (L <= 1) {
    WordStream words(spec.seed, b, Stream::multinomial_rows);
    for (Index draw = 0; draw < n; ++draw) ++counts[words.below(std::uint32_t(n))];
  } else {
    WordStream words(spec.seed, b, Stream::multinomial_blocks);
    const auto n_starts = std::uint32_t(n - L + 1);
    Index added = 0;
    while (added < n) {
      const Index start = words.below(n_starts);
      for (Index i = start; i < start + L && added < n; ++i, ++added) ++counts[i];
    }
  }
}

}  // namespace ridgeboot
