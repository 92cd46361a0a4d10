// Tests of the bootstrap engine's complement form: the row statistics
// (row_stats.hpp) and a replicate's normal equations from them
// (complement.hpp) against dense double-precision sums, the out-of-bag sums
// from statistics (oob.hpp) against predicting every row, and the engine's
// bits for any batch size and thread count.
#include <cmath>
#include <cstring>
#include <limits>
#include <ridgeboot/bootstrap.hpp>
#include <ridgeboot/complement.hpp>
#include <ridgeboot/oob.hpp>
#include <ridgeboot/row_stats.hpp>
#include <tuple>
#include <type_traits>
#include <vector>

#include "check.hpp"

using namespace ridgeboot;

namespace {

using MatrixD = Matrix<double>;
using VectorD = Vector<double>;

template <class T>
const char* type_name() {
  return std::is_same_v<T, float> ? "float" : "double";
}

// X (n, p) with offset columns, Y (n, t) = X coef + noise + offset, sample weights (one in five zero).
struct Data {
  RowMatrix<double> X, Y;
  VectorD v;
};

Data make_data(Index n, Index p, Index t, std::uint64_t seed) {
  check::Uniform rand(seed);
  Data d{RowMatrix<double>(n, p), RowMatrix<double>(n, t), VectorD(n)};
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < p; ++j) d.X(i, j) = rand() + 3.0 * double(j % 4);
  MatrixD coef(p, t);
  for (Index j = 0; j < p; ++j)
    for (Index u = 0; u < t; ++u) coef(j, u) = rand();
  d.Y = d.X * coef;
  for (Index i = 0; i < n; ++i)
    for (Index u = 0; u < t; ++u) d.Y(i, u) += 0.3 * rand() + 5.0;
  for (Index i = 0; i < n; ++i) d.v(i) = i % 5 == 2 ? 0.0 : 0.5 + 0.25 * double(i % 3);
  return d;
}

// Dense sums over rows i with weights w_i of d = value - shift, in double.
struct DenseStats {
  MatrixD G, R;  // (p, p), (p, t)
  VectorD a, c, syy, absx, absy;  // (p), (t), (t); sum w |dx|, sum w |dy| for the tolerances
  double wsum = 0;
};

// With `absolute`, the sums of |dx| |dx^T| and so on: what bounds their rounding.
DenseStats dense_stats(const Data& d, const std::vector<Index>& rows, const std::vector<double>& w,
                       const VectorD& sx, const VectorD& sy, bool absolute = false) {
  const Index p = d.X.cols(), t = d.Y.cols();
  DenseStats s{MatrixD::Zero(p, p), MatrixD::Zero(p, t), VectorD::Zero(p), VectorD::Zero(t),
               VectorD::Zero(t),    VectorD::Zero(p),    VectorD::Zero(t), 0.0};
  for (std::size_t q = 0; q < rows.size(); ++q) {
    VectorD dx = d.X.row(rows[q]).transpose() - sx, dy = d.Y.row(rows[q]).transpose() - sy;
    if (absolute) dx = dx.cwiseAbs(), dy = dy.cwiseAbs();
    s.G += w[q] * dx * dx.transpose();
    s.R += w[q] * dx * dy.transpose();
    s.a += w[q] * dx;
    s.c += w[q] * dy;
    s.syy += w[q] * dy.cwiseProduct(dy);
    s.absx += w[q] * dx.cwiseAbs();
    s.absy += w[q] * dy.cwiseAbs();
    s.wsum += w[q];
  }
  return s;
}

template <class V>
bool same_bits(const V& a, const V& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(a(0)) * std::size_t(a.size())) == 0;
}

