// Weighted ridge fits: minimize sum_i w_i (y_i - b - x_i.w)^2 + alpha ||w||^2 for
// the problem's (k, t) grid of alphas, from one factorization where the solver
// allows it. The Fitter only dispatches: rows are selected and gathered by
// RowGather (gather.hpp), the primal normal equations formed by PanelGram
// (panel.hpp), solved by shifted_solves (shifted_solve.hpp), and the dual form
// lives in dual.hpp.
//
// Forms: primal (p <= m, m = rows with w_i > 0): Gram G = Z^T Z (p, p), Z the
// centred, sqrt(w)-scaled rows; dual (p > m): kernel K = Z Z^T (m, m),
// w = Z^T (K + alpha I)^-1 y~; "svd" always factors Z itself (thin SVD), so
// alpha = 0 gives the minimum-norm least-squares solution. With an intercept,
// b = ybar - xbar.w with the weighted means.
#pragma once

#include <functional>
#include <limits>
#include <utility>

#include "dual.hpp"
#include "gather.hpp"
#include "gram.hpp"
#include "panel.hpp"
#include "problem.hpp"
#include "shifted_solve.hpp"
#include "thread_pool.hpp"
#include "types.hpp"

namespace ridgeboot {

// One thread's scratch and the fit routine. Construct once per thread; fit()
// reuses its buffers (the primal Cholesky and eigh routes allocate nothing per
// fit beyond Eigen's GEMM blocking space). The Fitter keeps its own copy of the
// problem (its views still point at the caller's data).
template <class T>
class Fitter {
 public:
  explicit Fitter(Problem<T> pb)
      : pb_(std::move(pb)),
        rows_(pb_.X, pb_.Y, pb_.intercept),
        panel_(pb_.n(), pb_.p(), pb_.t()),
        xmean_(RowVector<T>::Zero(pb_.p())),
        ymean_(RowVector<T>::Zero(pb_.t())) {
    const Index n = pb_.n(), p = pb_.p();
    // Gathered rows: all of them for svd; for the dual form they are allocated on
    // first use (from a shared kernel none are needed).
    if (pb_.solver == Solver::svd) Z_.setZero(n, gram_padded_cols<T>(p));
    if (pb_.solver == Solver::svd || p > n) Yz_.resize(n, pb_.t());
    // (p, p) buffers only where the primal form can run: a wide problem never
    // needs them (p = 10^4 would cost ~1 GB each).
    if (pb_.solver != Solver::svd && p <= n) panel_.reserve(), M_.resize(p, pb_.kt());
  }
  Fitter(const Fitter&) = delete;
  Fitter& operator=(const Fitter&) = delete;

  // Fits the problem with row weights `w` (n), or the problem's own sample
  // weights when w is nullptr. W (p, k*t): column a*t+u is path point a, target
  // u. b (k*t): intercepts. `pool` parallelises the Gram of a large single fit.
  // With the problem's svd_fallback, a failed or untrustworthy fit is redone by
  // the SVD (solver_used() says which ran).
  void fit(const T* w, Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b, ThreadPool* pool = nullptr,
           const std::function<bool()>& poll = {}) {
    with_fallback(w, W, b, pool, poll, [&] { fit_with(pb_.solver, w, W, b, pool, poll); });
  }

  // The same fit from normal equations formed elsewhere (the bootstrap engine's
  // complement form): G (p, p; lower triangle used) and R (p, t) of the m rows of
  // weight w centred at their weighted means xmean, ymean. The fallback, if
  // any, refits from the rows of weight w.
  void fit_normal(const T* w, const Matrix<T>& G, const Matrix<T>& R, const RowVector<T>& xmean,
                  const RowVector<T>& ymean, Index m, Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b) {
    with_fallback(w, W, b, nullptr, {}, [&] {
      condition_bound_ = 1;
      shifted_solves(pb_, m, G, R, M_, solve_, condition_bound_, "X^T W X");
      W = M_;
      intercepts(xmean, ymean, W, b);
    });
  }

  const Problem<T>& problem() const { return pb_; }
  Index rows_used() const { return rows_.count(); }
  Solver solver_used() const { return solver_used_; }

