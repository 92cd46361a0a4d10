// Weighted ridge fits: minimize sum_i w_i (y_i - b - x_i.w)^2 + alpha ||w||^2 for a
// grid of alphas (k, t) -- alpha of path point a for target u -- from one
// factorization where the solver allows it.
//
// Rows with w_i = 0 are skipped, never copied. With an intercept the retained
// rows are centred by their weighted means and scaled by sqrt(w_i) as they are
// gathered into a scratch panel Z (rows, p); the Gram is then Z^T Z, a
// GEMM-shaped rank update, and the intercept is ybar - xbar.w.
//
// Forms: primal (p <= m, m = rows with w_i > 0): Gram G = Z^T Z (p, p);
// dual (p > m): kernel K = Z Z^T (m, m), w = Z^T (K + alpha I)^-1 y~;
// "svd" always factors Z itself (thin SVD), so alpha = 0 gives the
// minimum-norm least-squares solution.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <type_traits>
#include <vector>

#include "gram.hpp"
#include "thread_pool.hpp"
#include "types.hpp"

namespace ridgeboot {

template <class T>
struct Problem {
  ConstView<T> X;         // (n, p)
  ConstView<T> Y;         // (n, t)
  const T* base_weight;   // (n) sample weights, or nullptr for all ones
  Matrix<T> alphas;       // (k, t)
  Solver solver;
  bool intercept;

  Index n() const { return X.rows(); }
  Index p() const { return X.cols(); }
  Index t() const { return Y.cols(); }
  Index k() const { return alphas.rows(); }
  Index kt() const { return alphas.size(); }
};

// Rows gathered per Gram panel: fixed by the problem's shape (p, t), so the
// summation order -- and so every bit of the result -- never depends on the
// thread count. A panel (rows x (p + t) values) is kept near 2^17 values
// (1 MiB in double), so it stays in cache between the gather and the kernels
// and a worker's scratch stays O(p^2 + p t); at least 256 rows, so the per-panel
// O(p^2 + p t) additions stay small against the O(rows (p^2 + p t)) kernels.
inline Index gram_panel_rows(Index p, Index t = 1) {
  return std::clamp<Index>((Index(1) << 17) / std::max<Index>(p + t, 1), 256, 8192);
}

// Relative cutoff under which singular values (svd) or Gram eigenvalues (eigh)
// count as zero: eps * max(m, p), as numpy.linalg.lstsq's default rcond.
template <class T>
T relative_cutoff(Index m, Index p) {
  return std::numeric_limits<T>::epsilon() * T(std::max(m, p));
}

// One thread's scratch and the fit routine. Construct once per thread; fit()
// reuses its buffers (the primal Cholesky and eigh routes allocate nothing per
// fit beyond Eigen's GEMM blocking space).
template <class T>
class Fitter {
 public:
  using RowVec = Eigen::Matrix<T, 1, Eigen::Dynamic>;

  explicit Fitter(const Problem<T>& pb)
      : pb_(pb),
        panel_rows_(std::min(pb.n(), gram_panel_rows(gram_padded_cols<T>(pb.p()), pb.t()))),
        rows_(),
        sqrt_w_(pb.n()),
        w_sel_(pb.n()),
        xmean_(RowVec::Zero(pb.p())),
        ymean_(RowVec::Zero(pb.t())) {
    rows_.reserve(std::size_t(pb.n()));
    // Panel columns are zero-padded for the Gram kernel (gram.hpp); the pad stays zero.
    // The dual form allocates its (rows, p) panel on first use: from a shared
    // kernel (use_kernel) it needs none.
    if (pb.solver == Solver::svd) Z_.setZero(pb.n(), gram_padded_cols<T>(pb.p()));
    else if (pb.p() <= pb.n()) Z_.setZero(panel_rows_, gram_padded_cols<T>(pb.p()));
    Yz_.resize(std::max(Z_.rows(), pb.p() > pb.n() ? pb.n() : Index(0)), pb.t());
    // (p, p) buffers only where the primal form can run: a wide problem never
    // needs them (p = 10^4 would cost ~1 GB each).
    if (pb.solver != Solver::svd && pb.p() <= pb.n()) {
      Gpad_.setZero(Z_.cols(), Z_.cols());  // the kernel never writes above the diagonal tiles
      G_.resize(pb.p(), pb.p());
      H_.resize(pb.p(), pb.p());
      R_.resize(pb.p(), pb.t());
      Q_.resize(pb.p(), pb.t());
      M_.resize(pb.p(), pb.kt());
      // The eigh route's solvers size themselves on first use (Eigen's sized
      // SelfAdjointEigenSolver constructor leaves its status uninitialized: UBSan).
    }
  }

