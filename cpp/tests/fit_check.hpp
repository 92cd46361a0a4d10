// Checks of Fitter's solve routes against a dense double-precision solve of the
// same weighted ridge problem, for test_solve.cpp and test_solve_float.cpp (the float
// instantiation compiles in its own translation unit, on another core).
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <ridgeboot/fitter.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "check.hpp"

namespace fit_check {

using namespace ridgeboot;

using MatrixD = Matrix<double>;
using VectorD = Vector<double>;
template <class T>
using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;
using RowVectorD = RowVector<double>;

// minimize sum_i w_i (y_i - b - x_i.w)^2 + alpha |w|^2 for each alpha of the (k, t)
// grid, solved densely in double: centre by the weighted means, then the normal
// equations (n >= p) or the kernel (p > rows of positive weight).
struct Reference {
  MatrixD W;        // (p, k*t) column a*t+u: path point a, target u
  VectorD b;        // (k*t)
  RowVectorD xbar;  // (p) weighted means of X (zero without an intercept)
  RowVectorD ybar;  // (t)
  VectorD kappa;    // (k*t) condition number of the factored matrix + alpha I
};

// Defined in test_solve.cpp: the double-precision solvers compile once.
Reference reference_fit(const MatrixD& X, const MatrixD& Y, const VectorD& w, const MatrixD& alphas,
                        bool intercept);  // (n, p), (n, t), (n), (k, t)

// A test problem: X (n, p) and Y (n, t) with offset columns, so that centring matters.
struct Data {
  MatrixD X, Y;  // (n, p), (n, t)
  VectorD w;     // (n) sample weights, some zero
};

// sparse_weights: two rows in three get weight zero (so a tall X can have fewer
// rows of positive weight than columns: the dual form); otherwise one in four.
inline Data make_data(Index n, Index p, Index t, bool sparse_weights, std::uint64_t seed) {
  check::Uniform rand(seed);
  Data d{MatrixD(n, p), MatrixD(n, t), VectorD(n)};
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < p; ++j) d.X(i, j) = rand() + 0.5 * double(j % 3);
  MatrixD coef(p, t);  // (p, t)
  for (Index j = 0; j < p; ++j)
    for (Index u = 0; u < t; ++u) coef(j, u) = rand();
  d.Y = (d.X * coef).array() + 2.0;
  for (Index i = 0; i < n; ++i)
    for (Index u = 0; u < t; ++u) d.Y(i, u) += 0.1 * rand();
  for (Index i = 0; i < n; ++i) {
    const bool zero = sparse_weights ? i % 3 != 0 : i % 4 == 1;
    d.w(i) = zero ? 0.0 : 0.25 + 0.5 * double(i % 5);
  }
  return d;
}

// How a fit receives its sample weights.
enum class Weights { none, problem, argument };
inline const char* weights_name(Weights w) {
  return w == Weights::none ? "no weights" : w == Weights::problem ? "problem weights" : "weights argument";
}

struct Route {
  const char* name;
  Solver solver;
  bool zero_alpha;  // an alpha of 0 in the grid: eigh then goes through the eigenvalues
  bool kernel;      // from a shared kernel (Fitter::use_kernel), as the bootstrap does for p > n
};

inline const Route kRoutes[] = {
    {"cholesky", Solver::cholesky, false, false},
    {"eigh tridiagonal (alpha > 0)", Solver::eigh, false, false},
    {"eigh eigenvalues (an alpha = 0)", Solver::eigh, true, false},
    {"svd", Solver::svd, false, false},
    {"svd (an alpha = 0)", Solver::svd, true, false},
    {"cholesky from a shared kernel", Solver::cholesky, false, true},
    {"eigh from a shared kernel", Solver::eigh, false, true},
};

// The (3, t) alpha grid: repeated values, within a target and across targets.
inline MatrixD alpha_grid(Index t, bool zero_alpha) {
  MatrixD alphas(3, t);  // (k, t)
  for (Index u = 0; u < t; ++u) {
    alphas(0, u) = u % 2 ? 3.0 : 0.5;
    alphas(1, u) = 3.0;
    alphas(2, u) = zero_alpha && u == 0 ? 0.0 : 20.0;
  }
  return alphas;
}

// The kernel a BootstrapEngine shares between replicates: K (n, n) = (X - mu)(X - mu)^T
// for X (n, p), with mu (p) the plain column means (zero without an intercept).
template <class T>
void shared_kernel(const RowMatrix<T>& X, bool intercept, SharedKernel<T>& shared) {
  shared.mean.setZero(X.cols());
  if (intercept) shared.mean = X.colwise().mean();
  const RowMatrix<T> Xc = X.rowwise() - shared.mean;  // (n, p)
  shared.K = Xc * Xc.transpose();
}

