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
#include <vector>

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

// Rows gathered per Gram panel: fixed by p alone, so the summation order -- and
// so every bit of the result -- never depends on the thread count.
inline Index gram_panel_rows(Index p) {
  return std::clamp<Index>(Index(1) << 21 >= p ? (Index(1) << 21) / std::max<Index>(p, 1) : 1,
                           256, 8192);
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
        panel_rows_(std::min(pb.n(), gram_panel_rows(pb.p()))),
        rows_(),
        sqrt_w_(pb.n()),
        xmean_(RowVec::Zero(pb.p())),
        ymean_(RowVec::Zero(pb.t())),
        eig_(pb.p()) {
    rows_.reserve(std::size_t(pb.n()));
    const bool full_panel = pb.solver == Solver::svd || pb.p() > pb.n();
    Z_.resize(full_panel ? pb.n() : panel_rows_, pb.p());
    Yz_.resize(Z_.rows(), pb.t());
    G_.resize(pb.p(), pb.p());
    H_.resize(pb.p(), pb.p());
    R_.resize(pb.p(), pb.t());
    Q_.resize(pb.p(), pb.t());
    M_.resize(pb.p(), pb.kt());
  }

  // Fits the problem with row weights `w` (n), or the problem's own sample
  // weights when w is nullptr. W (p, k*t): column a*t+u is path point a, target
  // u. b (k*t): intercepts. `pool` parallelises the Gram of a large single fit.
  void fit(const T* w, Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b, ThreadPool* pool = nullptr) {
    select_rows(w ? w : pb_.base_weight);
    const Index m = Index(rows_.size()), p = pb_.p();
    if (pb_.solver == Solver::svd) {
      gather(0, m, Z_, Yz_);
      solve_svd(W);
    } else if (p > m) {
      if (Z_.rows() < m) Z_.resize(pb_.n(), p), Yz_.resize(pb_.n(), pb_.t());
      gather(0, m, Z_, Yz_);
      solve_dual(W);
    } else {
      gram(pool);
      if (pb_.solver == Solver::cholesky) solve_primal_cholesky(W);
      else solve_primal_eigh(W);
    }
    const Index t = pb_.t();
    for (Index c = 0; c < pb_.kt(); ++c) b(c) = pb_.intercept ? ymean_(c % t) - xmean_.dot(W.col(c)) : T(0);
  }

  Index rows_used() const { return Index(rows_.size()); }

 private:
  void select_rows(const T* w) {
    rows_.clear();
    const Index n = pb_.n();
    double wsum = 0;
    for (Index i = 0; i < n; ++i) {
      const T wi = w ? w[i] : T(1);
      if (wi > T(0)) {
        sqrt_w_(Index(rows_.size())) = std::sqrt(wi);
        rows_.push_back(i);
        wsum += double(wi);
      }
    }
    if (rows_.empty()) throw std::invalid_argument("no row has a positive weight");
    if (!pb_.intercept) return;
    // Weighted means, accumulated in double in row order.
    Eigen::Matrix<double, 1, Eigen::Dynamic> xs = Eigen::Matrix<double, 1, Eigen::Dynamic>::Zero(pb_.p());
    Eigen::Matrix<double, 1, Eigen::Dynamic> ys = Eigen::Matrix<double, 1, Eigen::Dynamic>::Zero(pb_.t());
    for (Index r = 0; r < Index(rows_.size()); ++r) {
      const double wi = double(sqrt_w_(r)) * double(sqrt_w_(r));
      xs += wi * pb_.X.row(rows_[r]).template cast<double>();
      ys += wi * pb_.Y.row(rows_[r]).template cast<double>();
    }
    xmean_ = (xs / wsum).template cast<T>();
    ymean_ = (ys / wsum).template cast<T>();
  }

  // Z.row(r - r0) = sqrt(w) (x - xbar) for selected rows r0..r1, likewise y.
  void gather(Index r0, Index r1, RowMatrix<T>& Z, RowMatrix<T>& Yz) const {
    for (Index r = r0; r < r1; ++r) {
      const Index i = rows_[std::size_t(r)];
      const T s = sqrt_w_(r);
      if (pb_.intercept) {
        Z.row(r - r0) = s * (pb_.X.row(i) - xmean_);
        Yz.row(r - r0) = s * (pb_.Y.row(i) - ymean_);
      } else {
        Z.row(r - r0) = s * pb_.X.row(i);
        Yz.row(r - r0) = s * pb_.Y.row(i);
      }
    }
  }

  // G = Z^T Z (lower triangle) and R = Z^T Y~ over fixed row panels, summed in
  // panel order; panels of one round run in parallel when a pool is given.
  void gram(ThreadPool* pool) {
    const Index m = Index(rows_.size());
    const Index panels = (m + panel_rows_ - 1) / panel_rows_;
    const int T_ = pool ? pool->size() : 1;
    if (T_ <= 1 || panels <= 1) {
      for (Index c = 0; c < panels; ++c) {
        const Index r0 = c * panel_rows_, r1 = std::min(m, r0 + panel_rows_);
        gather(r0, r1, Z_, Yz_);
        panel_gram(r1 - r0, Z_, Yz_, c == 0 ? G_ : H_, c == 0 ? R_ : Q_);
        if (c > 0) G_ += H_, R_ += Q_;
      }
      return;
    }
    if (int(slots_.size()) < T_) {
      slots_.resize(std::size_t(T_));
      for (auto& s : slots_) {
        s.Z.resize(panel_rows_, pb_.p());
        s.Yz.resize(panel_rows_, pb_.t());
        s.G.resize(pb_.p(), pb_.p());
        s.R.resize(pb_.p(), pb_.t());
      }
    }
    for (Index round = 0; round < panels; round += T_) {
      const Index count = std::min<Index>(T_, panels - round);
      pool->run(count, [&](Index item, int) {
        auto& s = slots_[std::size_t(item)];
        const Index r0 = (round + item) * panel_rows_, r1 = std::min(m, r0 + panel_rows_);
        gather(r0, r1, s.Z, s.Yz);
        panel_gram(r1 - r0, s.Z, s.Yz, s.G, s.R);
      });
      for (Index j = 0; j < count; ++j) {
        if (round + j == 0) G_ = slots_[0].G, R_ = slots_[0].R;
        else G_ += slots_[std::size_t(j)].G, R_ += slots_[std::size_t(j)].R;
      }
    }
  }

  static void panel_gram(Index rows, const RowMatrix<T>& Z, const RowMatrix<T>& Yz, Matrix<T>& G,
                         Matrix<T>& R) {
    G.setZero();
    G.template selfadjointView<Eigen::Lower>().rankUpdate(Z.topRows(rows).transpose());
    R.noalias() = Z.topRows(rows).transpose() * Yz.topRows(rows);
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

  void solve_primal_cholesky(Eigen::Ref<Matrix<T>> W) {
    for_each_alpha([&](T alpha, Index col, Index u0, Index width) {
      if (!factored_ || alpha != last_alpha_) {
        H_ = G_;
        H_.diagonal().array() += alpha;
        Eigen::LLT<Eigen::Ref<Matrix<T>>> llt(H_);
        if (llt.info() != Eigen::Success) not_positive_definite(alpha, "X^T W X");
        factored_ = true;
        last_alpha_ = alpha;
      }
      auto block = W.middleCols(col, width);
      block = R_.middleCols(u0, width);
      // H_ holds the factor L in its lower triangle.
      H_.template triangularView<Eigen::Lower>().solveInPlace(block);
      H_.template triangularView<Eigen::Lower>().adjoint().solveInPlace(block);
    });
    factored_ = false;
  }

  // Spectral coefficients: M.col(c) = f(lambda, alpha) .* Q.col(u).
  template <class Spectrum, class Rhs>
  void filter(const Spectrum& lambda, const Rhs& Q, T cutoff, bool singular_values, Matrix<T>& M) const {
    const Index k = pb_.k(), t = pb_.t(), r = lambda.size();
    M.resize(r, pb_.kt());
    for (Index a = 0; a < k; ++a)
      for (Index u = 0; u < t; ++u) {
        const T alpha = pb_.alphas(a, u);
        for (Index j = 0; j < r; ++j) {
          const T l = lambda(j);
          T f;
          if (singular_values) f = l > cutoff ? l / (l * l + alpha) : T(0);
          else {
            const T lp = l > cutoff ? l : T(0);
            f = lp + alpha > T(0) ? T(1) / (lp + alpha) : T(0);
          }
          M(j, a * t + u) = f * Q(j, u);
        }
      }
  }

  void solve_primal_eigh(Eigen::Ref<Matrix<T>> W) {
    eig_.compute(G_, Eigen::ComputeEigenvectors);
    if (eig_.info() != Eigen::Success) throw LinAlgError("eigendecomposition of the Gram matrix did not converge");
    const auto& lambda = eig_.eigenvalues();
    const T cutoff = relative_cutoff<T>(rows_used(), pb_.p()) * std::max(lambda.maxCoeff(), T(0));
    Q_.noalias() = eig_.eigenvectors().transpose() * R_;
    filter(lambda, Q_, cutoff, false, M_);
    W.noalias() = eig_.eigenvectors() * M_;
  }

  void solve_svd(Eigen::Ref<Matrix<T>> W) {
    const Index m = rows_used();
    Eigen::BDCSVD<Matrix<T>> svd(Z_.topRows(m), Eigen::ComputeThinU | Eigen::ComputeThinV);
    if (svd.info() != Eigen::Success) throw LinAlgError("SVD did not converge");
    const auto& s = svd.singularValues();
    const T cutoff = relative_cutoff<T>(m, pb_.p()) * (s.size() ? s(0) : T(0));
    Matrix<T> Q = svd.matrixU().transpose() * Yz_.topRows(m);
    Matrix<T> M;
    filter(s, Q, cutoff, true, M);
    W.noalias() = svd.matrixV() * M;
  }

  void solve_dual(Eigen::Ref<Matrix<T>> W) {
    const Index m = rows_used();
    const auto Z = Z_.topRows(m);
    const auto Yz = Yz_.topRows(m);
    K_.resize(m, m);
    K_.setZero();
    K_.template selfadjointView<Eigen::Lower>().rankUpdate(Z);
    if (pb_.solver == Solver::cholesky) {
      Matrix<T> A(m, pb_.t());
      for_each_alpha([&](T alpha, Index col, Index u0, Index width) {
        Matrix<T> L = K_;
        L.diagonal().array() += alpha;
        Eigen::LLT<Eigen::Ref<Matrix<T>>> llt(L);
        if (llt.info() != Eigen::Success) not_positive_definite(alpha, "the kernel X W X^T");
        auto a = A.leftCols(width);
        a = Yz.middleCols(u0, width);
        llt.solveInPlace(a);
        W.middleCols(col, width).noalias() = Z.transpose() * a;
      });
      return;
    }
    Eigen::SelfAdjointEigenSolver<Matrix<T>> eig(K_, Eigen::ComputeEigenvectors);
    if (eig.info() != Eigen::Success) throw LinAlgError("eigendecomposition of the kernel did not converge");
    const auto& lambda = eig.eigenvalues();
    const T cutoff = relative_cutoff<T>(m, pb_.p()) * std::max(lambda.maxCoeff(), T(0));
    Matrix<T> P = eig.eigenvectors().transpose() * Yz;
    Matrix<T> M;
    filter(lambda, P, cutoff, false, M);
    Matrix<T> A = eig.eigenvectors() * M;
    W.noalias() = Z.transpose() * A;
  }

  struct Slot {
    RowMatrix<T> Z, Yz;
    Matrix<T> G, R;
  };

  const Problem<T>& pb_;
  Index panel_rows_;
  std::vector<Index> rows_;
  Vector<T> sqrt_w_;
  RowVec xmean_, ymean_;
  RowMatrix<T> Z_, Yz_;
  Matrix<T> G_, H_, R_, Q_, M_, K_;
  Eigen::SelfAdjointEigenSolver<Matrix<T>> eig_;
  std::vector<Slot> slots_;
  T last_alpha_ = T(0);
  bool factored_ = false;
};

}  // namespace ridgeboot
