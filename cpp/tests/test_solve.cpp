// Tests of the fits: every solve route of Fitter against a dense double-precision
// solve of the same weighted ridge problem (fit_check.hpp), and the bootstrap
// engine's results against the thread count.
#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <cstring>
#include <ridgeboot/bootstrap.hpp>
#include <ridgeboot/cv.hpp>
#include <vector>

#include "check.hpp"
#include "fit_check.hpp"

using namespace ridgeboot;
using namespace fit_check;

Reference fit_check::reference_fit(const MatrixD& X, const MatrixD& Y, const VectorD& w, const MatrixD& alphas,
                                   bool intercept) {  // (n, p), (n, t), (n), (k, t)
  const Index n = X.rows(), p = X.cols(), t = Y.cols(), k = alphas.rows();
  std::vector<Index> kept;
  for (Index i = 0; i < n; ++i)
    if (w(i) > 0) kept.push_back(i);
  const Index m = Index(kept.size());
  MatrixD Xs(m, p), Ys(m, t);  // (m, p), (m, t): rows of positive weight
  VectorD ws(m);
  for (Index r = 0; r < m; ++r) Xs.row(r) = X.row(kept[r]), Ys.row(r) = Y.row(kept[r]), ws(r) = w(kept[r]);
  Reference ref;
  ref.xbar = RowVectorD::Zero(p);
  ref.ybar = RowVectorD::Zero(t);
  if (intercept) {
    ref.xbar = ws.transpose() * Xs / ws.sum();
    ref.ybar = ws.transpose() * Ys / ws.sum();
  }
  const VectorD sw = ws.cwiseSqrt();
  const MatrixD Z = sw.asDiagonal() * (Xs.rowwise() - ref.xbar);   // (m, p)
  const MatrixD Yz = sw.asDiagonal() * (Ys.rowwise() - ref.ybar);  // (m, t)
  const bool primal = p <= m;
  const MatrixD S = primal ? MatrixD(Z.transpose() * Z) : MatrixD(Z * Z.transpose());  // (d, d)
  const MatrixD rhs = primal ? MatrixD(Z.transpose() * Yz) : Yz;                     // (d, t)
  const VectorD lambda = Eigen::SelfAdjointEigenSolver<MatrixD>(S, Eigen::EigenvaluesOnly).eigenvalues();
  ref.W.resize(p, k * t);
  ref.b.resize(k * t);
  ref.kappa.resize(k * t);
  for (Index a = 0; a < k; ++a) {
    for (Index u = 0; u < t; ++u) {
      const Index c = a * t + u;
      const double alpha = alphas(a, u);
      const MatrixD A = S + alpha * MatrixD::Identity(S.rows(), S.cols());
      const VectorD x =
          alpha > 0 ? VectorD(A.ldlt().solve(rhs.col(u))) : VectorD(A.colPivHouseholderQr().solve(rhs.col(u)));
      ref.W.col(c) = primal ? x : VectorD(Z.transpose() * x);
      ref.b(c) = ref.ybar(u) - ref.xbar.dot(ref.W.col(c));
      ref.kappa(c) = (lambda.maxCoeff() + alpha) / (std::max(lambda.minCoeff(), 0.0) + alpha);
    }
  }
  return ref;
}

namespace {

// A single fit given a pool builds its Gram (or kernel) in parallel, with the same bits.
void test_fit_with_pool() {
  for (const Shape& shape : {kShapes[1], kShapes[3]}) {
    check::Scope scope(check::fmt("fit with a pool: %s", shape.name));
    const Data d = make_data(shape.n, shape.p, shape.t, false, 11);
    const RowMatrix<double> X = d.X, Y = d.Y;  // (n, p), (n, t)
    const ConstView<double> Xv(X.data(), shape.n, shape.p, Strides(shape.p, 1));
    const ConstView<double> Yv(Y.data(), shape.n, shape.t, Strides(shape.t, 1));
    const Problem<double> problem{Xv, Yv, d.w.data(), alpha_grid(shape.t, false), Solver::cholesky, true};
    MatrixD W1(shape.p, problem.kt()), W2(shape.p, problem.kt());  // (p, k*t)
    VectorD b1(problem.kt()), b2(problem.kt());                     // (k*t)
    Fitter<double>(problem).fit(nullptr, W1, b1);
    ThreadPool pool(2);
    Fitter<double>(problem).fit(nullptr, W2, b2, &pool);
    CHECK(W1 == W2);
    CHECK(b1 == b2);
  }
}

// Everything a bootstrap run writes, in vectors of the documented shapes.
struct BootstrapResults {
  std::vector<double> coefs, intercepts, ref_coef, ref_intercept;  // (B,k,p,t) (B,k,t) (k,p,t) (k,t)
  std::vector<double> coef_sum, coef_sumsq, intercept_sum, intercept_sumsq;  // (k,p,t) x2, (k,t) x2
  std::vector<double> oob_loss, oob_mse_sum, replicate_stats;  // (n,k,t) (k,t) (B,7,k,t)
  std::vector<std::int64_t> oob_count, counters;  // (n), (3): oob, valid and fallen-back replicates

