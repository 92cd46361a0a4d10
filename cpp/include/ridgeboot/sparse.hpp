// Sparse X (CSR): the weighted, centred normal equations formed from the
// stored entries alone, never densified, and the fits and closed-form criteria
// (GCV, leave-one-out, degrees of freedom) from them. Memory O(nnz + p^2 + p t).
//
// Implicit centring without cancellation. With an intercept the Gram is
// G = sum_i w_i d_i d_i^T, d_i = x_i - xbar (xbar the weighted means), which
// scikit-learn forms as X^T W X - (sum w) xbar xbar^T: for a column with a
// large mean and a small spread both terms are ~ mean^2 and their difference
// keeps only the digits the mean leaves (a column 1e6 + N(0, 1) loses 12 of
// 16). Here d_ij is split by the sparsity pattern: e_ij = x_ij - xbar_j where
// x_ij is stored, -xbar_j where it is not. Then, with S the stored pattern,
//   G_jk = sum_{j,k stored} w e_j e_k
//        - xbar_k sum_{j stored, k not} w e_j - xbar_j sum_{k stored, j not} w e_k
//        + xbar_j xbar_k sum_{neither stored} w,
// every term a sum of the actual products d_ij d_ik of its rows, so the rounding
// is that of the dense centred Gram (relative to sum w |d_j| |d_k|, never to
// the means). The "k not stored" sums are formed as (sum over j stored) minus
// (sum over both stored), and "neither" as sum w - sum_{j} w - sum_{k} w +
// sum_{both} w, all accumulated in double in row order: for a column stored in
// every row they are exactly zero, so a dense column with a large mean is
// centred exactly as the dense code centres it. The cross-products R = sum w d
// y~ split the same way. Costs O(sum_i nnz_i^2) for the Gram; two p x p
// double accumulators.
#pragma once

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "cv.hpp"
#include "problem.hpp"
#include "scaling.hpp"
#include "shifted_solve.hpp"
#include "types.hpp"

namespace ridgeboot {

// A compressed-sparse-row view: row i stores data[indptr[i] .. indptr[i + 1])
// in columns indices[...], each column at most once per row, in any order
// (scipy.sparse's canonical CSR, sorted or not). Does not own the arrays.
template <class T>
struct CsrView {
  Index n = 0, p = 0;
  const std::int64_t* indptr = nullptr;   // (n + 1)
  const std::int64_t* indices = nullptr;  // (nnz)
  const T* data = nullptr;                // (nnz)

  Index begin(Index i) const { return Index(indptr[i]); }
  Index end(Index i) const { return Index(indptr[i + 1]); }
  Index nnz() const { return n ? Index(indptr[n]) : 0; }

  // Row i written densely into `row` (p entries).
  template <class Row>
  void densify_row(Index i, Row&& row) const {
    row.setZero();
    for (Index q = begin(i); q < end(i); ++q) row(Index(indices[q])) = data[q];
  }
};

// Throws std::invalid_argument unless X is a well-formed CSR matrix: indptr
// starts at 0 and never decreases, every column index lies in [0, p) and
// appears at most once per row. O(nnz + p).
template <class T>
void check_csr(const CsrView<T>& X) {
  if (X.n < 1 || X.p < 1) throw std::invalid_argument("sparse X must have at least one row and one column");
  if (X.indptr[0] != 0) throw std::invalid_argument("sparse X: indptr must start at 0");
  std::vector<Index> seen(std::size_t(X.p), -1);
  for (Index i = 0; i < X.n; ++i) {
    if (X.indptr[i + 1] < X.indptr[i]) throw std::invalid_argument("sparse X: indptr must not decrease");
    for (Index q = X.begin(i); q < X.end(i); ++q) {
      const std::int64_t j = X.indices[q];
      if (j < 0 || j >= X.p)
        throw std::invalid_argument("sparse X: column index " + std::to_string(j) + " out of range [0, " +
                                    std::to_string(X.p) + ")");
      if (seen[std::size_t(j)] == i)
        throw std::invalid_argument("sparse X: row " + std::to_string(i) + " stores column " + std::to_string(j) +
                                    " twice (sum the duplicates first)");
      seen[std::size_t(j)] = i;
    }
  }
}

// A dense (n, p) view with no data: the Problem (problem.hpp) of a sparse fit
// carries the shape, the targets, the weights and the alpha grid; its X is
// never read.
template <class T>
ConstView<T> shape_only(Index n, Index p) {
  return ConstView<T>(nullptr, n, p, Strides(p, 1));
}

// The weighted, centred normal equations of the rows of positive weight of a
// CSR matrix (see the header): G (p, p, both triangles), R (p, t), in double
// and in the dtype, the weighted means, and what the closed forms need. One
// instance per thread; compute() reuses its buffers.
template <class T>
class SparseNormal {
 public:
  SparseNormal(Index p, Index t) : p_(p), t_(t) {}

