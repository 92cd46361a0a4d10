// Closed-form alpha selection: generalized cross-validation, exact leave-one-out
// and the effective degrees of freedom, for every alpha of the grid, from one
// eigendecomposition of the factorization the fit makes anyway (the weighted,
// centred Gram G = Z^T Z for p <= m; the kernel K = Z Z^T for p > m).
//
// Spectral form: both give P (m, r) with P^T P = diag(lambda) over the r kept
// directions (primal P = Z Q, Q the kept eigenvectors of G; dual P = U
// diag(sqrt(lambda)), U those of K), and rot = P^T y~ (r, t). The fitted values
// are P diag(1 / (lambda + alpha)) rot, the hat matrix
// H = P diag(1 / (lambda + alpha)) P^T (+ sqrt(v) sqrt(v)^T / sum v with an intercept),
// and with c_j^2 = rot_j^2 / lambda_j:
//   RSS(alpha) = [||y~||^2 - sum c_j^2] + sum c_j^2 (alpha / (lambda_j + alpha))^2
//   tr H       = sum lambda_j / (lambda_j + alpha) (+ 1)
//   GCV        = (RSS / sum v) / (1 - tr H / m)^2
//   LOO        = sum_i (e_i / (1 - h_ii))^2 / sum v  (e = y~ - fitted, scaled by sqrt(v))
// When the kept directions and the intercept span all m rows (r + intercept =
// m: the fit at alpha = 0 interpolates), I - H = U diag(alpha / (lambda + alpha)) U^T
// exactly, so e_i and 1 - h_ii are both O(alpha); dividing both by alpha gives
// e_i / (1 - h_ii) = [U diag(1 / (lambda (lambda + alpha))) U^T y~]_i / [same]_ii
// (U = P diag(lambda^-1/2)), whose alpha -> 0 limit is the leave-one-out error of
// the minimum-norm interpolant instead of 0 / 0.
// GCV costs O(r t) per alpha; leave-one-out needs every row's leverage, one
// more pass over the rows (primal: P = Z Q, O(m p^2)) and O(m r t) per alpha.
// On request (`keep_rows`) the leave-one-out residuals themselves are kept per
// row, unscaled (y_i minus the prediction of the fit without row i), for
// per-row errors and scores of the held-out predictions.
// Everything after the Gram (or kernel) is computed in double.
#pragma once

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "dual.hpp"
#include "gather.hpp"
#include "gram.hpp"
#include "panel.hpp"
#include "problem.hpp"
#include "shifted_solve.hpp"
#include "thread_pool.hpp"
#include "types.hpp"

namespace ridgeboot {

enum class CvMethod { gcv, loo, dof };

// The weighted, centred problem in its spectral form (see above).
struct Spectrum {
  Vector<double> lambda;  // (r) eigenvalues above the rank cutoff
  Matrix<double> rot;     // (r, t) P^T y~
  Matrix<double> basis;   // (p, r) primal: P = Z basis; dual: empty
  Matrix<double> P;       // (m, r) dual: P itself; primal: empty
  Vector<double> yy;      // (t) ||y~||^2
  double weight_sum = 0;  // sum v
  Index m = 0;            // rows used
  bool intercept = false;
  AlphaScale alpha_scale;  // the rows are scaled by powers of two (scaling.hpp): alpha with them