// RowStatsBuilder against dense sums; the split into calls and panels never changes a bit.
template <class T>
void test_row_stats() {
  const Index n = 60;
  // Many targets: Y's rows read where they lie (all of them for t = 32, all but
  // the last columns for t = 20 and 17), or copied when Y is in Fortran order.
  for (const auto& [p, t, fortran] : {std::tuple<Index, Index, bool>{7, 2, false},
                                      {20, 1, false},
                                      {9, 20, false},
                                      {33, 17, false},
                                      {5, 32, false},
                                      {9, 20, true},
                                      {5, 32, true}}) {
    check::Scope scope(check::fmt("row stats<%s> p=%d t=%d%s", type_name<T>(), int(p), int(t),
                                  fortran ? " Fortran-order Y" : ""));
    const Data d = make_data(n, p, t, 3);
    const RowMatrix<T> X = d.X.cast<T>(), Y = d.Y.cast<T>();
    const Matrix<T> Yf = Y;  // column-major
    const ConstView<T> Xv(X.data(), n, p, Strides(p, 1));
    const ConstView<T> Yv =
        fortran ? ConstView<T>(Yf.data(), n, t, Strides(1, n)) : ConstView<T>(Y.data(), n, t, Strides(t, 1));
    const Problem<T> pb(Xv, Yv, nullptr, Matrix<T>::Ones(1, t), Solver::cholesky, true);
    Shift<T> shift{RowVector<T>(p), RowVector<T>(t)};
    for (Index j = 0; j < p; ++j) shift.x(j) = T(3.0 * double(j % 4));
    for (Index u = 0; u < t; ++u) shift.y(u) = T(4.0 + 0.1 * double(u));
    std::vector<Index> rows;
    std::vector<T> w;
    std::vector<double> wd;
    for (Index i = 0; i < n; i += 1 + i % 3)
      rows.push_back(i), w.push_back(T(0.5 + i % 4)), wd.push_back(w.back());
    const Index m = Index(rows.size());
    RowStats<T> one, split;
    one.reset(p, t), split.reset(p, t);
    RowStatsBuilder<T>(p, t, 256).add(pb, shift, rows.data(), w.data(), m, one);
    RowStatsBuilder<T> small(p, t, 5);  // several panels per call
    small.add(pb, shift, rows.data(), w.data(), 11, split);
    small.add(pb, shift, rows.data() + 11, w.data() + 11, m - 11, split);
    CHECK(one.along_targets == (t >= kTargetVectorMin));
    CHECK(same_bits(one.G, split.G) && same_bits(one.R, split.R) && same_bits(one.xsum, split.xsum));
    CHECK(one.folded == RowStats<T>::folds(p, t));
    CHECK(same_bits(one.ysum, split.ysum) && same_bits(one.syy, split.syy) && one.wsum == split.wsum);
    CHECK(one.count == m && split.count == m);
    const VectorD sx = shift.x.transpose().template cast<double>(),
                  sy = shift.y.transpose().template cast<double>();
    std::vector<double> wr(wd.size());
    for (std::size_t q = 0; q < wd.size(); ++q) wr[q] = double(T(wd[q]));
    const DenseStats ref =
        dense_stats(Data{X.template cast<double>(), Y.template cast<double>(), d.v}, rows, wr, sx, sy);
    // m eps (sum w |d_i| |d_j|) bounds the rounding of each sum, with a factor 4 to spare (sqrt(w) scaling).
    const double e = 4 * double(m) * std::numeric_limits<T>::epsilon();
    const DenseStats abs =
        dense_stats(Data{X.template cast<double>(), Y.template cast<double>(), d.v}, rows, wr, sx, sy, true);
    for (Index j = 0; j < p; ++j) {
      for (Index i = j; i < p; ++i) CHECK_CLOSE(one.G(i, j), ref.G(i, j), e * abs.G(i, j));
      for (Index u = 0; u < t; ++u) CHECK_CLOSE(one.cross(j, u), ref.R(j, u), e * abs.R(j, u));
      CHECK_CLOSE(one.a(j), ref.a(j), e * abs.a(j));
    }
    for (Index u = 0; u < t; ++u) {
      CHECK_CLOSE(one.c(u), ref.c(u), e * abs.c(u));
      CHECK_CLOSE(one.syy(u), ref.syy(u), e * abs.syy(u));
    }
    CHECK_CLOSE(one.wsum, ref.wsum, 1e-12 * ref.wsum);
  }
}