  // After a Cholesky fit: a lower bound on the condition number of the factored
  // matrices (1 for the other solvers). Near 1/eps the solution has no digits left.
  double condition_bound() const { return condition_bound_; }

  // Wide problems (p > n): replicates gather their kernel block from `kernel`
  // (built over all rows) in O(m^2) instead of forming Z Z^T in O(m^2 p), and
  // read their m rows of X once, for the coefficients.
  void use_kernel(const SharedKernel<T>* kernel) { kernel_ = kernel; }

 private:
  // Runs `primary`; with the problem's svd_fallback, a failed or untrustworthy
  // fit is redone by the SVD from the rows of weight w.
  template <class Primary>
  void with_fallback(const T* w, Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b, ThreadPool* pool,
                     const std::function<bool()>& poll, Primary&& primary) {
    solver_used_ = pb_.solver;
    if (!pb_.svd_fallback || pb_.solver == Solver::svd) return primary();
    try {
      primary();
      const bool trusted = condition_bound_ * double(std::numeric_limits<T>::epsilon()) <= kIllConditioned;
      if (trusted && W.allFinite() && b.allFinite()) return;
    } catch (const LinAlgError&) {
    }
    solver_used_ = Solver::svd;
    fit_with(Solver::svd, w, W, b, pool, poll);
  }

  void intercepts(const RowVector<T>& xmean, const RowVector<T>& ymean, const Eigen::Ref<Matrix<T>>& W,
                  Eigen::Ref<Vector<T>> b) const {
    const Index t = pb_.t();
    for (Index c = 0; c < pb_.kt(); ++c) b(c) = pb_.intercept ? ymean(c % t) - xmean.dot(W.col(c)) : T(0);
  }

  void fit_with(Solver solver, const T* w, Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b, ThreadPool* pool,
                const std::function<bool()>& poll) {
    condition_bound_ = 1;
    rows_.select(w ? w : pb_.base_weight);
    const Index m = rows_.count(), n = pb_.n(), p = pb_.p(), t = pb_.t();
    if (kernel_ && solver != Solver::svd) {
      // From a shared kernel the column means of X are never needed (see solve_dual_from_kernel).
      if (pb_.intercept) rows_.means(m, false, xmean_, ymean_);
      return solve_dual_from_kernel(pb_, *kernel_, rows_, ymean_, Yz_, W, b, dual_, condition_bound_);
    }
    if (solver == Solver::svd || p > m) {
      if (pb_.intercept) {
        rows_.means(m, true, xmean_, ymean_);
        rows_.centre_x = xmean_, rows_.centre_y = ymean_;
      }
      if (Z_.rows() < m) Z_.setZero(n, gram_padded_cols<T>(p)), Yz_.resize(n, t);
      rows_.gather(0, m, Z_, Yz_, nullptr);
      const auto Z = Z_.topRows(m).leftCols(p);
      if (solver == Solver::svd) svd_solves(Z, Yz_.topRows(m), pb_.alphas, W);
      else solve_dual(pb_, Z, Yz_.topRows(m), W, pool, dual_, condition_bound_);
    } else {
      panel_.centred(rows_, pool, pb_.intercept, xmean_, ymean_, poll);
      shifted_solves(pb_, m, panel_.G, panel_.R, M_, solve_, condition_bound_, "X^T W X");
      W = M_;
    }
    intercepts(xmean_, ymean_, W, b);
  }

  Problem<T> pb_;
  RowGather<T> rows_;
  PanelGram<T> panel_;
  RowMatrix<T> Z_, Yz_;  // (rows, p_pad), (rows, t): all gathered rows (svd, dual form)
  Matrix<T> M_;          // (p, k*t) primal solutions
  ShiftSolveScratch<T> solve_;
  DualScratch<T> dual_;
  RowVector<T> xmean_, ymean_;
  const SharedKernel<T>* kernel_ = nullptr;
  double condition_bound_ = 1;
  Solver solver_used_ = Solver::cholesky;
};

}  // namespace ridgeboot
