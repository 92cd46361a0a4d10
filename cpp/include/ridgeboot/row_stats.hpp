// Weighted sufficient statistics of sets of rows, taken about one fixed shift:
// the sums the bootstrap engine forms a replicate's normal equations from
// (complement.hpp) and computes its out-of-bag errors from (oob.hpp).
//
// For rows i of a set with weights w_i > 0 and d = value - shift:
//   G = sum w dx dx^T, R = sum w dx dy^T, a = sum w dx, c = sum w dy,
//   syy = sum w dy^2 (per target), wsum = sum w.
// Rows are gathered sqrt(w)-scaled into a panel and fed to the register-tiled
// kernels (gram.hpp); with many targets Y's rows are read where they lie
// instead (RowStatsBuilder::gather). Every entry adds the rows in the order they are given,
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
// the targets, R^T is formed against rows w (x - shift, 1), so its column p is c.
template <class T>
struct RowStats {
  Matrix<T> G;     // (p_pad, p_pad) lower triangle (the kernel's padded output)
  Matrix<T> R;     // (p_pad, t), or (t_pad, p + 1) = [R^T c] when along_targets; empty when folded
  Vector<T> xsum;  // (p_pad) a, when not folded
  Vector<T> ysum;  // (t) c, when not along_targets
  Vector<T> syy;   // (t); along_targets (t_pad), the padding zero
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
    syy.setZero(along_targets ? gram_padded_cols<T>(t) : t);
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

  // Whether every sum of squares (G's diagonal, syy) is finite.
  bool squares_finite() const { return G.diagonal().head(p).allFinite() && syy.head(t).allFinite(); }

  // this += other, entry by entry (both sized for the same problem).
  void add(const RowStats& o) {
    G += o.G, R += o.R, xsum += o.xsum, ysum += o.ysum, syy += o.syy;
    wsum += o.wsum;
    count += o.count;
  }
};

// The shift the statistics are taken about: near the weighted means of all
// rows (BaseStats), or zero without an intercept.
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
    Z_.setZero(cap_, gram_padded_cols<T>(p));  // padding columns stay zero
    if (!along_) {
      Yz_.setZero(cap_, t);
      return;
    }
    Zw_.setZero(cap_, gram_padded_cols<T>(p + 1));
    Yz_.setZero(cap_, gram_padded_cols<T>(t));
    shift_y_.setZero(gram_padded_cols<T>(t));
    direct_.resize(std::size_t(cap_)), copied_.resize(std::size_t(cap_));
  }

  // s += the statistics of rows[0 .. m) with weights w[0 .. m) (all > 0), in that order.
  // !squares: syy is left as it is where the kernel would form it (many targets).
  void add(const Problem<T>& pb, const Shift<T>& shift, const Index* rows, const T* w, Index m, RowStats<T>& s,
           bool squares = true) {
    if (along_) {
      // Y's rows are read where they lie, as far as whole vectors reach within a row
      constexpr Index L = gram_detail::Vec<T>::lanes;
      direct_cols_ = pb.Y.innerStride() == 1 ? t_ / L * L : 0;
      shift_y_.head(t_) = shift.y.transpose();
    }
    for (Index q0 = 0; q0 < m; q0 += cap_) {
      const Index q1 = std::min(m, q0 + cap_);
      for (Index q = q0; q < q1; ++q) {
        if (q + kPrefetchRows < m) {
          prefetch_row(pb.X, rows[q + kPrefetchRows]);
          if (!along_) prefetch_row(pb.Y, rows[q + kPrefetchRows]);
        }
        gather(pb, shift, rows[q], w[q], q - q0, s);
      }
      kernels(q1 - q0, w + q0, s, squares);
    }
    s.count += m;
  }

 private:
  // Panel row r = sqrt(w) (x_i - shift), likewise y. The sums of the row alone
  // (a unless folded; c and syy with few targets) are taken here while it is in
  // cache. With many targets Y's row is not copied (only the last columns
  // that do not fill a vector, or all of a row that is not contiguous): the
  // kernel reads it where it lies, centres it in registers, and forms R^T and
  // c against Zw's row w (x_i - shift, 1), syy with it; copying and scaling
  // 1000 targets a row took a sixth of a many-targets bootstrap.
  void gather(const Problem<T>& pb, const Shift<T>& shift, Index i, T w, Index r, RowStats<T>& s) {
    const T sw = std::sqrt(w);
    s.wsum += double(w);
    T* z = Z_.row(r).data();
    T* zw = along_ ? Zw_.row(r).data() : nullptr;
    with_row(pb.X, i, [&](const auto& x) {
      for (Index j = 0; j < p_; ++j) {
        const T d = x(j) - shift.x(j);
        z[j] = sw * d;
        if (zw) zw[j] = w * d;
      }
    });
    if (!folded_)
      for (Index j = 0; j < p_; ++j) s.xsum(j) += sw * z[j];
    if (along_) {
      zw[p_] = w;
      const T* yi = pb.Y.data() + i * pb.Y.outerStride();
      direct_[std::size_t(r)] = yi;
      // the kernel asks for its strips ahead but for the first: those are asked for here
      const Index head = std::min(direct_cols_, centred_prefetch_cols<T>());
      for (Index u = 0; u < head; u += 64 / Index(sizeof(T))) __builtin_prefetch(yi + u, 0, 2);
      T* y = Yz_.row(r).data();
      copied_[std::size_t(r)] = y + direct_cols_;
      for (Index u = direct_cols_; u < t_; ++u) y[u] = pb.Y(i, u);
      return;
    }
    T* y = Yz_.row(r).data();
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

  void kernels(Index rows, const T* w, RowStats<T>& s, bool squares) {
    const Index p = p_, t = t_, ldz = Z_.cols(), ldy = Yz_.cols();
    const T *Z = Z_.data(), *Y = Yz_.data();
    gram_lower(Z, rows, p, ldz, s.G.data(), s.G.rows(), true);  // folded: a and R too
    if (along_) {  // [R^T c] and syy: Y's rows where they lie, then the copied columns
      const Index ldr = s.R.rows(), t_pad = ldy;
      if (direct_cols_ > 0)
        add_centred_cross_product(direct_.data(), shift_y_.data(), rows, direct_cols_, Zw_.data(), p + 1,
                                  Zw_.cols(), w, s.R.data(), ldr, squares ? s.syy.data() : nullptr);
      if (direct_cols_ < t_pad)
        add_centred_cross_product(copied_.data(), shift_y_.data() + direct_cols_, rows, t_pad - direct_cols_,
                                  Zw_.data(), p + 1, Zw_.cols(), w, s.R.data() + direct_cols_, ldr,
                                  squares ? s.syy.data() + direct_cols_ : nullptr);
    } else if (!folded_) cross_product(Z, rows, p, ldz, Y, t, ldy, s.R.data(), s.R.rows(), true);
  }

  Index p_, t_;
  bool along_, folded_;
  Index cap_;
  RowMatrix<T> Z_, Yz_;  // (capacity, p_pad), (capacity, t); along: Y's copied columns, raw, (capacity, t_pad)
  RowMatrix<T> Zw_;      // along: (capacity, pad(p + 1)) rows w (x_i - shift, 1)
  Vector<T> shift_y_;    // along: (t_pad) shift.y, zero-padded
  std::vector<const T*> direct_, copied_;  // along: a panel row's Y row, and its copied columns
  Index direct_cols_ = 0;                  // along: Y's columns read where they lie
};

