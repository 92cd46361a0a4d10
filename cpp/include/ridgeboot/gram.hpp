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

// One tile: R[i0 : i0 + V*lanes, j0 : j0 + NR] += sum over rows of A^T B (A rows
// of stride lda, B rows of stride ldb; V = 1 or 2 vectors). The Gram is the
// case B = A.
template <class T, int NR, int V = 2>
void cross_tile(const T* A, Index lda, const T* B, Index ldb, Index rows, Index i0, Index j0, T* R, Index ldr) {
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
    const T* a = A + r * lda;
    const T* b = B + r * ldb + j0;
    VT x[V];
    for (int v = 0; v < V; ++v) x[v] = W::load(a + i0 + v * L);
    for (int j = 0; j < NR; ++j)
      for (int v = 0; v < V; ++v) acc[v][j] += x[v] * b[j];
  }
  for (int j = 0; j < NR; ++j)
    for (int v = 0; v < V; ++v) W::store(R + (j0 + j) * ldr + i0 + v * L, acc[v][j]);
}

template <class T, int V, int NR = kTileCols>
void cross_dispatch(int nr, const T* A, Index lda, const T* B, Index ldb, Index rows, Index i0, Index j0, T* R,
                    Index ldr) {
  if constexpr (NR > 0) {
    if (nr == NR) return cross_tile<T, NR, V>(A, lda, B, ldb, rows, i0, j0, R, ldr);
    return cross_dispatch<T, V, NR - 1>(nr, A, lda, B, ldb, rows, i0, j0, R, ldr);
  }
}

// The last nr < NR columns of B over kEdgeStrip vectors of A: a tile as wide
// as those columns holds fewer accumulators than the loads it waits on, so it
// is made taller (V vectors, V * nr <= 2 NR, the accumulators of a full tile).
// Every entry still adds the rows in row order: the tile shape changes no bit.
inline constexpr int kEdgeStrip = 8;
constexpr int edge_vectors(int nr) { return 8 * nr <= 2 * kTileCols ? 8 : 4 * nr <= 2 * kTileCols ? 4 : 2; }

template <class T, int NR = kTileCols - 1>
void edge_dispatch(int nr, const T* A, Index lda, const T* B, Index ldb, Index rows, Index i0, Index j0, T* R,
                   Index ldr) {
  if constexpr (NR > 0) {
    if (nr != NR) return edge_dispatch<T, NR - 1>(nr, A, lda, B, ldb, rows, i0, j0, R, ldr);
    constexpr int V = edge_vectors(NR);
    for (int v = 0; v < kEdgeStrip; v += V)
      cross_tile<T, NR, V>(A, lda, B, ldb, rows, i0 + v * Vec<T>::lanes, j0, R, ldr);
  }
}

// R[i0 : p_pad, j0 : j0 + nr] += sum over rows of A^T B: a column strip of
// two-vector tiles, the last one vector high when that is all that is left.
template <class T>
void cross_strip(int nr, const T* A, Index lda, const T* B, Index ldb, Index rows, Index i0, Index p_pad, Index j0,
                 T* R, Index ldr) {
  constexpr Index MR = 2 * Vec<T>::lanes;
  for (; i0 + MR <= p_pad; i0 += MR) cross_dispatch<T, 2>(nr, A, lda, B, ldb, rows, i0, j0, R, ldr);
  if (i0 < p_pad) cross_dispatch<T, 1>(nr, A, lda, B, ldb, rows, i0, j0, R, ldr);
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
  using namespace gram_detail;
  constexpr Index NR = kTileCols, L = Vec<T>::lanes;
  constexpr Index MR = 2 * L, SR = kEdgeStrip * L;
  constexpr Index kRowBlock = 128;  // a tile's strip of A (rows x MR) stays in L1 across B's strips
  const Index p_pad = gram_padded_cols<T>(p), t_full = t / NR * NR;
  if (!accumulate)
    for (Index j = 0; j < t; ++j) std::fill(R + j * ldr, R + j * ldr + p_pad, T(0));
  for (Index r0 = 0; r0 < rows; r0 += kRowBlock) {
    const Index nrows = std::min(kRowBlock, rows - r0);
    const T *Ab = A + r0 * lda, *Bb = B + r0 * ldb;
    Index i0 = 0;
    // strips of kEdgeStrip vectors: full tiles, then the last columns in taller tiles
    for (; i0 + SR <= p_pad; i0 += SR) {
      for (Index i = i0; i < i0 + SR; i += MR)
        for (Index j0 = 0; j0 < t_full; j0 += NR) cross_tile<T, NR, 2>(Ab, lda, Bb, ldb, nrows, i, j0, R, ldr);
      if (t_full < t) edge_dispatch<T>(int(t - t_full), Ab, lda, Bb, ldb, nrows, i0, t_full, R, ldr);
    }
    for (; i0 + MR <= p_pad; i0 += MR)
      for (Index j0 = 0; j0 < t; j0 += NR)
        cross_dispatch<T, 2>(int(std::min(NR, t - j0)), Ab, lda, Bb, ldb, nrows, i0, j0, R, ldr);
    if (i0 < p_pad)
      for (Index j0 = 0; j0 < t; j0 += NR)
        cross_dispatch<T, 1>(int(std::min(NR, t - j0)), Ab, lda, Bb, ldb, nrows, i0, j0, R, ldr);
  }
}

// out[j] += sum over rows of A(r, j)^2 for the first `cols` columns of A (row
// stride lda): strips of kEdgeStrip vectors held in registers down the rows,
// every entry adding the rows in row order.
template <class T>
void add_column_squares(const T* A, Index rows, Index cols, Index lda, T* out) {
  using W = gram_detail::Vec<T>;
  using VT = typename W::type;
  constexpr Index L = W::lanes, S = gram_detail::kEdgeStrip;
  const auto strip = [&](Index j0, auto vectors) {
    constexpr Index V = decltype(vectors)::value;
    VT acc[V];
    for (Index v = 0; v < V; ++v) acc[v] = W::load(out + j0 + v * L);
    for (Index r = 0; r < rows; ++r)
      for (Index v = 0; v < V; ++v) {
        const VT x = W::load(A + r * lda + j0 + v * L);
        acc[v] += x * x;
      }
    for (Index v = 0; v < V; ++v) W::store(out + j0 + v * L, acc[v]);
  };
  Index j0 = 0;
  for (; j0 + S * L <= cols; j0 += S * L) strip(j0, std::integral_constant<Index, S>());
  for (; j0 + L <= cols; j0 += L) strip(j0, std::integral_constant<Index, 1>());
  for (; j0 < cols; ++j0) {
    T acc = out[j0];
    for (Index r = 0; r < rows; ++r) acc += A[r * lda + j0] * A[r * lda + j0];
    out[j0] = acc;
  }
}

}  // namespace ridgeboot
