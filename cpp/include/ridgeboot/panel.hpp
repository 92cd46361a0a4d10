// The primal normal equations G = Z^T Z, R = Z^T Y~ of the gathered rows,
// accumulated over fixed row panels (in parallel on a pool for a large single
// fit), and their centring about the weighted means in one read of the rows.
#pragma once

#include <algorithm>
#include <functional>
#include <vector>

#include "gather.hpp"
#include "gram.hpp"
#include "thread_pool.hpp"
#include "types.hpp"

namespace ridgeboot {

// Rows gathered per Gram panel: fixed by the problem's shape (p, t), so the
// summation order -- and so every bit of the result -- never depends on the
// thread count. A panel (rows x (p + t) values) is kept near 2^17 values
// (1 MiB in double), so it stays in cache between the gather and the kernels
// and a worker's scratch stays O(p^2 + p t); at least `min_rows` (256 here, so
// the per-panel O(p^2 + p t) additions stay small against the O(rows (p^2 + p t))
// kernels).
inline Index gram_panel_rows(Index p, Index t = 1, Index min_rows = 256) {
  return std::clamp<Index>((Index(1) << 17) / std::max<Index>(p + t, 1), min_rows, 8192);
}

template <class T>
class PanelGram {
 public:
  using RowVec = RowVector<T>;

  // For n rows of (p, t); nothing is allocated before reserve().
  PanelGram(Index n, Index p, Index t)
      : p_(p), t_(t), panel_rows_(std::min(n, gram_panel_rows(gram_padded_cols<T>(p), t))) {}

  void reserve() {
    const Index pad = gram_padded_cols<T>(p_);
    Z_.setZero(panel_rows_, pad);  // the padding columns stay zero (gram.hpp)
    Yz_.resize(panel_rows_, t_);
    Gpad_.setZero(pad, pad);  // the kernel never writes above the diagonal tiles
    G.resize(p_, p_);
    R.resize(p_, t_);
    panel_G_.resize(p_, p_);
    panel_R_.resize(p_, t_);
  }

  Matrix<T> G;  // (p, p) lower triangle: sum over the rows of z z^T
  Matrix<T> R;  // (p, t): sum over the rows of z y~^T

  // G and R of the centred, weighted rows and their weighted means, in one read
  // of the rows. With an intercept the rows are gathered about a shift s near
  // their means (the means of kShiftSample rows spread over them) while
  // sum c d and sum c d^2 (d = x - s) are accumulated; with delta = sum c d / W
  // the means are s + delta and
  //   sum c (x - xbar)(x - xbar)^T = sum c d d^T - W delta delta^T,
  // likewise Z^T Y~ (a rank-one correction). The correction cancels
  // log2(1 + delta^2 / variance) bits of a column's sums: should that exceed
  // one bit for some column (a misleading sample), it is all redone about the
  // exact two-pass means. Identical rows give their value exactly, so a
  // constant column still centres to exactly zero.
  // `poll`, if set, is called between panels on this thread: false stops the
  // run (throws Cancelled).
  void centred(RowGather<T>& rows, ThreadPool* pool, bool intercept, RowVec& xmean, RowVec& ymean,
               const std::function<bool()>& poll = {}) {
    if (!intercept) return accumulate(rows, pool, false, poll);
    const Index p = p_, t = t_;
    rows.means(std::min(rows.count(), kShiftSample), true, rows.centre_x, rows.centre_y);
    accumulate(rows, pool, true, poll);
    const double W = rows.weight_sum();
    bool redo = false;
    for (Index j = 0; j < p + t && !redo; ++j) {
      const double s1 = moments_(j), s2 = moments_(j + p + t);
      redo = s1 * s1 / W > 0.5 * s2;
    }
    if (redo) {
      rows.means(rows.count(), true, xmean, ymean);
      rows.centre_x = xmean, rows.centre_y = ymean;
      accumulate(rows, pool, true, poll);
    }
    // (the moments, G and R are in the rows' scaled units; the means are not)
    Vector<double> dx = moments_.head(p) / W, dy = moments_.segment(p, t) / W;
    xmean = (rows.centre_x.template cast<double>() + dx.transpose() / double(rows.scale.x)).template cast<T>();
    ymean = (rows.centre_y.template cast<double>() + dy.transpose() / double(rows.scale.y)).template cast<T>();
    for (Index j = 0; j < p; ++j) {
      for (Index i = j; i < p; ++i) G(i, j) = T(double(G(i, j)) - W * dx(i) * dx(j));
      for (Index u = 0; u < t; ++u) R(j, u) = T(double(R(j, u)) - W * dx(j) * dy(u));
    }
  }

 private:
  static constexpr Index kShiftSample = 64;

