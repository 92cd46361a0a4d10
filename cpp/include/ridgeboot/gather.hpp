// Which rows a fit uses and how they are read: the rows of positive weight,
// their weighted means, and their centred, sqrt(weight)-scaled copies gathered
// into a row-major panel. Rows of weight 0 are skipped, never copied.
#pragma once

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "scaling.hpp"
#include "types.hpp"

namespace ridgeboot {

template <class T>
class RowGather {
 public:
  using RowVec = RowVector<T>;

  RowGather(ConstView<T> X, ConstView<T> Y, bool intercept)  // X (n, p), Y (n, t)
      : X_(X), Y_(Y), intercept_(intercept), sqrt_w_(X.rows()), w_sel_(X.rows()) {
    rows_.reserve(std::size_t(X.rows()));
  }

  // Selects the rows with w_i > 0 (all ones when w is nullptr), in row order, and
  // starts unscaled.
  void select(const T* w) {
    scale = Scaling<T>{};
    select_scaled(w);
  }

  // The powers of two the gathered rows, their targets and weights are scaled
  // by (scaling.hpp): the identity unless rescale() found the data out of range.
  Scaling<T> scale;

  // Chooses the scaling that brings the selected rows' largest |x|, |y| and
  // weight near 1, and selects again with the scaled weights.
  void rescale() {
    double mx = 0, my = 0, mw = 0;
    for (Index r = 0; r < count(); ++r) {
      with_row(X_, row(r), [&](const auto& x) { mx = std::max(mx, double(x.cwiseAbs().maxCoeff())); });
      with_row(Y_, row(r), [&](const auto& y) { my = std::max(my, double(y.cwiseAbs().maxCoeff())); });
      mw = std::max(mw, double(w_sel_(r)) / double(scale.w));
    }
    const T sw = inverse_power_of_two<T>(std::sqrt(mw));
    scale = Scaling<T>{inverse_power_of_two<T>(mx), inverse_power_of_two<T>(my), sw * sw};
    select_scaled(selected_from_);
  }

 private:
  void select_scaled(const T* w) {
    selected_from_ = w;
    rows_.clear();
    const Index n = X_.rows();
    double wsum = 0;
    for (Index i = 0; i < n; ++i) {
      const T wi = (w ? w[i] : T(1)) * scale.w;
      if (wi > T(0)) {
        w_sel_(Index(rows_.size())) = wi;
        sqrt_w_(Index(rows_.size())) = std::sqrt(wi);
        rows_.push_back(i);
        wsum += double(wi);
      }
    }
    if (rows_.empty()) throw std::invalid_argument("no row has a positive weight");
    weight_sum_ = wsum;
  }

 public:
  Index count() const { return Index(rows_.size()); }                // m selected rows
  Index row(Index r) const { return rows_[std::size_t(r)]; }         // index of selected row r
  T weight(Index r) const { return w_sel_(r); }
  T sqrt_weight(Index r) const { return sqrt_w_(r); }
  const Vector<T>& weights() const { return w_sel_; }                // (n) first count() used
  const Vector<T>& sqrt_weights() const { return sqrt_w_; }          // (n) first count() used
  double weight_sum() const { return weight_sum_; }

  // Weighted means of `count` selected rows spread evenly over them (all when
  // count = count()), in double, in row order, with the two-pass correction
  // m = m1 + sum w (x - m1) / sum w: nearly correctly rounded, and exact for
  // identical rows, so a large common offset leaves no residue after
  // centring. The first pass, m1, needs only to be near the data, so it reads
  // at most kFirstPassRows of the rows, spread over them: one full pass over
  // a large Y instead of two. Only ymean when !x_means.
  void means(Index count, bool x_means, RowVec& xmean, RowVec& ymean) const {
    using RowD = RowVector<double>;
    RowD xs = RowD::Zero(X_.cols()), ys = RowD::Zero(Y_.cols()), x1(X_.cols()), y1(Y_.cols());
    for (int pass = 0; pass < 2; ++pass) {
      const Index rows = pass == 0 ? std::min(count, kFirstPassRows) : count;
      double ws = 0;
      if (rows == this->count()) ws = weight_sum_;
      else
        for (Index q = 0; q < rows; ++q) ws += double(w_sel_(sample_row(q, rows)));
      x1 = xs, y1 = ys;  // first pass: zero; second: the first-pass means
      xs.setZero();
      ys.setZero();
      if (x_means) accumulate_rows(X_, rows, x1.data(), xs.data());
      accumulate_rows(Y_, rows, y1.data(), ys.data());
      xs = x1 + xs / ws;
      ys = y1 + ys / ws;
    }
    if (x_means) xmean = xs.template cast<T>();
    ymean = ys.template cast<T>();
  }