  // The kept directions and the intercept span every row: alpha = 0 interpolates.
  bool interpolates() const { return lambda.size() + (intercept ? 1 : 0) >= m; }
};

// GCV scores (when `gcv`) and degrees of freedom per (alpha, target): (k, t) each.
template <class T>
void gcv_scores(const Spectrum& s, const std::vector<AlphaRun<T>>& runs, Index t, bool gcv, Matrix<double>& scores,
                Matrix<double>& dof) {
  const Index r = s.lambda.size();
  for (const auto& run : runs) {
    const double alpha = s.alpha_scale(double(run.alpha));
    double trace = s.intercept ? 1.0 : 0.0;
    for (Index j = 0; j < r; ++j) trace += s.lambda(j) / (s.lambda(j) + alpha);
    const double room = 1.0 - trace / double(s.m);
    for (Index w = 0; w < run.width; ++w) {
      const Index col = run.col + w, u = run.u0 + w;
      dof(col / t, col % t) = trace;
      if (!gcv) continue;
      double fitted = 0, shrunk = 0;  // sum c_j^2, sum c_j^2 (alpha / (lambda_j + alpha))^2
      for (Index j = 0; j < r; ++j) {
        const double c2 = s.rot(j, u) * s.rot(j, u) / s.lambda(j), f = alpha / (s.lambda(j) + alpha);
        fitted += c2;
        shrunk += c2 * f * f;
      }
      const double rss = (std::max(s.yy(u) - fitted, 0.0) + shrunk) / s.weight_sum;
      // an interpolating fit (tr H >= m) has no GCV estimate
      scores(col / t, col % t) = room > 1e-12 ? rss / (room * room) : std::numeric_limits<double>::infinity();
    }
  }
}

// Leave-one-out sums of one block of rows: acc(col) += sum_i (e_i / (1 - h_ii))^2
// for every column col = a*t+u, with P (rows, r), Yz (rows, t) the rows'
// sqrt(v)-scaled, centred targets and v (rows) their weights. All alphas at
// once: the fitted values F = P R (R (r, k*t): column col = d_run .* rot.col(u))
// and the leverages P^2 D (D (r, runs): d_run) are two GEMMs. With `out`
// (rows, k*t), also out(i, col) = e_i / sqrt(v_i), the unscaled residual.
template <class T>
void loo_accumulate(const Spectrum& s, const std::vector<AlphaRun<T>>& runs,
                    const Eigen::Ref<const Matrix<double>>& P, const Eigen::Ref<const Matrix<double>>& Yz,
                    const double* v, Vector<double>& acc, Eigen::Ref<Matrix<double>>* out = nullptr) {
  const Index rows = P.rows(), r = s.lambda.size(), n_runs = Index(runs.size());
  const bool interpolates = s.interpolates();
  Matrix<double> D(r, n_runs), R(r, acc.size());
  for (Index q = 0; q < n_runs; ++q) {
    const auto& run = runs[std::size_t(q)];
    const double alpha = s.alpha_scale(double(run.alpha));
    // interpolating: e_i / alpha and (1 - h_ii) / alpha (see the header)
    if (interpolates) D.col(q) = (s.lambda.array() * (s.lambda.array() + alpha)).inverse().matrix();
    else D.col(q) = (s.lambda.array() + alpha).inverse().matrix();
    for (Index w = 0; w < run.width; ++w) R.col(run.col + w) = D.col(q).cwiseProduct(s.rot.col(run.u0 + w));
  }
  const Matrix<double> H = P.cwiseAbs2() * D;  // (rows, runs) h_ii, or (1 - h_ii) / alpha
  const Matrix<double> F = P * R;              // (rows, k*t) fitted, or e_i / alpha
  for (Index q = 0; q < n_runs; ++q) {
    const auto& run = runs[std::size_t(q)];
    for (Index w = 0; w < run.width; ++w) {
      const Index col = run.col + w, u = run.u0 + w;
      double sum = 0;
      for (Index i = 0; i < rows; ++i) {
        double e;
        if (interpolates) {
          e = F(i, col) / H(i, q);
        } else {
          const double h = H(i, q) + (s.intercept ? v[i] / s.weight_sum : 0.0);
          e = (Yz(i, u) - F(i, col)) / (1.0 - h);
        }
        sum += e * e;
        if (out) (*out)(i, col) = e / std::sqrt(v[i]);
      }
      acc(col) += sum;
    }
  }
}

// The chosen alpha per target from scores (k, t) (smaller is better) over the
// grid alphas (k, t): with `per_target` each target's own best, else the best
// mean over targets for all. ridge_cv's rule (ridgeboot._scoring.best_alpha_index,
// ties="larger"): NaN never wins, ties go to the larger alpha (the more stable
// model), and when nothing is defined the largest alpha is kept.
template <class T>
void best_alphas(const Matrix<double>& scores, const Matrix<T>& alphas, bool per_target,
                 std::vector<Index>& chosen) {
  const Index k = scores.rows(), t = scores.cols();
  chosen.assign(std::size_t(t), 0);
  const auto goodness = [](double score) {
    return std::isnan(score) ? -std::numeric_limits<double>::infinity() : -score;
  };
  for (Index u = 0; u < (per_target ? t : 1); ++u) {
    Index best = 0;
    double best_g = 0;
    for (Index a = 0; a < k; ++a) {
      const double g = goodness(per_target ? scores(a, u) : scores.row(a).mean());
      if (a == 0 || g > best_g || (g == best_g && alphas(a, u) > alphas(best, u))) best = a, best_g = g;
    }
    if (per_target) chosen[std::size_t(u)] = best;
    else std::fill(chosen.begin(), chosen.end(), best);
  }
}

// Closed-form criteria of a problem (its sample weights, its grid): one
// factorization, then every alpha. Construct per call, or once per thread and
// reweight() between runs (a bootstrap replicate's weights).
template <class T>
class ClosedFormCv {
 public:
  using Poll = std::function<bool()>;

