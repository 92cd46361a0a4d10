// The bootstrap engine: B weighted refits on a pool of threads.
//
// Replicates are processed in waves. Phase A fits each replicate of the wave
// (any thread, own scratch). Phase B folds the wave into the running sums --
// coefficient moments and per-row out-of-bag losses -- split by coefficient
// range and by row block.
//
// Summation order is fixed by the replicate index alone: replicates form chunks
// of kSumChunk consecutive indices (b / kSumChunk); each chunk is summed from
// zero in replicate order, then added to the total, chunks in order. Waves hold
// whole chunks, so every output is bit-identical for any thread count and wave
// size; and a run split into blocks of whole chunks (first = a multiple of
// kSumChunk, chunk_sums = true: one sum per chunk instead of the total) lets
// another machine add the chunk sums in order and get the same bits (Dask).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "complement.hpp"
#include "cv.hpp"
#include "dual.hpp"
#include "engine_request.hpp"
#include "fitter.hpp"
#include "oob.hpp"
#include "problem.hpp"
#include "rng.hpp"
#include "sparse.hpp"
#include "thread_pool.hpp"

namespace ridgeboot {

template <class T>
class BootstrapEngine {
 public:
  static constexpr Index kRowBlock = 256;      // rows per out-of-bag block
  static constexpr Index kCoefBlock = 4096;    // coefficients per moment block

  // `counts` (n_boot, n): explicit draws (k-fold, hold-out), or nullptr to draw them.
  // `sparse`: X as a CSR matrix (sparse.hpp; the problem's X is then shape_only):
  // each replicate forms the Gram of its sparse rows, same draws and sums.
  // With req.select, `pb` holds the grid to choose from and the outputs have k = 1.
  BootstrapEngine(Problem<T> pb, const EngineRequest& req, const std::int32_t* counts, const EngineOutputs<T>& out,
                  const CsrView<T>* sparse = nullptr)
      : pb_(output_problem(pb, req)),
        grid_(std::move(pb)),
        cfg_(req),
        counts_(counts),
        out_(out),
        pool_(std::max(1, req.n_threads)),
        sparse_(sparse ? *sparse : CsrView<T>{}) {
    if (is_sparse() && selecting()) throw std::invalid_argument("select= does not take a sparse X");
    if (is_sparse() && req.check_finite) throw std::invalid_argument("check_finite reads a dense X");
    pb_.svd_fallback = req.svd_fallback;
    if (req.first < 0 || req.first % kSumChunk != 0)
      throw std::invalid_argument("first replicate must be a non-negative multiple of " +
                                  std::to_string(kSumChunk));
    if (req.n_boot < 1) throw std::invalid_argument("n_boot must be >= 1");
    if (std::uint64_t(req.first + req.n_boot) > kMaxReplicates + 1)
      throw std::invalid_argument("first + n_boot must be <= 2^32");
    out.check(req);
    const Index n = pb_.n(), p = pb_.p(), t = pb_.t(), kt = pb_.kt();
    n_row_blocks_ = (n + kRowBlock - 1) / kRowBlock;
    n_stats_ = out.replicate_stats ? kReplicateStatCount : 2;
    // Primal replicates in complement form (complement.hpp), except for the
    // SVD, which factors the rows themselves, and wide problems (shared kernel).
    // Selection by GCV reads its normal equations from the complement form too;
    // leave-one-out needs every in-bag row (its leverages).
    complement_ = pb_.solver != Solver::svd && p <= n && !is_sparse() && cfg_.select != Selection::loo;
    batch_ = !complement_ ? 1 : req.batch > 0 ? std::min<Index>(req.batch, kMaxBatch) : batch_size<T>(n, p, t);
    wave_ = req.wave > 0 ? req.wave : automatic_wave();
    wave_ = (wave_ + kSumChunk - 1) / kSumChunk * kSumChunk;  // whole chunks
    slots_.resize(std::size_t(std::min(wave_, std::max<Index>(req.n_boot, 1))));
    for (auto& s : slots_) {
      s.counts.resize(std::size_t(n));
      s.b.resize(kt);
      if (req.needs_oob()) s.totals.resize(n_stats_ * kt);
    }
    // Wide problems: one kernel for all replicates (see Fitter::use_kernel).
    if (p > n && pb_.solver != Solver::svd && !is_sparse() && !selecting())
      kernel_.build(pb_.X, pb_.intercept, pool_);
    std::vector<RowStatsBuilder<T>*> builders;
    for (int w = 0; w < pool_.size(); ++w) {
      workers_.push_back(std::make_unique<Worker>(pb_));
      auto& wk = *workers_.back();
      if (kernel_.K.size()) wk.fitter.use_kernel(&kernel_);
      if (is_sparse()) wk.sparse = std::make_unique<SparseFitter<T>>(sparse_, pb_);
      wk.weights.resize(n);
      wk.W.resize(p, kt);
      if (selecting()) wk.selector = std::make_unique<ClosedFormCv<T>>(grid_);
      if (complement_) {
        wk.builder = std::make_unique<RowStatsBuilder<T>>(p, t, std::min(n, stats_panel_rows(p, t)));
        wk.plans.resize(std::size_t(batch_));
        builders.push_back(wk.builder.get());
      }
      if (req.needs_oob()) {
        wk.Xo.resize(kRowBlock, p);
        wk.P.resize(kRowBlock, kt);
        wk.yrow.resize(t);
        if (out.oob_loss) wk.loss.resize(kRowBlock, kt);
      }
    }
    const bool summed = complement_;
    if (complement_) {
      base_.build(pb_, pool_, builders);
      complement_ = base_.all.in_range();  // else every replicate rescales itself (Fitter::fit)
      if (!complement_) batch_ = 1;
    }
    // NaN or infinity in X or Y (request.check_finite) raises NonFiniteInput. The sums of
    // all rows hold it where they were formed (the square of such a value is not finite):
    // the values are then read again only when those sums are not finite, and in the rows
    // of weight zero, which the sums skip. The many-targets bootstrap (n=20000, 1000
    // targets) saves a pass over 160 MB: 0.991x the time.
    const bool sums_finite = summed && base_.all.squares_finite();
    const auto unsummed = [&](Index i) {
      return !sums_finite || (pb_.base_weight && !(pb_.base_weight[i] > T(0)));
    };
    if (req.check_finite && !rows_finite(pb_, pool_, unsummed))
      throw NonFiniteInput("X or y contains NaN or infinity");
    if (cfg_.fit_reference) fit_reference();
  }

