// A bootstrap replicate's normal equations in complement form, and its
// out-of-bag statistics in the same pass over the rows.
//
// With counts c_i and sample weights v_i, the in-bag sums over w_i = c_i v_i are
//   sum c v f(x) = sum_all v f(x) - sum_{c=0} v f(x) + sum_{c>=2} (c - 1) v f(x),
// so a replicate reads only its rows drawn 0 times (the out-of-bag rows) and
// those drawn twice or more -- for a multinomial or Poisson(1) draw 36.8 % +
// 26.4 % of the rows, the 63.2 % it would read directly -- against the sums of
// all rows (BaseStats, once per run), and gets the out-of-bag statistics
// (oob.hpp) for free. Every sum is taken about the shift of the base (near
// the weighted means of all rows); the replicate's own means follow from a
// rank-one correction as in PanelGram::centred.
//
// Replicates are read in batches: row block by row block, every replicate of
// the batch in turn, so the block of Y is read from memory once per batch
// rather than once per replicate (many targets). Each replicate's sums add its
// rows in row order: a batch's size and blocks never change a bit.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "row_stats.hpp"

namespace ridgeboot {

// A diagonal entry of the in-bag Gram formed as all - out + extra may keep
// fewer bits than the sum of the three magnitudes; beyond this ratio (2 bits)
// the replicate is formed directly instead.
inline constexpr double kComplementCancellation = 4.0;

// Rows of a set, ascending, and their weights: the first `size` entries. The
// buffers keep their length between plans, so a plan writes without resizing.
template <class T>
struct RowList {
  std::vector<Index> index;
  std::vector<T> weight;
  std::size_t size = 0;

  void make_room(Index n) {
    if (index.size() < std::size_t(n)) index.resize(std::size_t(n)), weight.resize(std::size_t(n));
  }
};

// One replicate: which rows it reads and their sums.
template <class T>
struct ComplementPlan {
  RowList<T> out_rows, extra_rows;  // drawn 0 times (weight v) / >= 2 times ((c - 1) v); positive weight
  Index in_count = 0;                       // rows of positive weight in the replicate
  double in_weight = 0;                     // sum c v, in row order
  bool complement = false;                  // in-bag sums from the base (else: formed directly)
  RowStats<T> out, extra;

  // From the counts (n) and sample weights (nullptr: ones). Complement form when
  // the replicate is primal (at least p rows) and it reads no more than 5/4 of
  // the rows the direct form reads (always so for a multinomial or Poisson(1)
  // draw of more than a few rows). Its out-of-bag statistics come with it.
  // Without a branch on the counts (random draws would mispredict a third of
  // them): every row is written to both lists, and the lists' ends move on only
  // for the rows they keep.
  void plan(const std::int32_t* counts, const T* v, Index n, Index p) {
    out_rows.make_room(n), extra_rows.make_room(n);
    Index* outs = out_rows.index.data();
    Index* extras = extra_rows.index.data();
    T* out_w = out_rows.weight.data();
    T* extra_w = extra_rows.weight.data();
    std::size_t n_out = 0, n_extra = 0;
    Index in = 0;
    // The in-bag weight: without sample weights the sum of the counts, exact as an
    // integer (a sum of doubles in row order waits 4 cycles a row: 2 % of a bootstrap
    // of 2000 rows x 100); with them, in row order (a row out of the bag adds +0,
    // which changes no bit).
    std::int64_t drawn = 0;
    double weight = 0;
    for (Index i = 0; i < n; ++i) {
      const T vi = v ? v[i] : T(1);
      const std::int32_t c = counts[i];
      const bool kept = vi > T(0);
      outs[n_out] = i, out_w[n_out] = vi;
      n_out += kept && c == 0;
      extras[n_extra] = i, extra_w[n_extra] = T(c - 1) * vi;
      n_extra += kept && c > 1;
      const bool in_bag = kept && c > 0;
      in += in_bag;
      drawn += c;
      if (v) weight += in_bag ? double(T(c) * vi) : 0.0;
    }
    out_rows.size = n_out, extra_rows.size = n_extra;
    in_count = in;
    in_weight = v ? weight : double(drawn);
    const Index read = Index(n_out + n_extra);
    complement = in_count >= std::max<Index>(p, 1) && 4 * read <= 5 * in_count;
  }

