// Single fits: rb.ridge and rb.ridge_path (one factorization for the whole
// alpha grid), and the finiteness scan of input validation. Instantiated per
// dtype by bind_float64.cpp / bind_float32.cpp.
#pragma once

#include <pybind11/stl.h>

#include <optional>

#include "bindings.hpp"
#include "ridgeboot/fitter.hpp"

namespace ridgeboot::binding {

// (k, p, t) coefficient array and (k, t) intercepts from W (p, k*t), b (k*t),
// with `extra` as a third item.
template <class T>
py::tuple to_numpy(const Problem<T>& pb, const Matrix<T>& W, const Vector<T>& b, py::object extra) {
  const Index k = pb.k(), p = pb.p(), t = pb.t();
  Array<T> coef({k, p, t}), icpt({k, t});
  auto c = coef.template mutable_unchecked<3>();
  auto ic = icpt.template mutable_unchecked<2>();
  for (Index a = 0; a < k; ++a)
    for (Index u = 0; u < t; ++u) {
      for (Index j = 0; j < p; ++j) c(a, j, u) = W(j, a * t + u);
      ic(a, u) = b(a * t + u);
    }
  return py::make_tuple(coef, icpt, extra);
}

template <class T>
py::tuple fit(const Array<T>& X, const Array<T>& Y, const std::optional<Array<T>>& w, const Array<T>& alphas,
              const std::string& solver, bool intercept, int n_threads) {
  Fitter<T> fitter(make_problem(X, Y, w, alphas, solver, intercept));
  const Problem<T>& pb = fitter.problem();
  Matrix<T> W(pb.p(), pb.kt());
  Vector<T> b(pb.kt());
  {
    py::gil_scoped_release release;
    // Threads pay off only for a large Gram (thread start-up is ~50 us).
    const double work = double(pb.n()) * double(pb.p()) * double(pb.p());
    std::optional<ThreadPool> pool;
    if (n_threads > 1 && work > 2e7) pool.emplace(n_threads);
    fitter.fit(nullptr, W, b, pool ? &*pool : nullptr);
  }
  return to_numpy(pb, W, b, py::float_(fitter.condition_bound()));
}

// True when every value of A and B (1-D or 2-D, non-negative element-aligned
// strides) is finite: one pass, no temporary (validation's fast path; on false
// the Python checks name the offending input).
template <class T>
bool all_finite(const Array<T>& A, const Array<T>& B) {
  bool ok = true;
  for (const Array<T>* a : {&A, &B}) {
    const Index item = Index(sizeof(T)), nd = a->ndim();
    if (nd < 1 || nd > 2) throw std::invalid_argument("all_finite takes 1-D or 2-D arrays");
    const Index rows = a->shape(0), cols = nd == 2 ? a->shape(1) : 1;
    const Index s0 = a->strides(0), s1 = nd == 2 ? a->strides(1) : item;
    if (s0 < 0 || s1 < 0 || s0 % item || s1 % item)
      throw std::invalid_argument("all_finite needs non-negative, element-aligned strides");
    const T* base = a->data();
    const auto scan = [&] {
      for (Index i = 0; i < rows && ok; ++i) {
        const T* r = base + i * (s0 / item);
        bool row_ok = true;  // x - x is 0 exactly when x is finite (NaN otherwise)
        if (s1 == item)
          for (Index j = 0; j < cols; ++j) row_ok &= (r[j] - r[j]) == T(0);
        else
          for (Index j = 0; j < cols; ++j) row_ok &= (r[j * (s1 / item)] - r[j * (s1 / item)]) == T(0);
        ok = row_ok;
      }
    };
    if (rows * cols > (Index(1) << 16)) {
      py::gil_scoped_release release;
      scan();
    } else {
      scan();
    }
  }
  return ok;
}

template <class T>
void register_fit(py::module_& m, const std::string& suffix) {
  using namespace pybind11::literals;
  m.def(("fit_" + suffix).c_str(), &fit<T>, "X"_a.noconvert(), "Y"_a.noconvert(), "sample_weight"_a.noconvert(),
        "alphas"_a.noconvert(), "solver"_a, "fit_intercept"_a, "n_threads"_a,
        "Weighted ridge fit for a (k, t) alpha grid -> (coef (k,p,t), intercept (k,t), condition bound).");
  m.def(("all_finite_" + suffix).c_str(), &all_finite<T>, "A"_a.noconvert(), "B"_a.noconvert(),
        "Whether every value of two 1-D or 2-D arrays is finite.");
}

}  // namespace ridgeboot::binding