  // What gather() subtracts from X and Y rows with an intercept: the exact
  // means, or a shift near them (see PanelGram::centred).
  RowVec centre_x, centre_y;

  // Z.row(r - r0) = sqrt(w) d, d = x - centre_x (x alone without an intercept),
  // for selected rows r0..r1, likewise y about centre_y; times the scaling. With
  // `moments` (2 (p + t) doubles), also the sums sum w d (first p + t) and sum w
  // d^2 (next p + t) of the scaled d, from zero, in row order.
  void gather(Index r0, Index r1, RowMatrix<T>& Z, RowMatrix<T>& Yz, double* moments) const {
    const T* xsub = intercept_ ? centre_x.data() : nullptr;
    const T* ysub = intercept_ ? centre_y.data() : nullptr;
    const Index p = X_.cols(), t = Y_.cols();
    if (moments) std::fill(moments, moments + 2 * (p + t), 0.0);
    double* m = moments;
    gather_block(X_, r0, r1, scale.x, xsub, Z, m, m ? m + p + t : nullptr);
    gather_block(Y_, r0, r1, scale.y, ysub, Yz, m ? m + p : nullptr, m ? m + 2 * p + t : nullptr);
  }

 private:
  // Rows the first pass of means() reads at most.
  static constexpr Index kFirstPassRows = 1024;

  // Selected row q of `count` spread evenly over all of them.
  Index sample_row(Index q, Index count) const { return count == this->count() ? q : q * this->count() / count; }

  // acc += sum over `count` selected rows (see sample_row) of w (M.row(i) - sub),
  // in double, row after row. Up to 16 columns are held in registers across
  // the rows (a few columns would otherwise wait on acc's store-to-load
  // latency every row); longer rows are read once each. Each entry's
  // additions stay in row order, so the means are the same either way.
  void accumulate_rows(const ConstView<T>& M, Index count, const double* sub, double* acc) const {
    const Index c = M.cols();
    if (M.innerStride() != 1 || c > 16) {
      for (Index q = 0; q < count; ++q) {
        const Index r = sample_row(q, count), i = rows_[std::size_t(r)];
        const double w = double(w_sel_(r));
        if (M.innerStride() == 1) {
          const T* x = M.data() + i * M.outerStride();
          for (Index j = 0; j < c; ++j) acc[j] += w * (double(x[j]) - sub[j]);
        } else {
          for (Index j = 0; j < c; ++j) acc[j] += w * (double(M(i, j)) - sub[j]);
        }
      }
      return;
    }
    with_width<kRegisterWidth>(int(c), [&](auto width) { accumulate_chunk<width()>(M, count, sub, acc); });
  }

  // Up to this many columns' sums are held in registers across the rows.
  static constexpr int kRegisterWidth = 16;

  // f(std::integral_constant<int, width>()) for 1 <= width <= W: a loop of
  // compile-time length keeps its sums in registers.
  template <int W, class F>
  static void with_width(int width, F&& f) {
    if constexpr (W > 0) {
      if (width == W) return f(std::integral_constant<int, W>());
      with_width<W - 1>(width, f);
    }
  }