  explicit ClosedFormCv(Problem<T> pb)
      : pb_(std::move(pb)),
        rows_(pb_.X, pb_.Y, pb_.intercept),
        panel_(pb_.n(), pb_.p(), pb_.t()),
        alphas_(pb_.alphas.template cast<double>()) {}

  // scores (k, t): GCV or leave-one-out mean squared error (unset for dof);
  // dof (k, t): tr H. `poll` is called between blocks of work on this thread:
  // false stops the run (throws Cancelled). After gcv or loo, solution() holds
  // the fits for every alpha from the same factorization.
  // With `keep_rows` (loo only), loo_rows() holds every row's residual.
  void run(CvMethod method, ThreadPool* pool, const Poll& poll, Matrix<double>& scores, Matrix<double>& dof,
           bool keep_rows = false) {
    const Index k = pb_.k(), t = pb_.t();
    scores.setConstant(k, t, std::numeric_limits<double>::quiet_NaN());
    dof.resize(k, t);
    rows_.select(pb_.base_weight);
    const bool primal = pb_.p() <= rows_.count();
    if (primal) primal_spectrum(method, pool, poll);
    else dual_spectrum(method, pool);
    check(poll);
    gcv_scores(s_, pb_.runs, t, method == CvMethod::gcv, scores, dof);
    if (method == CvMethod::loo) {
      Vector<double> acc = Vector<double>::Zero(pb_.kt());
      if (keep_rows) loo_rows_.setZero(rows_.count(), pb_.kt());
      else loo_rows_.resize(0, 0);
      if (primal) primal_loo(pool, poll, acc);
      else dual_loo(poll, acc);
      for (Index c = 0; c < pb_.kt(); ++c) scores(c / t, c % t) = acc(c) / s_.weight_sum;
    }
    // squared errors of the scaled targets, back to the targets' units
    const double y2 = double(rows_.scale.y) * double(rows_.scale.y);
    if (y2 != 1) scores /= y2;
  }

  // The next run uses row weights w (n) instead of the problem's (the caller
  // keeps them alive during the run).
  void reweight(const T* w) { pb_.base_weight = w; }

  // GCV from normal equations formed elsewhere (the bootstrap engine's complement
  // form), without reading a row: G (p, p; lower) and R (p, t) of m rows of total
  // weight weight_sum centred at their weighted means xmean, ymean, and yy (t)
  // their centred weighted sums of squares of the targets. Needs p <= m (the
  // primal form); the data are in range (no rescaling). As run(gcv, ...).
  void run_gcv_normal(const Matrix<T>& G, const Matrix<T>& R, const Vector<double>& yy, const RowVector<T>& xmean,
                      const RowVector<T>& ymean, Index m, double weight_sum, Matrix<double>& scores,
                      Matrix<double>& dof) {
    scores.setConstant(pb_.k(), pb_.t(), std::numeric_limits<double>::quiet_NaN());
    dof.resize(pb_.k(), pb_.t());
    rows_.scale = Scaling<T>{};
    s_.alpha_scale = rows_.scale.alpha();
    xmean_ = xmean, ymean_ = ymean;
    if constexpr (std::is_same_v<T, double>) {
      if (gcv_from_tridiagonal(G, R, yy, m, weight_sum, scores, dof)) return;
    }
    primal_fits(G, R, CvMethod::gcv, m, weight_sum, [&] { return yy; });
    gcv_scores(s_, pb_.runs, pb_.t(), true, scores, dof);
  }