  // Fits the problem with row weights `w` (n), or the problem's own sample
  // weights when w is nullptr. W (p, k*t): column a*t+u is path point a, target
  // u. b (k*t): intercepts. `pool` parallelises the Gram of a large single fit.
  void fit(const T* w, Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b, ThreadPool* pool = nullptr) {
    condition_bound_ = 1;
    select_rows(w ? w : pb_.base_weight);
    const Index m = Index(rows_.size()), p = pb_.p();
    if (kernel_) {
      // From a shared kernel the column means of X are never needed (see solve_dual_from_kernel).
      if (pb_.intercept) exact_means(false);
      return solve_dual_from_kernel(W, b);
    }
    if (pb_.solver == Solver::svd || p > m) {
      if (pb_.intercept) centre_on_exact_means();
      if (Z_.rows() < m) Z_.setZero(pb_.n(), gram_padded_cols<T>(p)), Yz_.resize(pb_.n(), pb_.t());
      gather(0, m, Z_, Yz_, nullptr);
      if (pb_.solver == Solver::svd) solve_svd(W);
      else solve_dual(W, pool);
    } else {
      primal_gram(pool);
      shifted_solves(G_, R_, M_, "X^T W X");
      W = M_;
    }
    const Index t = pb_.t();
    for (Index c = 0; c < pb_.kt(); ++c) b(c) = pb_.intercept ? ymean_(c % t) - xmean_.dot(W.col(c)) : T(0);
  }

  Index rows_used() const { return Index(rows_.size()); }

  // Calls f with row i of M: a contiguous (vectorizable) map when the rows are
  // contiguous (C order), else the strided row.
  template <class F>
  static void with_row(const ConstView<T>& M, Index i, F&& f) {
    if (M.innerStride() == 1) f(Eigen::Map<const RowVec>(M.data() + i * M.outerStride(), M.cols()));
    else f(M.row(i));
  }

  // After a Cholesky fit: a lower bound on the condition number of the factored
  // matrices (1 for the other solvers). Near 1/eps the solution has no digits left.
  double condition_bound() const { return condition_bound_; }

  // For the dual form (p > m): a kernel K = (X - mu)(X - mu)^T (n, n; the lower
  // triangle is read) over all rows, shared read-only by every replicate, with
  // mu (p) the column means (zero without an intercept). A replicate then
  // gathers and re-centres its (m, m) block in O(m^2) instead of forming Z Z^T
  // in O(m^2 p), and reads its m rows of X once, for the coefficients.
  void use_kernel(const Matrix<T>* K, const RowVec* mu) { kernel_ = K, kernel_mean_ = mu; }

 private:
  void select_rows(const T* w) {
    rows_.clear();
    const Index n = pb_.n();
    double wsum = 0;
    for (Index i = 0; i < n; ++i) {
      const T wi = w ? w[i] : T(1);
      if (wi > T(0)) {
        w_sel_(Index(rows_.size())) = wi;
        sqrt_w_(Index(rows_.size())) = std::sqrt(wi);
        rows_.push_back(i);
        wsum += double(wi);
      }
    }
    if (rows_.empty()) throw std::invalid_argument("no row has a positive weight");
    weight_sum_ = wsum;
  }

  // xmean_, ymean_ = the weighted means of the selected rows (of Y only when
  // !x_means).
  void exact_means(bool x_means) { two_pass_means(rows_used(), x_means, xmean_, ymean_); }

  // Gather about the exact means (see gather).
  void centre_on_exact_means() {
    exact_means(true);
    xshift_ = xmean_, yshift_ = ymean_;
  }

  // Weighted means of `count` selected rows spread evenly over them (all when
  // count = rows_used()), in double, in row order, with the two-pass
  // correction m = m1 + sum w (x - m1) / sum w: nearly correctly rounded, and
  // exact for identical rows, so a large common offset leaves no residue
  // after centring.
  void two_pass_means(Index count, bool x_means, RowVec& xmean, RowVec& ymean) const {
    using RowD = Eigen::Matrix<double, 1, Eigen::Dynamic>;
    double ws = 0;
    if (count == rows_used()) ws = weight_sum_;
    else for (Index q = 0; q < count; ++q) ws += double(w_sel_(sample_row(q, count)));
    RowD xs = RowD::Zero(pb_.p()), ys = RowD::Zero(pb_.t()), x1(pb_.p()), y1(pb_.t());
    for (int pass = 0; pass < 2; ++pass) {
      x1 = xs, y1 = ys;  // first pass: zero; second: the first-pass means
      xs.setZero();
      ys.setZero();
      if (x_means) accumulate_rows(pb_.X, count, x1.data(), xs.data());
      accumulate_rows(pb_.Y, count, y1.data(), ys.data());
      xs = x1 + xs / ws;
      ys = y1 + ys / ws;
    }
    if (x_means) xmean = xs.template cast<T>();
    ymean = ys.template cast<T>();
  }