  // Runs all replicates. `poll(done)` is called between work items on the
  // calling thread; returning false stops the run (throws Cancelled).
  void run(const std::function<bool(Index)>& poll = {}) {
    if (reference_fell_back_) return;  // see fit_reference
    std::atomic<Index> done{0};
    const std::function<bool()> tick = [&] { return poll ? poll(done.load()) : true; };
    const Index B = cfg_.n_boot;
    for (Index start = 0; start < B; start += wave_) {
      const Index count = std::min(wave_, B - start);
      // Batches of about count / threads replicates (at most batch_), so every thread gets work.
      const Index threads = pool_.size(), size = std::min(batch_, (count + threads - 1) / threads);
      pool_.run((count + size - 1) / size,
                [&](Index item, int worker) {
                  const Index s0 = item * size, s1 = std::min(count, s0 + size);
                  fit_batch(start, s0, s1, *workers_[std::size_t(worker)], worker == 0 ? &tick : nullptr);
                  done.fetch_add(s1 - s0);
                },
                tick);
      fold_wave(start, count, tick);
    }
  }

 private:
  struct Slot {
    std::vector<std::int32_t> counts;  // (n)
    Matrix<T> W;                       // (p, k*t) when the fold reads it (fold_reads_W), else empty
    Vector<T> b;                       // (k*t)
    Matrix<double> partial;            // (stats*k*t, row blocks) out-of-bag sums per row block (row route)
    Vector<double> totals;             // (stats*k*t) out-of-bag sums (kReplicateStats order)
    bool has_totals = false;           // totals from the out-of-bag statistics (else: from partial)
    bool valid = true;                 // the draw has a positive-weight row
    bool fell_back = false;            // redone by SVD
  };
  struct Worker {
    explicit Worker(const Problem<T>& pb) : fitter(pb) {}
    Fitter<T> fitter;
    std::unique_ptr<SparseFitter<T>> sparse;  // sparse X: fits from the Gram of the sparse rows
    Vector<T> weights;
    std::unique_ptr<ClosedFormCv<T>> selector;    // select: the replicate's criterion over the grid
    Matrix<double> scores, dof;                   // select: (k, t) each
    std::vector<Index> chosen;                    // select: (t) grid rows
    Matrix<T> alphas;                             // select: (1, t) the chosen alphas
    Vector<double> yy;                            // select by GCV in complement form: (t)
    std::unique_ptr<RowStatsBuilder<T>> builder;  // complement form
    std::vector<ComplementPlan<T>> plans;         // (batch)
    Matrix<T> G, R, GW;                           // normal equations, out-of-bag scratch
    Matrix<T> W;                                  // (p, k*t) a fit the fold does not read again
    RowVector<T> xmean, ymean;
    RowMatrix<T> Xo;  // (kRowBlock, p) gathered out-of-bag rows
    RowMatrix<T> P;   // (kRowBlock, k*t) their predictions
    Vector<double> yrow;  // (t) targets of one row
    RowMatrix<double> loss;  // (kRowBlock, k*t) one chunk's out-of-bag losses of a row block
  };

