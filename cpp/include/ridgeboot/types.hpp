// Scalar-templated Eigen aliases, the views through which the core reads numpy
// buffers, and the core's errors.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace ridgeboot {

using Index = Eigen::Index;

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;  // column-major
template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;

// A read-only reference to any column-major-compatible matrix expression; the
// scalar is not deduced from it (callers pass blocks, row-major panels, ...).
template <class T>
struct NonDeduced {
  using type = T;
};
template <class T>
using ConstMatrixRef = typename NonDeduced<Eigen::Ref<const Matrix<T>>>::type;

// A read-only (rows, cols) view with arbitrary element strides: C order, Fortran
// order and sliced numpy arrays all map onto it without a copy.
using Strides = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using ConstView = Eigen::Map<const RowMatrix<T>, 0, Strides>;

// Calls f with row i of M: a contiguous (vectorizable) map when the rows are
// contiguous (C order), else the strided row.
template <class T, class F>
void with_row(const ConstView<T>& M, Index i, F&& f) {
  if (M.innerStride() == 1) f(Eigen::Map<const RowVector<T>>(M.data() + i * M.outerStride(), M.cols()));
  else f(M.row(i));
}

// Asks the caches for row i of M ahead of its use: rows read in a scattered
// order (a replicate's) are otherwise fetched one miss at a time. Rows that are
// not contiguous (Fortran order) are left to the hardware.
template <class T>
void prefetch_row(const ConstView<T>& M, Index i) {
  if (M.innerStride() != 1) return;
  const char* row = reinterpret_cast<const char*>(M.data() + i * M.outerStride());
  const Index bytes = M.cols() * Index(sizeof(T));
  for (Index b = 0; b < bytes; b += 64) __builtin_prefetch(row + b);
}

// Raised when a factorization fails (mapped to numpy.linalg.LinAlgError).
struct LinAlgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Raised when an input asked to be checked holds NaN or infinity (a ValueError
// subclass, _core.NonFiniteInput: Python then names the input that holds it).
struct NonFiniteInput : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Whether `count` values `step` apart are all finite: x - x is 0 exactly when
// x is finite (NaN otherwise). An integer OR vectorizes; a bool AND does not.
template <class T>
bool finite_run(const T* v, Index count, Index step) {
  int bad = 0;
  if (step == 1)
    for (Index i = 0; i < count; ++i) bad |= !(v[i] - v[i] == T(0));
  else
    for (Index i = 0; i < count; ++i) bad |= !(v[i * step] - v[i * step] == T(0));
  return bad == 0;
}

// Whether row i of M is finite.
template <class T>
bool row_finite(const ConstView<T>& M, Index i) {
  return finite_run(M.data() + i * M.outerStride(), M.cols(), M.innerStride());
}

// Raised when a run is stopped through the cancel hook (e.g. Ctrl-C).
struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

enum class Solver { cholesky, eigh, svd };

inline Solver parse_solver(const std::string& name) {
  if (name == "cholesky") return Solver::cholesky;
  if (name == "eigh") return Solver::eigh;
  if (name == "svd") return Solver::svd;
  throw std::invalid_argument("unknown solver '" + name + "'");
}

}  // namespace ridgeboot