// A replicate's in-bag normal equations in complement form against the dense
// centred sums over its rows with weights c v; its out-of-bag statistics against
// dense sums over its rows drawn 0 times; its out-of-bag sums from statistics
// against predicting every out-of-bag row.
// n = 2600: the base's shift is the mean of a sample of the rows, not their exact means.
template <class T>
void test_complement() {
  for (const auto& [n, p, t] : {std::tuple<Index, Index, Index>{300, 6, 2}, {300, 12, 24}, {2600, 12, 24}}) {
    for (const bool intercept : {true, false}) {
      check::Scope scope(check::fmt("complement<%s> n=%d p=%d t=%d %s", type_name<T>(), int(n), int(p), int(t),
                                    intercept ? "intercept" : "no intercept"));
      const Data d = make_data(n, p, t, 5);
      const RowMatrix<T> X = d.X.cast<T>(), Y = d.Y.cast<T>();
      const Vector<T> v = d.v.cast<T>();
      const ConstView<T> Xv(X.data(), n, p, Strides(p, 1)), Yv(Y.data(), n, t, Strides(t, 1));
      Matrix<T> alphas(2, t);
      alphas.row(0).setConstant(T(0.5)), alphas.row(1).setConstant(T(8));
      const Problem<T> pb(Xv, Yv, v.data(), alphas, Solver::cholesky, intercept);
      ThreadPool pool(2);
      RowStatsBuilder<T> b0(p, t, 64), b1(p, t, 64);
      BaseStats<T> base;
      base.build(pb, pool, {&b0, &b1});
      std::vector<std::int32_t> counts(std::size_t(n), 0);
      draw_counts(DrawSpec{Scheme::multinomial, 9, 0}, 2, n, counts.data());
      ComplementPlan<T> plan;
      plan.plan(counts.data(), v.data(), n, p);
      CHECK(plan.complement);
      ComplementPlan<T>* batch[] = {&plan};
      add_batch(pb, base.shift, batch, 1, b0, nullptr);
      Matrix<T> G, R;
      RowVector<T> xmean, ymean;
      CHECK(complement_equations(base, plan, intercept, G, R, xmean, ymean));
      {  // without the extra rows' squares (no yy asked): the same equations, bit for bit
        ComplementPlan<T> bare;
        bare.plan(counts.data(), v.data(), n, p);
        ComplementPlan<T>* one[] = {&bare};
        add_batch(pb, base.shift, one, 1, b0, nullptr, false);
        Matrix<T> G2, R2;
        RowVector<T> xm2, ym2;
        CHECK(complement_equations(base, bare, intercept, G2, R2, xm2, ym2));
        using Lower = Eigen::TriangularView<Matrix<T>, Eigen::Lower>;
        CHECK(Matrix<T>(Lower(G2)) == Matrix<T>(Lower(G)) && R2 == R && xm2 == xmean && ym2 == ymean);
        CHECK(t < kTargetVectorMin || bare.extra.syy.isZero(0));  // many targets: the kernel skipped them
      }
      // Dense in double over the rows of the replicate, centred at its weighted means.
      std::vector<Index> in, out;
      std::vector<double> win, wout;
      for (Index i = 0; i < n; ++i) {
        if (!(v(i) > 0)) continue;
        if (counts[std::size_t(i)] > 0)
          in.push_back(i), win.push_back(double(counts[std::size_t(i)]) * double(v(i)));
        else out.push_back(i), wout.push_back(double(v(i)));
      }
      const Data dt{X.template cast<double>(), Y.template cast<double>(), d.v};
      const DenseStats raw = dense_stats(dt, in, win, VectorD::Zero(p), VectorD::Zero(t));
      const VectorD xbar = intercept ? VectorD(raw.a / raw.wsum) : VectorD::Zero(p);
      const VectorD ybar = intercept ? VectorD(raw.c / raw.wsum) : VectorD::Zero(t);
      const DenseStats ref = dense_stats(dt, in, win, xbar, ybar);
      // The complement adds three sums of magnitudes up to the total's: n eps times the
      // magnitudes about the shift, with room to spare.
      const VectorD sx = base.shift.x.transpose().template cast<double>();
      const VectorD sy = base.shift.y.transpose().template cast<double>();
      std::vector<Index> all;
      std::vector<double> wall;
      for (Index i = 0; i < n; ++i)
        if (v(i) > 0) all.push_back(i), wall.push_back(double(v(i)) * (1.0 + counts[std::size_t(i)]));
      const DenseStats mag = dense_stats(dt, all, wall, sx, sy, true);
      const double e = 8 * double(n) * std::numeric_limits<T>::epsilon();
      for (Index j = 0; j < p; ++j) {
        for (Index i = j; i < p; ++i) CHECK_CLOSE(G(i, j), ref.G(i, j), e * std::sqrt(mag.G(i, i) * mag.G(j, j)));
        for (Index u = 0; u < t; ++u) CHECK_CLOSE(R(j, u), ref.R(j, u), e * std::sqrt(mag.G(j, j) * mag.syy(u)));
        CHECK_CLOSE(xmean(j), xbar(j), e * (std::abs(xbar(j)) + mag.absx(j) / raw.wsum));
      }
      for (Index u = 0; u < t; ++u)
        CHECK_CLOSE(ymean(u), ybar(u), e * (std::abs(ybar(u)) + mag.absy(u) / raw.wsum));
      // The out-of-bag statistics are those of the rows drawn 0 times, weights v.
      const DenseStats oref = dense_stats(dt, out, wout, sx, sy);
      CHECK_CLOSE(plan.out.wsum, oref.wsum, 1e-12 * oref.wsum);
      for (Index u = 0; u < t; ++u) CHECK_CLOSE(plan.out.syy(u), oref.syy(u), e * oref.syy(u));
      // Out-of-bag sums for a fit (W, b): from statistics against every row predicted.
      Matrix<T> W(p, pb.kt());
      Vector<T> b(pb.kt());
      check::Uniform rand(8);
      for (Index c = 0; c < pb.kt(); ++c) {
        for (Index j = 0; j < p; ++j) W(j, c) = T(rand());
        b(c) = T(4.0 * rand());
      }
      std::vector<double> sums(std::size_t(kReplicateStatCount * pb.kt()));
      Matrix<T> GW;
      oob_sums_from_stats(pb, base.shift, plan.out, W, b, kReplicateStatCount, sums.data(), GW);
      for (Index c = 0; c < pb.kt(); ++c) {
        const Index u = c % t;
        double ref_sums[kReplicateStatCount] = {}, scale = 0, yscale = 0;
        for (std::size_t q = 0; q < out.size(); ++q) {
          const Index i = out[q];
          const double y = double(Y(i, u)),
                       yhat = double(b(c)) + dt.X.row(i).dot(W.col(c).template cast<double>());
          const double vals[] = {1, (y - yhat) * (y - yhat), y, y * y, yhat, yhat * yhat, y * yhat};
          for (int s = 0; s < kReplicateStatCount; ++s) ref_sums[s] += wout[q] * vals[s];
          // What the statistics' rounding scales with: the terms about the shift.
          const double dyhat =
              (dt.X.row(i).transpose() - sx).cwiseAbs().dot(W.col(c).template cast<double>().cwiseAbs());
          const double h = std::abs(double(b(c)) + sx.dot(W.col(c).template cast<double>()) - sy(u));
          scale += wout[q] * std::pow(std::abs(y - sy(u)) + dyhat + h, 2);
          yscale += wout[q] * (std::abs(y) + std::abs(yhat)) * (std::abs(y) + std::abs(yhat));
        }
        const double tol = 4 * e * (scale + yscale);
        for (int s = 0; s < kReplicateStatCount; ++s)
          CHECK_CLOSE(sums[std::size_t(s * pb.kt() + c)], ref_sums[s], s == 1 ? 4 * e * scale : tol);
      }
    }
  }
}