  // The ridge solutions for every alpha, W (p, k*t) and intercepts b (k*t), in
  // double (after run with gcv or loo).
  const Matrix<double>& coef() const { return W_; }
  const Vector<double>& intercept() const { return b_; }

  // After run(loo, ..., keep_rows): the leave-one-out residual y_i - yhat_(-i)
  // of every row of positive weight, (n, k*t) with column a*t+u; rows of weight
  // 0 (not fitted) are NaN.
  Matrix<double> loo_rows() const {
    Matrix<double> out = Matrix<double>::Constant(pb_.n(), pb_.kt(), std::numeric_limits<double>::quiet_NaN());
    const double y = double(rows_.scale.y);  // residuals of the scaled targets, back to their units
    for (Index r = 0; r < loo_rows_.rows(); ++r) out.row(rows_.row(r)) = loo_rows_.row(r) / y;
    return out;
  }

 private:
  static void check(const Poll& poll) {
    if (poll && !poll()) throw Cancelled();
  }

  // The eigendecomposition of S (the Gram or the kernel, lower triangle) in
  // double, its kept directions (ascending eigenvalues above the rank cutoff) in
  // s_.lambda, and what the spectral form shares.
  Eigen::SelfAdjointEigenSolver<Matrix<double>> decompose(const Matrix<T>& S, CvMethod method,
                                                          std::vector<Index>& kept, Index m, double weight_sum) {
    const Index dim = S.rows();
    Eigen::SelfAdjointEigenSolver<Matrix<double>> eig(
        S.template cast<double>(), method == CvMethod::dof ? Eigen::EigenvaluesOnly : Eigen::ComputeEigenvectors);
    if (eig.info() != Eigen::Success)
      throw LinAlgError(std::string("eigendecomposition did not converge") + kNonFiniteHint);
    const auto& lambda = eig.eigenvalues();
    const double cutoff = double(rank_cutoff<T>(m, pb_.p())) * std::max(double(lambda(dim - 1)), 0.0);
    kept.clear();
    for (Index j = 0; j < dim; ++j)
      if (double(lambda(j)) > cutoff) kept.push_back(j);
    s_.lambda.resize(Index(kept.size()));
    for (Index q = 0; q < Index(kept.size()); ++q) s_.lambda(q) = double(lambda(kept[std::size_t(q)]));
    s_.m = m;
    s_.weight_sum = weight_sum;
    s_.intercept = pb_.intercept;
    return eig;
  }

  // ||y~||^2 per target: one pass over the selected rows of Y, in double.
  Vector<double> target_sum_squares(const RowVector<T>& ymean) const {
    const Index m = rows_.count(), t = pb_.t();
    Vector<double> yy = Vector<double>::Zero(t);
    for (Index r = 0; r < m; ++r)
      with_row(pb_.Y, rows_.row(r), [&](const auto& y) {
        for (Index u = 0; u < t; ++u) {
          const double d = (double(y(u)) - (pb_.intercept ? double(ymean(u)) : 0.0)) * double(rows_.scale.y);
          yy(u) += double(rows_.weight(r)) * d * d;
        }
      });
    return yy;
  }

  void primal_spectrum(CvMethod method, ThreadPool* pool, const Poll& poll) {
    panel_.reserve();
    panel_.centred(rows_, pool, pb_.intercept, xmean_, ymean_, poll);
    if (!gram_in_range(panel_.G, panel_.R))
      rows_.rescale(), panel_.centred(rows_, pool, pb_.intercept, xmean_, ymean_, poll);
    s_.alpha_scale = rows_.scale.alpha();
    primal_fits(panel_.G, panel_.R, method, rows_.count(), rows_.weight_sum(),
                [&] { return target_sum_squares(ymean_); });
  }