  bool selecting() const { return cfg_.select != Selection::none; }
  // The fold predicts the replicate's out-of-bag rows: per-row sums asked, or no statistics.
  bool predicts_rows(const Slot& s) const { return s.valid && (cfg_.oob_rows || !s.has_totals); }
  // The fold reads W: the moments without kept coefficients, or the rows predicted.
  bool fold_reads_W(const Slot& s) const {
    return (cfg_.moments && !out_.coefs) || (cfg_.needs_oob() && predicts_rows(s));
  }

  // Calls f(s0, s1, chunk) for each summation chunk of a wave: slots s0 .. s1 - 1,
  // `chunk` counted from this run's first (waves start on chunk boundaries).
  template <class F>
  static void for_each_chunk(Index start, Index count, F&& f) {
    for (Index s0 = 0; s0 < count; s0 += kSumChunk)
      f(s0, std::min(count, s0 + kSumChunk), (start + s0) / kSumChunk);
  }
  // Offset of chunk `chunk`'s sums in an output of `size` doubles per sum.
  Index chunk_offset(Index chunk, Index size) const { return cfg_.chunk_sums ? chunk * size : 0; }

  Index automatic_wave() const {
    // Enough replicates per wave to keep every thread busy between the folds, within ~128 MiB
    // of wave buffers; up to 128 a thread (2000 x 100, B=500: 2 waves, not 8: 0.987x the time).
    const double oob = !cfg_.needs_oob() ? 0 : complement_ ? 1 : double(n_row_blocks_);
    const double per_slot =
        double(pb_.n()) * 4 + double(pb_.p() + 1) * pb_.kt() * sizeof(T) + double(n_stats_) * pb_.kt() * 8 * oob;
    const Index budget = Index(128.0 * (1 << 20) / std::max(per_slot, 1.0));
    return std::clamp<Index>(budget, pool_.size(), 128 * pool_.size());  // rounded up to a chunk
  }

  // Slots s0 .. s1 - 1 of the wave starting at replicate `start`: their draws,
  // one pass over the rows for those in complement form, then their fits.
  // `poll`: between row blocks (the calling thread only).
  void fit_batch(Index start, Index s0, Index s1, Worker& wk, const std::function<bool()>* poll) {
    const Index n = pb_.n();
    ComplementPlan<T>* batch[kMaxBatch];
    Index m = 0;
    for (Index s = s0; s < s1; ++s) {
      auto& slot = slots_[std::size_t(s)];
      const Index b = start + s;
      if (counts_) std::copy(counts_ + b * n, counts_ + (b + 1) * n, slot.counts.begin());
      else draw_counts(cfg_.draw, std::uint64_t(cfg_.first + b), n, slot.counts.data());
      if (!complement_) continue;
      auto& plan = wk.plans[std::size_t(s - s0)];
      plan.plan(slot.counts.data(), pb_.base_weight, n, pb_.p());
      if (plan.complement) batch[m++] = &plan;
    }
    if (m) add_batch(pb_, base_.shift, batch, m, *wk.builder, poll, cfg_.select == Selection::gcv);
    for (Index s = s0; s < s1; ++s)
      fit_replicate(start + s, slots_[std::size_t(s)], wk, complement_ ? &wk.plans[std::size_t(s - s0)] : nullptr);
  }