  // Rows with w_i > 0 (w nullptr: all ones), centred at their weighted means
  // with an intercept. `poll` is called every few thousand rows; false stops
  // (throws Cancelled).
  void compute(const CsrView<T>& X, const ConstView<T>& Y, const T* w, bool intercept,
               const std::function<bool()>& poll = {}) {
    const Index n = X.n, p = p_, t = t_;
    rows.clear();
    weight_sum = 0;
    for (Index i = 0; i < n; ++i) {
      const double wi = w ? double(w[i]) : 1.0;
      if (wi > 0) rows.push_back(i), weight_sum += wi;
    }
    if (rows.empty()) throw std::invalid_argument("no row has a positive weight");
    m = Index(rows.size());
    const double W = weight_sum;
    const auto weight = [&](Index i) { return w ? double(w[i]) : 1.0; };
    stored_weight.setZero(p);
    stored_count.assign(std::size_t(p), 0);
    xbar.setZero(p);
    ybar.setZero(t);
    // Weighted means in two passes (the second adds the mean residual about the
    // first), stored entries only: a column's implicit zeros add w (0 - m1).
    if (intercept) {
      Vector<double> sx = Vector<double>::Zero(p), sy = Vector<double>::Zero(t);
      for (const Index i : rows) {
        const double wi = weight(i);
        for (Index q = X.begin(i); q < X.end(i); ++q) {
          const Index j = Index(X.indices[q]);
          sx(j) += wi * double(X.data[q]);
          stored_weight(j) += wi;
        }
        for (Index u = 0; u < t; ++u) sy(u) += wi * double(Y(i, u));
      }
      const Vector<double> x1 = sx / W, y1 = sy / W;
      sx.setZero(), sy.setZero();
      for (const Index i : rows) {
        const double wi = weight(i);
        for (Index q = X.begin(i); q < X.end(i); ++q) {
          const Index j = Index(X.indices[q]);
          sx(j) += wi * (double(X.data[q]) - x1(j));
        }
        for (Index u = 0; u < t; ++u) sy(u) += wi * (double(Y(i, u)) - y1(u));
      }
      for (Index j = 0; j < p; ++j) xbar(j) = x1(j) + (sx(j) - x1(j) * (W - stored_weight(j))) / W;
      ybar = y1 + sy / W;
      stored_weight.setZero();
    }
    // Accumulators, column j of the outer entry contiguous in the inner one:
    // A(k, j), k <= j: sum_{both} w e_j e_k; A(k, j), k > j: sum_{both} w;
    // Qt(k, j): sum_{both} w e_j; Vt(u, j): sum_{j} w e_j y~_u; St(u, j): sum_{j} w y~_u.
    A_.setZero(p, p);
    if (intercept) Qt_.setZero(p, p), St_.setZero(t, p);
    Vt_.setZero(t, p);
    a_.setZero(p);
    ysum_.setZero(t);
    yy.setZero(t);
    Vector<double> ytil(t);
    cols_.resize(std::size_t(p));
    e_.resize(std::size_t(p));
    Index done = 0;
    for (const Index i : rows) {
      if (poll && (++done & 4095) == 0 && !poll()) throw Cancelled();
      const double wi = weight(i);
      for (Index u = 0; u < t; ++u) {
        ytil(u) = double(Y(i, u)) - ybar(u);
        ysum_(u) += wi * ytil(u);
        yy(u) += wi * ytil(u) * ytil(u);
      }
      const Index nz = X.end(i) - X.begin(i);
      for (Index q = 0; q < nz; ++q) {
        const Index j = Index(X.indices[X.begin(i) + q]);
        cols_[std::size_t(q)] = j;
        e_[std::size_t(q)] = double(X.data[X.begin(i) + q]) - xbar(j);
      }
      for (Index q = 0; q < nz; ++q) {
        const Index j = cols_[std::size_t(q)];
        const double ej = e_[std::size_t(q)], we = wi * ej;
        a_(j) += we;
        stored_weight(j) += wi;
        ++stored_count[std::size_t(j)];
        double* Aj = A_.col(j).data();
        for (Index q2 = 0; q2 < nz; ++q2) {
          const Index k = cols_[std::size_t(q2)];
          if (k <= j) Aj[k] += we * e_[std::size_t(q2)];
          else Aj[k] += wi;
        }
        if (intercept) {
          double* Qj = Qt_.col(j).data();
          for (Index q2 = 0; q2 < nz; ++q2) Qj[cols_[std::size_t(q2)]] += we;
          for (Index u = 0; u < t; ++u) St_(u, j) += wi * ytil(u);
        }
        for (Index u = 0; u < t; ++u) Vt_(u, j) += we * ytil(u);
      }
    }
    // Assembly (see the header).
    Gd.resize(p, p);
    Rd.resize(p, t);
    for (Index j = 0; j < p; ++j) {
      const double mj = xbar(j), out_j = W - stored_weight(j);  // weight of rows not storing j
      Gd(j, j) = A_(j, j) + (intercept ? mj * mj * out_j : 0.0);
      for (Index k = 0; k < j; ++k) {
        double g = A_(k, j);
        if (intercept) {
          const double mk = xbar(k);
          const double j_only = a_(j) - Qt_(k, j), k_only = a_(k) - Qt_(j, k);
          const double neither = out_j - stored_weight(k) + A_(j, k);
          g += -mk * j_only - mj * k_only + mj * mk * neither;
        }
        Gd(j, k) = Gd(k, j) = g;
      }
      for (Index u = 0; u < t; ++u) Rd(j, u) = Vt_(u, j) - (intercept ? mj * (ysum_(u) - St_(u, j)) : 0.0);
    }
    if (!intercept) {
      // y~ = y: ||y||^2 above; the means stay 0
      xbar.setZero();
      ybar.setZero();
    }
  }

