// A downstream C++ program calling ridgeboot's header-only core directly:
//   g++ -std=c++17 -O2 -I$(python -c "import ridgeboot; print(ridgeboot.get_include())") \
//       -I<eigen3 include dir> ridge_from_cpp.cpp -o ridge_from_cpp
// It fits a weighted ridge regression on deterministic data and prints the
// coefficients and intercept with full precision (tests/test_examples.py checks
// them against rb.ridge on the same data).
#include <cmath>
#include <cstdio>
#include <ridgeboot/fitter.hpp>

int main() {
  using namespace ridgeboot;
  const Index n = 50, p = 3;
  RowMatrix<double> X(n, p), Y(n, 1);
  std::vector<double> weight(n);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < p; ++j) X(i, j) = std::sin(double(i * (j + 1)));
    Y(i, 0) = 1.0 + 2.0 * X(i, 0) - X(i, 1) + 0.5 * X(i, 2) + 0.1 * std::cos(double(i));
    weight[std::size_t(i)] = 1.0 + double(i % 3);
  }
  const ConstView<double> Xv(X.data(), n, p, Strides(p, 1));  // (n, p), C order
  const ConstView<double> Yv(Y.data(), n, 1, Strides(1, 1));  // (n, 1)
  Matrix<double> alphas(1, 1);                                  // (k, t)
  alphas(0, 0) = 0.5;
  const Problem<double> problem(Xv, Yv, weight.data(), alphas, Solver::cholesky, true);
  Fitter<double> fitter(problem);
  Matrix<double> W(p, 1);  // (p, k*t)
  Vector<double> b(1);     // (k*t)
  fitter.fit(nullptr, W, b);
  for (Index j = 0; j < p; ++j) std::printf("%.17g\n", W(j, 0));
  std::printf("%.17g\n", b(0));
  return 0;
}