  // Selected row q of `count` spread evenly over all of them.
  Index sample_row(Index q, Index count) const { return count == rows_used() ? q : q * rows_used() / count; }

  // The primal Gram and right-hand sides with an intercept, in one read of the
  // rows: they are gathered about a shift s near their means (see
  // sampled_shift) while sum c d and sum c d^2 (d = x - s) are accumulated;
  // with delta = sum c d / W the means are s + delta and
  //   sum c (x - xbar)(x - xbar)^T = sum c d d^T - W delta delta^T,
  // likewise Z^T Y~ (a rank-one correction). The correction cancels
  // log2(1 + delta^2 / variance) bits of a column's sums: should that exceed
  // one bit for some column (a shift far from the data), the fit is redone
  // about the exact two-pass means.
  void primal_gram(ThreadPool* pool) {
    if (!pb_.intercept) return gram(pool, false);
    const Index p = pb_.p(), t = pb_.t();
    sampled_shift();
    gram(pool, true);
    const double W = weight_sum_;
    bool redo = false;
    for (Index j = 0; j < p + t && !redo; ++j) {
      const double s1 = moments_(j), s2 = moments_(j + p + t);
      redo = s1 * s1 / W > 0.5 * s2;
    }
    if (redo) centre_on_exact_means(), gram(pool, true);
    Vector<double> dx = moments_.head(p) / W, dy = moments_.segment(p, t) / W;
    xmean_ = (xshift_.template cast<double>() + dx.transpose()).template cast<T>();
    ymean_ = (yshift_.template cast<double>() + dy.transpose()).template cast<T>();
    for (Index j = 0; j < p; ++j) {
      for (Index i = j; i < p; ++i) G_(i, j) = T(double(G_(i, j)) - W * dx(i) * dx(j));
      for (Index u = 0; u < t; ++u) R_(j, u) = T(double(R_(j, u)) - W * dx(j) * dy(u));
    }
  }

  // xshift_, yshift_ = the means of kShiftSample selected rows spread evenly
  // over them (all rows when fewer): cheap, and for any data but a
  // pathological sample within a fraction of a standard deviation of the
  // means (delta^2 / variance ~ 1 / kShiftSample). Identical rows give their
  // value exactly, so a constant column still centres to exactly zero.
  void sampled_shift() { two_pass_means(std::min(rows_used(), kShiftSample), true, xshift_, yshift_); }
  static constexpr Index kShiftSample = 64;

  // Z.row(r - r0) = sqrt(w) d, d = x - xshift_ (x alone without an intercept),
  // for selected rows r0..r1, likewise y about yshift_. With `moments`
  // (2 (p + t) doubles), also the sums sum w d (first p + t) and sum w d^2
  // (next p + t), from zero, in row order.
  void gather(Index r0, Index r1, RowMatrix<T>& Z, RowMatrix<T>& Yz, double* moments) const {
    const T* xsub = pb_.intercept ? xshift_.data() : nullptr;
    const T* ysub = pb_.intercept ? yshift_.data() : nullptr;
    const Index p = pb_.p(), t = pb_.t();
    if (moments) std::fill(moments, moments + 2 * (p + t), 0.0);
    for (Index r = r0; r < r1; ++r) {
      const Index i = rows_[std::size_t(r)];
      const T s = sqrt_w_(r);
      const double w = double(w_sel_(r));
      double* m = moments;
      scale_row(pb_.X, i, s, xsub, Z.row(r - r0).data(), w, m, m ? m + p + t : nullptr);
      scale_row(pb_.Y, i, s, ysub, Yz.row(r - r0).data(), w, m ? m + p : nullptr, m ? m + 2 * p + t : nullptr);
    }
  }