  // The primal spectral form from G (p, p; lower) and R (p, t), and every
  // alpha's fit; `yy()` gives ||y~||^2 per target (only when needed).
  template <class TargetSquares>
  void primal_fits(const Matrix<T>& G, const Matrix<T>& R, CvMethod method, Index m, double weight_sum,
                   TargetSquares&& yy) {
    const Index p = pb_.p();
    std::vector<Index> kept;
    const auto eig = decompose(G, method, kept, m, weight_sum);
    if (method == CvMethod::dof) return;
    s_.basis.resize(p, Index(kept.size()));
    for (Index q = 0; q < Index(kept.size()); ++q) s_.basis.col(q) = eig.eigenvectors().col(kept[std::size_t(q)]);
    const Matrix<double> rotated = eig.eigenvectors().transpose() * R.template cast<double>();
    s_.rot.resize(Index(kept.size()), pb_.t());
    for (Index q = 0; q < Index(kept.size()); ++q) s_.rot.row(q) = rotated.row(kept[std::size_t(q)]);
    s_.yy = yy();
    // Every alpha's solution, as the core's eigen route filters (spectral_filter):
    // directions under the cutoff count as eigenvalue 0.
    const double cutoff = double(rank_cutoff<T>(m, p)) * std::max(eig.eigenvalues()(p - 1), 0.0);
    Matrix<double> F;
    spectral_filter(eig.eigenvalues(), rotated, cutoff, false, alphas_, s_.alpha_scale, F);
    W_.noalias() = eig.eigenvectors() * F;
    intercepts();
  }

  // GCV as a path fit computes it (double data): the shifted solves of the
  // tridiagonal form W = (G + alpha I)^-1 R, RSS = ||y~||^2 - w.r - alpha ||w||^2
  // (the same RSS as the spectral form: G w = r - alpha w), tr H in O(p) per
  // alpha from the diagonal of (T + alpha I)^-1 when no eigenvalue of G is under
  // the rank cutoff (a Sturm count says so), else from T's eigenvalues (those
  // under it count as 0, as in decompose) -- never eigenvectors. False when an
  // alpha is below the rounding level of G or a pivot fails: the spectral form
  // then decides.
  bool gcv_from_tridiagonal(const Matrix<T>& G, const Matrix<T>& R, const Vector<double>& yy, Index m,
                            double weight_sum, Matrix<double>& scores, Matrix<double>& dof) {
    const Index p = pb_.p(), t = pb_.t();
    const double negligible =
        std::numeric_limits<double>::epsilon() * std::max(double(G.diagonal().maxCoeff()), 0.0);
    if (!(pb_.alphas.template cast<double>().array() > negligible).all()) return false;
    M_.resize(p, pb_.kt());
    if (!shift_detail::tridiagonal_solves<T>(G, R, pb_.runs, AlphaScale{}, M_, solve_)) return false;
    // No eigenvalue of G under the rank cutoff (a Sturm count): tr H in O(p), else from T's eigenvalues.
    const auto diag = solve_.tridiagonal.diagonal();
    const auto off = solve_.tridiagonal.subDiagonal();
    const bool full_rank =
        eigenvalues_below(diag, off, double(rank_cutoff<T>(m, p)) * gershgorin_upper(diag, off)) == 0;
    if (!full_rank) {
      tridiagonal_eigen_.computeFromTridiagonal(diag, off, Eigen::EigenvaluesOnly);
      if (tridiagonal_eigen_.info() != Eigen::Success) return false;
    }
    const auto hat_trace = [&](double alpha) {
      if (full_rank) return tridiagonal_hat_trace(diag, off, alpha, backward_);
      const auto& lambda = tridiagonal_eigen_.eigenvalues();
      const double cutoff = double(rank_cutoff<T>(m, p)) * std::max(double(lambda(p - 1)), 0.0);
      double trace = 0;
      for (Index j = 0; j < p; ++j)
        if (lambda(j) > cutoff) trace += lambda(j) / (lambda(j) + alpha);
      return trace;
    };
    W_ = M_.template cast<double>();
    for (const auto& run : pb_.runs) {
      const double alpha = double(run.alpha);
      const double trace = (pb_.intercept ? 1.0 : 0.0) + hat_trace(alpha);
      if (std::isnan(trace)) return false;
      const double room = 1.0 - trace / double(m);
      for (Index w = 0; w < run.width; ++w) {
        const Index col = run.col + w, u = run.u0 + w;
        const auto fit = W_.col(col);
        const double rss = std::max(yy(u) - fit.dot(R.col(u)) - alpha * fit.squaredNorm(), 0.0) / weight_sum;
        dof(col / t, col % t) = trace;
        // an interpolating fit (tr H >= m) has no GCV estimate
        scores(col / t, col % t) = room > 1e-12 ? rss / (room * room) : std::numeric_limits<double>::infinity();
      }
    }
    intercepts();
    return true;
  }

