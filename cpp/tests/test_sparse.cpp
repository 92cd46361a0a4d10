// Sparse X (sparse.hpp): the normal equations from CSR rows against the
// dense centred Gram formed in long double, with a column of mean 1e6 (where
// X^T W X - (sum w) xbar xbar^T keeps ~4 digits); the fits against a dense
// solve; malformed CSR refused.
#include <Eigen/Cholesky>
#include <cstdint>
#include <vector>

#include "check.hpp"
#include "ridgeboot/sparse.hpp"

using namespace ridgeboot;
using LMatrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;

struct Csr {
  std::vector<std::int64_t> indptr, indices;
  std::vector<double> data;
  CsrView<double> view(Index n, Index p) const { return {n, p, indptr.data(), indices.data(), data.data()}; }
};

// Dense X (n, p) with about `density` stored entries per row, column 0 dense at 1e6 + U(-1, 1).
static RowMatrix<double> make_x(Index n, Index p, double density, check::Uniform& u) {
  RowMatrix<double> X = RowMatrix<double>::Zero(n, p);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < p; ++j)
      if (j == 0) X(i, j) = 1e6 + u();
      else if (0.5 * (u() + 1) < density) X(i, j) = u() + 2.0;
  return X;
}

static Csr to_csr(const RowMatrix<double>& X) {
  Csr c;
  c.indptr.push_back(0);
  for (Index i = 0; i < X.rows(); ++i) {
    for (Index j = X.cols() - 1; j >= 0; --j)  // reversed: any order within a row
      if (X(i, j) != 0) c.indices.push_back(j), c.data.push_back(X(i, j));
    c.indptr.push_back(std::int64_t(c.indices.size()));
  }
  return c;
}

static void test_normal_equations() {
  check::Uniform u(7);
  const Index n = 80, p = 6, t = 2;
  const RowMatrix<double> X = make_x(n, p, 0.3, u);
  const Csr csr = to_csr(X);
  RowMatrix<double> Y(n, t);
  for (Index i = 0; i < n; ++i) Y(i, 0) = X(i, 0) - 1e6 + u(), Y(i, 1) = u() + 5;
  std::vector<double> w(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) w[std::size_t(i)] = i % 7 == 3 ? 0.0 : 0.5 + double(i % 4);
  const ConstView<double> Yv(Y.data(), n, t, Strides(t, 1));
  for (const bool intercept : {true, false}) {
    check::Scope scope(check::fmt("sparse normal equations intercept=%d", int(intercept)));
    SparseNormal<double> normal_eq(p, t);
    normal_eq.compute(csr.view(n, p), Yv, w.data(), intercept);
    // reference: long double, exact-ish weighted means, centred explicitly
    long double W = 0;
    Eigen::Matrix<long double, 1, Eigen::Dynamic> xm = Eigen::Matrix<long double, 1, Eigen::Dynamic>::Zero(p),
                                                  ym = Eigen::Matrix<long double, 1, Eigen::Dynamic>::Zero(t);
    for (Index i = 0; i < n; ++i) {
      const long double wi = w[std::size_t(i)];
      W += wi;
      xm += wi * X.row(i).cast<long double>();
      ym += wi * Y.row(i).cast<long double>();
    }
    xm /= W, ym /= W;
    if (!intercept) xm.setZero(), ym.setZero();
    LMatrix G = LMatrix::Zero(p, p), R = LMatrix::Zero(p, t);
    for (Index i = 0; i < n; ++i) {
      const long double wi = w[std::size_t(i)];
      const auto d = (X.row(i).cast<long double>() - xm).eval();
      const auto e = (Y.row(i).cast<long double>() - ym).eval();
      G += wi * d.transpose() * d;
      R += wi * d.transpose() * e;
    }
    CHECK(normal_eq.m == n - (n + 3) / 7);
    for (Index j = 0; j < p; ++j) {
      for (Index k = 0; k < p; ++k) {
        const double scale = double(std::sqrt(G(j, j) * G(k, k)));
        CHECK_CLOSE(normal_eq.Gd(j, k), double(G(j, k)), 1e-11 * scale);
      }
      for (Index u = 0; u < t; ++u) {
        const double scale = double(std::sqrt(G(j, j) * (W + 1)));
        CHECK_CLOSE(normal_eq.Rd(j, u), double(R(j, u)), 1e-11 * scale + 1e-12);
      }
    }
    // the fit against a long double solve of the same normal equations
    Matrix<double> alphas = Matrix<double>::Constant(1, t, 0.5);
    Problem<double> pb(shape_only<double>(n, p), Yv, w.data(), alphas, Solver::cholesky, intercept, true);
    SparseFitter<double> fitter(csr.view(n, p), pb);
    Matrix<double> coef(p, t);
    Vector<double> b(t);
    fitter.fit(nullptr, coef, b);
    LMatrix A = G;
    A.diagonal().array() += 0.5L;
    const LMatrix ref = A.llt().solve(R);
    for (Index j = 0; j < p; ++j)
      for (Index u = 0; u < t; ++u)
        CHECK_CLOSE(coef(j, u), double(ref(j, u)), 1e-9 * (1 + std::fabs(double(ref(j, u)))));
  }
}

static void test_malformed_csr() {
  const std::vector<std::int64_t> indptr{0, 2, 3}, dup{1, 1, 0}, out{0, 5, 1}, down{0, 3, 2};
  const std::vector<double> data{1, 2, 3};
  CHECK_THROWS(check_csr(CsrView<double>{2, 3, indptr.data(), dup.data(), data.data()}), std::invalid_argument);
  CHECK_THROWS(check_csr(CsrView<double>{2, 3, indptr.data(), out.data(), data.data()}), std::invalid_argument);
  const std::vector<std::int64_t> ok{0, 1, 2};
  CHECK_THROWS(check_csr(CsrView<double>{2, 3, down.data(), ok.data(), data.data()}), std::invalid_argument);
  check_csr(CsrView<double>{2, 3, indptr.data(), ok.data(), data.data()});
}

int main() {
  test_normal_equations();
  test_malformed_csr();
  return check::summary("test_sparse");
}