  // Whether column j is stored in every row used (its implicit zeros never occur).
  bool always_stored(Index j) const { return stored_count[std::size_t(j)] == m; }

  Matrix<double> Gd, Rd;        // (p, p), (p, t)
  Vector<double> xbar, ybar;    // (p), (t): weighted means (0 without an intercept)
  Vector<double> yy;            // (t): sum w y~^2
  Vector<double> stored_weight; // (p): sum of the weights of the rows storing column j
  std::vector<Index> stored_count;
  std::vector<Index> rows;      // the rows used (w > 0), ascending
  Index m = 0;
  double weight_sum = 0;

 private:
  Index p_, t_;
  Matrix<double> A_, Qt_, Vt_, St_;
  Vector<double> a_, ysum_;
  std::vector<Index> cols_;
  std::vector<double> e_;
};

// Ridge fits of a sparse X for the problem's (k, t) alpha grid from the normal
// equations: "cholesky" (one factorization per distinct alpha) or "eigh"
// (one reduction for every alpha; an alpha below the rounding level of the
// Gram goes through its eigenvalues, those under the rank cutoff counting as
// zero: the minimum-norm solution of the normal equations). "svd" needs the
// rows themselves and is refused. With the problem's svd_fallback (solver
// "auto"), a Cholesky that fails, keeps fewer than ~3 digits or gives a
// non-finite number is redone by "eigh" (solver_used() says which ran).
// A Gram beyond the dtype's working range is scaled by powers of two (exact).
template <class T>
class SparseFitter {
 public:
  SparseFitter(CsrView<T> X, Problem<T> pb) : X_(X), pb_(std::move(pb)), normal_(pb_.p(), pb_.t()) {
    if (pb_.solver == Solver::svd)
      throw std::invalid_argument(
          "solver 'svd' factors the rows of X and does not take sparse X; use 'auto', 'cholesky' or 'eigh'");
    if (X.n != pb_.n() || X.p != pb_.p()) throw std::invalid_argument("sparse X does not match the problem");
  }

  // W (p, k*t), b (k*t) for row weights w (n; nullptr: the problem's sample weights).
  void fit(const T* w, Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b, const std::function<bool()>& poll = {}) {
    normal_.compute(X_, pb_.Y, w ? w : pb_.base_weight, pb_.intercept, poll);
    solve(W, b);
  }

