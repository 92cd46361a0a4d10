// What the binding files share: numpy arrays mapped onto the core's views
// without copies, the problem built from them, and the poller that lets
// Ctrl-C and a progress bar reach a long native run.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "ridgeboot/problem.hpp"
#include "ridgeboot/types.hpp"

namespace ridgeboot::binding {

namespace py = pybind11;

// Arrays of this many values or more are checked for finiteness on the call's
// threads (all_finite, bind_fit.hpp; Python reads it as FINITE_CHECK_THREADED).
inline constexpr Index kFiniteCheckThreaded = Index(1) << 20;

template <class T>
using Array = py::array_t<T, 0>;  // any strides; dtype must match exactly (noconvert)

template <class T>
ConstView<T> view2d(const Array<T>& a, const char* name) {
  if (a.ndim() != 2) throw std::invalid_argument(std::string(name) + " must be 2-D");
  const auto item = Index(sizeof(T));
  const Index s0 = a.strides(0), s1 = a.strides(1);
  if (s0 < 0 || s1 < 0 || s0 % item || s1 % item)
    throw std::invalid_argument(std::string(name) + " needs non-negative, element-aligned strides");
  return ConstView<T>(a.data(), a.shape(0), a.shape(1), Strides(s0 / item, s1 / item));
}

template <class T>
const T* vector_or_null(const std::optional<Array<T>>& a, Index n, const char* name) {
  if (!a) return nullptr;
  if (a->ndim() != 1 || a->shape(0) != n || a->strides(0) != Index(sizeof(T)))
    throw std::invalid_argument(std::string(name) + " must be a contiguous vector of length n");
  return a->data();
}

// A C-order numpy copy of a (rows, cols) matrix.
inline py::array_t<double> to_numpy(const Matrix<double>& M) {
  py::array_t<double> a({M.rows(), M.cols()});
  auto out = a.mutable_unchecked<2>();
  for (Index i = 0; i < M.rows(); ++i)
    for (Index j = 0; j < M.cols(); ++j) out(i, j) = M(i, j);
  return a;
}

// The problem X (n, p), Y (n, t), sample weights (n) or None, alphas (k, t). Its
// views point into the arrays: they must outlive it.
template <class T>
Problem<T> make_problem(const Array<T>& X, const Array<T>& Y, const std::optional<Array<T>>& w,
                        const Array<T>& alphas, const std::string& solver, bool intercept,
                        bool svd_fallback = false) {
  auto Xv = view2d(X, "X");
  auto Yv = view2d(Y, "y");
  if (Yv.rows() != Xv.rows()) throw std::invalid_argument("X and y have different numbers of rows");
  auto Av = view2d(alphas, "alphas");
  if (Av.cols() != Yv.cols()) throw std::invalid_argument("alphas must have one column per target");
  if (Xv.rows() < 1 || Xv.cols() < 1 || Yv.cols() < 1 || Av.rows() < 1)
    throw std::invalid_argument("empty problem");
  return Problem<T>(Xv, Yv, vector_or_null(w, Xv.rows(), "sample_weight"), Matrix<T>(Av), parse_solver(solver),
                    intercept, svd_fallback);
}

// Calls back into Python at most every 100 ms from a native run (with the GIL
// released): Ctrl-C, and the progress callback when given. Returns false to
// stop the run; the Python error (KeyboardInterrupt, or the callback's) is
// then set.
class Poller {
 public:
  explicit Poller(py::object progress = py::none()) : progress_(std::move(progress)) {}
  bool operator()(Index done) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return true;
    last_ = now;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) return false;
    if (!progress_.is_none()) {
      try {
        progress_(done);
      } catch (py::error_already_set& e) {
        e.restore();
        return false;
      }
    }
    return true;
  }

 private:
  py::object progress_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Runs `work(poll)` with the GIL released; a run stopped by the poller re-raises
// the pending Python error (KeyboardInterrupt) here.
template <class Work>
void run_released(Poller& poller, Work&& work) {
  bool cancelled = false;
  {
    py::gil_scoped_release release;
    try {
      work([&](Index done) { return poller(done); });
    } catch (const Cancelled&) {
      cancelled = true;
    }
  }
  if (cancelled) {
    if (PyErr_Occurred()) throw py::error_already_set();
    throw py::value_error("cancelled");
  }
}

void register_float64(py::module_& m);
void register_float32(py::module_& m);
void register_draws(py::module_& m);

}  // namespace ridgeboot::binding