  // G and R over fixed row panels, summed in panel order; panels of one round
  // run in parallel when a pool is given. With `moments`, also moments_ = the
  // gather's sums (see RowGather::gather), panel sums added in panel order,
  // so the bits do not depend on the thread count.
  void accumulate(const RowGather<T>& rows, ThreadPool* pool, bool moments, const std::function<bool()>& poll) {
    const Index m = rows.count(), p = p_, t = t_;
    const Index panels = (m + panel_rows_ - 1) / panel_rows_;
    const int workers = pool ? pool->size() : 1;
    if (moments) moments_.resize(2 * (p + t));
    if (workers <= 1 || panels <= 1) {
      panel_moments_.resize(moments ? 2 * (p + t) : 0);
      for (Index c = 0; c < panels; ++c) {
        if (poll && !poll()) throw Cancelled();
        const Index r0 = c * panel_rows_, r1 = std::min(m, r0 + panel_rows_);
        // The first panel's sums go straight into the totals.
        rows.gather(r0, r1, Z_, Yz_, !moments ? nullptr : c == 0 ? moments_.data() : panel_moments_.data());
        panel_gram(r1 - r0, Z_, Yz_, Gpad_, Rpad_, c == 0 ? G : panel_G_, c == 0 ? R : panel_R_);
        if (c == 0) continue;
        G += panel_G_, R += panel_R_;
        if (moments) moments_ += panel_moments_;
      }
      return;
    }
    if (int(slots_.size()) < workers) {
      slots_.resize(std::size_t(workers));
      for (auto& s : slots_) {
        s.Z.setZero(panel_rows_, Z_.cols());
        s.Yz.resize(panel_rows_, t);
        s.Gpad.setZero(Z_.cols(), Z_.cols());
        s.G.resize(p, p);
        s.R.resize(p, t);
        s.moments.resize(2 * (p + t));
      }
    }
    for (Index round = 0; round < panels; round += workers) {
      const Index count = std::min<Index>(workers, panels - round);
      pool->run(
          count,
          [&](Index item, int) {
            auto& s = slots_[std::size_t(item)];
            const Index r0 = (round + item) * panel_rows_, r1 = std::min(m, r0 + panel_rows_);
            rows.gather(r0, r1, s.Z, s.Yz, moments ? s.moments.data() : nullptr);
            panel_gram(r1 - r0, s.Z, s.Yz, s.Gpad, s.Rpad, s.G, s.R);
          },
          poll);
      for (Index j = 0; j < count; ++j) {
        const auto& s = slots_[std::size_t(j)];
        if (round + j == 0) G = s.G, R = s.R;
        else G += s.G, R += s.R;
        if (!moments) continue;
        if (round + j == 0) moments_ = s.moments;
        else moments_ += s.moments;
      }
    }
  }

  // G (p, p) and R (p, t) of one gathered panel of `rows` rows.
  void panel_gram(Index rows, const RowMatrix<T>& Z, const RowMatrix<T>& Yz, Matrix<T>& Gpad, Matrix<T>& Rpad,
                  Matrix<T>& G, Matrix<T>& R) const {
    const Index p = p_;
    gram_lower(Z.data(), rows, p, Z.cols(), Gpad.data(), Gpad.rows());
    G = Gpad.topLeftCorner(p, p);
    // R is (p, t) column-major: its leading dimension is p, so the padded
    // product goes through Rpad (only p_pad rows) unless p is a whole tile.
    const Index t = t_;
    if (Z.cols() == p) {
      cross_product(Z.data(), rows, p, Z.cols(), Yz.data(), t, Yz.cols(), R.data(), p);
    } else {
      Rpad.resize(Z.cols(), t);
      cross_product(Z.data(), rows, p, Z.cols(), Yz.data(), t, Yz.cols(), Rpad.data(), Z.cols());
      R = Rpad.topRows(p);
    }
  }

  // One worker's panel of a parallel round.
  struct Slot {
    RowMatrix<T> Z, Yz;       // (panel rows, p_pad), (panel rows, t)
    Matrix<T> Gpad, Rpad, G, R;
    Vector<double> moments;   // (2 (p + t))
  };

  Index p_, t_, panel_rows_;
  RowMatrix<T> Z_, Yz_;          // (panel rows, p_pad), (panel rows, t): the serial route's panel
  Matrix<T> Gpad_, Rpad_;        // (p_pad, p_pad), (p_pad, t): the kernels' padded outputs
  Matrix<T> panel_G_, panel_R_;  // (p, p), (p, t): one panel's sums before they are added
  Vector<double> moments_, panel_moments_;
  std::vector<Slot> slots_;
};

}  // namespace ridgeboot