  BootstrapResults(Index B, Index n, Index k, Index p, Index t)
      : coefs(B * k * p * t),
        intercepts(B * k * t),
        ref_coef(k * p * t),
        ref_intercept(k * t),
        coef_sum(k * p * t),
        coef_sumsq(k * p * t),
        intercept_sum(k * t),
        intercept_sumsq(k * t),
        oob_loss(n * k * t),
        oob_mse_sum(k * t),
        replicate_stats(B * kReplicateStatCount * k * t),
        oob_count(n),
        counters(3) {}

  EngineOutputs<double> outputs() {
    EngineOutputs<double> out;
    out.coefs = coefs.data(), out.intercepts = intercepts.data();
    out.ref_coef = ref_coef.data(), out.ref_intercept = ref_intercept.data();
    out.coef_sum = coef_sum.data(), out.coef_sumsq = coef_sumsq.data();
    out.intercept_sum = intercept_sum.data(), out.intercept_sumsq = intercept_sumsq.data();
    out.oob_loss = oob_loss.data(), out.oob_count = oob_count.data(), out.oob_mse_sum = oob_mse_sum.data();
    out.oob_replicates = &counters[0], out.replicate_stats = replicate_stats.data();
    out.n_valid = &counters[1], out.n_fallback = &counters[2];
    return out;
  }

  template <class V>
  static bool same_bits(const V& a, const V& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0;
  }

