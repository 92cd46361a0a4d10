// The hot kernel: G += Z^T Z (lower triangle) for a row-major panel Z.
//
// Z (rows, ldz) holds the gathered, centred, sqrt(weight)-scaled rows; its
// columns are zero-padded to a multiple of the tile height, so every load is a
// full vector. G (ldg, ...) is column-major. Each tile of G (MR rows x NR
// columns) stays in registers while the kernel streams the rows of Z through
// it: per row, MR/VL vector loads, NR broadcasts and (MR/VL)*NR fused
// multiply-adds. GCC/Clang vector extensions make this one source for
// AVX-512, AVX2 and SSE2 builds.
#pragma once

#include <algorithm>
#include <cstring>

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

// One tile: G[i0 : i0 + 2*lanes, j0 : j0 + NR] += sum over rows of Z^T Z.
template <class T, int NR>
void tile(const T* Z, Index rows, Index ldz, Index i0, Index j0, T* G, Index ldg) {
  using V = Vec<T>;
  using VT = typename V::type;
  constexpr int L = V::lanes;
  VT acc0[NR], acc1[NR];
  for (int j = 0; j < NR; ++j) {
    acc0[j] = V::load(G + (j0 + j) * ldg + i0);
    acc1[j] = V::load(G + (j0 + j) * ldg + i0 + L);
  }
  for (Index r = 0; r < rows; ++r) {
    const T* z = Z + r * ldz;
    const VT a0 = V::load(z + i0), a1 = V::load(z + i0 + L);
    for (int j = 0; j < NR; ++j) {
      const T b = z[j0 + j];
      acc0[j] += a0 * b;
      acc1[j] += a1 * b;
    }
  }
  for (int j = 0; j < NR; ++j) {
    V::store(G + (j0 + j) * ldg + i0, acc0[j]);
    V::store(G + (j0 + j) * ldg + i0 + L, acc1[j]);
  }
}

// One tile of a cross product: R[i0 : i0 + 2*lanes, j0 : j0 + NR] += sum over
// rows of A^T B (A rows of stride lda, B rows of stride ldb).
template <class T, int NR>
void cross_tile(const T* A, Index lda, const T* B, Index ldb, Index rows, Index i0, Index j0, T* R,
                Index ldr) {
  using V = Vec<T>;
  using VT = typename V::type;
  constexpr int L = V::lanes;
  VT acc0[NR], acc1[NR];
  for (int j = 0; j < NR; ++j) {
    acc0[j] = V::load(R + (j0 + j) * ldr + i0);
    acc1[j] = V::load(R + (j0 + j) * ldr + i0 + L);
  }
  for (Index r = 0; r < rows; ++r) {
    const T* a = A + r * lda;
    const T* b = B + r * ldb + j0;
    const VT a0 = V::load(a + i0), a1 = V::load(a + i0 + L);
    for (int j = 0; j < NR; ++j) {
      acc0[j] += a0 * b[j];
      acc1[j] += a1 * b[j];
    }
  }
  for (int j = 0; j < NR; ++j) {
    V::store(R + (j0 + j) * ldr + i0, acc0[j]);
    V::store(R + (j0 + j) * ldr + i0 + L, acc1[j]);
  }
}

template <class T, int NR = kTileCols>
void cross_dispatch(int nr, const T* A, Index lda, const T* B, Index ldb, Index rows, Index i0,
                    Index j0, T* R, Index ldr) {
  if constexpr (NR > 0) {
    if (nr == NR) return cross_tile<T, NR>(A, lda, B, ldb, rows, i0, j0, R, ldr);
    return cross_dispatch<T, NR - 1>(nr, A, lda, B, ldb, rows, i0, j0, R, ldr);
  }
}

template <class T, int NR = kTileCols>
void tile_dispatch(int nr, const T* Z, Index rows, Index ldz, Index i0, Index j0, T* G, Index ldg) {
  if constexpr (NR > 0) {
    if (nr == NR) return tile<T, NR>(Z, rows, ldz, i0, j0, G, ldg);
    return tile_dispatch<T, NR - 1>(nr, Z, rows, ldz, i0, j0, G, ldg);
  }
}

}  // namespace gram_detail

// Column padding a panel needs: p rounded up to a whole tile height.
template <class T>
Index gram_padded_cols(Index p) {
  const Index mr = 2 * gram_detail::Vec<T>::lanes;
  return (p + mr - 1) / mr * mr;
}

// G (p_pad, p_pad col-major, leading dimension ldg) = Z^T Z on and below the
// diagonal for the first `rows` rows of Z (row stride ldz = gram_padded_cols(p),
// padding columns zero). Entries above the diagonal within diagonal tiles are
// written too; the rest of the upper triangle is left untouched. Rows are
// streamed in blocks that stay in cache; the order of additions is fixed by
// (rows, p) alone.
template <class T>
void gram_lower(const T* Z, Index rows, Index p, Index ldz, T* G, Index ldg) {
  using namespace gram_detail;
  constexpr Index MR = 2 * Vec<T>::lanes, NR = kTileCols;
  constexpr Index kRowBlock = 256;
  const Index p_pad = gram_padded_cols<T>(p);
  for (Index j = 0; j < p; ++j) std::fill(G + j * ldg + (j / MR) * MR, G + j * ldg + p_pad, T(0));
  for (Index r0 = 0; r0 < rows; r0 += kRowBlock) {
    const Index nrows = std::min(kRowBlock, rows - r0);
    const T* Zb = Z + r0 * ldz;
    for (Index j0 = 0; j0 < p; j0 += NR) {
      const int nr = int(std::min(NR, p - j0));
      for (Index i0 = (j0 / MR) * MR; i0 < p_pad; i0 += MR)
        tile_dispatch<T>(nr, Zb, nrows, ldz, i0, j0, G, ldg);
    }
  }
}

// R (p_pad, t col-major, leading dimension ldr) = A^T B for the first `rows`
// rows of A (row stride lda = gram_padded_cols(p), padding columns zero) and
// of B (rows, t; row stride ldb): the right-hand sides Z^T Y~ of a fit, in
// the Gram kernel's register tiles (a GEMM with a short side of p is poorly
// served by a general GEMM's packing). Rows are streamed in fixed blocks.
template <class T>
void cross_product(const T* A, Index rows, Index p, Index lda, const T* B, Index t, Index ldb, T* R,
                   Index ldr) {
  using namespace gram_detail;
  constexpr Index MR = 2 * Vec<T>::lanes, NR = kTileCols;
  constexpr Index kRowBlock = 256;
  const Index p_pad = gram_padded_cols<T>(p);
  for (Index j = 0; j < t; ++j) std::fill(R + j * ldr, R + j * ldr + p_pad, T(0));
  for (Index r0 = 0; r0 < rows; r0 += kRowBlock) {
    const Index nrows = std::min(kRowBlock, rows - r0);
    for (Index j0 = 0; j0 < t; j0 += NR) {
      const int nr = int(std::min(NR, t - j0));
      for (Index i0 = 0; i0 < p_pad; i0 += MR)
        cross_dispatch<T>(nr, A + r0 * lda, lda, B + r0 * ldb, ldb, nrows, i0, j0, R, ldr);
    }
  }
}

}  // namespace ridgeboot
