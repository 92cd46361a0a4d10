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
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "rng.hpp"
#include "solve.hpp"
#include "thread_pool.hpp"

namespace ridgeboot {

// Per-replicate out-of-bag sums (over held-out rows i, weights v_i = sample weight):
// sum v, sum v e^2, sum v y, sum v y^2, sum v yhat, sum v yhat^2, sum v y yhat.
inline constexpr int kReplicateStats = 7;

// Replicates per summation chunk (see above). Part of the results' definition:
// changing it changes the last bits of every sum.
inline constexpr Index kSumChunk = 16;

struct BootstrapConfig {
  Index first = 0;   // index of the first replicate: this run fits first .. first + n_boot - 1
  Index n_boot = 0;
  bool chunk_sums = false;  // sums get a leading chunk axis (one sum per chunk) instead of totals
  DrawSpec draw;
  const std::int32_t* counts = nullptr;  // (n_boot, n): explicit draws (k-fold, hold-out); else drawn
  int n_threads = 1;
  Index wave = 0;  // replicates per wave, rounded up to whole chunks; 0 = automatic (no effect on results)

  // Chunks this run touches: the leading axis of the sums when chunk_sums.
  Index n_chunks() const { return (first + n_boot + kSumChunk - 1) / kSumChunk - first / kSumChunk; }
};

// Replicate-indexed outputs (coefs, intercepts, replicate_stats) are indexed from
// cfg.first; the double sums carry a leading (chunks) axis when cfg.chunk_sums.
template <class T>
struct BootstrapOutputs {
  T* coefs = nullptr;            // (B, k, p, t) kept coefficients, or nullptr
  T* intercepts = nullptr;       // (B, k, t)
  const T* ref_coef = nullptr;   // (k, p, t) shift for the moments (the full fit), or nullptr
  const T* ref_intercept = nullptr;  // (k, t)
  double* coef_sum = nullptr;    // (k, p, t) sum_b (w_b - ref); with coef_sumsq, or nullptr
  double* coef_sumsq = nullptr;  // (k, p, t) sum_b (w_b - ref)^2
  double* intercept_sum = nullptr;    // (k, t)
  double* intercept_sumsq = nullptr;  // (k, t)
  double* oob_loss = nullptr;    // (n, k, t) sum over replicates leaving row i out of (y - yhat)^2
  std::int64_t* oob_count = nullptr;  // (n) replicates leaving row i out
  double* oob_mse_sum = nullptr;      // (k, t) sum over replicates of their out-of-bag MSE
  std::int64_t* oob_replicates = nullptr;  // (1) replicates with at least one out-of-bag row
  double* replicate_stats = nullptr;  // (B, 7, k, t), see kReplicateStats
  std::int64_t* valid_replicates = nullptr;  // (1) replicates with a positive-weight row

  bool needs_oob() const { return oob_loss || oob_mse_sum || replicate_stats; }
  // Moments need all four of coef_sum, coef_sumsq, intercept_sum, intercept_sumsq and the refs.
  bool needs_moments() const { return coef_sum != nullptr; }
};

template <class T>
class BootstrapEngine {
 public:
  static constexpr Index kRowBlock = 256;      // rows per out-of-bag block
  static constexpr Index kCoefBlock = 4096;    // coefficients per moment block

