// What one bootstrap-engine run computes (EngineRequest) and where its outputs
// go (EngineOutputs, described by the table kEngineOutputs that the binding and
// Python's merge of blocks follow). The engine itself is bootstrap.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>

#include "problem.hpp"
#include "rng.hpp"
#include "types.hpp"

namespace ridgeboot {

// Per-replicate out-of-bag sums over held-out rows i (weights v_i = sample
// weight), in this order (the names are exported to Python):
inline constexpr const char* kReplicateStats[] = {
    "sum_v",         // sum v
    "sum_v_e2",      // sum v e^2, e = y - yhat
    "sum_v_y",       // sum v y
    "sum_v_y2",      // sum v y^2
    "sum_v_yhat",    // sum v yhat
    "sum_v_yhat2",   // sum v yhat^2
    "sum_v_y_yhat",  // sum v y yhat
};
inline constexpr int kReplicateStatCount = int(sizeof(kReplicateStats) / sizeof(kReplicateStats[0]));

// A fit W (p, >= k*t), b (>= k*t) in the outputs' (k, p, t) and (k, t) order.
template <class T>
void store_fit(const Matrix<T>& W, const Vector<T>& b, Index k, Index t, T* coef, T* intercept) {
  const Index p = W.rows();
  for (Index a = 0; a < k; ++a)
    for (Index j = 0; j < p; ++j)
      for (Index u = 0; u < t; ++u) coef[(a * p + j) * t + u] = W(j, a * t + u);
  std::copy(b.data(), b.data() + k * t, intercept);
}

// Replicates per summation chunk (see above). Part of the results' definition:
// changing it changes the last bits of every sum.
inline constexpr Index kSumChunk = 16;

// Selection inside the replicates: each replicate chooses its own alpha from
// the grid by a closed-form criterion on its own weighted rows (cv.hpp), exactly
// as ridge_cv(cv=...) would with sample weights w * counts, and its outputs are
// the fit at that alpha (a path of one point).
enum class Selection { none, gcv, loo };

// What one engine run computes: replicates first .. first + n_boot - 1 and which
// outputs. The outputs themselves are buffers the caller provides (EngineOutputs).
struct EngineRequest {
  Index first = 0;          // index of the first replicate: a multiple of kSumChunk
  Index n_boot = 0;
  bool chunk_sums = false;  // sums get a leading chunk axis (one sum per chunk) instead of totals
  DrawSpec draw;
  int n_threads = 1;
  bool svd_fallback = false;  // solver="auto": a replicate the solver fails on is redone by SVD (Fitter::fit)
  Selection select = Selection::none;  // see Selection: the outputs then have one path point (k = 1)
  bool select_per_target = false;      // each target its own alpha (else the best mean over targets)
  bool check_finite = false;           // NaN or infinity in X or Y raises NonFiniteInput (see BootstrapEngine)
  Index wave = 0;   // replicates per wave, rounded up to whole chunks; 0 = automatic (no effect on results)
  Index batch = 0;  // replicates per pass over the rows (complement.hpp); 0 = automatic (no effect on results)
  // Outputs (see kEngineOutputs):
  bool keep_coefs = false;       // coefs, intercepts
  bool moments = false;          // coef_sum, coef_sumsq, intercept_sum, intercept_sumsq (needs a reference)
  // The engine fits the moments' reference on all rows itself (reference_coef,
  // reference_intercept, reference_fit), from the sums of all rows its complement
  // form takes anyway; coef_scale and intercept_scale are then its own.
  bool fit_reference = false;
  // Powers of two the moments' deviations from the reference are multiplied by, so
  // that their squares neither overflow nor underflow (the caller divides them out).
  double coef_scale = 1, intercept_scale = 1;
  bool oob_rows = false;         // oob_loss, oob_count
  bool oob_mse = false;          // oob_mse_sum, oob_replicates
  bool replicate_stats = false;  // replicate_stats

