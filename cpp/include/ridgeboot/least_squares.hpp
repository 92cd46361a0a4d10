// Least squares (alpha = 0) more accurate than one SVD: column equilibration and
// iterative refinement with residuals in extended precision.
//
// The weighted problem with an intercept is min || S (y - b 1 - X w) ||, S = diag(sqrt(v)).
// Its design A = S [1, X] is factored through the centred rows Z = S (X - 1 xbar^T)
// (the gather's), with columns equilibrated by powers of two: Z D = U Sigma V^T. The
// rank is decided on Z D (rcond * sigma_max): full rank there means a unique least-
// squares solution, whatever the column scales -- Filip's design (cond ~1e15) is
// ~5e9 once equilibrated. Then Bjorck's refinement of the augmented system
//   r + A x = S y,  A^T r = 0
// with residuals f = S y - r - A x and g = -A^T r accumulated in extended precision
// (long double; double for float data) over the raw rows, and corrections solved with
// the same factors:
//   dx = A^+ f - (A^T A)^-1 g,  dr = f - A dx.
// Rank-deficient (after equilibration) problems keep the minimum-norm solution of the
// unscaled problem (svd_solves), which equilibration would change.
#pragma once

#include <Eigen/SVD>
#include <cmath>
#include <type_traits>

#include "gather.hpp"
#include "shifted_solve.hpp"
#include "types.hpp"

namespace ridgeboot {

template <class T>
class LeastSquares {
 public:
  using Wide = std::conditional_t<std::is_same_v<T, float>, double, long double>;

  // Solves for every target from the gathered rows Z (m, p) and Yz (m, t), centred
  // by xmean, ymean (the data's units) and scaled by rows.scale (scaling.hpp).
  // Returns false when the equilibrated Z has rank < p at rcond (relative); else
  // W (p, t) and b (t) hold the solution of the scaled problem.
  template <class Rows, class Rhs>
  bool solve(const RowGather<T>& rows, const ConstView<T>& X, const ConstView<T>& Y, bool intercept,
             const RowVector<T>& xmean, const RowVector<T>& ymean, const Rows& Z, const Rhs& Yz, T rcond,
             Matrix<T>& W, Vector<T>& b, Index& rank) {
    const Index m = Z.rows(), p = Z.cols(), t = Yz.cols();
    D_.resize(p);
    for (Index j = 0; j < p; ++j) D_(j) = inverse_power_of_two<T>(double(Z.col(j).norm()));
    factor(Z * D_.asDiagonal());
    const auto& s = sigma_;
    rank = 0;
    for (Index j = 0; j < s.size(); ++j) rank += s(j) > rcond * s(0);
    if (rank < p) return false;
    const Scaling<T>& sc = rows.scale;
    // the data in the scaled problem's units (exact: powers of two)
    xbar_ = (xmean.template cast<Wide>() * Wide(sc.x)).template cast<T>();
    const RowVector<Wide> ybar = ymean.template cast<Wide>() * Wide(sc.y);
    const double W_sum = rows.weight_sum();
    // initial solution: x = D V Sigma^-1 U^T Yz, b = ybar - xbar.w
    W = D_.asDiagonal() * (V_ * (sigma_.cwiseInverse().asDiagonal() * (U_.transpose() * Yz)));
    b.resize(t);
    for (Index u = 0; u < t; ++u) b(u) = intercept ? T(ybar(u) - Wide(xbar_.dot(W.col(u)))) : T(0);
    R_ = Yz - Z * W;  // (m, t) the scaled residuals S (y - b - X w)
    Matrix<T> f(m, t), dW(p, t);
    Vector<T> g0(t), db(t);
    Matrix<T> g1(p, t);
    for (int iteration = 0; iteration < kIterations; ++iteration) {
      residuals(rows, X, Y, intercept, W, b, f, g0, g1);
      // dx = A^+ f - (A^T A)^-1 g (see the header), through the centred factors
      Vector<T> fb = Vector<T>::Zero(t);
      if (intercept) {
        for (Index r = 0; r < m; ++r) fb += rows.sqrt_weight(r) * f.row(r).transpose();
        fb /= T(W_sum);
        for (Index r = 0; r < m; ++r) f.row(r) -= rows.sqrt_weight(r) * fb.transpose();
      }
      Matrix<T> h = g1;
      if (intercept) h -= xbar_.transpose() * g0.transpose();
      dW = D_.asDiagonal() *
           (V_ * (sigma_.cwiseInverse().asDiagonal() * (U_.transpose() * f) -
                  sigma_.cwiseAbs2().cwiseInverse().asDiagonal() * (V_.transpose() * (D_.asDiagonal() * h))));
      if (intercept)
        for (Index u = 0; u < t; ++u) db(u) = fb(u) - g0(u) / T(W_sum) - xbar_.dot(dW.col(u));
      // dr = f - A d = (f with its intercept part) - s (db + xbar.dw) - Z dw; f was centred above
      for (Index r = 0; r < m; ++r) {
        const T sw = rows.sqrt_weight(r);
        for (Index u = 0; u < t; ++u) {
          const T shift = intercept ? sw * (fb(u) - db(u) - xbar_.dot(dW.col(u))) : T(0);
          R_(r, u) += f(r, u) + shift;
        }
      }
      R_.noalias() -= Z * dW;
      W += dW;
      if (intercept) b += db;
    }
    return true;
  }

