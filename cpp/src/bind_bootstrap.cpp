// The bootstrap engine and its draws: the engine request as one bound struct,
// the outputs allocated from the engine's own table (kEngineOutputs).
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>

#include "bindings.hpp"
#include "ridgeboot/bootstrap.hpp"
#include "ridgeboot/rng.hpp"

namespace ridgeboot::binding {
namespace {

using Counts = py::array_t<std::int32_t, py::array::c_style>;

template <class T>
py::dict run_engine(const Array<T>& X, const Array<T>& Y, const std::optional<Array<T>>& w, const Array<T>& alphas,
                    const std::string& solver, bool intercept, const EngineRequest& req,
                    const std::optional<Counts>& counts, const std::optional<py::tuple>& reference,
                    py::object progress) {
  Problem<T> pb = make_problem(X, Y, w, alphas, solver, intercept);
  const Index n = pb.n(), k = pb.k(), p = pb.p(), t = pb.t(), B = std::max<Index>(req.n_boot, 0);
  if (counts && (counts->ndim() != 2 || counts->shape(0) != B || counts->shape(1) != n))
    throw std::invalid_argument("counts must have shape (n_boot, n)");
  if (req.moments != bool(reference)) throw std::invalid_argument("the moments need the reference fit, and only they");
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
  if (reference) {
    ref_coef = (*reference)[0].cast<Array<T>>();
    ref_icpt = (*reference)[1].cast<Array<T>>();
    if (ref_coef.size() != k * p * t || ref_icpt.size() != k * t || !(ref_coef.flags() & py::array::c_style) ||
        !(ref_icpt.flags() & py::array::c_style))
      throw std::invalid_argument("reference must be C-contiguous (k, p, t) and (k, t) arrays");
    out.ref_coef = ref_coef.data();
    out.ref_intercept = ref_icpt.data();
    out.coef_sum = sums("coef_sum", {k, p, t});
    out.coef_sumsq = sums("coef_sumsq", {k, p, t});
    out.intercept_sum = sums("intercept_sum", {k, t});
    out.intercept_sumsq = sums("intercept_sumsq", {k, t});
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
  if (req.replicate_stats) {
    py::array_t<double> stats({B, Index(kReplicateStatCount), k, t});
    out.replicate_stats = stats.mutable_data();
    result["replicate_stats"] = stats;
  }
  const std::int32_t* draws = counts ? counts->data() : nullptr;
  Poller poller(std::move(progress));
  run_released(poller, [&](const auto& poll) {
    BootstrapEngine<T> engine(std::move(pb), req, draws, out);
    engine.run(poll);
  });
  return result;
}

py::array_t<std::int32_t> bootstrap_counts(Index n, Index n_boot, const DrawSpec& spec, int n_threads) {
  if (n < 1 || n_boot < 0) throw std::invalid_argument("n must be >= 1 and n_boot >= 0");
  py::array_t<std::int32_t> counts({n_boot, n});
  std::int32_t* data = counts.mutable_data();
  {
    py::gil_scoped_release release;
    ThreadPool pool(std::max(1, n_threads));
    pool.run(n_boot, [&](Index b, int) { draw_counts(spec, std::uint64_t(b), n, data + b * n); });
  }
  return counts;
}

// Poisson counts of rows row_start .. row_start + n_rows - 1 of a larger data set, for
// replicates first .. first + n_boot - 1: a row's count depends on its global index only.
py::array_t<std::int32_t> poisson_counts(Index row_start, Index n_rows, Index first, Index n_boot, DrawSpec spec,
                                         int n_threads) {
  if (row_start < 0 || n_rows < 0 || first < 0 || n_boot < 0 || spec.block_len < 0)
    throw std::invalid_argument("row_start, n_rows, first, n_boot, block_len must be >= 0");
  spec.scheme = Scheme::poisson;
  py::array_t<std::int32_t> counts({n_boot, n_rows});
  std::int32_t* data = counts.mutable_data();
  {
    py::gil_scoped_release release;
    ThreadPool pool(std::max(1, n_threads));
    pool.run(n_boot, [&](Index b, int) {
      const auto rep = std::uint64_t(first + b);
      for (Index r = 0; r < n_rows; ++r) data[b * n_rows + r] = poisson_count(spec, rep, row_start + r);
    });
  }
  return counts;
}

Scheme parse_scheme(const std::string& scheme) {
  if (scheme == "multinomial") return Scheme::multinomial;
  if (scheme == "poisson") return Scheme::poisson;
  throw std::invalid_argument("unknown scheme '" + scheme + "'");
}

DrawSpec draw_spec(std::uint64_t seed, const std::string& scheme, Index block_len) {
  DrawSpec spec;
  spec.seed = seed;
  spec.block_len = block_len;
  spec.scheme = parse_scheme(scheme);
  return spec;
}

template <class T>
void register_dtype(py::module_& m, const std::string& suffix) {
  using namespace pybind11::literals;
  m.def(("run_engine_" + suffix).c_str(), &run_engine<T>, "X"_a.noconvert(), "Y"_a.noconvert(),
        "sample_weight"_a.noconvert(), "alphas"_a.noconvert(), "solver"_a, "fit_intercept"_a, "request"_a,
        "counts"_a, "reference"_a, "progress"_a,
        "The bootstrap engine for the request's replicates; returns a dict of the requested outputs "
        "(ENGINE_OUTPUTS; sums with a leading summation-chunk axis when request.chunk_sums).");
}

}  // namespace

void register_bootstrap(py::module_& m) {
  using namespace pybind11::literals;
  py::class_<EngineRequest>(m, "EngineRequest", "What one engine run computes (see bootstrap.hpp).")
      .def(py::init<>())
      .def_readwrite("first", &EngineRequest::first)
      .def_readwrite("n_boot", &EngineRequest::n_boot)
      .def_readwrite("chunk_sums", &EngineRequest::chunk_sums)
      .def_property(
          "scheme", [](const EngineRequest& r) { return r.draw.scheme == Scheme::poisson ? "poisson" : "multinomial"; },
          [](EngineRequest& r, const std::string& s) { r.draw.scheme = parse_scheme(s); })
      .def_property(
          "seed", [](const EngineRequest& r) { return r.draw.seed; },
          [](EngineRequest& r, std::uint64_t s) { r.draw.seed = s; })
      .def_property(
          "block_len", [](const EngineRequest& r) { return r.draw.block_len; },
          [](EngineRequest& r, Index L) { r.draw.block_len = L; })
      .def_readwrite("n_threads", &EngineRequest::n_threads)
      .def_readwrite("keep_coefs", &EngineRequest::keep_coefs)
      .def_readwrite("moments", &EngineRequest::moments)
      .def_readwrite("oob_rows", &EngineRequest::oob_rows)
      .def_readwrite("oob_mse", &EngineRequest::oob_mse)
      .def_readwrite("replicate_stats", &EngineRequest::replicate_stats);
  register_dtype<double>(m, "float64");
  register_dtype<float>(m, "float32");
  py::dict outputs;
  for (const auto& o : kEngineOutputs)
    outputs[o.name] = o.kind == OutputKind::chunk_summed    ? "chunk_summed"
                      : o.kind == OutputKind::per_replicate ? "per_replicate"
                                                            : "counted";
  m.attr("ENGINE_OUTPUTS") = outputs;
  py::tuple stats(kReplicateStatCount);
  for (int q = 0; q < kReplicateStatCount; ++q) stats[q] = kReplicateStats[q];
  m.attr("REPLICATE_STATS") = stats;
  m.attr("SUM_CHUNK") = kSumChunk;
  m.def(
      "bootstrap_counts",
      [](Index n, Index n_boot, std::uint64_t seed, const std::string& scheme, Index block_len, int n_threads) {
        return bootstrap_counts(n, n_boot, draw_spec(seed, scheme, block_len), n_threads);
      },
      "n"_a, "n_boot"_a, "seed"_a, "scheme"_a, "block_len"_a, "n_threads"_a,
      "(n_boot, n) int32 draw counts of rb.bootstrap.");
  m.def(
      "poisson_counts",
      [](Index row_start, Index n_rows, Index first, Index n_boot, std::uint64_t seed, Index block_len,
         int n_threads) {
        return poisson_counts(row_start, n_rows, first, n_boot, draw_spec(seed, "poisson", block_len), n_threads);
      },
      "row_start"_a, "n_rows"_a, "first"_a, "n_boot"_a, "seed"_a, "block_len"_a, "n_threads"_a,
      "(n_boot, n_rows) int32 Poisson counts of global rows row_start.. for replicates first..");
  m.def(
      "philox4x32_10",
      [](std::array<std::uint32_t, 4> ctr, std::array<std::uint32_t, 2> key) { return philox4x32_10(ctr, key); },
      "counter"_a, "key"_a, "One Philox4x32-10 block (for known-answer tests).");
  m.attr("MAX_REPLICATES") = kMaxReplicates;
  m.attr("MAX_ROWS") = kMaxRows;
  m.attr("MAX_SEED") = kMaxSeed;
}

}  // namespace ridgeboot::binding