  // acc += sum over `count` selected rows (see sample_row) of w (M.row(i) - sub),
  // in double, row after row. Up to 16 columns are held in registers across
  // the rows (a few columns would otherwise wait on acc's store-to-load
  // latency every row); longer rows are read once each. Each entry's
  // additions stay in row order, so the means are the same either way.
  void accumulate_rows(const ConstView<T>& M, Index count, const double* sub, double* acc) const {
    const Index c = M.cols();
    if (M.innerStride() != 1 || c > 16) {
      for (Index q = 0; q < count; ++q) {
        const Index r = sample_row(q, count), i = rows_[std::size_t(r)];
        const double w = double(w_sel_(r));
        if (M.innerStride() == 1) {
          const T* x = M.data() + i * M.outerStride();
          for (Index j = 0; j < c; ++j) acc[j] += w * (double(x[j]) - sub[j]);
        } else {
          for (Index j = 0; j < c; ++j) acc[j] += w * (double(M(i, j)) - sub[j]);
        }
      }
      return;
    }
    dispatch_chunk<16>(int(c), M, count, sub, acc);
  }

  template <int W>
  void dispatch_chunk(int width, const ConstView<T>& M, Index count, const double* sub, double* acc) const {
    if constexpr (W > 0) {
      if (width == W) return accumulate_chunk<W>(M, count, sub, acc);
      return dispatch_chunk<W - 1>(width, M, count, sub, acc);
    }
  }

  template <int W>
  void accumulate_chunk(const ConstView<T>& M, Index count, const double* sub, double* acc) const {
    double a[W], s[W];
    for (int j = 0; j < W; ++j) a[j] = acc[j], s[j] = sub[j];
    const Index ld = M.outerStride();
    for (Index q = 0; q < count; ++q) {
      const Index r = sample_row(q, count);
      const T* x = M.data() + rows_[std::size_t(r)] * ld;
      const double w = double(w_sel_(r));
      for (int j = 0; j < W; ++j) a[j] += w * (double(x[j]) - s[j]);
    }
    for (int j = 0; j < W; ++j) acc[j] = a[j];
  }

  // out = s d with d = M.row(i) - sub, or the row itself when sub is nullptr;
  // with s1, also s1 += w d and s2 += w d^2 in double.
  static void scale_row(const ConstView<T>& M, Index i, T s, const T* sub, T* out, double w, double* s1,
                        double* s2) {
    if (M.innerStride() == 1) {
      const T* x = M.data() + i * M.outerStride();
      scale_entries([x](Index j) { return x[j]; }, M.cols(), s, sub, out, w, s1, s2);
    } else {
      scale_entries([&M, i](Index j) { return M(i, j); }, M.cols(), s, sub, out, w, s1, s2);
    }
  }

  template <class Entry>
  static void scale_entries(const Entry& x, Index c, T s, const T* sub, T* out, double w, double* s1,
                            double* s2) {
    if (!sub) {
      for (Index j = 0; j < c; ++j) out[j] = s * x(j);
    } else if (!s1) {
      for (Index j = 0; j < c; ++j) out[j] = s * (x(j) - sub[j]);
    } else {
      for (Index j = 0; j < c; ++j) {
        const T d = x(j) - sub[j];
        out[j] = s * d;
        s1[j] += w * double(d);
        s2[j] += w * double(d) * double(d);
      }
    }
  }