  // The same from normal equations computed already (normal()).
  void solve(Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b) {
    // Powers of two that bring the Gram and R into the working range, if needed.
    scale_ = Scaling<T>{};
    G_ = normal_.Gd.template cast<T>();
    R_ = normal_.Rd.template cast<T>();
    if (!gram_in_range(G_, R_)) {
      const double g = normal_.Gd.diagonal().cwiseAbs().maxCoeff();
      const T x = inverse_power_of_two<T>(std::sqrt(g));
      const T y = inverse_power_of_two<T>(normal_.Rd.cwiseAbs().maxCoeff() * double(x));
      scale_ = Scaling<T>{x, y, T(1)};
      G_ = (normal_.Gd * (double(x) * double(x))).template cast<T>();
      R_ = (normal_.Rd * (double(x) * double(y))).template cast<T>();
    }
    solver_used_ = pb_.solver;
    if (pb_.svd_fallback && pb_.solver == Solver::cholesky) {
      try {
        run(pb_, W);
        const bool trusted = condition_bound_ * double(std::numeric_limits<T>::epsilon()) <= kIllConditioned;
        if (trusted && W.allFinite()) return intercepts(W, b);
      } catch (const LinAlgError&) {
      }
      Problem<T> alt = pb_;
      alt.solver = Solver::eigh;
      solver_used_ = Solver::eigh;
      run(alt, W);
    } else {
      run(pb_, W);
    }
    intercepts(W, b);
  }

  const Problem<T>& problem() const { return pb_; }
  const SparseNormal<T>& normal() const { return normal_; }
  Solver solver_used() const { return solver_used_; }
  double condition_bound() const { return condition_bound_; }
  Index rank() const { return rank_; }

 private:
  void run(const Problem<T>& pb, Eigen::Ref<Matrix<T>> W) {
    condition_bound_ = 1;
    rank_ =
        shifted_solves(pb, normal_.m, G_, R_, M_, solve_, condition_bound_, "X^T W X (sparse)", scale_.alpha());
    W = M_;
    scale_.unscale(W);
  }

  void intercepts(Eigen::Ref<Matrix<T>> W, Eigen::Ref<Vector<T>> b) const {
    const Index t = pb_.t();
    for (Index c = 0; c < pb_.kt(); ++c) {
      if (!pb_.intercept) {
        b(c) = T(0);
        continue;
      }
      double s = normal_.ybar(c % t);
      for (Index j = 0; j < pb_.p(); ++j) s -= normal_.xbar(j) * double(W(j, c));
      b(c) = T(s);
    }
  }

  CsrView<T> X_;
  Problem<T> pb_;
  SparseNormal<T> normal_;
  Matrix<T> G_, R_, M_;
  Scaling<T> scale_;
  ShiftSolveScratch<T> solve_;
  double condition_bound_ = 1;
  Index rank_ = 0;
  Solver solver_used_ = Solver::cholesky;
};

// GCV, exact leave-one-out and the degrees of freedom of a sparse X for every
// alpha of the grid, from one eigendecomposition of the centred Gram (in
// double), as ClosedFormCv (cv.hpp) computes them for dense X. The
// leave-one-out leverages come from the sparse rows: row i's spectral
// coordinates sqrt(w_i) (x_i - xbar) Q are formed from its stored entries and
// the precomputed xbar Q over the columns with implicit zeros (a column stored
// in every row is centred entry by entry, so a large mean cancels exactly).
template <class T>
class SparseCv {
 public:
  SparseCv(CsrView<T> X, Problem<T> pb)
      : X_(X), pb_(std::move(pb)), normal_(pb_.p(), pb_.t()), alphas_(pb_.alphas.template cast<double>()) {}

