// The hot kernel: G += Z^T Z (lower triangle) for a row-major panel Z.
//
// Z (rows, ldz) holds the gathered, centred, sqrt(weight)-scaled rows; its
// columns are zero-padded to a multiple of the tile height, so every load is a
// full vector. G (ldg, ...) is column-major. Each tile of G (MR rows x NR
// columns) stays in registers while the kernel streams the rows of Z through
// it: per row, MR/VL vector loads, NR broadcasts and (MR/VL)*NR fused
// multiply-adds. Tiles are two vectors high (MR = 2 VL), the last of a strip one
// vector when that is all that is left; columns are padded to whole vectors.
// GCC/Clang vector extensions make this one source for AVX-512, AVX2 and SSE2
// builds.
#pragma once

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "types.hpp"

namespace ridgeboot {
namespace gram_detail {

#if defined(__AVX512F__)
inline constexpr int kVectorBytes = 64;
inline constexpr int kTileCols = 8;
#elif defined(__AVX__)
inline constexpr int kVectorBytes = 32;
inline constexpr int kTileCols = 6;
#else
inline constexpr int kVectorBytes = 16;
inline constexpr int kTileCols = 4;
#endif

template <class T>
struct Vec {
  typedef T type __attribute__((vector_size(kVectorBytes)));
  static constexpr int lanes = kVectorBytes / int(sizeof(T));
  static type load(const T* p) {
    type v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
  static void store(T* p, const type& v) { std::memcpy(p, &v, sizeof(v)); }
};

// Where a kernel reads the rows of its vector operand A: row r of a strided
// panel, or a row where it lies (a pointer per row) less a shift held in
// registers, so a replicate's rows of Y are centred without being copied.
template <class T>
struct StridedRows {
  const T* A;
  Index lda;
  StridedRows from(Index r0) const { return {A + r0 * lda, lda}; }
  typename Vec<T>::type load(Index r, Index i) const { return Vec<T>::load(A + r * lda + i); }
  void prefetch(Index, Index) const {}
};

template <class T>
struct CentredRows {
  const T* const* rows;
  const T* shift;
  CentredRows from(Index r0) const { return {rows + r0, shift}; }
  typename Vec<T>::type load(Index r, Index i) const {
    return Vec<T>::load(rows[r] + i) - Vec<T>::load(shift + i);
  }
  void prefetch(Index r, Index i) const { __builtin_prefetch(rows[r] + i, 0, 2); }
};

// One tile: R[i0 : i0 + V*lanes, j0 : j0 + NR] += sum over rows of A^T B (rows
// of A as Rows reads them, B rows of stride ldb; V vectors high). The Gram
// is the case B = A. `ahead` > 0: the rows' columns that far ahead are asked
// for (Rows::prefetch) while these stream.
template <class T, int NR, int V, class Rows>
void cross_tile(const Rows& A, const T* B, Index ldb, Index rows, Index i0, Index j0, T* R, Index ldr,
                Index ahead = 0) {
  using W = Vec<T>;
  using VT = typename W::type;
  constexpr int L = W::lanes;
  VT acc[V][NR];
  for (int j = 0; j < NR; ++j)
    for (int v = 0; v < V; ++v) acc[v][j] = W::load(R + (j0 + j) * ldr + i0 + v * L);
  // The next tile along the row: its sums arrive while these rows stream. Where
  // R is left by other work between calls (a bootstrap's many sums of many
  // targets), the kernel ran 7 % faster; nothing reads the lines otherwise.
  for (int j = 0; j < NR; ++j)
    for (int v = 0; v < V; ++v) __builtin_prefetch(R + (j0 + NR + j) * ldr + i0 + v * L, 1);
  for (Index r = 0; r < rows; ++r) {
    const T* b = B + r * ldb + j0;
    VT x[V];
    for (int v = 0; v < V; ++v) x[v] = A.load(r, i0 + v * L);
    if (ahead)
      for (int v = 0; v < V; ++v) A.prefetch(r, i0 + ahead + v * L);
    for (int j = 0; j < NR; ++j)
      for (int v = 0; v < V; ++v) acc[v][j] += x[v] * b[j];
  }
  for (int j = 0; j < NR; ++j)
    for (int v = 0; v < V; ++v) W::store(R + (j0 + j) * ldr + i0 + v * L, acc[v][j]);
}

template <class T, int V, int NR = kTileCols, class Rows>
void cross_dispatch(int nr, const Rows& A, const T* B, Index ldb, Index rows, Index i0, Index j0, T* R,
                    Index ldr) {
  if constexpr (NR > 0) {
    if (nr == NR) return cross_tile<T, NR, V>(A, B, ldb, rows, i0, j0, R, ldr);
    return cross_dispatch<T, V, NR - 1>(nr, A, B, ldb, rows, i0, j0, R, ldr);
  }
}

// Strips of kStripVectors vectors of A in tiles kStripTile vectors high (the
// cross product's long side): AVX-512's 32 registers hold 3 x 8 accumulators,
// and a taller tile loads fewer of B's entries per multiply-add (1.06x in
// isolation, the many-targets bootstrap's kernel). The last nr < NR columns of
// B over a strip: a tile as wide as those columns holds fewer accumulators
// than the loads it waits on, so it is made taller (V vectors dividing the
// strip, V * nr no more than a full tile's accumulators). Every entry still
// adds the rows in row order: the tile shape changes no bit.
#if defined(__AVX512F__)
inline constexpr int kStripTile = 3, kStripVectors = 6;
#else
inline constexpr int kStripTile = 2, kStripVectors = 8;
#endif
constexpr int edge_vectors(int nr, int v = kStripVectors) {
  return kStripVectors % v == 0 && v * nr <= kStripTile * kTileCols ? v : edge_vectors(nr, v - 1);
}

template <class T, int NR = kTileCols - 1, class Rows>
void edge_dispatch(int nr, const Rows& A, const T* B, Index ldb, Index rows, Index i0, Index j0, T* R, Index ldr) {
  if constexpr (NR > 0) {
    if (nr != NR) return edge_dispatch<T, NR - 1>(nr, A, B, ldb, rows, i0, j0, R, ldr);
    constexpr int V = edge_vectors(NR);
    for (int v = 0; v < kStripVectors; v += V)
      cross_tile<T, NR, V>(A, B, ldb, rows, i0 + v * Vec<T>::lanes, j0, R, ldr);
  }
}

// R[i0 : p_pad, j0 : j0 + nr] += sum over rows of A^T B: a column strip of
// two-vector tiles, the last one vector high when that is all that is left.
template <class T>
void cross_strip(int nr, const T* A, Index lda, const T* B, Index ldb, Index rows, Index i0, Index p_pad, Index j0,
                 T* R, Index ldr) {
  constexpr Index MR = 2 * Vec<T>::lanes;
  const StridedRows<T> rows_of_A{A, lda};
  for (; i0 + MR <= p_pad; i0 += MR) cross_dispatch<T, 2>(nr, rows_of_A, B, ldb, rows, i0, j0, R, ldr);
  if (i0 < p_pad) cross_dispatch<T, 1>(nr, rows_of_A, B, ldb, rows, i0, j0, R, ldr);
}

// First row of the tiles of the column strip starting at j0: the vector holding
// the diagonal, so only the diagonal block's upper part is computed in vain.
template <class T>
Index strip_start(Index j0) {
  constexpr Index L = Vec<T>::lanes;
  return j0 / L * L;
}

}  // namespace gram_detail

// Column padding a panel needs: p rounded up to a whole vector.
template <class T>
Index gram_padded_cols(Index p) {
  const Index L = gram_detail::Vec<T>::lanes;
  return (p + L - 1) / L * L;
}

// G (p_pad, p_pad col-major, leading dimension ldg) = Z^T Z on and below the
// diagonal for the first `rows` rows of Z (row stride ldz = gram_padded_cols(p),
// padding columns zero). Entries above the diagonal within the diagonal vectors
// are written too; the rest of the upper triangle is left untouched. Rows are
// streamed in blocks that stay in cache; every entry adds the rows in row
// order, so the bits do not depend on the blocking. `accumulate`: G += Z^T Z
// (G as left by an earlier call), the rows added after those of that call.
template <class T>
void gram_lower(const T* Z, Index rows, Index p, Index ldz, T* G, Index ldg, bool accumulate = false) {
  using namespace gram_detail;
  constexpr Index NR = kTileCols;
  constexpr Index kRowBlock = 256;
  const Index p_pad = gram_padded_cols<T>(p);
  if (!accumulate)
    for (Index j = 0; j < p; ++j) std::fill(G + j * ldg + strip_start<T>(j / NR * NR), G + j * ldg + p_pad, T(0));
  for (Index r0 = 0; r0 < rows; r0 += kRowBlock) {
    const Index nrows = std::min(kRowBlock, rows - r0);
    const T* Zb = Z + r0 * ldz;
    for (Index j0 = 0; j0 < p; j0 += NR) {
      const int nr = int(std::min(NR, p - j0));
      cross_strip(nr, Zb, ldz, Zb, ldz, nrows, strip_start<T>(j0), p_pad, j0, G, ldg);
    }
  }
}

// How far ahead (columns) add_centred_cross_product asks for the rows' strips
// while it streams one: two strips. The first two strips of a block of rows
// are the caller's to ask for (RowStatsBuilder does as it gathers the rows).
template <class T>
constexpr Index centred_prefetch_cols() {
  return 2 * gram_detail::kStripVectors * gram_detail::Vec<T>::lanes;
}

namespace gram_detail {

// R (p_pad, t) += A^T B over the first `rows` rows (see cross_product), in row
// blocks whose strips of A stay in L1 across B's columns; after each strip of
// A's columns [i0, i1) of a block, strip_done(A from the block, block rows, i0, i1).
template <class T, class Rows, class StripDone>
void cross_blocks(const Rows& A, Index rows, Index p_pad, const T* B, Index t, Index ldb, T* R, Index ldr,
                  StripDone&& strip_done) {
  constexpr Index NR = kTileCols, L = Vec<T>::lanes;
  constexpr Index MR = 2 * L, TR = kStripTile * L, SR = kStripVectors * L;
  constexpr Index kRowBlock = 128;  // a tile's strip of A (rows x MR) stays in L1 across B's strips
  const Index t_full = t / NR * NR;
  for (Index r0 = 0; r0 < rows; r0 += kRowBlock) {
    const Index nrows = std::min(kRowBlock, rows - r0);
    const Rows Ab = A.from(r0);
    const T* Bb = B + r0 * ldb;
    Index i0 = 0;
    // strips of kStripVectors vectors: full tiles, then the last columns in taller tiles
    for (; i0 + SR <= p_pad; i0 += SR) {
      // Rows read where they lie come from memory: the first tile of each column asks
      // for the strip two ahead (into L2), so that its loads do not wait. Without it the
      // many-targets bootstrap ran 1.2x slower than from a copied panel; into L1, 1.07x.
      for (Index i = i0; i < i0 + SR; i += TR) {
        const Index ahead = i + centred_prefetch_cols<T>() + TR <= p_pad ? centred_prefetch_cols<T>() : 0;
        for (Index j0 = 0; j0 < t_full; j0 += NR)
          cross_tile<T, NR, kStripTile>(Ab, Bb, ldb, nrows, i, j0, R, ldr, j0 == 0 ? ahead : 0);
      }
      if (t_full < t) edge_dispatch<T>(int(t - t_full), Ab, Bb, ldb, nrows, i0, t_full, R, ldr);
      strip_done(Ab, nrows, i0, i0 + SR);
    }
    for (; i0 + MR <= p_pad; i0 += MR) {
      for (Index j0 = 0; j0 < t; j0 += NR)
        cross_dispatch<T, 2>(int(std::min(NR, t - j0)), Ab, Bb, ldb, nrows, i0, j0, R, ldr);
      strip_done(Ab, nrows, i0, i0 + MR);
    }
    if (i0 < p_pad) {
      for (Index j0 = 0; j0 < t; j0 += NR)
        cross_dispatch<T, 1>(int(std::min(NR, t - j0)), Ab, Bb, ldb, nrows, i0, j0, R, ldr);
      strip_done(Ab, nrows, i0, p_pad);
    }
  }
}

// sq[i0 : i0 + V lanes) += sum over rows of w_r (a_r - shift)^2, the vectors in registers down the rows.
template <class T, int V>
void add_weighted_squares(const CentredRows<T>& A, const T* w, Index rows, Index i0, T* sq) {
  using W = Vec<T>;
  using VT = typename W::type;
  constexpr Index L = W::lanes;
  VT acc[V];
  for (int v = 0; v < V; ++v) acc[v] = W::load(sq + i0 + v * L);
  for (Index r = 0; r < rows; ++r)
    for (int v = 0; v < V; ++v) {
      const VT d = A.load(r, i0 + v * L);
      acc[v] += d * d * w[r];
    }
  for (int v = 0; v < V; ++v) W::store(sq + i0 + v * L, acc[v]);
}

}  // namespace gram_detail

// R (p_pad, t col-major, leading dimension ldr) = A^T B for the first `rows`
// rows of A (row stride lda = gram_padded_cols(p), padding columns zero) and
// of B (rows, t; row stride ldb): the right-hand sides Z^T Y~ of a fit, in
// the Gram kernel's register tiles (a GEMM with a short side of p is poorly
// served by a general GEMM's packing). A is read in vectors, B's entries are
// broadcast: for t >> p, pass the long side as A (R^T = B^T A). Rows are
// streamed in fixed blocks, every entry adding the rows in row order;
// `accumulate`: R += A^T B.
template <class T>
void cross_product(const T* A, Index rows, Index p, Index lda, const T* B, Index t, Index ldb, T* R, Index ldr,
                   bool accumulate = false) {
  const Index p_pad = gram_padded_cols<T>(p);
  if (!accumulate)
    for (Index j = 0; j < t; ++j) std::fill(R + j * ldr, R + j * ldr + p_pad, T(0));
  gram_detail::cross_blocks(gram_detail::StridedRows<T>{A, lda}, rows, p_pad, B, t, ldb, R, ldr,
                            [](const auto&, Index, Index, Index) {});
}

// The same product with many targets where the rows lie: A's row r is
// rows[r][0 : cols] less shift[0 : cols] (cols a whole number of vectors),
// centred in registers instead of copied, and with it (unless sq is null) the weighted
// squares sq[0 : cols] += sum_r w_r (a_r - shift)^2, taken while a strip is in L1.
// R (cols, t col-major, leading dimension ldr) += sum_r (a_r - shift) b_r^T.
// Every entry adds the rows in row order.
template <class T>
void add_centred_cross_product(const T* const* rows, const T* shift, Index count, Index cols, const T* B, Index t,
                               Index ldb, const T* w, T* R, Index ldr, T* sq) {
  using namespace gram_detail;
  constexpr Index L = Vec<T>::lanes;
  cross_blocks(CentredRows<T>{rows, shift}, count, cols, B, t, ldb, R, ldr,
               [&](const CentredRows<T>& A, Index nrows, Index i0, Index i1) {
                 if (!sq) return;
                 const T* wb = w + (A.rows - rows);  // the block's weights
                 const Index vectors = (i1 - i0) / L;  // a strip of cross_blocks: kStripVectors, 2 or 1
                 if (vectors == kStripVectors) add_weighted_squares<T, kStripVectors>(A, wb, nrows, i0, sq);
                 else if (vectors == 2) add_weighted_squares<T, 2>(A, wb, nrows, i0, sq);
                 else add_weighted_squares<T, 1>(A, wb, nrows, i0, sq);
               });
}

}  // namespace ridgeboot
