// Householder reduction of a symmetric matrix to tridiagonal form, S = Q T Q^T,
// blocked as LAPACK's dsytrd/dlatrd: within a panel of kPanel columns the
// reflectors' two-sided update is deferred (only the current column and the
// product with the trailing matrix see it), then applied to the trailing
// matrix at once as two triangular matrix products. Half the flops then run at
// matrix-product speed; the unblocked reduction (Eigen's Tridiagonalization)
// does them all as memory-bound rank-2 updates. The result is stored as
// Eigen's: T's diagonal and subdiagonal, each reflector's essential part below
// the subdiagonal and its coefficient, so Q is Eigen's HouseholderSequence.
#pragma once

#include <Eigen/Householder>
#include <algorithm>

#include "types.hpp"

namespace ridgeboot {

template <class T>
class BlockedTridiagonalization {
 public:
  // Panels of kPanel columns while more than kUnblocked columns remain.
  static constexpr Index kPanel = 16, kUnblocked = 128;
  using QType = Eigen::HouseholderSequence<Matrix<T>, Vector<T>>;

  // S (d, d): its lower triangle is read.
  void compute(const Matrix<T>& S) {
    const Index n = S.rows();
    A_ = S;
    tau_.setZero(std::max<Index>(n - 1, 0));
    Index k = 0;
    for (; n - k > kUnblocked; k += kPanel) panel(k);
    unblocked(k);
  }

  auto diagonal() const { return A_.diagonal(); }
  auto subDiagonal() const { return A_.diagonal(-1); }
  QType matrixQ() const { return QType(A_, tau_).setLength(std::max<Index>(A_.rows() - 1, 0)).setShift(1); }

 private:
  // Columns k .. k + kPanel - 1: their reflectors, then the trailing matrix
  // A22 -= V W^T + W V^T (lower triangle) with W the panel's deferred updates.
  void panel(Index k) {
    const Index N = A_.rows() - k, nb = kPanel;
    auto P = A_.bottomRightCorner(N, N);
    W_.resize(N, nb);
    for (Index i = 0; i < nb; ++i) {
      auto column = P.col(i).tail(N - i);
      if (i > 0) {  // the panel's earlier reflectors, applied to this column only
        column.noalias() -= P.block(i, 0, N - i, i) * W_.row(i).head(i).transpose();
        column.noalias() -= W_.block(i, 0, N - i, i) * P.row(i).head(i).transpose();
      }
      const Index r = N - i - 1;
      T h, beta;
      P.col(i).tail(r).makeHouseholderInPlace(h, beta);
      P(i + 1, i) = T(1);  // v = P(i + 1 :, i), unit first entry
      const auto v = P.col(i).tail(r);
      auto w = W_.col(i).tail(r);
      w.noalias() = P.bottomRightCorner(r, r).template selfadjointView<Eigen::Lower>() * v;
      if (i > 0) {  // the trailing matrix as the panel's reflectors leave it
        auto scratch = W_.col(i).head(i);  // rows above the diagonal: free
        scratch.noalias() = W_.block(i + 1, 0, r, i).transpose() * v;
        w.noalias() -= P.block(i + 1, 0, r, i) * scratch;
        scratch.noalias() = P.block(i + 1, 0, r, i).transpose() * v;
        w.noalias() -= W_.block(i + 1, 0, r, i) * scratch;
      }
      w *= h;
      w += (T(-0.5) * h * w.dot(v)) * v;
      subdiagonal_[std::size_t(i)] = beta;
      tau_(k + i) = h;
    }
    const Index r = N - nb;
    auto trailing = P.bottomRightCorner(r, r).template triangularView<Eigen::Lower>();
    trailing -= P.block(nb, 0, r, nb) * W_.bottomRows(r).transpose();
    trailing -= W_.bottomRows(r) * P.block(nb, 0, r, nb).transpose();
    for (Index i = 0; i < nb; ++i) P(i + 1, i) = subdiagonal_[std::size_t(i)];
  }

  // Columns k .. : one reflector at a time, as Eigen's Tridiagonalization.
  void unblocked(Index k) {
    const Index n = A_.rows();
    for (Index i = k; i + 1 < n; ++i) {
      const Index r = n - i - 1;
      T h, beta;
      A_.col(i).tail(r).makeHouseholderInPlace(h, beta);
      A_(i + 1, i) = T(1);
      const auto v = A_.col(i).tail(r);
      auto w = tau_.tail(r);  // scratch until its entries are set
      w.noalias() = A_.bottomRightCorner(r, r).template selfadjointView<Eigen::Lower>() * (h * v);
      w += (T(-0.5) * h * w.dot(v)) * v;
      A_.bottomRightCorner(r, r).template selfadjointView<Eigen::Lower>().rankUpdate(v, w, T(-1));
      A_(i + 1, i) = beta;
      tau_(i) = h;
    }
  }

  Matrix<T> A_;  // T's diagonals and the reflectors (see above)
  Vector<T> tau_;
  Matrix<T> W_;  // (N, kPanel) a panel's deferred updates
  T subdiagonal_[kPanel];
};

}  // namespace ridgeboot