  void run(CvMethod method, const std::function<bool()>& poll, Matrix<double>& scores, Matrix<double>& dof,
           bool keep_rows = false) {
    const Index k = pb_.k(), t = pb_.t(), p = pb_.p();
    scores.setConstant(k, t, std::numeric_limits<double>::quiet_NaN());
    dof.resize(k, t);
    normal_.compute(X_, pb_.Y, pb_.base_weight, pb_.intercept, poll);
    const Index m = normal_.m;
    Eigen::SelfAdjointEigenSolver<Matrix<double>> eig(
        normal_.Gd, method == CvMethod::dof ? Eigen::EigenvaluesOnly : Eigen::ComputeEigenvectors);
    if (eig.info() != Eigen::Success)
      throw LinAlgError(std::string("eigendecomposition did not converge") + kNonFiniteHint);
    const auto& lambda = eig.eigenvalues();
    const double cutoff = double(rank_cutoff<T>(m, p)) * std::max(double(lambda(p - 1)), 0.0);
    std::vector<Index> kept;
    for (Index j = 0; j < p; ++j)
      if (lambda(j) > cutoff) kept.push_back(j);
    const Index r = Index(kept.size());
    s_.lambda.resize(r);
    for (Index q = 0; q < r; ++q) s_.lambda(q) = lambda(kept[std::size_t(q)]);
    s_.m = m;
    s_.weight_sum = normal_.weight_sum;
    s_.intercept = pb_.intercept;
    if (method != CvMethod::dof) {
      s_.basis.resize(p, r);
      for (Index q = 0; q < r; ++q) s_.basis.col(q) = eig.eigenvectors().col(kept[std::size_t(q)]);
      const Matrix<double> rotated = eig.eigenvectors().transpose() * normal_.Rd;
      s_.rot.resize(r, t);
      for (Index q = 0; q < r; ++q) s_.rot.row(q) = rotated.row(kept[std::size_t(q)]);
      s_.yy = normal_.yy;
      Matrix<double> F;
      spectral_filter(eig.eigenvalues(), rotated, cutoff, false, alphas_, AlphaScale{}, F);
      W_.noalias() = eig.eigenvectors() * F;
      b_.setZero(pb_.kt());
      if (pb_.intercept)
        for (Index c = 0; c < pb_.kt(); ++c) b_(c) = normal_.ybar(c % t) - normal_.xbar.dot(W_.col(c));
    }
    if (poll && !poll()) throw Cancelled();
    gcv_scores(s_, pb_.runs, t, method == CvMethod::gcv, scores, dof);
    if (method == CvMethod::loo) {
      Vector<double> acc = Vector<double>::Zero(pb_.kt());
      if (keep_rows) loo_rows_.setZero(m, pb_.kt());
      else loo_rows_.resize(0, 0);
      loo(poll, acc);
      for (Index c = 0; c < pb_.kt(); ++c) scores(c / t, c % t) = acc(c) / s_.weight_sum;
    }
  }

  const Matrix<double>& coef() const { return W_; }
  const Vector<double>& intercept() const { return b_; }

  // As ClosedFormCv::loo_rows: (n, k*t), NaN for rows of weight 0.
  Matrix<double> loo_rows() const {
    Matrix<double> out = Matrix<double>::Constant(pb_.n(), pb_.kt(), std::numeric_limits<double>::quiet_NaN());
    for (Index r = 0; r < loo_rows_.rows(); ++r) out.row(normal_.rows[std::size_t(r)]) = loo_rows_.row(r);
    return out;
  }

 private:
  void loo(const std::function<bool()>& poll, Vector<double>& acc) {
    const Index m = normal_.m, p = pb_.p(), t = pb_.t(), r = s_.lambda.size();
    const bool icpt = pb_.intercept;
    // xbar Q over the columns with implicit zeros; those stored everywhere are centred per entry
    RowVector<double> shift = RowVector<double>::Zero(r);
    if (icpt)
      for (Index j = 0; j < p; ++j)
        if (!normal_.always_stored(j)) shift += normal_.xbar(j) * s_.basis.row(j);
    const T* w = pb_.base_weight;
    constexpr Index kBlock = 256;
    Matrix<double> P(kBlock, r), Yz(kBlock, t);
    Vector<double> v(kBlock);
    for (Index r0 = 0; r0 < m; r0 += kBlock) {
      if (poll && !poll()) throw Cancelled();
      const Index rows = std::min(kBlock, m - r0);
      for (Index q = 0; q < rows; ++q) {
        const Index i = normal_.rows[std::size_t(r0 + q)];
        const double wi = w ? double(w[i]) : 1.0, s = std::sqrt(wi);
        RowVector<double> row = -shift;
        for (Index e = X_.begin(i); e < X_.end(i); ++e) {
          const Index j = Index(X_.indices[e]);
          const double x = double(X_.data[e]) - (icpt && normal_.always_stored(j) ? normal_.xbar(j) : 0.0);
          row += x * s_.basis.row(j);
        }
        P.row(q) = s * row;
        for (Index u = 0; u < t; ++u) Yz(q, u) = s * (double(pb_.Y(i, u)) - normal_.ybar(u));
        v(q) = wi;
      }
      Eigen::Ref<Matrix<double>> out =
          loo_rows_.middleRows(loo_rows_.size() ? r0 : 0, loo_rows_.size() ? rows : 0);
      loo_accumulate(s_, pb_.runs, P.topRows(rows), Yz.topRows(rows), v.data(), acc,
                     loo_rows_.size() ? &out : nullptr);
    }
  }

  CsrView<T> X_;
  Problem<T> pb_;
  SparseNormal<T> normal_;
  Matrix<double> alphas_;
  Spectrum s_;
  Matrix<double> W_;
  Vector<double> b_;
  Matrix<double> loo_rows_;
};

}  // namespace ridgeboot