  // The draw of every row once (the fit on all rows): no row out, none extra.
  void every_row_once(const RowStats<T>& all) {
    out_rows.size = extra_rows.size = 0;
    in_count = all.count;
    in_weight = all.wsum;
    complement = true;
    out.reset(all.p, all.t);
    extra.reset(all.p, all.t);
  }
};

// Batched replicates read all rows once per batch, in blocks that stay in a
// cache while every replicate of the batch reads them. Rows of up to 2^18
// values in all stay in a core's cache between replicates: no batch (the
// bootstrap workload, 2000 x 101, ran 1.02x slower batched). Up to 2^21 values
// (16 MiB in double, in the last-level cache) the blocks are 2^17 values, in
// L2: the path bootstrap (5000 x 201) ran 0.95x against one replicate at a
// time from L3. Larger data: blocks of 2^20 values (8 MiB in double) in the
// last-level cache. Each block is one call per replicate and set of rows, and
// each call passes over the set's sums (R alone is t x p): with many targets
// (n=20000 p=50 t=1000, 2 threads), blocks of 2^17 values (~45 out-of-bag rows
// a call) made the whole run ~1.2x slower than 2^19, and 2^20 ran 2-10 % faster
// than 2^19 (2^21: no better).
inline constexpr double kUnbatchedValues = 1 << 18, kL2BlockedValues = 1 << 21;

inline constexpr Index kMaxBatch = 16;  // replicates per pass over the rows

// Replicates read in one pass over the rows: several when the data do not stay
// in a core's cache between replicates, within ~32 MiB of sums.
template <class T>
Index batch_size(Index n, Index p, Index t) {
  if (double(n) * double(p + t) <= kUnbatchedValues) return 1;
  const double sums = 2.0 * sizeof(T) * double(gram_padded_cols<T>(p)) * double(gram_padded_cols<T>(p) + t);
  return std::clamp<Index>(Index(32.0 * (1 << 20) / sums), 1, kMaxBatch);
}

inline Index batch_block_rows(Index n, Index p, Index t) {
  const Index values = double(n) * double(p + t) <= kL2BlockedValues ? Index(1) << 17 : Index(1) << 20;
  return std::clamp<Index>(values / std::max<Index>(p + t, 1), 64, std::max<Index>(n, 64));
}

// Streams a batch of plans over the rows in blocks of `block` rows (see above;
// 0: batch_block_rows). The block never changes a bit. `extra_squares`: the extra
// rows' syy, which only complement_equations' yy reads; without it their kernel
// skips the squares (many targets: 2 % of a bootstrap).
template <class T>
void add_batch(const Problem<T>& pb, const Shift<T>& shift, ComplementPlan<T>* const* plans, Index count,
               RowStatsBuilder<T>& builder, const std::function<bool()>* poll, bool extra_squares = true,
               Index block = 0) {
  const Index n = pb.n(), p = pb.p(), t = pb.t();
  if (block <= 0) block = batch_block_rows(n, p, t);
  std::vector<std::size_t> at(std::size_t(2 * count), 0);
  for (Index j = 0; j < count; ++j) {
    plans[j]->out.reset(p, t);
    if (plans[j]->complement) plans[j]->extra.reset(p, t);
  }
  const auto add_block = [&](Index r1, const RowList<T>& list, std::size_t& q, RowStats<T>& s, bool squares) {
    const std::size_t q0 = q;
    while (q < list.size && list.index[q] < r1) ++q;
    if (q > q0) builder.add(pb, shift, list.index.data() + q0, list.weight.data() + q0, Index(q - q0), s, squares);
  };
  for (Index r0 = 0; r0 < n; r0 += block) {
    if (poll && !(*poll)()) throw Cancelled();
    const Index r1 = std::min(n, r0 + block);
    for (Index j = 0; j < count; ++j) {
      auto& pl = *plans[j];
      add_block(r1, pl.out_rows, at[std::size_t(2 * j)], pl.out, true);
      if (pl.complement) add_block(r1, pl.extra_rows, at[std::size_t(2 * j + 1)], pl.extra, extra_squares);
    }
  }
}

// The in-bag normal equations of a complement-form replicate: G (p, p, lower)
// and R (p, t) of its rows centred at its weighted means. False -- the
// replicate is then formed directly, about its own means -- when the
// complement would cancel more than 2 bits of a diagonal entry, the rank-one
// centring more than 1 bit (the replicate's means far from the shift, as
// PanelGram::centred redoes), or G and R are out of the dtype's working range
// (the direct route rescales them, scaling.hpp). With `yy`, also the centred
// weighted sums of squares of the targets (t), in double, from the extra rows'
// syy; without, those may be absent (add_batch), and the targets' checks use
// what the extra rows cannot lower: the in-bag syy is at least all - out, and
// all + out + extra <= 4 (all - out + extra) for every extra >= 0 when 5 out <= 3 all.
template <class T>
bool complement_equations(const BaseStats<T>& base, const ComplementPlan<T>& pl, bool intercept, Matrix<T>& G,
                          Matrix<T>& R, RowVector<T>& xmean, RowVector<T>& ymean, Vector<double>* yy = nullptr) {
  const RowStats<T>&A = base.all, &O = pl.out, &E = pl.extra;
  const Index p = base.shift.x.size(), t = base.shift.y.size();
  const double W = pl.in_weight;
  const auto combine = [](T all, T out, T extra) { return all - out + extra; };
  const auto kept = [](T all, T out, T extra, T in) {
    return double(all) + double(out) + double(extra) <= kComplementCancellation * double(in);
  };
  Vector<double> dx(p), dy(t);
  for (Index j = 0; j < p; ++j) {
    const T d = combine(A.G(j, j), O.G(j, j), E.G(j, j));
    if (!kept(A.G(j, j), O.G(j, j), E.G(j, j), d)) return false;
    dx(j) = intercept ? (double(A.a(j)) - double(O.a(j)) + double(E.a(j))) / W : 0.0;
    if (intercept && W * dx(j) * dx(j) > 0.5 * double(d)) return false;
  }
  for (Index u = 0; u < t; ++u) {
    const T d = yy ? combine(A.syy(u), O.syy(u), E.syy(u)) : A.syy(u) - O.syy(u);
    if (yy ? !kept(A.syy(u), O.syy(u), E.syy(u), d) : 5 * double(O.syy(u)) > 3 * double(A.syy(u))) return false;
    dy(u) = intercept ? (double(A.c(u)) - double(O.c(u)) + double(E.c(u))) / W : 0.0;
    if (intercept && W * dy(u) * dy(u) > 0.5 * double(d)) return false;
  }
  G.resize(p, p);
  R.resize(p, t);
  for (Index j = 0; j < p; ++j) {
    for (Index i = j; i < p; ++i)
      G(i, j) = T(double(combine(A.G(i, j), O.G(i, j), E.G(i, j))) - W * dx(i) * dx(j));
    for (Index u = 0; u < t; ++u)
      R(j, u) = T(double(combine(A.cross(j, u), O.cross(j, u), E.cross(j, u))) - W * dx(j) * dy(u));
  }
  if (yy) {
    yy->resize(t);
    for (Index u = 0; u < t; ++u)
      (*yy)(u) = std::max(double(combine(A.syy(u), O.syy(u), E.syy(u))) - W * dy(u) * dy(u), 0.0);
  }
  xmean = (base.shift.x.template cast<double>() + dx.transpose()).template cast<T>();
  ymean = (base.shift.y.template cast<double>() + dy.transpose()).template cast<T>();
  return gram_in_range(G, R);
}

}  // namespace ridgeboot