  bool operator==(const BootstrapResults& o) const {
    return same_bits(coefs, o.coefs) && same_bits(intercepts, o.intercepts) && same_bits(coef_sum, o.coef_sum) &&
           same_bits(coef_sumsq, o.coef_sumsq) && same_bits(intercept_sum, o.intercept_sum) &&
           same_bits(intercept_sumsq, o.intercept_sumsq) && same_bits(oob_loss, o.oob_loss) &&
           same_bits(oob_mse_sum, o.oob_mse_sum) && same_bits(replicate_stats, o.replicate_stats) &&
           oob_count == o.oob_count && counters == o.counters;
  }
};

// Bit-identical results for 1 and 2 threads and two wave sizes, tall and wide (shared kernel).
void test_bootstrap_threads() {
  const Index B = 40;  // three summation chunks, the last partial
  for (const Shape& shape : {kShapes[0], kShapes[1]}) {
    for (const DrawSpec draw : {DrawSpec{Scheme::multinomial, 3, 0}, DrawSpec{Scheme::poisson, 4, 3}}) {
      check::Scope scope(check::fmt("bootstrap %s, %s", shape.name,
                                    draw.scheme == Scheme::poisson ? "poisson blocks" : "multinomial"));
      const Data d = make_data(shape.n, shape.p, shape.t, false, 5);
      const RowMatrix<double> X = d.X, Y = d.Y;  // (n, p), (n, t)
      const ConstView<double> Xv(X.data(), shape.n, shape.p, Strides(shape.p, 1));
      const ConstView<double> Yv(Y.data(), shape.n, shape.t, Strides(shape.t, 1));
      const MatrixD alphas = alpha_grid(shape.t, false);  // (k, t)
      const Problem<double> problem{Xv, Yv, d.w.data(), alphas, Solver::cholesky, true};
      std::vector<BootstrapResults> runs;
      // The automatic wave is one chunk here; 48 puts all 40 replicates in one wave.
      for (const auto& [threads, wave] : {std::pair{1, 0}, std::pair{2, 16}, std::pair{2, 48}}) {
        runs.emplace_back(B, shape.n, problem.k(), shape.p, shape.t);
        EngineRequest req;
        req.n_boot = B;
        req.draw = draw;
        req.n_threads = threads;
        req.wave = wave;
        req.keep_coefs = req.moments = req.oob_rows = req.oob_mse = req.replicate_stats = true;
        BootstrapEngine<double>(problem, req, nullptr, runs.back().outputs()).run();
      }
      const auto& r = runs[0];
      CHECK(r.counters[0] > 0);  // replicates with out-of-bag rows
      if (draw.scheme == Scheme::multinomial) {
        // Every replicate draws a row of positive weight (a Poisson one may draw none: NaN).
        CHECK(r.counters[1] == B);
        bool finite = true;
        for (const double c : r.coefs) finite &= std::isfinite(c);
        CHECK(finite);
      }
      CHECK(runs[1] == r);
      CHECK(runs[2] == r);
    }
  }
}

// GCV, leave-one-out and dof of ClosedFormCv against the dense hat matrix
// H = Z (Z^T Z + alpha I)^-1 Z^T + sqrt(w) sqrt(w)^T / sum w of the weighted, centred rows.
void test_closed_form_cv() {
  for (const Shape& shape : {Shape{"tall", 40, 6, 2, true}, Shape{"wide", 12, 20, 2, false}}) {
    check::Scope scope(check::fmt("closed-form cv: %s", shape.name));
    const Data d = make_data(shape.n, shape.p, shape.t, shape.sparse_weights, 13);
    const RowMatrix<double> X = d.X, Y = d.Y;  // (n, p), (n, t)
    const ConstView<double> Xv(X.data(), shape.n, shape.p, Strides(shape.p, 1));
    const ConstView<double> Yv(Y.data(), shape.n, shape.t, Strides(shape.t, 1));
    MatrixD alphas(3, shape.t);  // (k, t)
    alphas.row(0).setConstant(0.3), alphas.row(1).setConstant(3.0), alphas.row(2).setConstant(40.0);
    MatrixD gcv, loo, dof, dof2;
    ClosedFormCv<double>(Problem<double>(Xv, Yv, d.w.data(), alphas, Solver::eigh, true))
        .run(CvMethod::gcv, nullptr, {}, gcv, dof);
    ClosedFormCv<double> loo_cv(Problem<double>(Xv, Yv, d.w.data(), alphas, Solver::eigh, true));
    loo_cv.run(CvMethod::loo, nullptr, {}, loo, dof2, /*keep_rows=*/true);
    const MatrixD rows = loo_cv.loo_rows();  // (n, k*t) unscaled residuals, NaN for weight 0
    std::vector<Index> kept;
    for (Index i = 0; i < shape.n; ++i)
      if (d.w(i) > 0) kept.push_back(i);
    const Index m = Index(kept.size());
    MatrixD Xs(m, shape.p), Ys(m, shape.t);
    VectorD w(m);
    for (Index r = 0; r < m; ++r) Xs.row(r) = X.row(kept[r]), Ys.row(r) = Y.row(kept[r]), w(r) = d.w(kept[r]);
    const VectorD s = w.cwiseSqrt();
    const MatrixD Z = s.asDiagonal() * (Xs.rowwise() - w.transpose() * Xs / w.sum());  // (m, p)
    const MatrixD Yz = s.asDiagonal() * (Ys.rowwise() - w.transpose() * Ys / w.sum());  // (m, t)
    for (Index a = 0; a < 3; ++a) {
      const MatrixD H = Z * (Z.transpose() * Z + alphas(a, 0) * MatrixD::Identity(shape.p, shape.p))
                                .ldlt()
                                .solve(Z.transpose()) +
                        s * s.transpose() / w.sum();  // (m, m)
      const MatrixD E = Yz - H * Yz;                   // sqrt(w)-scaled residuals
      const double trace = H.trace();
      CHECK_CLOSE(dof(a, 0), trace, 1e-10 * trace);
      CHECK(dof2(a, 0) == dof(a, 0));
      for (Index u = 0; u < shape.t; ++u) {
        const double rss = E.col(u).squaredNorm() / w.sum();
        const double ref_gcv = rss / std::pow(1 - trace / double(m), 2);
        CHECK_CLOSE(gcv(a, u), ref_gcv, 1e-9 * ref_gcv);
        double ref_loo = 0;
        for (Index i = 0; i < m; ++i) {
          const double e = E(i, u) / (1 - H(i, i));
          ref_loo += e * e;
          // the kept residual: y_i minus the prediction of the fit without row i
          CHECK_CLOSE(rows(kept[i], a * shape.t + u), e / s(i), 1e-9 * (std::abs(e / s(i)) + 1e-12));
        }
        ref_loo /= w.sum();
        CHECK_CLOSE(loo(a, u), ref_loo, 1e-9 * ref_loo);
      }
    }
    for (Index i = 0; i < shape.n; ++i)
      if (d.w(i) <= 0) CHECK(std::isnan(rows(i, 0)));
  }
}

// The closed form's own fits (the dual route at alpha = 0 included) at a scale where
// lambda^2 underflows (X ~ 1e-150, lambda ~ 1e-300): the minimum-norm solution,
// not inf, against the dense pseudo-inverse solution of the centred rows.
void test_closed_form_fits_tiny_scale() {
  check::Scope scope("closed-form fits at a tiny scale");
  const Index n = 4, p = 7;
  const Data d = make_data(n, p, 1, false, 21);
  const double scale = 1e-150;
  const RowMatrix<double> X = d.X * scale, Y = d.Y * scale;
  const ConstView<double> Xv(X.data(), n, p, Strides(p, 1));
  const ConstView<double> Yv(Y.data(), n, 1, Strides(1, 1));
  MatrixD alphas(1, 1);
  alphas.setZero();
  MatrixD loo, dof;
  ClosedFormCv<double> cv(Problem<double>(Xv, Yv, nullptr, alphas, Solver::eigh, true));
  cv.run(CvMethod::loo, nullptr, {}, loo, dof);
  const MatrixD Xc = (X.rowwise() - X.colwise().mean()) / scale;
  const MatrixD Yc = (Y.rowwise() - Y.colwise().mean()) / scale;
  const VectorD ref = Xc.completeOrthogonalDecomposition().solve(Yc).col(0);  // scale-free
  CHECK(cv.coef().allFinite());
  for (Index j = 0; j < p; ++j) CHECK_CLOSE(cv.coef()(j, 0), ref(j), 1e-9 * ref.norm());
}

}  // namespace