  template <int W>
  void accumulate_chunk(const ConstView<T>& M, Index count, const double* sub, double* acc) const {
    double a[W], s[W];
    for (int j = 0; j < W; ++j) a[j] = acc[j], s[j] = sub[j];
    const Index ld = M.outerStride();
    for (Index q = 0; q < count; ++q) {
      const Index r = sample_row(q, count);
      const T* x = M.data() + rows_[std::size_t(r)] * ld;
      const double w = double(w_sel_(r));
      for (int j = 0; j < W; ++j) a[j] += w * (double(x[j]) - s[j]);
    }
    for (int j = 0; j < W; ++j) acc[j] = a[j];
  }

  // Out.row(r - r0) = sqrt(w) ds d, d = M.row(i) - sub (the row itself when sub
  // is nullptr), for selected rows r0..r1; with s1 (and sub), also s1 += w d'
  // and s2 += w d'^2 in double, d' = ds d, in row order. Narrow rows keep the
  // sums in registers: otherwise each row's additions wait on the previous
  // row's stores. The bits are the same either way.
  void gather_block(const ConstView<T>& M, Index r0, Index r1, T ds, const T* sub, RowMatrix<T>& Out, double* s1,
                    double* s2) const {
    const Index c = M.cols();
    if (s1 && sub && M.innerStride() == 1 && c <= kRegisterWidth) {
      return with_width<kRegisterWidth>(
          int(c), [&](auto width) { gather_chunk<width()>(M, r0, r1, ds, sub, Out, s1, s2); });
    }
    for (Index r = r0; r < r1; ++r) {
      const Index i = rows_[std::size_t(r)];
      T* out = Out.row(r - r0).data();
      const T s = sqrt_w_(r) * ds;
      const double w = double(w_sel_(r));
      if (M.innerStride() == 1) {
        const T* x = M.data() + i * M.outerStride();
        scale_entries([x](Index j) { return x[j]; }, c, s, ds, sub, out, w, s1, s2);
      } else {
        scale_entries([&M, i](Index j) { return M(i, j); }, c, s, ds, sub, out, w, s1, s2);
      }
    }
  }

  template <int W>
  void gather_chunk(const ConstView<T>& M, Index r0, Index r1, T ds, const T* sub, RowMatrix<T>& Out, double* s1,
                    double* s2) const {
    double a1[W], a2[W];
    T b[W];
    for (int j = 0; j < W; ++j) a1[j] = s1[j], a2[j] = s2[j], b[j] = sub[j];
    const Index ld = M.outerStride();
    for (Index r = r0; r < r1; ++r) {
      const T* __restrict x = M.data() + rows_[std::size_t(r)] * ld;
      T* __restrict out = Out.row(r - r0).data();
      const T s = sqrt_w_(r) * ds;
      const double w = double(w_sel_(r));
      for (int j = 0; j < W; ++j) centre_entry(x[j] - b[j], s, ds, w, out[j], a1[j], a2[j]);
    }
    for (int j = 0; j < W; ++j) s1[j] = a1[j], s2[j] = a2[j];
  }

  template <class Entry>
  static void scale_entries(const Entry& x, Index c, T s, T ds, const T* sub, T* out, double w, double* s1,
                            double* s2) {
    if (!sub) {
      for (Index j = 0; j < c; ++j) out[j] = s * x(j);
    } else if (!s1) {
      for (Index j = 0; j < c; ++j) out[j] = s * (x(j) - sub[j]);
    } else {
      for (Index j = 0; j < c; ++j) centre_entry(x(j) - sub[j], s, ds, w, out[j], s1[j], s2[j]);
    }
  }

  // out = s d, s1 += w d' and s2 += w d'^2 with d' = ds d: the one expression
  // of both routes, so they give the same bits.
  static void centre_entry(T d, T s, T ds, double w, T& out, double& s1, double& s2) {
    out = s * d;
    const double dd = double(d) * double(ds);
    s1 += w * dd;
    s2 += w * dd * dd;
  }

  ConstView<T> X_, Y_;
  bool intercept_;
  std::vector<Index> rows_;
  Vector<T> sqrt_w_, w_sel_;
  double weight_sum_ = 0;
  const T* selected_from_ = nullptr;  // the weights of the last select (rescale selects again)
};

}  // namespace ridgeboot