  // G = Z^T Z (lower triangle) and R = Z^T Y~ over fixed row panels, summed in
  // panel order; panels of one round run in parallel when a pool is given.
  // With `moments`, also moments_ = the gather's sums (see gather), panel sums
  // added in panel order, so the bits do not depend on the thread count.
  void gram(ThreadPool* pool, bool moments) {
    const Index m = Index(rows_.size()), p = pb_.p(), t = pb_.t();
    const Index panels = (m + panel_rows_ - 1) / panel_rows_;
    const int T_ = pool ? pool->size() : 1;
    if (moments) moments_.resize(2 * (p + t));
    if (T_ <= 1 || panels <= 1) {
      panel_moments_.resize(moments ? 2 * (p + t) : 0);
      for (Index c = 0; c < panels; ++c) {
        const Index r0 = c * panel_rows_, r1 = std::min(m, r0 + panel_rows_);
        // The first panel's sums go straight into the totals.
        gather(r0, r1, Z_, Yz_, !moments ? nullptr : c == 0 ? moments_.data() : panel_moments_.data());
        panel_gram(r1 - r0, Z_, Yz_, Gpad_, Rpad_, c == 0 ? G_ : H_, c == 0 ? R_ : Q_);
        if (c == 0) continue;
        G_ += H_, R_ += Q_;
        if (moments) moments_ += panel_moments_;
      }
      return;
    }
    if (int(slots_.size()) < T_) {
      slots_.resize(std::size_t(T_));
      for (auto& s : slots_) {
        s.Z.setZero(panel_rows_, Z_.cols());
        s.Yz.resize(panel_rows_, t);
        s.Gpad.setZero(Z_.cols(), Z_.cols());
        s.G.resize(p, p);
        s.R.resize(p, t);
        s.moments.resize(2 * (p + t));
      }
    }
    for (Index round = 0; round < panels; round += T_) {
      const Index count = std::min<Index>(T_, panels - round);
      pool->run(count, [&](Index item, int) {
        auto& s = slots_[std::size_t(item)];
        const Index r0 = (round + item) * panel_rows_, r1 = std::min(m, r0 + panel_rows_);
        gather(r0, r1, s.Z, s.Yz, moments ? s.moments.data() : nullptr);
        panel_gram(r1 - r0, s.Z, s.Yz, s.Gpad, s.Rpad, s.G, s.R);
      });
      for (Index j = 0; j < count; ++j) {
        const auto& s = slots_[std::size_t(j)];
        if (round + j == 0) G_ = s.G, R_ = s.R;
        else G_ += s.G, R_ += s.R;
        if (!moments) continue;
        if (round + j == 0) moments_ = s.moments;
        else moments_ += s.moments;
      }
    }
  }

  void panel_gram(Index rows, const RowMatrix<T>& Z, const RowMatrix<T>& Yz, Matrix<T>& Gpad,
                  Matrix<T>& Rpad, Matrix<T>& G, Matrix<T>& R) const {
    const Index p = pb_.p();
    gram_lower(Z.data(), rows, p, Z.cols(), Gpad.data(), Gpad.rows());
    G = Gpad.topLeftCorner(p, p);
    // R is (p, t) column-major: its leading dimension is p, so the padded
    // product goes through Rpad_ (only p_pad rows) unless p is a whole tile.
    const Index t = pb_.t();
    if (Z.cols() == p) {
      cross_product(Z.data(), rows, p, Z.cols(), Yz.data(), t, Yz.cols(), R.data(), p);
    } else {
      Rpad.resize(Z.cols(), t);
      cross_product(Z.data(), rows, p, Z.cols(), Yz.data(), t, Yz.cols(), Rpad.data(), Z.cols());
      R = Rpad.topRows(p);
    }
  }

  // Distinct alphas of the grid, each with the columns c = a*t+u that use it.
  template <class F>
  void for_each_alpha(F&& f) const {
    std::vector<T> values(pb_.alphas.data(), pb_.alphas.data() + pb_.kt());
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    const Index k = pb_.k(), t = pb_.t();
    for (const T alpha : values) {
      for (Index a = 0; a < k; ++a) {
        Index u0 = 0;
        while (u0 < t) {  // runs of consecutive targets with this alpha
          if (pb_.alphas(a, u0) != alpha) { ++u0; continue; }
          Index u1 = u0;
          while (u1 < t && pb_.alphas(a, u1) == alpha) ++u1;
          f(alpha, a * t + u0, u0, u1 - u0);
          u0 = u1;
        }
      }
    }
  }

  [[noreturn]] static void not_positive_definite(T alpha, const char* what) {
    std::ostringstream msg;
    msg << "Cholesky factorization failed: " << what << " + alpha*I is not positive definite (alpha="
        << alpha << "); the problem is singular or too ill-conditioned for this alpha. "
        << "Use solver=\"svd\" (minimum-norm solution) or a larger alpha.";
    throw LinAlgError(msg.str());
  }

