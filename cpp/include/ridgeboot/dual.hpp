// The dual (kernel) form for more features than rows: with Z the centred,
// sqrt(weight)-scaled rows (m, p), K = Z Z^T (m, m) and w = Z^T (K + alpha I)^-1 y~.
// A bootstrap of a wide problem builds the kernel of all rows once and gathers
// each replicate's block from it (SharedKernel).
#pragma once

#include <algorithm>
#include <type_traits>

#include "gather.hpp"
#include "problem.hpp"
#include "scaling.hpp"
#include "shifted_solve.hpp"
#include "thread_pool.hpp"
#include "types.hpp"

namespace ridgeboot {

// K (m, m) = Z Z^T on and below the diagonal for Z (m, p) row-major rows, built
// in fixed blocks of rows (in parallel when a pool of several threads is
// given): the block shapes, and so the bits, do not depend on the thread count.
template <class T, class Rows>
void kernel_lower(const Rows& Z, Matrix<T>& K, ThreadPool* pool) {
  const Index m = Z.rows();
  K.resize(m, m);
  constexpr Index kBlock = 64;
  const auto block = [&](Index blk, int) {
    const Index r0 = blk * kBlock, rows = std::min(kBlock, m - r0);
    K.block(r0, 0, rows, r0 + rows).noalias() = Z.middleRows(r0, rows) * Z.topRows(r0 + rows).transpose();
  };
  const Index blocks = (m + kBlock - 1) / kBlock;
  if (pool && pool->size() > 1) pool->run(blocks, block);
  else
    for (Index blk = 0; blk < blocks; ++blk) block(blk, 0);
}

// The kernel of all n rows, shared read-only by every replicate of a bootstrap:
// K = (X - mu)(X - mu)^T (lower triangle) with mu the plain column means (zero
// without an intercept; centring first keeps the per-replicate re-centring
// accurate), two-pass so that identical rows centre to exactly zero.
template <class T>
struct SharedKernel {
  Matrix<T> K;        // (n, n), of the rows times x_scale
  RowVector<T> mean;  // (p) the column means K was centred by
  T x_scale = 1;      // a power of two (scaling.hpp): 1 unless K would leave the working range