  // Replicate cfg.first + b (drawn, and planned when `plan`), into slot.
  void fit_replicate(Index b, Slot& slot, Worker& wk, const ComplementPlan<T>* plan) {
    const Index n = pb_.n();
    const std::int32_t* counts = slot.counts.data();
    for (Index i = 0; i < n; ++i) wk.weights(i) = T(counts[i]) * (pb_.base_weight ? pb_.base_weight[i] : T(1));
    // A replicate can draw no row of positive weight (few Poisson blocks, sparse
    // sample weights): it has no fit; it is skipped by every sum and its kept
    // coefficients are NaN. Whether this happens depends on the draw alone.
    slot.valid = (wk.weights.array() > T(0)).any();
    const bool complement = plan && plan->complement;
    slot.has_totals = slot.valid && complement && cfg_.needs_oob() && plan->out.in_range();
    // A fit the fold does not read again stays in the worker's W, in cache: the
    // slots' would be faulted in afresh by every call (80 MB with many targets).
    Matrix<T>& W = fold_reads_W(slot) ? slot.W : wk.W;
    W.resize(pb_.p(), pb_.kt());
    if (!slot.valid) {
      W.setConstant(std::numeric_limits<T>::quiet_NaN());
      slot.b.setConstant(std::numeric_limits<T>::quiet_NaN());
      if (selecting()) std::fill_n(out_.alpha_index + b * pb_.t(), pb_.t(), -1);
    } else if (selecting()) {
      select_replicate(b, slot, W, wk, complement ? plan : nullptr);
    } else if (complement && complement_equations(base_, *plan, pb_.intercept, wk.G, wk.R, wk.xmean, wk.ymean)) {
      wk.fitter.fit_normal(wk.weights.data(), wk.G, wk.R, wk.xmean, wk.ymean, plan->in_count, W, slot.b);
    } else if (wk.sparse) {
      wk.sparse->fit(wk.weights.data(), W, slot.b);
    } else {
      wk.fitter.fit(wk.weights.data(), W, slot.b);
    }
    if (slot.has_totals)
      oob_sums_from_stats(pb_, base_.shift, plan->out, W, slot.b, n_stats_, slot.totals.data(), wk.GW);
    else if (cfg_.needs_oob()) slot.partial.setZero(n_stats_ * pb_.kt(), n_row_blocks_);
    const bool fitter_ran = !selecting() || pb_.solver == Solver::cholesky || pb_.solver == Solver::svd;
    slot.fell_back =
        slot.valid && fitter_ran && (wk.sparse ? wk.sparse->solver_used() : wk.fitter.solver_used()) != pb_.solver;
    if (out_.coefs)
      store_fit(W, slot.b, pb_.k(), pb_.t(), out_.coefs + b * pb_.kt() * pb_.p(), out_.intercepts + b * pb_.kt());
  }

  // The fit on all rows, the moments' reference (request.fit_reference): in complement
  // form from the sums of all rows (base_), its normal equations, with no pass over the
  // data; else by the Fitter, as rb.ridge. Should the SVD have redone it, no replicate
  // runs (reference_fit says so): the caller reruns them all by the SVD, about it.
  void fit_reference() {
    if (is_sparse()) throw std::invalid_argument("fit_reference needs a dense X");
    auto& wk = *workers_.front();
    auto& slot = slots_.front();
    bool normal = false;
    if (complement_) {
      ComplementPlan<T> all;
      all.every_row_once(base_.all);
      normal = complement_equations(base_, all, pb_.intercept, wk.G, wk.R, wk.xmean, wk.ymean);
      if (normal) wk.fitter.fit_normal(nullptr, wk.G, wk.R, wk.xmean, wk.ymean, all.in_count, wk.W, slot.b);
    }
    if (!normal) wk.fitter.fit(nullptr, wk.W, slot.b, &pool_);
    store_fit(wk.W, slot.b, pb_.k(), pb_.t(), out_.reference_coef, out_.reference_intercept);
    out_.ref_coef = out_.reference_coef;
    out_.ref_intercept = out_.reference_intercept;
    cfg_.coef_scale = power_of_two_scale(wk.W);
    cfg_.intercept_scale = power_of_two_scale(slot.b);
    reference_fell_back_ = wk.fitter.solver_used() != pb_.solver;
    const double info[kReferenceFitCount] = {wk.fitter.condition_bound(), double(reference_fell_back_),
                                             cfg_.coef_scale, cfg_.intercept_scale};
    std::copy(info, info + kReferenceFitCount, out_.reference_fit);
  }

