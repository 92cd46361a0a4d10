// The weighted ridge problem: minimize sum_i w_i (y_i - b - x_i.w)^2 + alpha ||w||^2
// for a grid of alphas (k, t) -- alpha of path point a for target u -- and the
// grid grouped by alpha once, so that one factorization serves every column
// that shares an alpha.
#pragma once

#include <algorithm>
#include <numeric>
#include <utility>
#include <vector>

#include "thread_pool.hpp"
#include "types.hpp"

namespace ridgeboot {

// A Cholesky factorization whose condition bound times eps exceeds this keeps
// fewer than ~3 correct digits: "auto" redoes the fit by SVD, an explicit
// solver="cholesky" warns (ridgeboot._ridge).
inline constexpr double kIllConditioned = 1e-3;

// Consecutive targets u0 .. u0 + width - 1 of path point a sharing one alpha:
// columns col .. col + width - 1 (col = a * t + u0) of a (p, k*t) solution.
template <class T>
struct AlphaRun {
  T alpha;
  Index col, u0, width;
};

// The runs of a (k, t) grid ordered by alpha (ascending), then path point, then
// target: a route that factors once per distinct alpha meets each alpha once.
// O(kt log kt), once per problem.
template <class T>
std::vector<AlphaRun<T>> alpha_runs(const Matrix<T>& alphas) {
  const Index k = alphas.rows(), t = alphas.cols();
  std::vector<Index> order(std::size_t(k * t));
  std::iota(order.begin(), order.end(), Index(0));  // c = a * t + u
  const auto at = [&](Index c) { return alphas(c / t, c % t); };
  std::stable_sort(order.begin(), order.end(), [&](Index c1, Index c2) { return at(c1) < at(c2); });
  std::vector<AlphaRun<T>> runs;
  for (const Index c : order) {
    AlphaRun<T>* last = runs.empty() ? nullptr : &runs.back();
    if (last && last->alpha == at(c) && last->col + last->width == c && c % t != 0) ++last->width;
    else runs.push_back({at(c), c, c % t, 1});
  }
  return runs;
}

template <class T>
struct Problem {
  Problem(ConstView<T> X_, ConstView<T> Y_, const T* base_weight_, Matrix<T> alphas_, Solver solver_,
          bool intercept_, bool svd_fallback_ = false)
      : X(X_),
        Y(Y_),
        base_weight(base_weight_),
        alphas(std::move(alphas_)),
        solver(solver_),
        intercept(intercept_),
        svd_fallback(svd_fallback_),
        runs(alpha_runs(alphas)) {}

  ConstView<T> X;        // (n, p)
  ConstView<T> Y;        // (n, t)
  const T* base_weight;  // (n) sample weights, or nullptr for all ones
  Matrix<T> alphas;      // (k, t)
  Solver solver;
  bool intercept;
  // solver="auto": a fit whose factorization fails, is ill-conditioned (see
  // kIllConditioned) or gives a non-finite number is redone by the SVD.
  bool svd_fallback;
  // Relative cutoff on singular values (rank decisions): 0 for the default, rank_cutoff(m, p).
  T rcond = 0;
  std::vector<AlphaRun<T>> runs;  // the grid grouped by alpha (see alpha_runs)

  Index n() const { return X.rows(); }
  Index p() const { return X.cols(); }
  Index t() const { return Y.cols(); }
  Index k() const { return alphas.rows(); }
  Index kt() const { return alphas.size(); }
};

// Whether rows i of X and Y with read(i) are all finite: fixed parts of the rows on the pool.
template <class T, class Read>
bool rows_finite(const Problem<T>& pb, ThreadPool& pool, Read&& read) {
  const Index n = pb.n(), parts = std::min<Index>(n, 8 * pool.size());
  std::vector<char> finite(std::size_t(parts), 1);
  pool.run(parts, [&](Index part, int) {
    for (Index i = n * part / parts; i < n * (part + 1) / parts; ++i)
      if (read(i) && (!row_finite(pb.X, i) || !row_finite(pb.Y, i))) finite[std::size_t(part)] = 0;
  });
  return std::find(finite.begin(), finite.end(), 0) == finite.end();
}

}  // namespace ridgeboot