  void build(const ConstView<T>& X, bool intercept, ThreadPool& pool) {
    const Index n = X.rows(), p = X.cols();
    mean.setZero(p);
    if (intercept) {
      using RowD = RowVector<double>;
      RowD m1 = RowD::Zero(p), m2 = RowD::Zero(p);
      for (Index i = 0; i < n; ++i) m1 += X.row(i).template cast<double>();
      m1 /= double(n);
      for (Index i = 0; i < n; ++i) m2 += X.row(i).template cast<double>() - m1;
      mean = (m1 + m2 / double(n)).template cast<T>();
    }
    RowMatrix<T> Xc = X;
    if (intercept) Xc.rowwise() -= mean;
    x_scale = 1;
    kernel_lower(Xc, K, &pool);
    if (K.diagonal().allFinite() && in_value_range<T>(n ? double(K.diagonal().maxCoeff()) : 0.0)) return;
    x_scale = inverse_power_of_two<T>(double(Xc.cwiseAbs().maxCoeff()));
    Xc *= x_scale;
    kernel_lower(Xc, K, &pool);
  }
};

template <class T>
struct DualScratch {
  Matrix<T> K;         // (m, m) the replicate's kernel
  Matrix<T> A;         // (m, k*t) dual solutions, then the row coefficients u
  RowMatrix<T> Xb;     // (32, p) a block of gathered rows
  ShiftSolveScratch<T> solve;
};

// W (p, k*t) = Z^T (K + alpha I)^-1 Yz for the gathered rows Z (m, p), Yz (m, t)
// (alpha times alpha_scale: Z scaled by powers of two, scaling.hpp).
// Returns the rank used (shifted_solves).
template <class T, class Rows, class Rhs>
Index solve_dual(const Problem<T>& pb, const Rows& Z, const Rhs& Yz, Eigen::Ref<Matrix<T>> W, ThreadPool* pool,
                 DualScratch<T>& s, double& condition, const AlphaScale& alpha_scale) {
  kernel_lower(Z, s.K, pool);
  const Index rank =
      shifted_solves(pb, Z.rows(), s.K, Yz, s.A, s.solve, condition, "the kernel X W X^T", alpha_scale);
  W.noalias() = Z.transpose() * s.A;
  return rank;
}

// One replicate's fit from the shared kernel: with k_i = sum_l c_l K(i, l) / s
// and kappa = sum_l c_l k_l / s (s = sum c), the kernel of the rows centred by
// this replicate's means is K(i, j) - k_i - k_j + kappa. The coefficients need
// no centred panel: with v = sqrt(c) a (a the dual solution) and xt_i = x_i - mu,
// w = sum_i v_i (xt_i - xbar~) = sum_i u_i xt_i, u_i = v_i - c_i sum(v) / s; the
// intercept is ybar - mu.w - sum_i u_i k_i (since xbar~.xt_i = k_i). So a
// replicate reads its rows of X once. `ymean` (t): the replicate's target means.
template <class T>
void solve_dual_from_kernel(const Problem<T>& pb, const SharedKernel<T>& shared, const RowGather<T>& rows,
                            const RowVector<T>& ymean, RowMatrix<T>& Yz, Eigen::Ref<Matrix<T>> W,
                            Eigen::Ref<Vector<T>> b, DualScratch<T>& s, double& condition) {
  const Index m = rows.count(), p = pb.p(), t = pb.t(), kt = pb.kt();
  const Matrix<T>& K = shared.K;
  const auto& sqrt_w = rows.sqrt_weights();
  s.K.resize(m, m);
  // Lower triangle of K[rows, rows], column by column: rows are ascending, so
  // only K's lower triangle is read, along its contiguous columns.
  for (Index q = 0; q < m; ++q) {
    const T* src = K.data() + rows.row(q) * K.rows();
    T* dst = s.K.data() + q * m;
    for (Index r = q; r < m; ++r) dst[r] = src[rows.row(r)];
  }
  Vector<double> c = rows.weights().head(m).template cast<double>(), k;
  if (pb.intercept) {
    if constexpr (std::is_same_v<T, double>) {
      k.noalias() = s.K.template selfadjointView<Eigen::Lower>() * c;
    } else {
      const Matrix<double> Kd = s.K.template cast<double>();
      k.noalias() = Kd.template selfadjointView<Eigen::Lower>() * c;
    }
    k /= rows.weight_sum();
    const double kappa = c.dot(k) / rows.weight_sum();
    for (Index q = 0; q < m; ++q)
      for (Index r = q; r < m; ++r) s.K(r, q) = sqrt_w(r) * sqrt_w(q) * T(double(s.K(r, q)) - k(r) - k(q) + kappa);
  } else {
    for (Index q = 0; q < m; ++q)
      for (Index r = q; r < m; ++r) s.K(r, q) *= sqrt_w(r) * sqrt_w(q);
  }
  for (Index r = 0; r < m; ++r)
    with_row(pb.Y, rows.row(r), [&](const auto& y) {
      if (pb.intercept) Yz.row(r) = sqrt_w(r) * (y - ymean);
      else Yz.row(r) = sqrt_w(r) * y;
    });
  // K is of the rows times shared.x_scale: so is alpha, and w comes out divided by its square
  const AlphaScale scale{double(shared.x_scale), 1.0};
  shifted_solves(pb, m, s.K, Yz.topRows(m), s.A, s.solve, condition, "the kernel X W X^T", scale);
  // A becomes u (m, k*t).
  for (Index col = 0; col < kt; ++col) {
    auto a = s.A.col(col);
    a.array() *= sqrt_w.head(m).array();
    if (!pb.intercept) continue;
    const double vs = a.template cast<double>().sum() / rows.weight_sum();
    for (Index r = 0; r < m; ++r) a(r) = T(double(a(r)) - c(r) * vs);
  }
  // w = sum_i u_i xt_i over fixed blocks of gathered rows (in cache).
  constexpr Index kBlock = 32;
  s.Xb.resize(std::min(kBlock, m), p);
  W.setZero();
  for (Index r0 = 0; r0 < m; r0 += kBlock) {
    const Index n_rows = std::min(kBlock, m - r0);
    for (Index r = 0; r < n_rows; ++r)
      with_row(pb.X, rows.row(r0 + r), [&](const auto& x) {
        if (pb.intercept) s.Xb.row(r) = x - shared.mean;
        else s.Xb.row(r) = x;
      });
    W.noalias() += s.Xb.topRows(n_rows).transpose() * s.A.middleRows(r0, n_rows);
  }
  if (shared.x_scale != T(1)) W *= shared.x_scale, W *= shared.x_scale;
  for (Index col = 0; col < kt; ++col) {
    if (!pb.intercept) {
      b(col) = T(0);
      continue;
    }
    const double uk = s.A.col(col).template cast<double>().dot(k);
    b(col) = T(double(ymean(col % t)) - double(shared.mean.dot(W.col(col))) - uk);
  }
}

}  // namespace ridgeboot
