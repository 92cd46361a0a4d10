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
#include "least_squares.hpp"
#include "panel.hpp"
#include "problem.hpp"
#include "scaling.hpp"
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
    if (pb_.solver != Solver::svd && p <= n) panel_.reserve();
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
      refined_ = false;
      rank_ = shifted_solves(pb_, m, G, R, W, solve_, condition_bound_, "X^T W X");
      const Index t = pb_.t();
      for (Index c = 0; c < pb_.kt(); ++c) b(c) = pb_.intercept ? ymean(c % t) - xmean.dot(W.col(c)) : T(0);
    });
  }

  // Fit another grid of the same shape (k, t) from now on (a replicate's chosen alphas).
  void set_alphas(const Matrix<T>& alphas) {
    pb_.alphas = alphas;
    pb_.runs = alpha_runs(pb_.alphas);
  }

  const Problem<T>& problem() const { return pb_; }
  Index rows_used() const { return rows_.count(); }
  Solver solver_used() const { return solver_used_; }

  // After a Cholesky fit: a lower bound on the condition number of the factored
  // matrices (1 for the other solvers). Near 1/eps the solution has no digits left.
  double condition_bound() const { return condition_bound_; }

  // The rank the last fit used: singular values (svd; of the equilibrated design
  // for least squares) or eigenvalues above the cutoff, else the full size of the
  // factored matrix (Cholesky, the tridiagonal route).
  Index rank() const { return rank_; }

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

  void fit_with(Solver solver, const T* w, Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b, ThreadPool* pool,
                const std::function<bool()>& poll) {
    condition_bound_ = 1;
    refined_ = false;
    rows_.select(w ? w : pb_.base_weight);
    const Index m = rows_.count(), p = pb_.p(), t = pb_.t();
    if (kernel_ && solver != Solver::svd) {
      // From a shared kernel the column means of X are never needed (see solve_dual_from_kernel).
      if (pb_.intercept) rows_.means(m, false, xmean_, ymean_);
      rank_ = m;
      return solve_dual_from_kernel(pb_, *kernel_, rows_, ymean_, Yz_, W, b, dual_, condition_bound_);
    }
    // Data whose products would leave the dtype's working range are rescaled by
    // powers of two and the fit redone (scaling.hpp): exact, and free otherwise.
    if (solver == Solver::svd || p > m) {
      // the m selected rows only: with few weighted rows of a huge X, n rows would not fit
      if (Z_.rows() < m) Z_.setZero(m, gram_padded_cols<T>(p)), Yz_.resize(m, t);
      gather_all(m);
      const bool kernel = solver != Solver::svd;  // the dual form reduces Z Z^T
      if (!rows_in_range<T>(Z_.topRows(m).leftCols(p), Yz_.topRows(m), kernel)) rows_.rescale(), gather_all(m);
      const auto Z = Z_.topRows(m).leftCols(p);
      if (solver == Solver::svd) {
        rank_ = svd_solves(Z, Yz_.topRows(m), pb_.alphas, rows_.scale.alpha(), singular_cutoff(pb_, m), W);
        refined_ = refine_least_squares(m, W);
      } else {
        rank_ = solve_dual(pb_, Z, Yz_.topRows(m), W, pool, dual_, condition_bound_, rows_.scale.alpha());
      }
    } else {
      panel_.centred(rows_, pool, pb_.intercept, xmean_, ymean_, poll);
      if (!gram_in_range(panel_.G, panel_.R))
        rows_.rescale(), panel_.centred(rows_, pool, pb_.intercept, xmean_, ymean_, poll);
      rank_ =
          shifted_solves(pb_, m, panel_.G, panel_.R, W, solve_, condition_bound_, "X^T W X", rows_.scale.alpha());
    }
    rows_.scale.unscale(W);
    for (Index c = 0; c < pb_.kt(); ++c) {
      const Index u = c % t;
      if (!pb_.intercept) b(c) = T(0);
      else if (refined_ && pb_.alphas(c / t, u) == T(0)) b(c) = intercept_ls_(u) / rows_.scale.y;
      else b(c) = ymean_(u) - xmean_.dot(W.col(c));
    }
  }

  // All m selected rows, centred by their exact weighted means, into Z_ and Yz_.
  void gather_all(Index m) {
    if (pb_.intercept) {
      rows_.means(m, true, xmean_, ymean_);
      rows_.centre_x = xmean_, rows_.centre_y = ymean_;
    }
    rows_.gather(0, m, Z_, Yz_, nullptr);
  }

  // The svd route at alpha = 0: least squares by the equilibrated, refined solver
  // (least_squares.hpp) when the design has full rank once equilibrated; the
  // minimum-norm solution of svd_solves stays otherwise. Returns whether it
  // replaced the alpha = 0 columns of W (the scaled problem's units; the
  // intercepts in intercept_ls_).
  bool refine_least_squares(Index m, Eigen::Ref<Matrix<T>> W) {
    if (!(pb_.alphas.array() == T(0)).any()) return false;
    Index rank = 0;
    if (!least_squares_.solve(rows_, pb_.X, pb_.Y, pb_.intercept, xmean_, ymean_, Z_.topRows(m).leftCols(pb_.p()),
                              Yz_.topRows(m), singular_cutoff(pb_, m), coef_ls_, intercept_ls_, rank))
      return false;
    rank_ = rank;
    for (const auto& run : pb_.runs)
      if (run.alpha == T(0)) W.middleCols(run.col, run.width) = coef_ls_.middleCols(run.u0, run.width);
    return true;
  }

  Problem<T> pb_;
  RowGather<T> rows_;
  PanelGram<T> panel_;
  RowMatrix<T> Z_, Yz_;  // (rows, p_pad), (rows, t): all gathered rows (svd, dual form)
  ShiftSolveScratch<T> solve_;
  DualScratch<T> dual_;
  RowVector<T> xmean_, ymean_;
  LeastSquares<T> least_squares_;
  Matrix<T> coef_ls_;        // (p, t) least squares of the scaled problem
  Vector<T> intercept_ls_;   // (t)
  bool refined_ = false;     // the last fit's alpha = 0 columns came from least_squares_
  Index rank_ = 0;
  const SharedKernel<T>* kernel_ = nullptr;
  double condition_bound_ = 1;
  Solver solver_used_ = Solver::cholesky;
};

}  // namespace ridgeboot
