// Weighted sufficient statistics of sets of rows, taken about one fixed shift:
// the sums the bootstrap engine forms a replicate's normal equations from
// (complement.hpp) and computes its out-of-bag errors from (oob.hpp).
//
// For rows i of a set with weights w_i > 0 and d = value - shift:
//   G = sum w dx dx^T, R = sum w dx dy^T, a = sum w dx, c = sum w dy,
//   syy = sum w dy^2 (per target), wsum = sum w.
// Rows are gathered sqrt(w)-scaled into a panel and fed to the register-tiled
// kernels (gram.hpp); every entry adds the rows in the order they are given,
// so the bits depend on the rows and weights alone, never on how they are
// split into calls.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "gather.hpp"
#include "gram.hpp"
#include "panel.hpp"
#include "problem.hpp"
#include "scaling.hpp"
#include "thread_pool.hpp"
#include "types.hpp"

namespace ridgeboot {

// From this many targets on, R is formed as R^T = Yz^T Z: the long side in
// vectors, so p is not padded to whole vectors; below, R = Z^T Yz.
inline constexpr Index kTargetVectorMin = 16;

// Rows a RowStatsBuilder gathers per panel: sized as a Gram panel (~2^17
// values, so it stays in a core's L2 between the gather and the kernels), but
// at least the kernels' row block (128, gram.hpp) instead of 256: the builder
// adds no per-panel sums. With many targets (n=20000 p=50 t=1000) 128 rows ran
// the bootstrap 6 % faster than 256; 64 rows (twice the passes over R) no faster.
inline Index stats_panel_rows(Index p, Index t) { return gram_panel_rows(p, t, 128); }

// The statistics of one weighted set of rows (see above), in T except wsum.
// When the Gram's padding columns have room (folds(p, t)), the builder puts
// sqrt(w) and the scaled targets there, and the Gram kernel forms a and R with
// G in the same pass: they are then G's padding rows p and p + 1 + u. Along
// the targets, sqrt(w) is Z's column p, so R^T's column p is c.
template <class T>
struct RowStats {
  Matrix<T> G;     // (p_pad, p_pad) lower triangle (the kernel's padded output)
  Matrix<T> R;     // (p_pad, t), or (t_pad, p + 1) = [R^T c] when along_targets; empty when folded
  Vector<T> xsum;  // (p_pad) a, when not folded
  Vector<T> ysum;  // (t) c, when not along_targets
  Vector<T> syy;   // (t)
  double wsum = 0;
  Index count = 0;  // rows added
  Index p = 0, t = 0;
  bool along_targets = false;
  bool folded = false;

  // Whether (p, t) leaves room for a and R in the Gram's padding columns.
  static bool folds(Index p, Index t) { return t < kTargetVectorMin && gram_padded_cols<T>(p) - p >= 1 + t; }

  T a(Index j) const { return folded ? G(p, j) : xsum(j); }
  T c(Index u) const { return along_targets ? R(u, p) : ysum(u); }
  T cross(Index j, Index u) const { return folded ? G(p + 1 + u, j) : along_targets ? R(u, j) : R(j, u); }

  // Sized for (p, t) and zero.
  void reset(Index p_, Index t_) {
    p = p_, t = t_;
    const Index p_pad = gram_padded_cols<T>(p);
    along_targets = t >= kTargetVectorMin;
    folded = folds(p, t);
    G.setZero(p_pad, p_pad);
    if (folded) R.resize(0, 0);
    else if (along_targets) R.setZero(gram_padded_cols<T>(t), p + 1);
    else R.setZero(p_pad, t);
    ysum.setZero(along_targets ? 0 : t);
    xsum.setZero(folded ? 0 : p_pad);
    syy.setZero(t);
    wsum = 0;
    count = 0;
  }

  // Whether a solve or a combination can use the sums as they are: finite, and
  // neither overflowing nor losing digits to underflow (scaling.hpp). Data out of
  // that range take the routes that rescale (Fitter::fit).
  bool in_range() const {
    const auto sums = G.block(p, 0, folded ? 1 + t : 0, p);  // a and R when folded
    const bool sums_in_range =
        sums.allFinite() && in_value_range<T>(sums.size() ? double(sums.cwiseAbs().maxCoeff()) : 0.0);
    return gram_in_range(G, R) && sums_in_range && xsum.allFinite() && ysum.allFinite() &&
           in_value_range<T>(syy.size() ? double(syy.maxCoeff()) : 0.0);
  }

  // this += other, entry by entry (both sized for the same problem).
  void add(const RowStats& o) {
    G += o.G, R += o.R, xsum += o.xsum, ysum += o.ysum, syy += o.syy;
    wsum += o.wsum;
    count += o.count;
  }
};

// The shift the statistics are taken about: the weighted means of all rows
// (two-pass, so identical rows centre to exactly zero), or zero without an
// intercept.
template <class T>
struct Shift {
  RowVector<T> x, y;  // (p), (t)
};

// One thread's panel for adding rows to RowStats.
template <class T>
class RowStatsBuilder {
 public:
  // Rows requested from memory ahead of the one gathered.
  static constexpr Index kPrefetchRows = 4;

  // For the problem's (p, t); rows are gathered `capacity` at a time.
  RowStatsBuilder(Index p, Index t, Index capacity)
      : p_(p),
        t_(t),
        along_(t >= kTargetVectorMin),
        folded_(RowStats<T>::folds(p, t)),
        cap_(std::max<Index>(capacity, 1)) {
    Z_.setZero(cap_, gram_padded_cols<T>(along_ ? p + 1 : p));  // padding columns stay zero
    Yz_.setZero(cap_, along_ ? gram_padded_cols<T>(t) : t);
  }

