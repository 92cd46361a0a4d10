// Single fits: rb.ridge and rb.ridge_path (one factorization for the whole
// alpha grid), and the finiteness scan of input validation. Instantiated per
// dtype by bind_float64.cpp / bind_float32.cpp.
#pragma once

#include <pybind11/stl.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "bindings.hpp"
#include "ridgeboot/cv.hpp"
#include "ridgeboot/fitter.hpp"

namespace ridgeboot::binding {

// (k, p, t) coefficient array and (k, t) intercepts from W (p, k*t), b (k*t).
template <class S, class T>
py::tuple to_numpy(const Problem<T>& pb, const Matrix<S>& W, const Vector<S>& b) {
  const Index k = pb.k(), p = pb.p(), t = pb.t();
  Array<S> coef({k, p, t}), icpt({k, t});
  auto c = coef.template mutable_unchecked<3>();
  auto ic = icpt.template mutable_unchecked<2>();
  for (Index a = 0; a < k; ++a)
    for (Index u = 0; u < t; ++u) {
      for (Index j = 0; j < p; ++j) c(a, j, u) = W(j, a * t + u);
      ic(a, u) = b(a * t + u);
    }
  return py::make_tuple(coef, icpt);
}

// A pool for a large single fit: threads pay off only for a large Gram (thread
// start-up is ~50 us).
inline ThreadPool* pool_for(Index n, Index p, int n_threads, std::optional<ThreadPool>& pool) {
  if (n_threads > 1 && double(n) * double(p) * double(p) > 2e7) pool.emplace(n_threads);
  return pool ? &*pool : nullptr;
}

// True when every value of A and B (1-D or 2-D, non-negative element-aligned
// strides) is finite: one pass, no temporary (validation's fast path; on false
// the Python checks name the offending input). A contiguous array (C or F
// order) is read as one run of values, so short rows cost no loop each.
template <class T>
bool all_finite(const Array<T>& A, const Array<T>& B, int n_threads) {
  for (const Array<T>* a : {&A, &B}) {
    const Index item = Index(sizeof(T)), nd = a->ndim();
    if (nd < 1 || nd > 2) throw std::invalid_argument("all_finite takes 1-D or 2-D arrays");
    const Index rows = a->shape(0), cols = nd == 2 ? a->shape(1) : 1;
    const Index s0 = a->strides(0), s1 = nd == 2 ? a->strides(1) : item;
    if (s0 < 0 || s1 < 0 || s0 % item || s1 % item)
      throw std::invalid_argument("all_finite needs non-negative, element-aligned strides");
    const T* base = a->data();
    const Index count = rows * cols;
    const bool flat =
        (s1 == item && (s0 == cols * item || rows == 1)) || (s0 == item && (s1 == rows * item || cols == 1));
    // part `part` of `parts`: a share of the values (flat) or of the rows
    const auto scan = [&](Index part, Index parts) {
      if (flat) {
        const Index v0 = count * part / parts, v1 = count * (part + 1) / parts;
        return finite_run(base + v0, v1 - v0, 1);
      }
      for (Index i = rows * part / parts; i < rows * (part + 1) / parts; ++i)
        if (!finite_run(base + i * (s0 / item), cols, s1 / item)) return false;
      return true;
    };
    if (count < kFiniteCheckThreaded) {  // else split among n_threads threads
      if (!scan(0, 1)) return false;
      continue;
    }
    py::gil_scoped_release release;
    const int threads = int(std::clamp<Index>(n_threads, 1, rows));
    std::vector<char> part_ok(std::size_t(threads), 1);
    if (threads == 1) {
      part_ok[0] = scan(0, 1);
    } else {
      ThreadPool pool(threads);
      pool.run(threads, [&](Index part, int) { part_ok[std::size_t(part)] = scan(part, threads); });
    }
    for (const char part : part_ok)
      if (!part) return false;
  }
  return true;
}

// -> ((coef (k, p, t), intercept (k, t)), condition bound, the solver that ran, the rank used).
template <class T>
py::tuple fit(const Array<T>& X, const Array<T>& Y, const std::optional<Array<T>>& w, const Array<T>& alphas,
              const std::string& solver, bool intercept, bool svd_fallback, double rcond, int n_threads,
              bool check_finite) {
  // (here rather than in a call of its own: that call costs a small fit ~10 %)
  if (check_finite && !all_finite(X, Y, n_threads)) throw NonFiniteInput("X or y contains NaN or infinity");
  Problem<T> problem = make_problem(X, Y, w, alphas, solver, intercept, svd_fallback);
  problem.rcond = T(rcond);
  Fitter<T> fitter(std::move(problem));
  const Problem<T>& pb = fitter.problem();
  Matrix<T> W(pb.p(), pb.kt());
  Vector<T> b(pb.kt());
  Poller poller;
  run_released(poller, [&](const auto& poll) {
    std::optional<ThreadPool> pool;
    fitter.fit(nullptr, W, b, pool_for(pb.n(), pb.p(), n_threads, pool), [&] { return poll(0); });
  });
  const char* ran = fitter.solver_used() == Solver::svd    ? "svd"
                    : fitter.solver_used() == Solver::eigh ? "eigh"
                                                           : "cholesky";
  return py::make_tuple(to_numpy(pb, W, b), fitter.condition_bound(), ran, fitter.rank());
}

// The closed-form criterion named from Python; keep_rows goes with "loo" only.
inline CvMethod cv_method(const std::string& method, bool keep_rows) {
  const CvMethod how = method == "gcv"   ? CvMethod::gcv
                       : method == "loo" ? CvMethod::loo
                       : method == "dof" ? CvMethod::dof
                                         : throw std::invalid_argument("unknown method '" + method + "'");
  if (keep_rows && how != CvMethod::loo) throw std::invalid_argument("keep_rows needs method 'loo'");
  return how;
}

// (scores, dof, fits, rows) of a closed-form run (dense ClosedFormCv or sparse SparseCv).
template <class T, class Cv>
py::tuple cv_result(const Problem<T>& pb, const Cv& cv, CvMethod how, const Matrix<double>& scores,
                    const Matrix<double>& dof, bool keep_rows) {
  if (how == CvMethod::dof) return py::make_tuple(to_numpy(scores), to_numpy(dof), py::none(), py::none());
  py::object rows = py::none();
  if (keep_rows) {
    const Matrix<double> R = cv.loo_rows();
    Array<double> out({pb.n(), pb.k(), pb.t()});
    auto o = out.mutable_unchecked<3>();
    for (Index i = 0; i < pb.n(); ++i)
      for (Index c = 0; c < pb.kt(); ++c) o(i, c / pb.t(), c % pb.t()) = R(i, c);
    rows = std::move(out);
  }
  return py::make_tuple(to_numpy(scores), to_numpy(dof), to_numpy(pb, cv.coef(), cv.intercept()), rows);
}

// Closed-form criteria for every alpha of the (k, t) grid -> (scores (k, t), dof (k, t),
// fits, rows): method "gcv" (generalized cross-validation), "loo" (exact leave-one-out
// mean squared error) or "dof" (degrees of freedom only; scores are NaN; fits None).
// With keep_rows (loo only), rows is every row's leave-one-out residual (n, k, t)
// (NaN for rows of weight 0), else None. Ctrl-C stops it.
template <class T>
py::tuple cv_scores(const Array<T>& X, const Array<T>& Y, const std::optional<Array<T>>& w, const Array<T>& alphas,
                    bool intercept, const std::string& method, int n_threads, bool keep_rows) {
  const CvMethod how = cv_method(method, keep_rows);
  ClosedFormCv<T> cv(make_problem(X, Y, w, alphas, "eigh", intercept));
  const Problem<T> pb = make_problem(X, Y, w, alphas, "eigh", intercept);
  Matrix<double> scores, dof;
  Poller poller;
  run_released(poller, [&](const auto& poll) {
    std::optional<ThreadPool> pool;
    cv.run(
        how, pool_for(X.shape(0), X.shape(1), n_threads, pool), [&] { return poll(0); }, scores, dof, keep_rows);
  });
  return cv_result(pb, cv, how, scores, dof, keep_rows);
}

template <class T>
void register_fit(py::module_& m, const std::string& suffix) {
  using namespace pybind11::literals;
  m.def(("fit_" + suffix).c_str(), &fit<T>, "X"_a.noconvert(), "Y"_a.noconvert(), "sample_weight"_a.noconvert(),
        "alphas"_a.noconvert(), "solver"_a, "fit_intercept"_a, "svd_fallback"_a, "rcond"_a, "n_threads"_a,
        "check_finite"_a,
        "Weighted ridge fit for a (k, t) alpha grid -> ((coef (k,p,t), intercept (k,t)), condition bound, "
        "solver that ran, rank used). rcond <= 0: the default cutoff eps * max(m, p). check_finite: "
        "raise NonFiniteInput when X or Y holds NaN or infinity.");
  m.def(("cv_scores_" + suffix).c_str(), &cv_scores<T>, "X"_a.noconvert(), "Y"_a.noconvert(),
        "sample_weight"_a.noconvert(), "alphas"_a.noconvert(), "fit_intercept"_a, "method"_a, "n_threads"_a,
        "keep_rows"_a = false,
        "GCV / leave-one-out scores and degrees of freedom for a (k, t) alpha grid -> (scores (k, t), "
        "dof (k, t), (coef (k, p, t), intercept (k, t)) in float64 or None for method 'dof', "
        "leave-one-out residuals (n, k, t) with keep_rows or None).");
  m.def(("rank_cutoff_" + suffix).c_str(), &rank_cutoff<T>, "m"_a, "p"_a,
        "The relative rank cutoff eps * max(m, p) of this dtype (shifted_solve.hpp).");
  m.def(("all_finite_" + suffix).c_str(), &all_finite<T>, "A"_a.noconvert(), "B"_a.noconvert(), "n_threads"_a,
        "Whether every value of two 1-D or 2-D arrays is finite (large arrays on n_threads threads).");
}

}  // namespace ridgeboot::binding