  // b from the unscaled solutions and the (unscaled) means.
  void intercepts() {
    rows_.scale.unscale(W_);
    b_.setZero(pb_.kt());
    if (!pb_.intercept) return;
    const RowVector<double> xbar = xmean_.template cast<double>();
    for (Index c = 0; c < pb_.kt(); ++c) b_(c) = double(ymean_(c % pb_.t())) - xbar.dot(W_.col(c));
  }

  void dual_spectrum(CvMethod method, ThreadPool* pool) {
    const Index m = rows_.count(), p = pb_.p();
    const auto gather_all = [&] {
      if (pb_.intercept) {
        rows_.means(m, true, xmean_, ymean_);
        rows_.centre_x = xmean_, rows_.centre_y = ymean_;
      }
      rows_.gather(0, m, Z_, Yz_, nullptr);
    };
    Z_.setZero(m, gram_padded_cols<T>(p));
    Yz_.resize(m, pb_.t());
    gather_all();
    if (!rows_in_range<T>(Z_.leftCols(p), Yz_)) rows_.rescale(), gather_all();
    s_.alpha_scale = rows_.scale.alpha();
    Matrix<T> K;
    kernel_lower(Z_.leftCols(p), K, pool);
    std::vector<Index> kept;
    const auto eig = decompose(K, method, kept, m, rows_.weight_sum());
    if (method == CvMethod::dof) return;
    s_.P.resize(m, Index(kept.size()));
    for (Index q = 0; q < Index(kept.size()); ++q)
      s_.P.col(q) = eig.eigenvectors().col(kept[std::size_t(q)]) * std::sqrt(s_.lambda(q));
    const Matrix<double> Yd = Yz_.template cast<double>();
    s_.rot.noalias() = s_.P.transpose() * Yd;
    s_.yy = Yd.colwise().squaredNorm().transpose();
    // w = Z^T (K + alpha I)^-1 y~ = Z^T U diag(1 / (lambda + alpha)) U^T y~ with
    // U = P diag(lambda^-1/2) and U^T y~ = rot / sqrt(lambda): never lambda^2, which
    // underflows for tiny data (X ~ 1e-150) and made alpha = 0 infinite
    const Vector<double> root = s_.lambda.cwiseSqrt();
    const Matrix<double> U = s_.P * root.cwiseInverse().asDiagonal();
    Matrix<double> R(s_.lambda.size(), pb_.kt());
    for (const auto& run : pb_.runs)
      for (Index w = 0; w < run.width; ++w)
        R.col(run.col + w) = s_.rot.col(run.u0 + w)
                                 .cwiseQuotient(root)
                                 .cwiseQuotient((s_.lambda.array() + s_.alpha_scale(double(run.alpha))).matrix());
    W_.noalias() = Z_.leftCols(p).template cast<double>().transpose() * (U * R);
    intercepts();
  }

