// Scalar-templated Eigen aliases and the views through which the core reads numpy buffers.
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

// A read-only (rows, cols) view with arbitrary element strides: C order, Fortran
// order and sliced numpy arrays all map onto it without a copy.
using Strides = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using ConstView = Eigen::Map<const RowMatrix<T>, 0, Strides>;

// Raised when a factorization fails (mapped to numpy.linalg.LinAlgError).
struct LinAlgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Raised when a run is stopped through the cancel hook (e.g. Ctrl-C).
struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

enum class Solver { cholesky, eigh, svd };

inline const char* solver_name(Solver s) {
  switch (s) {
    case Solver::cholesky: return "cholesky";
    case Solver::eigh: return "eigh";
    case Solver::svd: return "svd";
  }
  return "?";
}

inline Solver parse_solver(const std::string& name) {
  if (name == "cholesky") return Solver::cholesky;
  if (name == "eigh") return Solver::eigh;
  if (name == "svd") return Solver::svd;
  throw std::invalid_argument("unknown solver '" + name + "'");
}

}  // namespace ridgeboot