  // Chunks this run touches: the leading axis of the sums when chunk_sums.
  Index n_chunks() const { return (first + n_boot + kSumChunk - 1) / kSumChunk - first / kSumChunk; }
  bool needs_oob() const { return oob_rows || oob_mse || replicate_stats; }
};

// How an output combines across runs split into blocks of replicates.
enum class OutputKind {
  chunk_summed,   // double sums: one per summation chunk with chunk_sums, added in order
  per_replicate,  // a leading replicate axis: blocks are concatenated
  counted,        // integer counts: blocks are summed
  shared,         // the same in every block (the reference fit): the first is kept
};

struct OutputInfo {
  const char* name;
  OutputKind kind;
};

// Every output of the engine (the binding allocates them; Python merges blocks by this table).
inline constexpr OutputInfo kEngineOutputs[] = {
    {"coefs", OutputKind::per_replicate},            // (B, k, p, t) T
    {"intercepts", OutputKind::per_replicate},       // (B, k, t) T
    {"coef_sum", OutputKind::chunk_summed},          // (k, p, t) sum_b (w_b - ref)
    {"coef_sumsq", OutputKind::chunk_summed},        // (k, p, t) sum_b (w_b - ref)^2
    {"intercept_sum", OutputKind::chunk_summed},     // (k, t)
    {"intercept_sumsq", OutputKind::chunk_summed},   // (k, t)
    {"oob_loss", OutputKind::chunk_summed},          // (n, k, t) sum over replicates leaving row i out of e^2
    {"oob_count", OutputKind::counted},              // (n) replicates leaving row i out
    {"oob_mse_sum", OutputKind::chunk_summed},       // (k, t) sum over replicates of their out-of-bag MSE
    {"oob_replicates", OutputKind::counted},         // (1) replicates with an out-of-bag row
    {"replicate_stats", OutputKind::per_replicate},  // (B, kReplicateStatCount, k, t)
    {"n_valid", OutputKind::counted},                // (1) replicates with a positive-weight row
    {"n_fallback", OutputKind::counted},             // (1) replicates redone by SVD (svd_fallback)
    {"alpha_index", OutputKind::per_replicate},      // (B, t) int32 row of the grid chosen (select; -1: no fit)
    {"reference_coef", OutputKind::shared},          // (k, p, t) T the fit on all rows (fit_reference)
    {"reference_intercept", OutputKind::shared},     // (k, t) T
    {"reference_fit", OutputKind::shared},           // (kReferenceFitCount) double, see kReferenceFit
};

// The mean ref + sum / B / scale and the sample standard deviation
// sqrt(max(sumsq - sum^2 / B, 0) / (B - 1)) / scale of B values, from the sums of
// their deviations from ref times scale (coef_sum and coef_sumsq, or the
// intercepts'), `size` entries: numpy's operations in numpy's order.
// mean and std_dev may be sum and sumsq. The square roots come in a loop of their
// own: std::sqrt keeps a loop scalar (errno), and the divisions vectorize without
// it (with them, 3 ms for the 500,000 coefficients of a many-targets bootstrap).
// Not Eigen's sqrt: with AVX-512 it is not correctly rounded (EIGEN_FAST_MATH).
inline void moments_from_sums(const double* sum, const double* sumsq, const double* ref, Index size, double B,
                              double scale, double* mean, double* std_dev) {
  for (Index i = 0; i < size; ++i) {
    const double s = sum[i], ss = sumsq[i];
    mean[i] = s / B / scale + ref[i];
    std_dev[i] = std::max(ss - s * s / B, 0.0) / (B - 1);
  }
  for (Index i = 0; i < size; ++i) std_dev[i] = std::sqrt(std_dev[i]) / scale;
}

// What reference_fit holds, in order.
inline constexpr const char* kReferenceFit[] = {
    "condition_bound",  // Fitter::condition_bound (Cholesky), else 1
    "fell_back",        // 1 when the solver failed on all rows and the SVD redid the fit: no replicate ran
    "coef_scale",       // the powers of two the moments were taken with
    "intercept_scale",
};
inline constexpr int kReferenceFitCount = int(sizeof(kReferenceFit) / sizeof(kReferenceFit[0]));

// The caller's output buffers (shapes in kEngineOutputs; the double sums carry a
// leading (chunks) axis when chunk_sums; replicate-indexed outputs count from
// the run's first replicate). A buffer is given exactly when the request asks
// for it: the engine's constructor checks.
template <class T>
struct EngineOutputs {
  T* coefs = nullptr;
  T* intercepts = nullptr;
  const T* ref_coef = nullptr;       // (k, p, t) shift for the moments (the full fit)
  const T* ref_intercept = nullptr;  // (k, t)
  T* reference_coef = nullptr;       // fit_reference: where the engine writes the full fit (then ref_coef)
  T* reference_intercept = nullptr;
  double* reference_fit = nullptr;   // (kReferenceFitCount)
  double* coef_sum = nullptr;
  double* coef_sumsq = nullptr;
  double* intercept_sum = nullptr;
  double* intercept_sumsq = nullptr;
  double* oob_loss = nullptr;
  std::int64_t* oob_count = nullptr;
  double* oob_mse_sum = nullptr;
  std::int64_t* oob_replicates = nullptr;
  double* replicate_stats = nullptr;
  std::int64_t* n_valid = nullptr;     // always
  std::int64_t* n_fallback = nullptr;  // always
  std::int32_t* alpha_index = nullptr;  // select

  void check(const EngineRequest& r) const {
    const auto given = [](std::initializer_list<const void*> ps, bool wanted) {
      for (const void* p : ps)
        if ((p != nullptr) != wanted) return false;
      return true;
    };
    if (!given({coefs, intercepts}, r.keep_coefs) ||
        !given({coef_sum, coef_sumsq, intercept_sum, intercept_sumsq}, r.moments) ||
        !given({ref_coef, ref_intercept}, r.moments && !r.fit_reference) ||
        !given({reference_coef, reference_intercept, reference_fit}, r.fit_reference) ||
        (r.fit_reference && (!r.moments || r.select != Selection::none)) ||
        !given({oob_loss, oob_count}, r.oob_rows) || !given({oob_mse_sum, oob_replicates}, r.oob_mse) ||
        !given({replicate_stats}, r.replicate_stats) || !given({n_valid, n_fallback}, true) ||
        !given({alpha_index}, r.select != Selection::none))
      throw std::invalid_argument("engine outputs do not match the request");
  }
};

// The problem the engine's outputs describe: with selection, one path point per
// target (the alphas are set per replicate), else the problem itself.
template <class T>
Problem<T> output_problem(const Problem<T>& pb, const EngineRequest& req) {
  if (req.select == Selection::none) return pb;
  Problem<T> one(pb.X, pb.Y, pb.base_weight, pb.alphas.topRows(1), pb.solver, pb.intercept, pb.svd_fallback);
  one.rcond = pb.rcond;
  return one;
}

}  // namespace ridgeboot