// The base's shift: the weighted mean of a sample of the rows, within a quarter of
// a standard deviation of every column's mean, so the sums of all rows take one pass
// over the data; where the sample misleads (a column's outliers on exactly the rows
// it reads), the sums are taken again about the exact two-pass means. Either way a
// gives the exact means: shift + a / wsum.
void test_base_shift() {
  const Index n = 4 * BaseStats<double>::kShiftSample, p = 3, t = 2;
  for (const bool misleading : {false, true}) {
    check::Scope scope(misleading ? "base shift, misleading sample" : "base shift");
    Data d = make_data(n, p, t, 21);
    d.v.setOnes();  // the sample reads every fourth row
    if (misleading)
      for (Index i = 0; i < n; ++i) d.X(i, 2) = i % 4 == 0 ? 1000.0 : 0.0;
    const ConstView<double> Xv(d.X.data(), n, p, Strides(p, 1)), Yv(d.Y.data(), n, t, Strides(t, 1));
    const Problem<double> pb(Xv, Yv, d.v.data(), MatrixD::Constant(1, t, 1.0), Solver::cholesky, true);
    ThreadPool pool(2);
    RowStatsBuilder<double> b0(p, t, 64), b1(p, t, 64);
    BaseStats<double> base;
    base.build(pb, pool, {&b0, &b1});
    RowGather<double> gather(Xv, Yv, true);
    gather.select(d.v.data());
    RowVector<double> xmean, ymean;
    gather.means(n, true, xmean, ymean);
    const double W = double(n);
    for (Index j = 0; j < p + t; ++j) {
      const bool x = j < p;
      const double shift = x ? base.shift.x(j) : base.shift.y(j - p), mean = x ? xmean(j) : ymean(j - p);
      const double a = x ? base.all.a(j) : base.all.c(j - p), sq = x ? base.all.G(j, j) : base.all.syy(j - p);
      const double sd = std::sqrt(sq / W - (a / W) * (a / W));
      CHECK_CLOSE(shift + a / W, mean, 1e-13 * (std::abs(mean) + sd));
      if (misleading) CHECK(shift == mean);  // the exact means, bit for bit
      else CHECK(shift != mean && std::abs(shift - mean) <= sd / 4);  // the sample's, near them
    }
  }
}

