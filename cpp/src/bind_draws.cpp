// The bootstrap draws, the engine request struct and the engine's tables:
// everything of the bootstrap that does not depend on the dtype.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "bindings.hpp"
#include "ridgeboot/bootstrap.hpp"
#include "ridgeboot/rng.hpp"

namespace ridgeboot::binding {
namespace {

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

using Doubles = py::array_t<double, py::array::c_style>;

// (mean, std) of the engine's moments (moments_from_sums, engine_request.hpp), shaped
// as `sum`: natively instead of in ten numpy passes (4 ms for 500,000 coefficients).
// `overwrite`: written over sum and sumsq (when writeable; the engine's own sums),
// as fresh arrays of 4 MB each were faulted in page by page (3 ms of that).
py::tuple moments_from_sums(Doubles sum, Doubles sumsq, const Doubles& full, double B, double scale,
                            bool overwrite) {
  if (sumsq.size() != sum.size() || full.size() != sum.size())
    throw std::invalid_argument("sum, sumsq and full must have the same size");
  const std::vector<py::ssize_t> shape(sum.shape(), sum.shape() + sum.ndim());
  const bool in_place = overwrite && sum.writeable() && sumsq.writeable();
  Doubles mean = in_place ? sum : Doubles(shape), spread = in_place ? sumsq : Doubles(shape);
  {
    py::gil_scoped_release release;
    ridgeboot::moments_from_sums(sum.data(), sumsq.data(), full.data(), Index(sum.size()), B, scale,
                                 mean.mutable_data(), spread.mutable_data());
  }
  return py::make_tuple(mean, spread);
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

}  // namespace

void register_draws(py::module_& m) {
  using namespace pybind11::literals;
  py::class_<EngineRequest>(m, "EngineRequest", "What one engine run computes (see bootstrap.hpp).")
      .def(py::init<>())
      .def_readwrite("first", &EngineRequest::first)
      .def_readwrite("n_boot", &EngineRequest::n_boot)
      .def_readwrite("chunk_sums", &EngineRequest::chunk_sums)
      .def_property(
          "scheme",
          [](const EngineRequest& r) { return r.draw.scheme == Scheme::poisson ? "poisson" : "multinomial"; },
          [](EngineRequest& r, const std::string& s) { r.draw.scheme = parse_scheme(s); })
      .def_property(
          "seed", [](const EngineRequest& r) { return r.draw.seed; },
          [](EngineRequest& r, std::uint64_t s) { r.draw.seed = s; })
      .def_property(
          "block_len", [](const EngineRequest& r) { return r.draw.block_len; },
          [](EngineRequest& r, Index L) { r.draw.block_len = L; })
      .def_readwrite("n_threads", &EngineRequest::n_threads)
      .def_readwrite("svd_fallback", &EngineRequest::svd_fallback)
      .def_readwrite("wave", &EngineRequest::wave)
      .def_readwrite("batch", &EngineRequest::batch)
      .def_readwrite("keep_coefs", &EngineRequest::keep_coefs)
      .def_readwrite("moments", &EngineRequest::moments)
      .def_readwrite("fit_reference", &EngineRequest::fit_reference)
      .def_readwrite("coef_scale", &EngineRequest::coef_scale)
      .def_readwrite("intercept_scale", &EngineRequest::intercept_scale)
      .def_readwrite("oob_rows", &EngineRequest::oob_rows)
      .def_readwrite("oob_mse", &EngineRequest::oob_mse)
      .def_readwrite("replicate_stats", &EngineRequest::replicate_stats)
      .def_property(
          "select",
          [](const EngineRequest& r) {
            return r.select == Selection::gcv ? "gcv" : r.select == Selection::loo ? "loo" : "none";
          },
          [](EngineRequest& r, const std::string& s) {
            if (s != "none" && s != "gcv" && s != "loo")
              throw std::invalid_argument("select must be 'none', 'gcv' or 'loo', got '" + s + "'");
            r.select = s == "gcv" ? Selection::gcv : s == "loo" ? Selection::loo : Selection::none;
          })
      .def_readwrite("select_per_target", &EngineRequest::select_per_target)
      .def_readwrite("check_finite", &EngineRequest::check_finite);
  py::dict outputs;
  for (const auto& o : kEngineOutputs)
    outputs[o.name] = o.kind == OutputKind::chunk_summed    ? "chunk_summed"
                      : o.kind == OutputKind::per_replicate ? "per_replicate"
                      : o.kind == OutputKind::counted       ? "counted"
                                                            : "shared";
  m.attr("ENGINE_OUTPUTS") = outputs;
  py::tuple stats(kReplicateStatCount);
  for (int q = 0; q < kReplicateStatCount; ++q) stats[q] = kReplicateStats[q];
  m.attr("REPLICATE_STATS") = stats;
  py::tuple reference_fit(kReferenceFitCount);
  for (int q = 0; q < kReferenceFitCount; ++q) reference_fit[q] = kReferenceFit[q];
  m.attr("REFERENCE_FIT") = reference_fit;
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
  m.def("moments_from_sums", &moments_from_sums, "sum"_a, "sumsq"_a, "full"_a, "B"_a, "scale"_a,
        "overwrite"_a = false,
        "(mean, std) of B values from the sums of their deviations from full, times scale; "
        "overwrite: written over sum and sumsq where they are writeable.");
  m.def(
      "philox4x32_10",
      [](std::array<std::uint32_t, 4> ctr, std::array<std::uint32_t, 2> key) { return philox4x32_10(ctr, key); },
      "counter"_a, "key"_a, "One Philox4x32-10 block (for known-answer tests).");
  m.attr("MAX_REPLICATES") = kMaxReplicates;
  m.attr("MAX_ROWS") = kMaxRows;
  m.attr("FINITE_CHECK_THREADED") = kFiniteCheckThreaded;
  m.attr("MAX_SEED") = kMaxSeed;
  m.attr("ILL_CONDITIONED") = kIllConditioned;
}

}  // namespace ridgeboot::binding