  // M.col(a*t+u) = (S + alpha(a,u) I)^-1 B.col(u) for a symmetric positive
  // semi-definite S (d, d; lower triangle used), B (d, t), M (d, k*t).
  // cholesky: one LLT per distinct alpha. eigh: S = Q T Q^T (Householder
  // tridiagonalization), then each alpha costs one O(d) tridiagonal solve per
  // target; with an alpha = 0 the full eigendecomposition is used instead, so
  // that eigenvalues below eps * max(m, p) * lambda_max count as zero
  // (pseudo-inverse).
  void shifted_solves(Matrix<T>& S, const Eigen::Ref<const Matrix<T>>& B, Matrix<T>& M,
                      const char* what) {
    const Index d = S.rows();
    M.resize(d, pb_.kt());
    if (pb_.solver == Solver::cholesky) {
      H_.resize(d, d);
      bool factored = false;
      T factored_alpha = T(0);
      for_each_alpha([&](T alpha, Index col, Index u0, Index width) {
        if (!factored || alpha != factored_alpha) {
          H_ = S;
          H_.diagonal().array() += alpha;
          Eigen::LLT<Eigen::Ref<Matrix<T>>> llt(H_);  // in place: H_ holds L
          if (llt.info() != Eigen::Success) not_positive_definite(alpha, what);
          // (max L_ii / min L_ii)^2 is a lower bound on cond(S + alpha I).
          const double ratio = double(H_.diagonal().maxCoeff()) / double(H_.diagonal().minCoeff());
          condition_bound_ = std::max(condition_bound_, ratio * ratio);
          factored = true;
          factored_alpha = alpha;
        }
        auto block = M.middleCols(col, width);
        block = B.middleCols(u0, width);
        H_.template triangularView<Eigen::Lower>().solveInPlace(block);
        H_.template triangularView<Eigen::Lower>().adjoint().solveInPlace(block);
      });
      return;
    }
    // The tridiagonal route needs every alpha above the rounding level of S; tinier
    // alphas go through the eigenvalues, where they cannot amplify null directions.
    const T negligible = std::numeric_limits<T>::epsilon() * std::max(S.diagonal().maxCoeff(), T(0));
    if ((pb_.alphas.array() > negligible).all() && tridiagonal_solves(S, B, M)) return;
    eig_.compute(S, Eigen::ComputeEigenvectors);
    if (eig_.info() != Eigen::Success) throw LinAlgError(std::string("eigendecomposition of ") + what + " did not converge");
    const auto& lambda = eig_.eigenvalues();
    const T cutoff = relative_cutoff<T>(rows_used(), pb_.p()) * std::max(lambda.maxCoeff(), T(0));
    Q_.noalias() = eig_.eigenvectors().transpose() * B;
    filter(lambda, Q_, cutoff, false, P_);
    M.noalias() = eig_.eigenvectors() * P_;
  }

  // S = Q T Q^T; M = Q (T + alpha I)^-1 Q^T B. Returns false (M then holds
  // nothing of use) if a pivot is not positive, i.e. S + alpha I is not
  // numerically positive definite, or so small that its reciprocal overflows.
  bool tridiagonal_solves(const Matrix<T>& S, const Eigen::Ref<const Matrix<T>>& B, Matrix<T>& M) {
    const Index d = S.rows();
    tri_.compute(S);
    const auto diag = tri_.diagonal();
    const auto off = tri_.subDiagonal();
    Q_ = B;
    Q_.applyOnTheLeft(tri_.matrixQ().adjoint());
    pivots_.resize(d);  // reciprocal pivots of LDL^T
    multipliers_.resize(d);
    bool ok = true;
    for_each_alpha([&](T alpha, Index col, Index u0, Index width) {
      if (!ok) return;
      // LDL^T of T + alpha I (Thomas algorithm), once per run of targets sharing alpha.
      T pivot = diag(0) + alpha;
      for (Index i = 0; i < d; ++i) {
        if (i > 0) {
          multipliers_(i) = off(i - 1) * pivots_(i - 1);
          pivot = diag(i) + alpha - multipliers_(i) * off(i - 1);
        }
        // Not positive definite, or a pivot whose reciprocal overflows: the eigenvalue route.
        if (!(pivot > T(0)) || !std::isfinite(T(1) / pivot)) return void(ok = false);
        pivots_(i) = T(1) / pivot;
      }
      // Forward then back substitution, a row of the run at a time (no divisions,
      // no dependency between the run's targets).
      auto Z = M.middleCols(col, width);
      Z.row(0) = Q_.row(0).segment(u0, width);
      for (Index i = 1; i < d; ++i) Z.row(i) = Q_.row(i).segment(u0, width) - multipliers_(i) * Z.row(i - 1);
      Z.row(d - 1) *= pivots_(d - 1);
      for (Index i = d - 2; i >= 0; --i) Z.row(i) = (Z.row(i) - off(i) * Z.row(i + 1)) * pivots_(i);
    });
    if (!ok) return false;
    M.applyOnTheLeft(tri_.matrixQ());
    return true;
  }