// A batch's statistics have the same bits for any row block of add_batch: a
// replicate's rows are added in row order however the blocks split them.
void test_batch_blocks() {
  const Index n = 300, p = 7, t = 20;
  check::Scope scope("add_batch blocks");
  const Data d = make_data(n, p, t, 3);
  const ConstView<double> Xv(d.X.data(), n, p, Strides(p, 1)), Yv(d.Y.data(), n, t, Strides(t, 1));
  const Problem<double> pb(Xv, Yv, d.v.data(), MatrixD::Constant(1, t, 1.0), Solver::cholesky, true);
  ThreadPool pool(1);
  RowStatsBuilder<double> builder(p, t, 64);
  BaseStats<double> base;
  base.build(pb, pool, {&builder});
  std::vector<std::vector<RowStats<double>>> runs;
  for (const Index block : {Index(0), Index(1), Index(7), Index(64), Index(1000)}) {
    std::vector<ComplementPlan<double>> plans(3);
    ComplementPlan<double>* batch[3];
    for (std::size_t b = 0; b < plans.size(); ++b) {
      std::vector<std::int32_t> counts(std::size_t(n), 0);
      draw_counts(DrawSpec{Scheme::multinomial, 5, 0}, b, n, counts.data());
      plans[b].plan(counts.data(), d.v.data(), n, p);
      CHECK(plans[b].complement);
      batch[b] = &plans[b];
    }
    add_batch(pb, base.shift, batch, 3, builder, nullptr, true, block);
    runs.emplace_back();
    for (const auto& pl : plans) runs.back().push_back(pl.out), runs.back().push_back(pl.extra);
  }
  const auto same = [](const RowStats<double>& a, const RowStats<double>& b) {
    return a.G == b.G && a.R == b.R && a.xsum == b.xsum && a.ysum == b.ysum && a.syy == b.syy &&
           a.wsum == b.wsum && a.count == b.count;
  };
  for (std::size_t r = 1; r < runs.size(); ++r)
    for (std::size_t s = 0; s < runs[0].size(); ++s) CHECK(same(runs[r][s], runs[0][s]));
  CHECK(batch_block_rows(n, p, t) == n);                         // one block here
  CHECK(batch_block_rows(20000, 50, 1000) == (1 << 20) / 1050);  // many targets: ~1000 rows
}

