// Out-of-bag sums of a replicate from the statistics of its out-of-bag rows
// (row_stats.hpp): no row is predicted.
//
// With the shift s of the statistics, d = value - s, a column's fit (w, b)
// predicts yhat = g + dx.w with g = b + s_x.w, and y = s_y + dy, so over the
// out-of-bag rows (weights v, V = sum v):
//   sum v e^2    = V h^2 + 2 h (c - a.w) + syy - 2 w.r + w^T G w,  h = s_y - g
//   sum v y      = V s_y + c,            sum v y^2     = V s_y^2 + 2 s_y c + syy
//   sum v yhat   = V g + a.w,            sum v yhat^2  = V g^2 + 2 g a.w + w^T G w
//   sum v y yhat = V s_y g + s_y a.w + g c + w.r
// with G, r (the target's column of R), a, c, syy the statistics. O(p^2) per
// column (w^T G w) instead of O(rows * p). The terms are taken about a
// shift near the means of all rows, so they cancel little unless the fit explains nearly
// all of the out-of-bag variance: sum v e^2 then keeps an absolute error of
// a few eps * (syy + w^T G w) -- a relative one of eps / (1 - R^2) -- where
// predicting every row keeps eps / sqrt(1 - R^2). A sum below zero by
// rounding is returned as zero.
#pragma once

#include <algorithm>

#include "row_stats.hpp"

namespace ridgeboot {

// out[q * kt + c] = stat q (kReplicateStats order, the first `stats` of them)
// of column c of W (p, k*t), b (k*t). `GW`: scratch. G W is formed a block of
// columns at a time, summed while the block is in L2: with many targets (W of
// 10,000 columns, 4 MB) the whole product went to memory and back.
template <class T>
void oob_sums_from_stats(const Problem<T>& pb, const Shift<T>& shift, const RowStats<T>& o, const Matrix<T>& W,
                         const Vector<T>& b, int stats, double* out, Matrix<T>& GW) {
  const Index p = pb.p(), t = pb.t(), kt = pb.kt(), block = std::max<Index>(1, (Index(1) << 14) / p);
  const double V = o.wsum;
  for (Index col = 0; col < kt; ++col) {
    const Index u = col % t;
    if (col % block == 0)
      GW.noalias() = o.G.topLeftCorner(p, p).template selfadjointView<Eigen::Lower>() *
                     W.middleCols(col, std::min(block, kt - col));
    double quad = 0, cross = 0, aw = 0, sw = 0;
    for (Index j = 0; j < p; ++j) {
      const double w = double(W(j, col));
      quad += w * double(GW(j, col % block));
      cross += w * double(o.cross(j, u));
      aw += w * double(o.a(j));
      sw += w * double(shift.x(j));
    }
    const double sy = double(shift.y(u)), c = double(o.c(u)), syy = double(o.syy(u));
    const double g = double(b(col)) + sw, h = sy - g;
    out[col] = V;
    out[kt + col] = std::max(0.0, V * h * h + 2 * h * (c - aw) + syy - 2 * cross + quad);
    if (stats == 2) continue;
    out[2 * kt + col] = V * sy + c;
    out[3 * kt + col] = V * sy * sy + 2 * sy * c + syy;
    out[4 * kt + col] = V * g + aw;
    out[5 * kt + col] = V * g * g + 2 * g * aw + quad;
    out[6 * kt + col] = V * sy * g + sy * aw + g * c + cross;
  }
}

// out (k*t) = x W for a row x (p) where it lies, a dot product a column: for
// up to kPredictInPlace columns, cheaper than gathering rows for one product.
inline constexpr Index kPredictInPlace = 4;

template <class Row, class T, class Out>
void predict_row(const Row& x, const Matrix<T>& W, Out&& out) {
  for (Index c = 0; c < W.cols(); ++c) out(c) = x.transpose().dot(W.col(c));
}

// One out-of-bag row, targets y (t) and predictions pred + b (k*t), weight v: its
// squared errors added to loss (k*t; nullptr: not kept), and with it the first
// `stats` sums of kReplicateStats to part (stat q of column c at q * k*t + c;
// nullptr: not kept).
template <class T>
void add_oob_row(const double* y, Index k, Index t, const T* pred, const T* b, double v, double* loss,
                 double* part, int stats) {
  const Index kt = k * t;
  for (Index a = 0; a < k; ++a) {
    for (Index u = 0, c = a * t; u < t; ++u, ++c) {
      const double yhat = double(pred[c]) + double(b[c]);
      const double e2 = (y[u] - yhat) * (y[u] - yhat);
      if (loss) loss[c] += e2;
      if (!part) continue;
      part[c] += v;
      part[kt + c] += v * e2;
      if (stats == 2) continue;
      part[2 * kt + c] += v * y[u];
      part[3 * kt + c] += v * y[u] * y[u];
      part[4 * kt + c] += v * yhat;
      part[5 * kt + c] += v * yhat * yhat;
      part[6 * kt + c] += v * y[u] * yhat;
    }
  }
}

}  // namespace ridgeboot