  // Spectral coefficients: F.col(c) = f(lambda, alpha) .* Q.col(u).
  template <class Spectrum, class Rhs>
  void filter(const Spectrum& lambda, const Rhs& Q, T cutoff, bool singular_values, Matrix<T>& F) const {
    const Index k = pb_.k(), t = pb_.t(), r = lambda.size();
    const T tiny = std::numeric_limits<T>::epsilon() * (r ? lambda.cwiseAbs().maxCoeff() : T(0));
    F.resize(r, pb_.kt());
    for (Index a = 0; a < k; ++a)
      for (Index u = 0; u < t; ++u) {
        const T alpha = pb_.alphas(a, u);
        for (Index j = 0; j < r; ++j) {
          const T l = lambda(j);
          T f;
          // Singular values below the cutoff are dropped (numpy.linalg.lstsq's rule);
          // s / (s^2 + alpha) is written so that s^2 cannot overflow. Eigenvalues
          // below the cutoff count as 0; the direction is kept unless alpha is
          // itself below the rounding level (then 1 / alpha would amplify noise).
          if (singular_values) {
            f = l > cutoff ? T(1) / (l + alpha / l) : T(0);
          } else {
            // (An alpha so small that 1 / alpha overflows counts as below it too.)
            const T lp = l > cutoff ? l : T(0);
            f = lp + alpha > tiny && std::isfinite(T(1) / (lp + alpha)) ? T(1) / (lp + alpha) : T(0);
          }
          F(j, a * t + u) = f * Q(j, u);
        }
      }
  }

  void solve_svd(Eigen::Ref<Matrix<T>> W) {
    const Index m = rows_used();
    const auto A = Z_.topRows(m).leftCols(pb_.p());
    constexpr unsigned thin = Eigen::ComputeThinU | Eigen::ComputeThinV;
    // Eigen 3.4's BDCSVD binds a reference to an empty block's null data for a
    // single row of >= 16 columns (UBSan); one row goes through JacobiSVD.
    if (m == 1) filter_svd(Eigen::JacobiSVD<Matrix<T>>(A, thin), W);
    else filter_svd(Eigen::BDCSVD<Matrix<T>>(A, thin), W);
  }

  template <class Svd>
  void filter_svd(const Svd& svd, Eigen::Ref<Matrix<T>> W) {
    const Index m = rows_used();
    if (svd.info() != Eigen::Success) throw LinAlgError("SVD did not converge");
    const auto& s = svd.singularValues();
    const T cutoff = relative_cutoff<T>(m, pb_.p()) * (s.size() ? s(0) : T(0));
    Matrix<T> Q = svd.matrixU().transpose() * Yz_.topRows(m);
    Matrix<T> F;
    filter(s, Q, cutoff, true, F);
    W.noalias() = svd.matrixV() * F;
  }