  // A selecting replicate: the criterion for every alpha of the grid on its own
  // weighted rows (one eigendecomposition), the chosen alpha per target, and the
  // fit there -- from the same eigendecomposition (solvers auto and eigh, as
  // ridge_cv with solver="auto"), else refitted by the requested solver.
  // GCV of a replicate in complement form reads no row: its normal equations
  // come from the sums (complement.hpp), as the plain path's do.
  void select_replicate(Index b, Slot& slot, Matrix<T>& W, Worker& wk, const ComplementPlan<T>* plan) {
    const Index t = pb_.t();
    auto& cv = *wk.selector;
    const bool normal = plan && cfg_.select == Selection::gcv &&
                        complement_equations(base_, *plan, pb_.intercept, wk.G, wk.R, wk.xmean, wk.ymean, &wk.yy);
    if (normal) {
      cv.run_gcv_normal(wk.G, wk.R, wk.yy, wk.xmean, wk.ymean, plan->in_count, plan->in_weight, wk.scores, wk.dof);
    } else {
      cv.reweight(wk.weights.data());
      cv.run(cfg_.select == Selection::loo ? CvMethod::loo : CvMethod::gcv, nullptr, {}, wk.scores, wk.dof);
    }
    best_alphas(wk.scores, grid_.alphas, cfg_.select_per_target, wk.chosen);
    std::int32_t* index = out_.alpha_index + b * t;
    for (Index u = 0; u < t; ++u) index[u] = std::int32_t(wk.chosen[std::size_t(u)]);
    if (pb_.solver == Solver::cholesky || pb_.solver == Solver::svd) {
      wk.alphas.resize(1, t);
      for (Index u = 0; u < t; ++u) wk.alphas(0, u) = grid_.alphas(wk.chosen[std::size_t(u)], u);
      wk.fitter.set_alphas(wk.alphas);
      if (normal && pb_.solver == Solver::cholesky)
        wk.fitter.fit_normal(wk.weights.data(), wk.G, wk.R, wk.xmean, wk.ymean, plan->in_count, W, slot.b);
      else wk.fitter.fit(wk.weights.data(), W, slot.b);
      return;
    }
    for (Index u = 0; u < t; ++u) {
      const Index col = wk.chosen[std::size_t(u)] * t + u;
      W.col(u) = cv.coef().col(col).template cast<T>();
      slot.b(u) = T(cv.intercept()(col));
    }
  }