 private:
  static constexpr int kIterations = 3;

  // U_, sigma_, V_ of A (m, p), thin. (One row goes through JacobiSVD, as in svd_solves.)
  void factor(const Matrix<T>& A) {
    constexpr unsigned thin = Eigen::ComputeThinU | Eigen::ComputeThinV;
    if (A.rows() == 1) keep(Eigen::JacobiSVD<Matrix<T>>(A, thin));
    else keep(Eigen::BDCSVD<Matrix<T>>(A, thin));
  }

  template <class Svd>
  void keep(const Svd& svd) {
    if (svd.info() != Eigen::Success) throw LinAlgError(std::string("SVD did not converge") + kNonFiniteHint);
    U_ = svd.matrixU();
    V_ = svd.matrixV();
    sigma_ = svd.singularValues();
  }

  // f = S y - r - A x and g = -A^T r of the scaled problem, accumulated in Wide over the
  // raw rows (f (m, t), g0 (t) the intercept's part, g1 (p, t)).
  void residuals(const RowGather<T>& rows, const ConstView<T>& X, const ConstView<T>& Y, bool intercept,
                 const Matrix<T>& W, const Vector<T>& b, Matrix<T>& f, Vector<T>& g0, Matrix<T>& g1) const {
    const Index m = rows.count(), p = X.cols(), t = Y.cols();
    const Scaling<T>& sc = rows.scale;
    Matrix<Wide> G1 = Matrix<Wide>::Zero(p, t);
    Vector<Wide> G0 = Vector<Wide>::Zero(t);
    Vector<Wide> x(p);
    for (Index r = 0; r < m; ++r) {
      const Index i = rows.row(r);
      const Wide s = std::sqrt(Wide(rows.weight(r)));
      with_row(X, i, [&](const auto& row) {
        for (Index j = 0; j < p; ++j) x(j) = Wide(row(j)) * Wide(sc.x);
      });
      with_row(Y, i, [&](const auto& yrow) {
        for (Index u = 0; u < t; ++u) {
          Wide fit = intercept ? Wide(b(u)) : Wide(0);
          for (Index j = 0; j < p; ++j) fit += x(j) * Wide(W(j, u));
          const Wide ru = Wide(R_(r, u));
          f(r, u) = T(s * (Wide(yrow(u)) * Wide(sc.y) - fit) - ru);
          G0(u) -= s * ru;
          for (Index j = 0; j < p; ++j) G1(j, u) -= s * x(j) * ru;
        }
      });
    }
    g0 = G0.template cast<T>();
    g1 = G1.template cast<T>();
    if (!intercept) g0.setZero();
  }

  Vector<T> D_, sigma_;   // (p) equilibration, (p) singular values of Z D
  Matrix<T> U_, V_;       // (m, p), (p, p)
  Matrix<T> R_;           // (m, t) scaled residuals
  RowVector<T> xbar_;     // (p) the weighted means, scaled
};

}  // namespace ridgeboot