  // Weighted, re-centred kernel block from the shared kernel: with k_i =
  // sum_l c_l K(i, l) / s and kappa = sum_l c_l k_l / s (s = sum c), the kernel
  // of the rows centred by this replicate's means is K(i, j) - k_i - k_j + kappa.
  // The coefficients need no centred panel: with v = sqrt(c) a (a the dual
  // solution) and xt_i = x_i - mu, w = sum_i v_i (xt_i - xbar~) = sum_i u_i xt_i,
  // u_i = v_i - c_i sum(v) / s; the intercept is ybar - mu.w - sum_i u_i k_i
  // (since xbar~.xt_i = k_i). So a replicate reads its rows of X once.
  void solve_dual_from_kernel(Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b) {
    const Index m = rows_used(), p = pb_.p(), t = pb_.t(), kt = pb_.kt();
    const Matrix<T>& K = *kernel_;
    K_.resize(m, m);
    // Lower triangle of K[rows, rows], column by column: rows are ascending, so
    // only K's lower triangle is read, along its contiguous columns.
    for (Index q = 0; q < m; ++q) {
      const T* src = K.data() + rows_[std::size_t(q)] * K.rows();
      T* dst = K_.data() + q * m;
      for (Index r = q; r < m; ++r) dst[r] = src[rows_[std::size_t(r)]];
    }
    Vector<double> c = w_sel_.head(m).template cast<double>(), k;
    if (pb_.intercept) {
      if constexpr (std::is_same_v<T, double>) {
        k.noalias() = K_.template selfadjointView<Eigen::Lower>() * c;
      } else {
        const Matrix<double> Kd = K_.template cast<double>();
        k.noalias() = Kd.template selfadjointView<Eigen::Lower>() * c;
      }
      k /= weight_sum_;
      const double kappa = c.dot(k) / weight_sum_;
      for (Index q = 0; q < m; ++q)
        for (Index r = q; r < m; ++r)
          K_(r, q) = sqrt_w_(r) * sqrt_w_(q) * T(double(K_(r, q)) - k(r) - k(q) + kappa);
    } else {
      for (Index q = 0; q < m; ++q)
        for (Index r = q; r < m; ++r) K_(r, q) *= sqrt_w_(r) * sqrt_w_(q);
    }
    for (Index r = 0; r < m; ++r)
      with_row(pb_.Y, rows_[std::size_t(r)], [&](const auto& y) {
        if (pb_.intercept) Yz_.row(r) = sqrt_w_(r) * (y - ymean_);
        else Yz_.row(r) = sqrt_w_(r) * y;
      });
    shifted_solves(K_, Yz_.topRows(m), A_, "the kernel X W X^T");
    // A_ becomes u (m, k*t).
    for (Index col = 0; col < kt; ++col) {
      auto a = A_.col(col);
      a.array() *= sqrt_w_.head(m).array();
      if (!pb_.intercept) continue;
      const double vs = a.template cast<double>().sum() / weight_sum_;
      for (Index r = 0; r < m; ++r) a(r) = T(double(a(r)) - c(r) * vs);
    }
    // w = sum_i u_i xt_i over fixed blocks of gathered rows (in cache).
    constexpr Index kBlock = 32;
    Xb_.resize(std::min(kBlock, m), p);
    W.setZero();
    for (Index r0 = 0; r0 < m; r0 += kBlock) {
      const Index rows = std::min(kBlock, m - r0);
      for (Index r = 0; r < rows; ++r)
        with_row(pb_.X, rows_[std::size_t(r0 + r)], [&](const auto& x) {
          if (pb_.intercept) Xb_.row(r) = x - *kernel_mean_;
          else Xb_.row(r) = x;
        });
      W.noalias() += Xb_.topRows(rows).transpose() * A_.middleRows(r0, rows);
    }
    for (Index col = 0; col < kt; ++col) {
      if (!pb_.intercept) {
        b(col) = T(0);
        continue;
      }
      const double uk = A_.col(col).template cast<double>().dot(k);
      b(col) = T(double(ymean_(col % t)) - double(kernel_mean_->dot(W.col(col))) - uk);
    }
  }

  // p > m: kernel K = Z Z^T (m, m); w = Z^T (K + alpha I)^-1 y~. The lower
  // triangle is built in fixed blocks of rows (in parallel when a pool is given;
  // the block shapes, and so the bits, do not depend on the thread count).
  void solve_dual(Eigen::Ref<Matrix<T>> W, ThreadPool* pool = nullptr) {
    const Index m = rows_used();
    const auto Z = Z_.topRows(m).leftCols(pb_.p());
    K_.resize(m, m);
    constexpr Index kBlock = 64;
    const auto block = [&](Index blk, int) {
      const Index r0 = blk * kBlock, rows = std::min(kBlock, m - r0);
      K_.block(r0, 0, rows, r0 + rows).noalias() = Z.middleRows(r0, rows) * Z.topRows(r0 + rows).transpose();
    };
    const Index blocks = (m + kBlock - 1) / kBlock;
    if (pool && pool->size() > 1) pool->run(blocks, block);
    else for (Index blk = 0; blk < blocks; ++blk) block(blk, 0);
    shifted_solves(K_, Yz_.topRows(m), A_, "the kernel X W X^T");
    W.noalias() = Z.transpose() * A_;
  }

  struct Slot {
    RowMatrix<T> Z, Yz;
    Matrix<T> Gpad, Rpad, G, R;
    Vector<double> moments;
  };

  const Problem<T>& pb_;
  Index panel_rows_;
  std::vector<Index> rows_;
  Vector<T> sqrt_w_, w_sel_;
  RowVec xmean_, ymean_;
  RowVec xshift_, yshift_;  // what gather() centres about: exact or shifted means (see primal_gram)
  Vector<double> moments_, panel_moments_;
  RowMatrix<T> Z_, Yz_;
  Matrix<T> Gpad_, Rpad_, G_, H_, R_, Q_, M_, K_, A_, P_;
  Vector<T> pivots_, multipliers_;
  const Matrix<T>* kernel_ = nullptr;
  const RowVec* kernel_mean_ = nullptr;
  RowMatrix<T> Xb_;
  double weight_sum_ = 0;
  double condition_bound_ = 1;
  Eigen::SelfAdjointEigenSolver<Matrix<T>> eig_;
  Eigen::Tridiagonalization<Matrix<T>> tri_;
  std::vector<Slot> slots_;
};

}  // namespace ridgeboot
