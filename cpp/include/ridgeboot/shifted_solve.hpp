// Shifted solves: M.col(a*t+u) = (S + alpha(a,u) I)^-1 B.col(u) for a
// symmetric positive semi-definite S (the Gram, or the kernel in the dual form),
// and the spectral filters of the SVD route. Free functions over explicit
// scratch; nothing here knows where S came from.
//
// cholesky: one LLT per distinct alpha. eigh: S = Q T Q^T (blocked Householder
// tridiagonalization, tridiagonal.hpp), then each alpha costs one O(d) tridiagonal solve per
// target; with an alpha below the rounding level of S, the full
// eigendecomposition instead, so that eigenvalues under the rank cutoff count
// as zero (pseudo-inverse). svd: the thin SVD of the gathered rows themselves.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "problem.hpp"
#include "scaling.hpp"
#include "tridiagonal.hpp"
#include "types.hpp"

namespace ridgeboot {

// The rank cutoff, relative to the largest value of the spectrum a
// factorization produced (singular values for svd, Gram or kernel eigenvalues
// for eigh): values at or below rank_cutoff(m, p) * max count as zero.
// eps * max(m, p), as numpy.linalg.lstsq's default rcond (m rows used, p
// features). The Python layer mirrors this rule (ridgeboot._linalg).
template <class T>
T rank_cutoff(Index m, Index p) {
  return std::numeric_limits<T>::epsilon() * T(std::max(m, p));
}

// What a factorization that does not converge usually means.
inline constexpr const char* kNonFiniteHint =
    ": X or y may hold NaN or infinity (check_finite=False skips that check), or the values are too "
    "large for the dtype";

// Scratch of the shifted solves, by role; sized on first use.
template <class T>
struct ShiftSolveScratch {
  Matrix<T> factor;                  // (d, d) Cholesky factor L of S + alpha I
  Matrix<T> rotated;                 // (d, t) V^T B (eigenvectors V), or Q^T B
  Matrix<T> q;                       // (d, d) Q formed explicitly (many columns)
  // (d, t) Q^T B and (d, k*t) its solutions: row-major, so the substitutions
  // below run along contiguous rows of all the targets at once.
  RowMatrix<T> rotated_rows, solutions;
  Matrix<T> spectral;                // (d, k*t) filtered spectral coefficients
  Vector<T> pivots, multipliers;     // (d) reciprocal pivots and multipliers of LDL^T
  BlockedTridiagonalization<T> tridiagonal;
  // Sized on first use (Eigen's sized constructor leaves its status uninitialized: UBSan).
  Eigen::SelfAdjointEigenSolver<Matrix<T>> eigen;
};

// Spectral coefficients: F.col(a*t+u) = f(lambda, alpha(a,u)) .* Q.col(u), with
// f = 1 / (s + alpha / s) for singular values s above the cutoff (dropped below
// it, numpy.linalg.lstsq's rule; written so that s^2 cannot overflow), and
// f = 1 / (l + alpha) for eigenvalues l, those below the cutoff counting as 0:
// the direction is kept unless alpha is itself below the rounding level (then
// 1 / alpha would amplify noise).
template <class T, class Spectrum, class Rhs>
void spectral_filter(const Spectrum& lambda, const Rhs& Q, T cutoff, bool singular_values,
                     const Matrix<T>& alphas,  // (k, t), scaled by alpha_scale (scaling.hpp)
                     const AlphaScale& alpha_scale, Matrix<T>& F) {
  const Index k = alphas.rows(), t = alphas.cols(), r = lambda.size();
  const T tiny = std::numeric_limits<T>::epsilon() * (r ? lambda.cwiseAbs().maxCoeff() : T(0));
  F.resize(r, k * t);
  for (Index a = 0; a < k; ++a)
    for (Index u = 0; u < t; ++u) {
      const T alpha = alpha_scale(alphas(a, u));
      for (Index j = 0; j < r; ++j) {
        const T l = lambda(j);
        T f;
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

namespace shift_detail {

[[noreturn]] inline void not_positive_definite(double alpha, const char* what) {
  std::ostringstream msg;
  msg << "Cholesky factorization failed: " << what << " + alpha*I is not positive definite (alpha=" << alpha
      << "); the problem is singular or too ill-conditioned for this alpha. "
      << "Use solver=\"svd\" (minimum-norm solution) or a larger alpha.";
  throw LinAlgError(msg.str());
}

// One LLT per distinct alpha (runs come sorted by alpha). `condition` grows to
// (max L_ii / min L_ii)^2, a lower bound on cond(S + alpha I).
template <class T>
void cholesky_solves(const Matrix<T>& S, const ConstMatrixRef<T>& B, const std::vector<AlphaRun<T>>& runs,
                     const AlphaScale& alpha_scale, Eigen::Ref<Matrix<T>> M, ShiftSolveScratch<T>& s,
                     double& condition, const char* what) {
  const Index d = S.rows();
  s.factor.resize(d, d);
  bool factored = false;
  T factored_alpha = T(0);
  for (const auto& run : runs) {
    if (!factored || run.alpha != factored_alpha) {
      s.factor = S;
      s.factor.diagonal().array() += alpha_scale(run.alpha);
      Eigen::LLT<Eigen::Ref<Matrix<T>>> llt(s.factor);  // in place: factor holds L
      if (llt.info() != Eigen::Success) not_positive_definite(double(run.alpha), what);
      const double ratio = double(s.factor.diagonal().maxCoeff()) / double(s.factor.diagonal().minCoeff());
      condition = std::max(condition, ratio * ratio);
      factored = true;
      factored_alpha = run.alpha;
    }
    auto block = M.middleCols(run.col, run.width);
    block = B.middleCols(run.u0, run.width);
    s.factor.template triangularView<Eigen::Lower>().solveInPlace(block);
    s.factor.template triangularView<Eigen::Lower>().adjoint().solveInPlace(block);
  }
}

// S = Q T Q^T; M = Q (T + alpha I)^-1 Q^T B. Returns false (M then holds
// nothing of use) if a pivot is not positive, i.e. S + alpha I is not
// numerically positive definite, or so small that its reciprocal overflows.
template <class T>
bool tridiagonal_solves(const Matrix<T>& S, const ConstMatrixRef<T>& B, const std::vector<AlphaRun<T>>& runs,
                        const AlphaScale& alpha_scale, Eigen::Ref<Matrix<T>> M, ShiftSolveScratch<T>& s) {
  const Index d = S.rows();
  s.tridiagonal.compute(S);
  const auto diag = s.tridiagonal.diagonal();
  const auto off = s.tridiagonal.subDiagonal();
  // Applying the d reflectors costs ~4 d^2 flops a column in triangular
  // products; with at least d columns in all, Q is formed once (4/3 d^3) and
  // applied by plain GEMMs (2 d^2 a column): many targets or alphas.
  const bool explicit_q = B.cols() + M.cols() >= d;
  auto& rotated = s.rotated_rows;
  if (explicit_q) {
    s.q = s.tridiagonal.matrixQ();
    rotated.noalias() = s.q.transpose() * B;
  } else {  // the reflectors run faster on column-major blocks
    s.rotated = B;
    s.rotated.applyOnTheLeft(s.tridiagonal.matrixQ().adjoint());
    rotated = s.rotated;
  }
  s.pivots.resize(d);
  s.multipliers.resize(d);
  s.solutions.resize(d, M.cols());
  for (const auto& run : runs) {
    // LDL^T of T + alpha I (Thomas algorithm), once per run of targets sharing alpha.
    const T alpha = alpha_scale(run.alpha);
    T pivot = diag(0) + alpha;
    for (Index i = 0; i < d; ++i) {
      if (i > 0) {
        s.multipliers(i) = off(i - 1) * s.pivots(i - 1);
        pivot = diag(i) + alpha - s.multipliers(i) * off(i - 1);
      }
      // Not positive definite, or a pivot whose reciprocal overflows: the eigenvalue route.
      if (!(pivot > T(0)) || !std::isfinite(T(1) / pivot)) return false;
      s.pivots(i) = T(1) / pivot;
    }
    // Forward then back substitution, a row of the run at a time (no divisions,
    // no dependency between the run's targets).
    auto Z = s.solutions.middleCols(run.col, run.width);
    Z.row(0) = rotated.row(0).segment(run.u0, run.width);
    for (Index i = 1; i < d; ++i)
      Z.row(i) = rotated.row(i).segment(run.u0, run.width) - s.multipliers(i) * Z.row(i - 1);
    Z.row(d - 1) *= s.pivots(d - 1);
    for (Index i = d - 2; i >= 0; --i) Z.row(i) = (Z.row(i) - off(i) * Z.row(i + 1)) * s.pivots(i);
  }
  if (explicit_q) {
    M.noalias() = s.q * s.solutions;
  } else {
    M = s.solutions;
    M.applyOnTheLeft(s.tridiagonal.matrixQ());
  }
  return true;
}

}  // namespace shift_detail

// An upper bound on the largest eigenvalue of the symmetric tridiagonal T
// (diag, off): the rightmost end of its Gershgorin discs.
template <class Diag, class Off>
double gershgorin_upper(const Diag& diag, const Off& off) {
  const Index d = diag.size();
  double upper = 0;
  for (Index j = 0; j < d; ++j)
    upper = std::max(upper, double(diag(j)) + (j > 0 ? std::abs(double(off(j - 1))) : 0.0) +
                                (j + 1 < d ? std::abs(double(off(j))) : 0.0));
  return upper;
}

// The number of eigenvalues of the symmetric tridiagonal T (diag, off) below
// `shift`: the negative pivots of the LDL^T of T - shift I (Sylvester's law of
// inertia; a zero pivot counts as negative, so the count never errs low).
template <class Diag, class Off>
Index eigenvalues_below(const Diag& diag, const Off& off, double shift) {
  Index below = 0;
  double pivot = 1;
  for (Index i = 0; i < diag.size(); ++i) {
    const double coupling = i > 0 ? double(off(i - 1)) : 0.0;
    pivot = double(diag(i)) - shift - (i > 0 ? coupling * coupling / pivot : 0.0);
    if (!(pivot > 0)) {
      ++below;
      if (pivot == 0) pivot = -std::numeric_limits<double>::min();
    }
  }
  return below;
}

// tr T (T + alpha I)^-1 = sum_i 1 - alpha [(T + alpha I)^-1]_ii, the degrees of
// freedom of the ridge fit whose Gram has the tridiagonal form T (diag, off),
// in O(d) per alpha instead of T's eigenvalues: the diagonal of the inverse is
// where the forward and backward LDL^T meet, 1 / (fwd_i + bwd_i - (diag_i +
// alpha)). Needs T + alpha I positive definite (NaN otherwise); `backward` is
// scratch.
template <class Diag, class Off>
double tridiagonal_hat_trace(const Diag& diag, const Off& off, double alpha, Vector<double>& backward) {
  const Index d = diag.size();
  const auto sq = [](double x) { return x * x; };
  backward.resize(d);
  backward(d - 1) = double(diag(d - 1)) + alpha;
  for (Index i = d - 2; i >= 0; --i) backward(i) = double(diag(i)) + alpha - sq(double(off(i))) / backward(i + 1);
  double trace = 0, forward = 0;
  for (Index i = 0; i < d; ++i) {
    const double shifted = double(diag(i)) + alpha;
    forward = i > 0 ? shifted - sq(double(off(i - 1))) / forward : shifted;
    const double meet = forward + backward(i) - shifted;  // 1 / [(T + alpha I)^-1]_ii
    if (!(forward > 0) || !(meet > 0)) return std::numeric_limits<double>::quiet_NaN();
    trace += 1.0 - alpha / meet;
  }
  return std::max(trace, 0.0);
}

// M (d, k*t) = (S + alpha I)^-1 B for S (d, d; lower triangle used), B (d, t),
// every alpha of the problem's grid times `alpha_scale` (S and B scaled by
// powers of two, scaling.hpp), by `solver` (cholesky or eigh). `m`, `p`: rows
// used and features (the rank cutoff). `condition` grows to a lower bound on the
// condition number of the Cholesky factorizations.
// The problem's relative cutoff on singular values: its rcond, or rank_cutoff(m, p).
template <class T>
T singular_cutoff(const Problem<T>& pb, Index m) {
  return pb.rcond > T(0) ? pb.rcond : rank_cutoff<T>(m, pb.p());
}

// Returns the rank used: S's size for Cholesky and the tridiagonal route, the
// eigenvalues kept for the eigenvalue route.
// M: a Matrix (sized here) or the caller's (d, k*t) block, solved into where it lies.
template <class T, class Out>
Index shifted_solves(const Problem<T>& pb, Index m, const Matrix<T>& S, const ConstMatrixRef<T>& B, Out& M,
                     ShiftSolveScratch<T>& s, double& condition, const char* what,
                     const AlphaScale& alpha_scale = {}) {
  M.resize(S.rows(), pb.kt());
  if (pb.solver == Solver::cholesky) {
    shift_detail::cholesky_solves<T>(S, B, pb.runs, alpha_scale, M, s, condition, what);
    return S.rows();
  }
  // The tridiagonal route needs every alpha above the rounding level of S; tinier
  // alphas go through the eigenvalues, where they cannot amplify null directions.
  const T negligible = std::numeric_limits<T>::epsilon() * std::max(S.diagonal().maxCoeff(), T(0));
  if ((pb.alphas.unaryExpr(alpha_scale).array() > negligible).all() &&
      shift_detail::tridiagonal_solves<T>(S, B, pb.runs, alpha_scale, M, s))
    return S.rows();
  s.eigen.compute(S, Eigen::ComputeEigenvectors);
  if (s.eigen.info() != Eigen::Success)
    throw LinAlgError(std::string("eigendecomposition of ") + what + " did not converge" + kNonFiniteHint);
  const auto& lambda = s.eigen.eigenvalues();
  // eigenvalues are squared singular values, and a Gram resolves no finer than eps * max(m, p)
  const T rc = singular_cutoff(pb, m);
  const T cutoff = std::max(rank_cutoff<T>(m, pb.p()), rc * rc) * std::max(lambda.maxCoeff(), T(0));
  s.rotated.noalias() = s.eigen.eigenvectors().transpose() * B;
  spectral_filter(lambda, s.rotated, cutoff, false, pb.alphas, alpha_scale, s.spectral);
  M.noalias() = s.eigen.eigenvectors() * s.spectral;
  return Index((lambda.array() > cutoff).count());
}

// W (p, k*t) = the ridge solutions of A (m, p) w = B (m, t) for every alpha of
// the grid (times alpha_scale), from the thin SVD of A: alpha = 0 gives the
// minimum-norm least-squares solution.
// Returns the rank used (singular values above rcond * the largest).
template <class T, class Rows, class Rhs>
Index svd_solves(const Rows& A, const Rhs& B, const Matrix<T>& alphas, const AlphaScale& alpha_scale, T rcond,
                 Eigen::Ref<Matrix<T>> W) {
  constexpr unsigned thin = Eigen::ComputeThinU | Eigen::ComputeThinV;
  Index rank = 0;
  const auto filter = [&](const auto& svd) {
    if (svd.info() != Eigen::Success) throw LinAlgError(std::string("SVD did not converge") + kNonFiniteHint);
    const auto& s = svd.singularValues();
    const T cutoff = rcond * (s.size() ? s(0) : T(0));
    rank = Index((s.array() > cutoff).count());
    Matrix<T> Q = svd.matrixU().transpose() * B;
    Matrix<T> F;
    spectral_filter(s, Q, cutoff, true, alphas, alpha_scale, F);
    W.noalias() = svd.matrixV() * F;
  };
  // Eigen 3.4's BDCSVD binds a reference to an empty block's null data for a
  // single row of >= 16 columns (UBSan); one row goes through JacobiSVD.
  if (A.rows() == 1) filter(Eigen::JacobiSVD<Matrix<T>>(A, thin));
  else filter(Eigen::BDCSVD<Matrix<T>>(A, thin));
  return rank;
}

}  // namespace ridgeboot