  // s += the statistics of rows[0 .. m) with weights w[0 .. m) (all > 0), in that order.
  void add(const Problem<T>& pb, const Shift<T>& shift, const Index* rows, const T* w, Index m, RowStats<T>& s) {
    for (Index q0 = 0; q0 < m; q0 += cap_) {
      const Index q1 = std::min(m, q0 + cap_);
      for (Index q = q0; q < q1; ++q) {
        if (q + kPrefetchRows < m)
          prefetch_row(pb.X, rows[q + kPrefetchRows]), prefetch_row(pb.Y, rows[q + kPrefetchRows]);
        gather(pb, shift, rows[q], w[q], q - q0, s);
      }
      kernels(q1 - q0, s);
    }
    s.count += m;
  }

 private:
  // Panel row r = sqrt(w) (x_i - shift), likewise y. The sums of the row alone
  // (a unless folded; c and syy with few targets) are taken here while it is in
  // cache. With many targets the kernel forms c (sqrt(w) in Z's column p) and
  // a register pass over the panel syy: updating 2 t sums in memory with every
  // row made the gather 2x slower (n=20000 p=50 t=1000).
  void gather(const Problem<T>& pb, const Shift<T>& shift, Index i, T w, Index r, RowStats<T>& s) {
    const T sw = std::sqrt(w);
    s.wsum += double(w);
    T* z = Z_.row(r).data();
    with_row(pb.X, i, [&](const auto& x) {
      for (Index j = 0; j < p_; ++j) z[j] = sw * (x(j) - shift.x(j));
    });
    if (!folded_)
      for (Index j = 0; j < p_; ++j) s.xsum(j) += sw * z[j];
    T* y = Yz_.row(r).data();
    if (along_) {
      z[p_] = sw;
      with_row(pb.Y, i, [&](const auto& v) {
        for (Index u = 0; u < t_; ++u) y[u] = sw * (v(u) - shift.y(u));
      });
      return;
    }
    T *c = s.ysum.data(), *syy = s.syy.data();
    with_row(pb.Y, i, [&](const auto& v) {
      for (Index u = 0; u < t_; ++u) {
        const T d = sw * (v(u) - shift.y(u));
        y[u] = d;
        c[u] += sw * d;
        syy[u] += d * d;
      }
    });
    if (folded_) {  // the Gram kernel then forms a and R (RowStats::folds)
      z[p_] = sw;
      for (Index u = 0; u < t_; ++u) z[p_ + 1 + u] = y[u];
    }
  }

  void kernels(Index rows, RowStats<T>& s) {
    const Index p = p_, t = t_, ldz = Z_.cols(), ldy = Yz_.cols();
    const T *Z = Z_.data(), *Y = Yz_.data();
    gram_lower(Z, rows, p, ldz, s.G.data(), s.G.rows(), true);  // folded: a and R too
    if (along_) {
      cross_product(Y, rows, t, ldy, Z, p + 1, ldz, s.R.data(), s.R.rows(), true);  // [R^T c]
      add_column_squares(Y, rows, t, ldy, s.syy.data());
    } else if (!folded_) cross_product(Z, rows, p, ldz, Y, t, ldy, s.R.data(), s.R.rows(), true);
  }

  Index p_, t_;
  bool along_, folded_;
  Index cap_;
  RowMatrix<T> Z_, Yz_;  // (capacity, p_pad), (capacity, t or t_pad)
};

// The statistics of all rows with their sample weights, about the shift (the
// weighted means), shared read-only by every replicate of a bootstrap. Formed
// over fixed panels of rows (in parallel), added in panel order: the bits do
// not depend on the thread count.
template <class T>
struct BaseStats {
  Shift<T> shift;
  RowStats<T> all;

  // `builders`: one per pool worker.
  void build(const Problem<T>& pb, ThreadPool& pool, std::vector<RowStatsBuilder<T>*> builders) {
    const Index n = pb.n(), p = pb.p(), t = pb.t();
    RowGather<T> gather(pb.X, pb.Y, pb.intercept);
    gather.select(pb.base_weight);
    if (pb.intercept) gather.means(gather.count(), true, shift.x, shift.y);
    else shift.x.setZero(p), shift.y.setZero(t);
    rows_.clear();
    weights_.clear();
    for (Index i = 0; i < n; ++i) {
      const T v = pb.base_weight ? pb.base_weight[i] : T(1);
      if (v > T(0)) rows_.push_back(i), weights_.push_back(v);
    }
    const Index m = Index(rows_.size()), per = gram_panel_rows(gram_padded_cols<T>(p), t);
    const Index panels = (m + per - 1) / per;
    std::vector<RowStats<T>> part(std::size_t(std::min<Index>(panels, pool.size())));
    all.reset(p, t);
    for (Index round = 0; round < panels; round += Index(part.size())) {
      const Index count = std::min<Index>(Index(part.size()), panels - round);
      pool.run(count, [&](Index item, int worker) {
        const Index q0 = (round + item) * per, q1 = std::min(m, q0 + per);
        auto& s = part[std::size_t(item)];
        s.reset(p, t);
        builders[std::size_t(worker)]->add(pb, shift, rows_.data() + q0, weights_.data() + q0, q1 - q0, s);
      });
      for (Index j = 0; j < count; ++j) all.add(part[std::size_t(j)]);
    }
  }

 private:
  std::vector<Index> rows_;
  std::vector<T> weights_;
};

}  // namespace ridgeboot