struct Shape {
  const char* name;
  Index n, p, t;
  bool sparse_weights;
};

// Backward-stable routes are accurate to a small multiple of eps * cond * max|w|:
// the tolerance, in those units, leaves room for the sums over rows.
inline constexpr double kTolerance = 50;
// The largest error seen in those units, reported to show the margin.
template <class T>
inline double worst_error = 0;

template <class T>
void check_fit(const Shape& shape, const Route& route, Weights weights, bool intercept) {
  const Data d = make_data(shape.n, shape.p, shape.t, shape.sparse_weights, 7);
  const RowMatrix<T> X = d.X.cast<T>(), Y = d.Y.cast<T>();  // (n, p), (n, t)
  const Vector<T> w = d.w.cast<T>();                          // (n)
  const MatrixD alphas = alpha_grid(shape.t, route.zero_alpha);  // (k, t)
  const ConstView<T> Xv(X.data(), shape.n, shape.p, Strides(shape.p, 1));
  const ConstView<T> Yv(Y.data(), shape.n, shape.t, Strides(shape.t, 1));
  const T* base_weight = weights == Weights::problem ? w.data() : nullptr;
  const Problem<T> problem{Xv, Yv, base_weight, alphas.cast<T>(), route.solver, intercept};
  Fitter<T> fitter(problem);
  SharedKernel<T> shared;
  if (route.kernel) {
    shared_kernel(X, intercept, shared);
    fitter.use_kernel(&shared);
  }
  Matrix<T> W(shape.p, problem.kt());  // (p, k*t)
  Vector<T> b(problem.kt());           // (k*t)
  fitter.fit(weights == Weights::argument ? w.data() : nullptr, W, b);

  // The reference solves the problem as the fit received it, rounded to T.
  const VectorD w_used = weights == Weights::none ? VectorD::Ones(shape.n) : VectorD(w.template cast<double>());
  const Reference ref = reference_fit(X.template cast<double>(), Y.template cast<double>(), w_used,
                                      alphas.cast<T>().template cast<double>(), intercept);
  for (Index c = 0; c < problem.kt(); ++c) {
    const double unit = std::numeric_limits<T>::epsilon() * ref.kappa(c);
    const double scale = ref.W.col(c).cwiseAbs().maxCoeff();
    for (Index j = 0; j < shape.p; ++j) {
      CHECK_CLOSE(W(j, c), ref.W(j, c), kTolerance * unit * scale);
      worst_error<T> = std::max(worst_error<T>, std::abs(double(W(j, c)) - ref.W(j, c)) / (unit * scale));
    }
    // b = ybar - xbar.w: an error in w moves b by up to |xbar|_1 times it.
    const double b_scale = std::abs(ref.ybar(c % shape.t)) + ref.xbar.cwiseAbs().sum() * scale;
    CHECK_CLOSE(b(c), ref.b(c), kTolerance * unit * b_scale);
  }
}

inline const Shape kShapes[] = {
    {"tall", 40, 7, 2, false},
    {"wide (dual)", 12, 30, 2, false},
    {"tall, 1/3 of rows weighted (dual when weighted)", 30, 20, 2, true},
    {"tall, two Gram panels", 3000, 60, 2, false},
};

template <class T>
void test_fit_routes() {
  for (const Shape& shape : kShapes) {
    for (const Route& route : kRoutes) {
      if (route.kernel && shape.p <= shape.n) continue;  // the engine shares a kernel only when p > n
      for (const Weights weights : {Weights::none, Weights::problem, Weights::argument}) {
        const bool dual = shape.p > shape.n || (shape.sparse_weights && weights != Weights::none);
        if (route.zero_alpha && dual) continue;  // alpha = 0 needs a full-rank problem
        for (const bool intercept : {true, false}) {
          check::Scope scope(check::fmt("fit<%s> %s, %s, %s, %s", std::is_same_v<T, float> ? "float" : "double",
                                        shape.name, route.name, weights_name(weights),
                                        intercept ? "intercept" : "no intercept"));
          try {
            check_fit<T>(shape, route, weights, intercept);
          } catch (const std::exception& e) {
            FAIL(e.what());
          }
        }
      }
    }
  }
}

// test_fit_routes<float>(), defined in test_solve_float.cpp.
void test_fit_routes_float();

}  // namespace fit_check