  BootstrapEngine(const Problem<T>& pb, const BootstrapConfig& cfg, const BootstrapOutputs<T>& out)
      : pb_(pb), cfg_(cfg), out_(out), pool_(std::max(1, cfg.n_threads)) {
    if (cfg.first < 0 || cfg.first % kSumChunk != 0)
      throw std::invalid_argument("first replicate must be a non-negative multiple of " +
                                  std::to_string(kSumChunk));
    const Index n = pb.n(), p = pb.p(), kt = pb.kt();
    n_row_blocks_ = (n + kRowBlock - 1) / kRowBlock;
    n_stats_ = out.replicate_stats ? kReplicateStats : 2;
    wave_ = cfg.wave > 0 ? cfg.wave : automatic_wave();
    wave_ = (wave_ + kSumChunk - 1) / kSumChunk * kSumChunk;  // whole chunks
    slots_.resize(std::size_t(std::min(wave_, std::max<Index>(cfg.n_boot, 1))));
    for (auto& s : slots_) {
      s.counts.resize(std::size_t(n));
      s.W.resize(p, kt);
      s.b.resize(kt);
      if (out.needs_oob()) s.partial.setZero(n_stats_ * kt, n_row_blocks_);
    }
    // Wide problems: one kernel for all replicates (see Fitter::use_kernel).
    if (p > n && pb.solver != Solver::svd) build_kernel();
    for (int w = 0; w < pool_.size(); ++w) {
      workers_.push_back(std::make_unique<Worker>(pb));
      auto& wk = *workers_.back();
      if (kernel_.size()) wk.fitter.use_kernel(&kernel_, &kernel_mean_);
      wk.weights.resize(n);
      if (out.needs_oob()) {
        wk.Xo.resize(kRowBlock, p);
        wk.P.resize(kRowBlock, kt);
        wk.yrow.resize(pb.t());
        if (out.oob_loss) wk.loss.resize(kRowBlock, kt);
      }
    }
  }

  // Runs all replicates. `poll(done)` is called between work items on the
  // calling thread; returning false stops the run (throws Cancelled).
  void run(const std::function<bool(Index)>& poll = {}) {
    std::atomic<Index> done{0};
    const std::function<bool()> tick = [&] { return poll ? poll(done.load()) : true; };
    const Index B = cfg_.n_boot;
    for (Index start = 0; start < B; start += wave_) {
      const Index count = std::min(wave_, B - start);
      pool_.run(count, [&](Index slot, int worker) {
        fit_replicate(start + slot, slots_[std::size_t(slot)], *workers_[std::size_t(worker)]);
        done.fetch_add(1);
      }, tick);
      fold_wave(start, count, tick);
    }
  }

  Index wave() const { return wave_; }

 private:
  struct Slot {
    std::vector<std::int32_t> counts;  // (n)
    Matrix<T> W;                       // (p, k*t)
    Vector<T> b;                       // (k*t)
    Matrix<double> partial;            // (stats*k*t, row blocks) out-of-bag sums per row block
    bool valid = true;                 // the draw has a positive-weight row
  };
  struct Worker {
    explicit Worker(const Problem<T>& pb) : fitter(pb) {}
    Fitter<T> fitter;
    Vector<T> weights;
    RowMatrix<T> Xo;  // (kRowBlock, p) gathered out-of-bag rows
    RowMatrix<T> P;   // (kRowBlock, k*t) their predictions
    Vector<double> yrow;  // (t) targets of one row
    RowMatrix<double> loss;  // (kRowBlock, k*t) one chunk's out-of-bag losses of a row block
  };

  // Calls f(s0, s1, chunk) for each summation chunk of a wave: slots s0 .. s1 - 1,
  // `chunk` counted from this run's first (waves start on chunk boundaries).
  template <class F>
  static void for_each_chunk(Index start, Index count, F&& f) {
    for (Index s0 = 0; s0 < count; s0 += kSumChunk)
      f(s0, std::min(count, s0 + kSumChunk), (start + s0) / kSumChunk);
  }
  // Offset of chunk `chunk`'s sums in an output of `size` doubles per sum.
  Index chunk_offset(Index chunk, Index size) const { return cfg_.chunk_sums ? chunk * size : 0; }

  // K = (X - mu)(X - mu)^T with mu the plain column means (zero without an
  // intercept; centring first keeps the per-replicate re-centring accurate),
  // two-pass so that identical rows centre to exactly zero. Only the lower
  // triangle is formed, in row blocks of fixed size, so the bits do not depend
  // on the thread count.
  void build_kernel() {
    const Index n = pb_.n(), p = pb_.p();
    kernel_mean_.setZero(p);
    if (pb_.intercept) {
      using RowD = Eigen::Matrix<double, 1, Eigen::Dynamic>;
      RowD m1 = RowD::Zero(p), m2 = RowD::Zero(p);
      for (Index i = 0; i < n; ++i) m1 += pb_.X.row(i).template cast<double>();
      m1 /= double(n);
      for (Index i = 0; i < n; ++i) m2 += pb_.X.row(i).template cast<double>() - m1;
      kernel_mean_ = (m1 + m2 / double(n)).template cast<T>();
    }
    RowMatrix<T> Xc = pb_.X;
    if (pb_.intercept) Xc.rowwise() -= kernel_mean_;
    kernel_.resize(n, n);
    constexpr Index kBlock = 64;
    pool_.run((n + kBlock - 1) / kBlock, [&](Index blk, int) {
      const Index r0 = blk * kBlock, rows = std::min(kBlock, n - r0);
      kernel_.block(r0, 0, rows, r0 + rows).noalias() = Xc.middleRows(r0, rows) * Xc.topRows(r0 + rows).transpose();
    });
  }