  // Phase B: fold replicates start..start+count-1 into the running sums.
  void fold_wave(Index start, Index count, const std::function<bool()>& tick) {
    const Index kpt = pb_.k() * pb_.p() * pb_.t(), kt = pb_.kt();
    const Index coef_items = cfg_.moments ? (kpt + kt + kCoefBlock - 1) / kCoefBlock : 0;
    // Rows are visited for the per-row losses, and for replicates without out-of-bag statistics.
    bool rows = cfg_.oob_rows;
    for (Index s = 0; s < count && !rows; ++s)
      rows = slots_[std::size_t(s)].valid && !slots_[std::size_t(s)].has_totals;
    const Index row_items = cfg_.needs_oob() && rows ? n_row_blocks_ : 0;
    pool_.run(
        coef_items + row_items,
        [&](Index item, int worker) {
          if (item < coef_items) fold_moments(item, start, count);
          else fold_oob_rows(item - coef_items, start, count, *workers_[std::size_t(worker)]);
        },
        tick);
    for (Index s = 0; s < count; ++s) {
      *out_.n_valid += slots_[std::size_t(s)].valid;
      *out_.n_fallback += slots_[std::size_t(s)].fell_back;
    }
    if (!cfg_.needs_oob()) return;
    // Per-replicate out-of-bag sums: row blocks added in block order.
    Vector<double> total(n_stats_ * kt), mse(kt);
    for_each_chunk(start, count, [&](Index s0, Index s1, Index chunk) {
      mse.setZero();
      for (Index s = s0; s < s1; ++s) {
        const auto& slot = slots_[std::size_t(s)];
        if (slot.has_totals) {
          total = slot.totals;
        } else if (!slot.valid) {
          total.setZero();
        } else {
          total = slot.partial.col(0);
          for (Index blk = 1; blk < n_row_blocks_; ++blk) total += slot.partial.col(blk);
        }
        if (out_.replicate_stats) {
          double* dst = out_.replicate_stats + (start + s) * kReplicateStatCount * kt;
          for (Index q = 0; q < kReplicateStatCount * kt; ++q) dst[q] = total(q);
        }
        if (total(0) > 0 && out_.oob_mse_sum) {
          for (Index c = 0; c < kt; ++c) mse(c) += total(kt + c) / total(c);
          ++*out_.oob_replicates;
        }
      }
      if (out_.oob_mse_sum) {
        double* dst = out_.oob_mse_sum + chunk_offset(chunk, kt);
        for (Index c = 0; c < kt; ++c) dst[c] += mse(c);
      }
    });
  }

  // Moments of (w_b - ref): coefficients e < k*p*t in (k, p, t) order, then intercepts.
  void fold_moments(Index item, Index start, Index count) {
    const Index k = pb_.k(), p = pb_.p(), t = pb_.t(), kpt = k * p * t;
    const Index e0 = item * kCoefBlock, e1 = std::min(kpt + k * t, e0 + kCoefBlock);
    for (Index e = e0; e < e1; ++e) {
      const bool is_coef = e < kpt;
      const Index a = is_coef ? e / (p * t) : (e - kpt) / t, j = is_coef ? (e / t) % p : 0, u = e % t;
      const T* ref = is_coef ? out_.ref_coef + e : out_.ref_intercept + (e - kpt);
      const double scale = is_coef ? cfg_.coef_scale : cfg_.intercept_scale;
      for_each_chunk(start, count, [&](Index s0, Index s1, Index chunk) {
        double sum = 0, sumsq = 0;
        for (Index s = s0; s < s1; ++s) {
          const auto& slot = slots_[std::size_t(s)];
          if (!slot.valid) continue;
          // the kept coefficients hold W in this (k, p, t) order: read along them, not across W's columns
          const T w = !is_coef     ? slot.b(a * t + u)
                      : out_.coefs ? out_.coefs[(start + s) * kpt + e]
                                   : slot.W(j, a * t + u);
          const double d = (double(w) - double(*ref)) * scale;
          sum += d;
          sumsq += d * d;
        }
        const Index off = is_coef ? chunk_offset(chunk, kpt) + e : chunk_offset(chunk, k * t) + e - kpt;
        (is_coef ? out_.coef_sum : out_.intercept_sum)[off] += sum;
        (is_coef ? out_.coef_sumsq : out_.intercept_sumsq)[off] += sumsq;
      });
    }
  }

