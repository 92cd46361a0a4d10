// The bootstrap engine per dtype: the request comes as one bound struct
// (EngineRequest, registered in module.cpp), the outputs are allocated as the
// request asks. Instantiated per dtype by bind_float64.cpp / bind_float32.cpp.
#pragma once

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "bindings.hpp"
#include "ridgeboot/bootstrap.hpp"

namespace ridgeboot::binding {

using Counts = py::array_t<std::int32_t, py::array::c_style>;

// The engine over a problem whose X is dense, or sparse (`sparse`, the problem's X
// then shape_only: bind_sparse.hpp).
template <class T>
py::dict run_engine_with(Problem<T> pb, const CsrView<T>* sparse, const EngineRequest& req,
                         const std::optional<Counts>& counts, const std::optional<py::tuple>& reference,
                         py::object progress) {
  // with selection the outputs have one path point: each replicate's chosen alpha
  const Index n = pb.n(), k = req.select == Selection::none ? pb.k() : 1, p = pb.p(), t = pb.t(),
              B = std::max<Index>(req.n_boot, 0);
  if (counts && (counts->ndim() != 2 || counts->shape(0) != B || counts->shape(1) != n))
    throw std::invalid_argument("counts must have shape (n_boot, n)");
  if (req.moments != (bool(reference) || req.fit_reference) || (reference && req.fit_reference))
    throw std::invalid_argument(
        "the moments need the reference fit, given or fitted (fit_reference), and only they");
  py::dict result;
  EngineOutputs<T> out;
  // Sums: totals, or one per summation chunk (leading axis) for merging elsewhere.
  const auto sums = [&](const char* name, std::vector<Index> shape) {
    if (req.chunk_sums) shape.insert(shape.begin(), req.n_chunks());
    py::array_t<double> a(shape);
    std::fill_n(a.mutable_data(), a.size(), 0.0);
    result[name] = a;
    return a.mutable_data();
  };
  const auto counter = [&](const char* name, Index size) {
    py::array_t<std::int64_t> a(size);
    std::fill_n(a.mutable_data(), a.size(), 0);
    result[name] = a;
    return a.mutable_data();
  };
  if (req.keep_coefs) {
    Array<T> coefs({B, k, p, t}), icpts({B, k, t});
    out.coefs = coefs.mutable_data();
    out.intercepts = icpts.mutable_data();
    result["coefs"] = coefs;
    result["intercepts"] = icpts;
  }
  Array<T> ref_coef, ref_icpt;
  if (req.fit_reference) {
    Array<T> coef({k, p, t}), icpt({k, t});
    py::array_t<double> info(kReferenceFitCount);
    out.reference_coef = coef.mutable_data();
    out.reference_intercept = icpt.mutable_data();
    out.reference_fit = info.mutable_data();
    result["reference_coef"] = coef;
    result["reference_intercept"] = icpt;
    result["reference_fit"] = info;
  }
  if (req.moments) {
    out.coef_sum = sums("coef_sum", {k, p, t});
    out.coef_sumsq = sums("coef_sumsq", {k, p, t});
    out.intercept_sum = sums("intercept_sum", {k, t});
    out.intercept_sumsq = sums("intercept_sumsq", {k, t});
  }
  if (reference) {
    ref_coef = (*reference)[0].cast<Array<T>>();
    ref_icpt = (*reference)[1].cast<Array<T>>();
    if (ref_coef.size() != k * p * t || ref_icpt.size() != k * t || !(ref_coef.flags() & py::array::c_style) ||
        !(ref_icpt.flags() & py::array::c_style))
      throw std::invalid_argument("reference must be C-contiguous (k, p, t) and (k, t) arrays");
    out.ref_coef = ref_coef.data();
    out.ref_intercept = ref_icpt.data();
  }
  if (req.oob_rows) {
    out.oob_loss = sums("oob_loss", {n, k, t});
    out.oob_count = counter("oob_count", n);
  }
  if (req.oob_mse) {
    out.oob_mse_sum = sums("oob_mse_sum", {k, t});
    out.oob_replicates = counter("oob_replicates", 1);
  }
  out.n_valid = counter("n_valid", 1);
  out.n_fallback = counter("n_fallback", 1);
  if (req.replicate_stats) {
    py::array_t<double> stats({B, Index(kReplicateStatCount), k, t});
    out.replicate_stats = stats.mutable_data();
    result["replicate_stats"] = stats;
  }
  if (req.select != Selection::none) {
    py::array_t<std::int32_t> index({B, t});
    out.alpha_index = index.mutable_data();
    result["alpha_index"] = index;
  }
  const std::int32_t* draws = counts ? counts->data() : nullptr;
  Poller poller(std::move(progress));
  run_released(poller, [&](const auto& poll) {
    BootstrapEngine<T> engine(std::move(pb), req, draws, out, sparse);
    engine.run(poll);
  });
  return result;
}

template <class T>
py::dict run_engine(const Array<T>& X, const Array<T>& Y, const std::optional<Array<T>>& w, const Array<T>& alphas,
                    const std::string& solver, bool intercept, const EngineRequest& req,
                    const std::optional<Counts>& counts, const std::optional<py::tuple>& reference,
                    py::object progress) {
  return run_engine_with<T>(make_problem(X, Y, w, alphas, solver, intercept), nullptr, req, counts, reference,
                            std::move(progress));
}

template <class T>
void register_engine(py::module_& m, const std::string& suffix) {
  using namespace pybind11::literals;
  m.def(("run_engine_" + suffix).c_str(), &run_engine<T>, "X"_a.noconvert(), "Y"_a.noconvert(),
        "sample_weight"_a.noconvert(), "alphas"_a.noconvert(), "solver"_a, "fit_intercept"_a, "request"_a,
        "counts"_a, "reference"_a, "progress"_a,
        "The bootstrap engine for the request's replicates; returns a dict of the requested outputs "
        "(ENGINE_OUTPUTS; sums with a leading summation-chunk axis when request.chunk_sums).");
}

}  // namespace ridgeboot::binding
