// Sparse X (scipy.sparse CSR) for rb.ridge, rb.ridge_path and the closed-form
// criteria of rb.ridge_cv: the CSR arrays are mapped without a copy onto the
// core's CsrView (sparse.hpp). Instantiated per dtype by bind_float64.cpp /
// bind_float32.cpp.
#pragma once

#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>

#include "bind_bootstrap.hpp"
#include "bind_fit.hpp"
#include "bindings.hpp"
#include "ridgeboot/sparse.hpp"

namespace ridgeboot::binding {

using Indices = py::array_t<std::int64_t, 0>;

// CSR arrays (indptr (n + 1), indices (nnz), data (nnz), all contiguous) of an
// (n, p) matrix, checked (check_csr).
template <class T>
CsrView<T> csr_view(const Indices& indptr, const Indices& indices, const Array<T>& data, Index n, Index p) {
  // (numpy gives an empty array a stride of 0: all zeros X stores no value)
  const auto contiguous = [](const py::array& a, Index item) {
    return a.ndim() == 1 && (a.shape(0) < 2 || a.strides(0) == item);
  };
  if (!contiguous(indptr, 8) || !contiguous(indices, 8) || !contiguous(data, Index(sizeof(T))))
    throw std::invalid_argument("sparse X: indptr, indices and data must be contiguous 1-D arrays");
  if (indptr.shape(0) != n + 1) throw std::invalid_argument("sparse X: indptr must have n + 1 entries");
  if (indices.shape(0) != data.shape(0))
    throw std::invalid_argument("sparse X: indices and data differ in length");
  CsrView<T> X{n, p, indptr.data(), indices.data(), data.data()};
  if (X.nnz() != data.shape(0)) throw std::invalid_argument("sparse X: indptr[n] must equal the number of values");
  check_csr(X);
  return X;
}

// The problem of a sparse fit: Y (n, t), sample weights (n) or None, alphas (k, t).
template <class T>
Problem<T> sparse_problem(Index n, Index p, const Array<T>& Y, const std::optional<Array<T>>& w,
                          const Array<T>& alphas, const std::string& solver, bool intercept, bool svd_fallback) {
  auto Yv = view2d(Y, "y");
  if (Yv.rows() != n) throw std::invalid_argument("X and y have different numbers of rows");
  auto Av = view2d(alphas, "alphas");
  if (Av.cols() != Yv.cols()) throw std::invalid_argument("alphas must have one column per target");
  if (Yv.cols() < 1 || Av.rows() < 1) throw std::invalid_argument("empty problem");
  return Problem<T>(shape_only<T>(n, p), Yv, vector_or_null(w, n, "sample_weight"), Matrix<T>(Av),
                    parse_solver(solver), intercept, svd_fallback);
}

// As fit_<dtype> for a CSR matrix: -> ((coef (k, p, t), intercept (k, t)), condition
// bound, the solver that ran, the rank used).
template <class T>
py::tuple fit_sparse(const Indices& indptr, const Indices& indices, const Array<T>& data, Index n, Index p,
                     const Array<T>& Y, const std::optional<Array<T>>& w, const Array<T>& alphas,
                     const std::string& solver, bool intercept, bool svd_fallback, double rcond) {
  const CsrView<T> X = csr_view(indptr, indices, data, n, p);
  Problem<T> problem = sparse_problem(n, p, Y, w, alphas, solver, intercept, svd_fallback);
  problem.rcond = T(rcond);
  SparseFitter<T> fitter(X, std::move(problem));
  const Problem<T>& pb = fitter.problem();
  Matrix<T> W(pb.p(), pb.kt());
  Vector<T> b(pb.kt());
  Poller poller;
  run_released(poller, [&](const auto& poll) { fitter.fit(nullptr, W, b, [&] { return poll(0); }); });
  const char* ran = fitter.solver_used() == Solver::eigh ? "eigh" : "cholesky";
  return py::make_tuple(to_numpy(pb, W, b), fitter.condition_bound(), ran, fitter.rank());
}

// As cv_scores_<dtype> for a CSR matrix.
template <class T>
py::tuple cv_scores_sparse(const Indices& indptr, const Indices& indices, const Array<T>& data, Index n, Index p,
                           const Array<T>& Y, const std::optional<Array<T>>& w, const Array<T>& alphas,
                           bool intercept, const std::string& method, bool keep_rows) {
  const CvMethod how = cv_method(method, keep_rows);
  const CsrView<T> X = csr_view(indptr, indices, data, n, p);
  SparseCv<T> cv(X, sparse_problem(n, p, Y, w, alphas, "eigh", intercept, false));
  const Problem<T> pb = sparse_problem(n, p, Y, w, alphas, "eigh", intercept, false);
  Matrix<double> scores, dof;
  Poller poller;
  run_released(poller, [&](const auto& poll) { cv.run(how, [&] { return poll(0); }, scores, dof, keep_rows); });
  return cv_result(pb, cv, how, scores, dof, keep_rows);
}

// As run_engine_<dtype> for a CSR matrix: the same draws and sums, each
// replicate fitted from the Gram of its sparse rows.
template <class T>
py::dict run_engine_sparse(const Indices& indptr, const Indices& indices, const Array<T>& data, Index n, Index p,
                           const Array<T>& Y, const std::optional<Array<T>>& w, const Array<T>& alphas,
                           const std::string& solver, bool intercept, const EngineRequest& req,
                           const std::optional<Counts>& counts, const std::optional<py::tuple>& reference,
                           py::object progress) {
  const CsrView<T> X = csr_view(indptr, indices, data, n, p);
  return run_engine_with(sparse_problem(n, p, Y, w, alphas, solver, intercept, false), &X, req, counts, reference,
                         std::move(progress));
}

template <class T>
void register_sparse(py::module_& m, const std::string& suffix) {
  using namespace pybind11::literals;
  m.def(("fit_sparse_" + suffix).c_str(), &fit_sparse<T>, "indptr"_a.noconvert(), "indices"_a.noconvert(),
        "data"_a.noconvert(), "n"_a, "p"_a, "Y"_a.noconvert(), "sample_weight"_a.noconvert(),
        "alphas"_a.noconvert(), "solver"_a, "fit_intercept"_a, "svd_fallback"_a, "rcond"_a,
        "Weighted ridge fit of a CSR matrix (int64 indptr and indices) for a (k, t) alpha grid -> "
        "((coef (k,p,t), intercept (k,t)), condition bound, solver that ran, rank used). Solvers "
        "'cholesky' and 'eigh'; svd_fallback redoes a failed Cholesky by 'eigh'.");
  m.def(("cv_scores_sparse_" + suffix).c_str(), &cv_scores_sparse<T>, "indptr"_a.noconvert(),
        "indices"_a.noconvert(), "data"_a.noconvert(), "n"_a, "p"_a, "Y"_a.noconvert(),
        "sample_weight"_a.noconvert(), "alphas"_a.noconvert(), "fit_intercept"_a, "method"_a,
        "keep_rows"_a = false, "As cv_scores for a CSR matrix (int64 indptr and indices).");
  m.def(("run_engine_sparse_" + suffix).c_str(), &run_engine_sparse<T>, "indptr"_a.noconvert(),
        "indices"_a.noconvert(), "data"_a.noconvert(), "n"_a, "p"_a, "Y"_a.noconvert(),
        "sample_weight"_a.noconvert(), "alphas"_a.noconvert(), "solver"_a, "fit_intercept"_a, "request"_a,
        "counts"_a, "reference"_a, "progress"_a,
        "As run_engine for a CSR matrix (int64 indptr and indices); solvers 'cholesky' and 'eigh'.");
}

}  // namespace ridgeboot::binding