  // Out-of-bag losses of one row block, replicates in order.
  void fold_oob_rows(Index blk, Index start, Index count, Worker& wk) {
    const Index i0 = blk * kRowBlock, i1 = std::min(pb_.n(), i0 + kRowBlock);
    // A few columns are predicted where the rows lie (predict_row), each row once for
    // all of the chunk's replicates that hold it out: the rows come from memory once
    // a chunk, not once a replicate (the bootstrap, n=2000 p=100, spent 8 % of its time
    // here). Each replicate still adds its rows in row order, each row its replicates
    // in replicate order: the same bits either way.
    const bool in_place = !is_sparse() && pb_.kt() <= kPredictInPlace;
    for_each_chunk(start, count, [&](Index s0, Index s1, Index chunk) {
      if (out_.oob_loss) wk.loss.topRows(i1 - i0).setZero();
      Index predicts[kSumChunk], held[kSumChunk];
      for (Index s = s0; s < s1; ++s) predicts[s - s0] = predicts_rows(slots_[std::size_t(s)]);
      for (Index i = i0; i < i1 && in_place; ++i) {
        if (pb_.base_weight && !(pb_.base_weight[i] > T(0))) continue;
        Index m = 0;  // the replicates holding row i out, listed without a branch (the draws are random)
        for (Index s = s0; s < s1; ++s)
          held[m] = s, m += predicts[s - s0] & Index(slots_[std::size_t(s)].counts[std::size_t(i)] == 0);
        with_row(pb_.X, i, [&](const auto& x) {
          for (Index r = 0; r < m; ++r) {
            predict_row(x, slots_[std::size_t(held[r])].W, wk.P.row(0));
            add_held_out_row(i, i0, slots_[std::size_t(held[r])], wk.P.row(0).data(), wk);
          }
        });
      }
      for (Index s = s0; s < s1 && !in_place; ++s) fold_oob_replicate(i0, i1, slots_[std::size_t(s)], wk);
      if (!out_.oob_loss) return;
      const Index kt = pb_.kt();
      double* dst = out_.oob_loss + chunk_offset(chunk, pb_.n() * kt);
      for (Index i = i0; i < i1; ++i)
        for (Index c = 0; c < kt; ++c) dst[i * kt + c] += wk.loss(i - i0, c);
    });
  }

  // One replicate's out-of-bag rows among i0 .. i1 - 1, gathered for one product
  // with W: its per-replicate sums (slot.partial) and the chunk's per-row losses (wk.loss).
  void fold_oob_replicate(Index i0, Index i1, Slot& slot, Worker& wk) {
    if (!predicts_rows(slot)) return;
    Index held[kRowBlock];
    Index m = 0;
    const std::int32_t* counts = slot.counts.data();
    for (Index i = i0; i < i1; ++i) {  // without a branch: the draws are random
      held[m] = i;
      m += Index(counts[i] == 0 && (!pb_.base_weight || pb_.base_weight[i] > T(0)));
    }
    if (m == 0) return;
    for (Index r = 0; r < m; ++r) {
      if (is_sparse()) sparse_.densify_row(held[r], wk.Xo.row(r));
      else with_row(pb_.X, held[r], [&](const auto& x) { wk.Xo.row(r) = x; });
    }
    wk.P.topRows(m).noalias() = wk.Xo.topRows(m) * slot.W;  // (m, k*t) predictions less intercept
    for (Index r = 0; r < m; ++r) add_held_out_row(held[r], i0, slot, wk.P.row(r).data(), wk);
  }

  // Held-out row i of the row block from i0, predicted `pred` (k*t, less the
  // intercept): its squared errors to the chunk's per-row losses, and the
  // replicate's sums (slot.partial) unless its totals came from the statistics.
  void add_held_out_row(Index i, Index i0, Slot& slot, const T* pred, Worker& wk) {
    const Index t = pb_.t();
    if (out_.oob_count) ++out_.oob_count[i];
    for (Index u = 0; u < t; ++u) wk.yrow(u) = double(pb_.Y(i, u));
    add_oob_row(wk.yrow.data(), pb_.k(), t, pred, slot.b.data(),
                pb_.base_weight ? double(pb_.base_weight[i]) : 1.0,
                out_.oob_loss ? wk.loss.row(i - i0).data() : nullptr,
                slot.has_totals ? nullptr : slot.partial.col(i0 / kRowBlock).data(), int(n_stats_));
  }

  bool is_sparse() const { return sparse_.indptr != nullptr; }

  Problem<T> pb_;  // the outputs' problem (output_problem)
  Problem<T> grid_;  // select: the grid each replicate chooses from (else unused)
  EngineRequest cfg_;
  const std::int32_t* counts_;
  EngineOutputs<T> out_;
  ThreadPool pool_;
  Index n_row_blocks_ = 0, n_stats_ = 2, wave_ = 1, batch_ = 1;
  bool complement_ = false;
  bool reference_fell_back_ = false;  // fit_reference: the SVD redid the fit on all rows
  BaseStats<T> base_;  // complement form: the sums of all rows
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<Worker>> workers_;
  SharedKernel<T> kernel_;  // wide problems: the kernel of all rows, else empty
  CsrView<T> sparse_;  // sparse X, or empty (indptr nullptr)
};

}  // namespace ridgeboot