  // Leave-one-out over the rows, exactly centred, in fixed panels: each panel's
  // sums from zero, added in panel order (the bits do not depend on the pool).
  void primal_loo(ThreadPool* pool, const Poll& poll, Vector<double>& acc) {
    const Index m = rows_.count(), p = pb_.p(), t = pb_.t(), kt = pb_.kt();
    if (pb_.intercept) rows_.centre_x = xmean_, rows_.centre_y = ymean_;
    const Index panel_rows = std::min(m, gram_panel_rows(p, t));
    const Index panels = (m + panel_rows - 1) / panel_rows;
    const int workers = pool ? pool->size() : 1;
    std::vector<LooSlot> slots(std::size_t(std::min<Index>(workers, panels)));
    for (auto& s : slots) {
      s.Z.resize(panel_rows, p), s.Yz.resize(panel_rows, t);
      s.v.resize(panel_rows), s.acc.resize(kt);
    }
    const auto panel = [&](Index c, LooSlot& s) {
      const Index r0 = c * panel_rows, r1 = std::min(m, r0 + panel_rows), n_rows = r1 - r0;
      rows_.gather(r0, r1, s.Z, s.Yz, nullptr);
      for (Index r = r0; r < r1; ++r) s.v(r - r0) = double(rows_.weight(r));
      s.P.noalias() = s.Z.topRows(n_rows).template cast<double>() * s_.basis;
      s.acc.setZero();
      Eigen::Ref<Matrix<double>> out =
          loo_rows_.middleRows(loo_rows_.size() ? r0 : 0, loo_rows_.size() ? n_rows : 0);
      loo_accumulate(s_, pb_.runs, s.P, s.Yz.topRows(n_rows).template cast<double>(), s.v.data(), s.acc,
                     loo_rows_.size() ? &out : nullptr);
    };
    for (Index round = 0; round < panels; round += Index(slots.size())) {
      check(poll);
      const Index count = std::min<Index>(Index(slots.size()), panels - round);
      if (pool && count > 1)
        pool->run(count, [&](Index item, int) { panel(round + item, slots[std::size_t(item)]); }, poll);
      else
        for (Index item = 0; item < count; ++item) panel(round + item, slots[std::size_t(item)]);
      for (Index item = 0; item < count; ++item) acc += slots[std::size_t(item)].acc;
    }
  }

  void dual_loo(const Poll& poll, Vector<double>& acc) {
    const Index m = rows_.count();
    Vector<double> v(m);
    for (Index r = 0; r < m; ++r) v(r) = double(rows_.weight(r));
    // in blocks of rows: the fitted values of a block are (rows, k*t)
    const Matrix<double> Yd = Yz_.template cast<double>();
    constexpr Index kBlock = 256;
    for (Index r0 = 0; r0 < m; r0 += kBlock) {
      check(poll);
      const Index rows = std::min(kBlock, m - r0);
      Eigen::Ref<Matrix<double>> out =
          loo_rows_.middleRows(loo_rows_.size() ? r0 : 0, loo_rows_.size() ? rows : 0);
      loo_accumulate(s_, pb_.runs, s_.P.middleRows(r0, rows), Yd.middleRows(r0, rows), v.data() + r0, acc,
                     loo_rows_.size() ? &out : nullptr);
    }
  }

  struct LooSlot {
    RowMatrix<T> Z, Yz;      // (panel rows, p), (panel rows, t) gathered rows
    Matrix<double> P;        // (panel rows, r)
    Vector<double> v, acc;   // (panel rows) weights; (k*t) the panel's sums
  };

  Problem<T> pb_;
  RowGather<T> rows_;
  PanelGram<T> panel_;
  RowMatrix<T> Z_, Yz_;  // dual: all gathered rows
  RowVector<T> xmean_, ymean_;
  Matrix<double> alphas_;  // (k, t)
  Spectrum s_;
  Matrix<T> M_;              // (p, k*t) shifted solves (GCV from the tridiagonal form)
  ShiftSolveScratch<T> solve_;
  Eigen::SelfAdjointEigenSolver<Matrix<double>> tridiagonal_eigen_;
  Vector<double> backward_;  // backward pivots of tridiagonal_hat_trace
  Matrix<double> W_;         // (p, k*t)
  Vector<double> b_;         // (k*t)
  Matrix<double> loo_rows_;  // (m, k*t) with keep_rows, else empty
};

}  // namespace ridgeboot