// The statistics of all rows with their sample weights, about the shift,
// shared read-only by every replicate of a bootstrap. Formed over fixed panels
// of rows (in parallel), added in panel order: the bits do not depend on the
// thread count.
//
// The shift is the weighted mean of kShiftSample rows spread over all of them
// (two-pass, so identical rows centre to exactly zero): one pass over the data
// instead of a serial pass for the exact means before it (7 ms of a 260 ms
// bootstrap of n=20000 rows and 1000 targets). The sums give the exact means
// (shift + a / wsum), and a replicate's own follow by a rank-one correction
// (complement_equations). Should the sample mislead -- a column's shift more
// than a quarter of its standard deviation from its mean, where the correction
// would cancel more than log2(1 + 1/16) bits -- the sums are taken again
// about the exact two-pass means.
template <class T>
struct BaseStats {
  static constexpr Index kBasePanels = 16;
  static constexpr Index kShiftSample = 1024;
  Shift<T> shift;
  RowStats<T> all;

  // `builders`: one per pool worker.
  void build(const Problem<T>& pb, ThreadPool& pool, std::vector<RowStatsBuilder<T>*> builders) {
    const Index n = pb.n(), p = pb.p(), t = pb.t();
    rows_.clear();
    weights_.clear();
    for (Index i = 0; i < n; ++i) {
      const T v = pb.base_weight ? pb.base_weight[i] : T(1);
      if (v > T(0)) rows_.push_back(i), weights_.push_back(v);
    }
    if (!pb.intercept) {
      shift.x.setZero(p), shift.y.setZero(t);
      return add_rows(pb, pool, builders);
    }
    RowGather<T> gather(pb.X, pb.Y, pb.intercept);
    gather.select(pb.base_weight);
    gather.means(std::min(gather.count(), kShiftSample), true, shift.x, shift.y);
    add_rows(pb, pool, builders);
    if (near_means()) return;
    gather.means(gather.count(), true, shift.x, shift.y);
    add_rows(pb, pool, builders);
  }

 private:
  // all = the sums of every row of positive weight about the shift.
  void add_rows(const Problem<T>& pb, ThreadPool& pool, std::vector<RowStatsBuilder<T>*>& builders) {
    const Index p = pb.p(), t = pb.t();
    // Panels of at least a Gram panel's rows, and no more than kBasePanels of them: each
    // panel's sums (400 KB with 1000 targets) are zeroed, and added to the total in turn.
    const Index m = Index(rows_.size());
    const Index per = std::max(gram_panel_rows(gram_padded_cols<T>(p), t), (m + kBasePanels - 1) / kBasePanels);
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

  // Whether every column's shift is within a quarter of its standard deviation of
  // its mean: with s1 = sum w d, s2 = sum w d^2, s1^2 / W <= s2 / 17. Sums out of
  // range (inf or NaN) pass: the engine then rescales every replicate instead.
  bool near_means() const {
    const double W = all.wsum;
    const auto near = [W](double s1, double s2) { return !(17 * s1 * s1 > W * s2); };
    for (Index j = 0; j < all.p; ++j)
      if (!near(double(all.a(j)), double(all.G(j, j)))) return false;
    for (Index u = 0; u < all.t; ++u)
      if (!near(double(all.c(u)), double(all.syy(u)))) return false;
    return true;
  }

  std::vector<Index> rows_;
  std::vector<T> weights_;
};

}  // namespace ridgeboot