  Index automatic_wave() const {
    // Enough replicates per wave to keep every thread busy between the folds,
    // within ~256 MiB of wave buffers.
    const double per_slot = double(pb_.n()) * 4 + double(pb_.p() + 1) * pb_.kt() * sizeof(T) +
                            (out_.needs_oob() ? double(n_stats_) * pb_.kt() * n_row_blocks_ * 8 : 0);
    const Index budget = Index(256.0 * (1 << 20) / std::max(per_slot, 1.0));
    return std::clamp<Index>(budget, pool_.size(), 8 * pool_.size());  // rounded up to a chunk
  }

  // Replicate cfg.first + b, into slot.
  void fit_replicate(Index b, Slot& slot, Worker& wk) {
    const Index n = pb_.n();
    const std::int32_t* counts = slot.counts.data();
    if (cfg_.counts) {
      std::copy(cfg_.counts + b * n, cfg_.counts + (b + 1) * n, slot.counts.begin());
    } else {
      draw_counts(cfg_.draw, std::uint64_t(cfg_.first + b), n, slot.counts.data());
    }
    for (Index i = 0; i < n; ++i)
      wk.weights(i) = T(counts[i]) * (pb_.base_weight ? pb_.base_weight[i] : T(1));
    if (out_.needs_oob()) slot.partial.setZero();
    // A replicate can draw no row of positive weight (few Poisson blocks, sparse
    // sample weights): it has no fit; it is skipped by every sum and its kept
    // coefficients are NaN. Whether this happens depends on the draw alone.
    slot.valid = (wk.weights.array() > T(0)).any();
    if (!slot.valid) {
      slot.W.setConstant(std::numeric_limits<T>::quiet_NaN());
      slot.b.setConstant(std::numeric_limits<T>::quiet_NaN());
    } else {
      wk.fitter.fit(wk.weights.data(), slot.W, slot.b);
    }
    if (out_.coefs) {
      const Index k = pb_.k(), p = pb_.p(), t = pb_.t();
      T* dst = out_.coefs + b * k * p * t;
      T* idst = out_.intercepts + b * k * t;
      for (Index a = 0; a < k; ++a)
        for (Index j = 0; j < p; ++j)
          for (Index u = 0; u < t; ++u) dst[(a * p + j) * t + u] = slot.W(j, a * t + u);
      for (Index c = 0; c < k * t; ++c) idst[c] = slot.b(c);
    }
  }