// The tridiagonal helpers of GCV against a dense eigendecomposition: the Sturm
// count of eigenvalues below a shift, and tr T (T + alpha I)^-1 over alphas from
// far below to far above the spectrum.
void test_tridiagonal_trace_and_count() {
  for (const Index d : {1, 2, 7, 40}) {
    check::Scope scope(check::fmt("tridiagonal d=%d", int(d)));
    VectorD diag(d), off(std::max<Index>(d - 1, 0));
    // distinct, well separated eigenvalues (Gershgorin discs 0.37 apart, radius <= 0.2)
    for (Index i = 0; i < d; ++i) diag(i) = 1.0 + 0.37 * double(i);
    for (Index i = 0; i + 1 < d; ++i) off(i) = (i % 2 ? -0.1 : 0.1) * double(i % 3 + 1) / 3.0;
    MatrixD T = diag.asDiagonal();
    for (Index i = 0; i + 1 < d; ++i) T(i + 1, i) = T(i, i + 1) = off(i);
    const VectorD lambda = Eigen::SelfAdjointEigenSolver<MatrixD>(T, Eigen::EigenvaluesOnly).eigenvalues();
    for (Index j = 0; j < d; ++j) {
      // just above and below each eigenvalue: the count steps by one there
      CHECK(eigenvalues_below(diag, off, lambda(j) * (1 + 1e-9)) == j + 1);
      CHECK(eigenvalues_below(diag, off, lambda(j) * (1 - 1e-9)) == j);
    }
    VectorD scratch;
    for (const double alpha : {1e-6, 1e-2, 1.0, 3.0, 1e3, 1e8}) {
      const double expected = (lambda.array() / (lambda.array() + alpha)).sum();
      CHECK_CLOSE(tridiagonal_hat_trace(diag, off, alpha, scratch), expected,
                  1e3 * std::numeric_limits<double>::epsilon() * double(d));
    }
    // not positive definite: no trace
    CHECK(std::isnan(tridiagonal_hat_trace(diag, off, -lambda(0) - 1.0, scratch)));
  }
}

// The blocked reduction against its definition S = Q T Q^T (Q orthogonal), on
// sizes around the panel and crossover widths, reading S's lower triangle only.
void test_blocked_tridiagonalization() {
  using Tri = BlockedTridiagonalization<double>;
  for (const Index n : {Index(1), Index(2), Index(5), Tri::kUnblocked, Tri::kUnblocked + 1,
                        Tri::kUnblocked + 2 * Tri::kPanel + 3, Index(300)}) {
    check::Scope scope(check::fmt("blocked tridiagonalization n=%d", int(n)));
    const MatrixD X = MatrixD::Random(n + 7, n);
    const MatrixD S = X.transpose() * X;
    MatrixD lower = S;
    lower.triangularView<Eigen::StrictlyUpper>().setConstant(1e300);  // never read
    Tri tri;
    tri.compute(lower);
    MatrixD T = MatrixD::Zero(n, n);
    T.diagonal() = tri.diagonal();
    if (n > 1) T.diagonal(-1) = T.diagonal(1) = tri.subDiagonal();
    const MatrixD Q = tri.matrixQ();
    const double eps = std::numeric_limits<double>::epsilon();
    CHECK((Q * T * Q.transpose() - S).norm() <= 20 * eps * double(n) * S.norm());
    CHECK((Q.transpose() * Q - MatrixD::Identity(n, n)).norm() <= 20 * eps * double(n));
  }
}

int main() {
  test_fit_routes<double>();
  test_fit_routes_float();
  std::printf("largest coefficient error / (eps * cond * max|w|): double %.2g, float %.2g (tolerance %g)\n",
              worst_error<double>, worst_error<float>, kTolerance);
  test_fit_with_pool();
  test_bootstrap_threads();
  test_closed_form_cv();
  test_closed_form_fits_tiny_scale();
  test_tridiagonal_trace_and_count();
  test_blocked_tridiagonalization();
  return check::summary("test_solve");
}