// Everything a run writes that the batch size or the thread count could change.
struct Run {
  std::vector<double> coefs, intercepts, ref, coef_sum, coef_sumsq, intercept_sum, intercept_sumsq, loss, mse,
      stats;
  std::vector<std::int64_t> count, counters;
  Run(Index B, Index n, Index k, Index p, Index t)
      : coefs(B * k * p * t),
        intercepts(B * k * t),
        ref(k * p * t + k * t),
        coef_sum(k * p * t),
        coef_sumsq(k * p * t),
        intercept_sum(k * t),
        intercept_sumsq(k * t),
        loss(n * k * t),
        mse(k * t),
        stats(B * kReplicateStatCount * k * t),
        count(n),
        counters(3) {}
  EngineOutputs<double> outputs(Index kpt) {
    EngineOutputs<double> o;
    o.coefs = coefs.data(), o.intercepts = intercepts.data(), o.ref_coef = ref.data(),
    o.ref_intercept = ref.data() + kpt;
    o.coef_sum = coef_sum.data(), o.coef_sumsq = coef_sumsq.data(), o.intercept_sum = intercept_sum.data(),
    o.intercept_sumsq = intercept_sumsq.data();
    o.oob_loss = loss.data(), o.oob_count = count.data(), o.oob_mse_sum = mse.data(),
    o.oob_replicates = &counters[0];
    o.replicate_stats = stats.data(), o.n_valid = &counters[1], o.n_fallback = &counters[2];
    return o;
  }
  bool operator==(const Run& o) const {
    return coefs == o.coefs && intercepts == o.intercepts && coef_sum == o.coef_sum &&
           coef_sumsq == o.coef_sumsq && intercept_sum == o.intercept_sum &&
           intercept_sumsq == o.intercept_sumsq && loss == o.loss && mse == o.mse && stats == o.stats &&
           count == o.count && counters == o.counters;
  }
};