  // Phase B: fold replicates start..start+count-1 into the running sums.
  void fold_wave(Index start, Index count, const std::function<bool()>& tick) {
    const Index kpt = pb_.k() * pb_.p() * pb_.t(), kt = pb_.kt();
    const Index coef_items = out_.needs_moments() ? (kpt + kt + kCoefBlock - 1) / kCoefBlock : 0;
    const Index row_items = out_.needs_oob() ? n_row_blocks_ : 0;
    pool_.run(coef_items + row_items, [&](Index item, int worker) {
      if (item < coef_items) fold_moments(item, start, count);
      else fold_oob_rows(item - coef_items, start, count, *workers_[std::size_t(worker)]);
    }, tick);
    if (out_.valid_replicates)
      for (Index s = 0; s < count; ++s) *out_.valid_replicates += slots_[std::size_t(s)].valid;
    if (!out_.needs_oob()) return;
    // Per-replicate out-of-bag sums: row blocks added in block order.
    Vector<double> total(n_stats_ * kt), mse(kt);
    for_each_chunk(start, count, [&](Index s0, Index s1, Index chunk) {
      mse.setZero();
      for (Index s = s0; s < s1; ++s) {
        const auto& partial = slots_[std::size_t(s)].partial;
        total = partial.col(0);
        for (Index blk = 1; blk < n_row_blocks_; ++blk) total += partial.col(blk);
        if (out_.replicate_stats) {
          double* dst = out_.replicate_stats + (start + s) * kReplicateStats * kt;
          for (Index q = 0; q < kReplicateStats * kt; ++q) dst[q] = total(q);
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
      for_each_chunk(start, count, [&](Index s0, Index s1, Index chunk) {
        double sum = 0, sumsq = 0;
        for (Index s = s0; s < s1; ++s) {
          const auto& slot = slots_[std::size_t(s)];
          if (!slot.valid) continue;
          const double d = double(is_coef ? slot.W(j, a * t + u) : slot.b(a * t + u)) - double(*ref);
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
    for_each_chunk(start, count, [&](Index s0, Index s1, Index chunk) {
      if (out_.oob_loss) wk.loss.topRows(i1 - i0).setZero();
      for (Index s = s0; s < s1; ++s) fold_oob_replicate(i0, i1, slots_[std::size_t(s)], wk);
      if (!out_.oob_loss) return;
      const Index kt = pb_.kt();
      double* dst = out_.oob_loss + chunk_offset(chunk, pb_.n() * kt);
      for (Index i = i0; i < i1; ++i)
        for (Index c = 0; c < kt; ++c) dst[i * kt + c] += wk.loss(i - i0, c);
    });
  }

  // One replicate's out-of-bag rows among i0 .. i1 - 1: its per-replicate sums
  // (slot.partial) and the chunk's per-row losses (wk.loss).
  void fold_oob_replicate(Index i0, Index i1, Slot& slot, Worker& wk) {
    const Index k = pb_.k(), t = pb_.t(), kt = pb_.kt(), blk = i0 / kRowBlock;
    const bool all_stats = n_stats_ == kReplicateStats;
    Index held[kRowBlock];
    {
      if (!slot.valid) return;
      Index m = 0;
      for (Index i = i0; i < i1; ++i) {
        const T v = pb_.base_weight ? pb_.base_weight[i] : T(1);
        if (slot.counts[std::size_t(i)] == 0 && v > T(0)) {
          Fitter<T>::with_row(pb_.X, i, [&](const auto& x) { wk.Xo.row(m) = x; });
          held[m++] = i;
        }
      }
      if (m == 0) return;
      wk.P.topRows(m).noalias() = wk.Xo.topRows(m) * slot.W;  // (m, k*t) predictions less intercept
      double* part = slot.partial.col(blk).data();  // stat q of column c at q * kt + c
      for (Index r = 0; r < m; ++r) {
        const Index i = held[r];
        const double v = pb_.base_weight ? double(pb_.base_weight[i]) : 1.0;
        if (out_.oob_count) ++out_.oob_count[i];
        for (Index u = 0; u < t; ++u) wk.yrow(u) = double(pb_.Y(i, u));
        const T* pred = wk.P.row(r).data();
        double* loss = out_.oob_loss ? wk.loss.row(i - i0).data() : nullptr;
        for (Index a = 0; a < k; ++a) {
          for (Index u = 0, c = a * t; u < t; ++u, ++c) {
            const double y = wk.yrow(u), yhat = double(pred[c]) + double(slot.b(c));
            const double e2 = (y - yhat) * (y - yhat);
            if (loss) loss[c] += e2;
            part[c] += v;
            part[kt + c] += v * e2;
            if (all_stats) {
              part[2 * kt + c] += v * y;
              part[3 * kt + c] += v * y * y;
              part[4 * kt + c] += v * yhat;
              part[5 * kt + c] += v * yhat * yhat;
              part[6 * kt + c] += v * y * yhat;
            }
          }
        }
      }
    }
  }

  const Problem<T>& pb_;
  BootstrapConfig cfg_;
  BootstrapOutputs<T> out_;
  ThreadPool pool_;
  Index n_row_blocks_ = 0, n_stats_ = 2, wave_ = 1;
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<Worker>> workers_;
  Matrix<T> kernel_;  // (n, n) for wide problems, else empty
  Eigen::Matrix<T, 1, Eigen::Dynamic> kernel_mean_;  // (p) the column means it was centred by
};

}  // namespace ridgeboot