// The engine's bits for batches of 1, 3 and 16 replicates per pass and 1 or 2
// threads, for few and many targets; the per-replicate out-of-bag sums agree with
// predicting every row (a replicate the complement cannot form is formed directly).
void test_engine_batches() {
  for (const auto& [n, p, t] : {std::tuple<Index, Index, Index>{200, 8, 2}, {150, 5, 20}}) {
    check::Scope scope(check::fmt("engine batches n=%d p=%d t=%d", int(n), int(p), int(t)));
    const Data d = make_data(n, p, t, 7);
    const ConstView<double> Xv(d.X.data(), n, p, Strides(p, 1)), Yv(d.Y.data(), n, t, Strides(t, 1));
    MatrixD alphas(3, t);
    alphas.row(0).setConstant(0.1), alphas.row(1).setConstant(2.0), alphas.row(2).setConstant(30.0);
    const Problem<double> pb(Xv, Yv, d.v.data(), alphas, Solver::eigh, true);
    const Index B = 40, kpt = pb.kt() * p;
    std::vector<Run> runs;
    for (const auto& [threads, batch] : {std::pair{1, 1}, std::pair{1, 16}, std::pair{2, 3}, std::pair{2, 16}}) {
      runs.emplace_back(B, n, pb.k(), p, t);
      EngineRequest req;
      req.n_boot = B, req.n_threads = threads, req.batch = batch, req.draw = DrawSpec{Scheme::multinomial, 4, 0};
      req.keep_coefs = req.moments = req.oob_rows = req.oob_mse = req.replicate_stats = true;
      BootstrapEngine<double>(pb, req, nullptr, runs.back().outputs(kpt)).run();
    }
    for (std::size_t r = 1; r < runs.size(); ++r) CHECK(runs[r] == runs[0]);
    // Per-replicate sums against the predictions of the kept coefficients.
    const Run& r = runs[0];
    std::vector<std::int32_t> counts(static_cast<std::size_t>(n));
    for (Index b = 0; b < B; ++b) {
      draw_counts(DrawSpec{Scheme::multinomial, 4, 0}, std::uint64_t(b), n, counts.data());
      for (Index c = 0; c < pb.kt(); ++c) {
        const Index a = c / t, u = c % t;
        double sv = 0, se = 0, scale = 0;
        for (Index i = 0; i < n; ++i) {
          if (counts[std::size_t(i)] != 0 || !(d.v(i) > 0)) continue;
          double yhat = r.intercepts[std::size_t(b * pb.kt() + c)];
          for (Index j = 0; j < p; ++j)
            yhat += d.X(i, j) * r.coefs[std::size_t(((b * pb.k() + a) * p + j) * t + u)];
          sv += d.v(i);
          se += d.v(i) * (d.Y(i, u) - yhat) * (d.Y(i, u) - yhat);
          scale += d.v(i) * (d.Y(i, u) - 5) * (d.Y(i, u) - 5);
        }
        const double* st = &r.stats[std::size_t(b * kReplicateStatCount * pb.kt())];
        CHECK_CLOSE(st[c], sv, 1e-12 * sv);
        CHECK_CLOSE(st[pb.kt() + c], se, 1e-12 * (se + scale));
      }
    }
  }
}

}  // namespace

// A plan's row lists, in-bag count and weight against the rule written out with
// branches; a plan reusing a longer plan's buffers keeps none of its rows.
void test_plan_lists() {
  for (const Index n : {40, 7}) {
    check::Scope scope(check::fmt("plan n=%d", int(n)));
    std::vector<std::int32_t> counts(static_cast<std::size_t>(n));
    std::vector<double> v(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i)
      counts[std::size_t(i)] = std::int32_t((i * 7) % 5 % 4),
      v[std::size_t(i)] = (i % 6 == 1) ? 0.0 : 0.5 + double(i % 3);
    static ComplementPlan<double> plan;  // the second n reuses the first's buffers
    plan.plan(counts.data(), v.data(), n, 2);
    std::vector<Index> outs, extras;
    std::vector<double> out_w, extra_w;
    Index in = 0;
    double weight = 0;
    for (Index i = 0; i < n; ++i) {
      const std::int32_t c = counts[std::size_t(i)];
      const double vi = v[std::size_t(i)];
      if (!(vi > 0)) continue;
      if (c == 0) outs.push_back(i), out_w.push_back(vi);
      if (c > 1) extras.push_back(i), extra_w.push_back(double(c - 1) * vi);
      if (c > 0) ++in, weight += double(c) * vi;
    }
    CHECK(plan.out_rows.size == outs.size() && plan.extra_rows.size == extras.size());
    for (std::size_t q = 0; q < outs.size(); ++q)
      CHECK(plan.out_rows.index[q] == outs[q] && plan.out_rows.weight[q] == out_w[q]);
    for (std::size_t q = 0; q < extras.size(); ++q)
      CHECK(plan.extra_rows.index[q] == extras[q] && plan.extra_rows.weight[q] == extra_w[q]);
    CHECK(plan.in_count == in && plan.in_weight == weight);
  }
}

int main() {
  test_plan_lists();
  test_row_stats<double>();
  test_row_stats<float>();
  test_complement<double>();
  test_complement<float>();
  test_base_shift();
  test_batch_blocks();
  test_engine_batches();
  return check::summary("test_stats");
}
