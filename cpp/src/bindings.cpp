// The one binding file: numpy buffers in, numpy buffers out. Shapes and dtypes
// are validated in Python (ridgeboot/_validation.py); here they are re-checked,
// mapped without copies, and the GIL is released around the C++ core.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <thread>

#include "ridgeboot/bootstrap.hpp"
#include "ridgeboot/rng.hpp"
#include "ridgeboot/solve.hpp"

namespace py = pybind11;
using namespace ridgeboot;

namespace {

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

template <class T>
Problem<T> make_problem(const Array<T>& X, const Array<T>& Y, const std::optional<Array<T>>& w,
                        const Array<T>& alphas, const std::string& solver, bool intercept) {
  auto Xv = view2d(X, "X");
  auto Yv = view2d(Y, "y");
  if (Yv.rows() != Xv.rows()) throw std::invalid_argument("X and y have different numbers of rows");
  auto Av = view2d(alphas, "alphas");
  if (Av.cols() != Yv.cols()) throw std::invalid_argument("alphas must have one column per target");
  if (Xv.rows() < 1 || Xv.cols() < 1 || Yv.cols() < 1 || Av.rows() < 1)
    throw std::invalid_argument("empty problem");
  return Problem<T>{Xv, Yv, vector_or_null(w, Xv.rows(), "sample_weight"), Matrix<T>(Av),
                    parse_solver(solver), intercept};
}

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
py::tuple fit(const Array<T>& X, const Array<T>& Y, const std::optional<Array<T>>& w,
              const Array<T>& alphas, const std::string& solver, bool intercept, int n_threads) {
  const Problem<T> pb = make_problem(X, Y, w, alphas, solver, intercept);
  Matrix<T> W(pb.p(), pb.kt());
  Vector<T> b(pb.kt());
  double condition = 1;
  {
    py::gil_scoped_release release;
    // Threads pay off only for a large Gram (thread start-up is ~50 us).
    const double work = double(pb.n()) * double(pb.p()) * double(pb.p());
    std::optional<ThreadPool> pool;
    if (n_threads > 1 && work > 2e7) pool.emplace(n_threads);
    Fitter<T> fitter(pb);
    fitter.fit(nullptr, W, b, pool ? &*pool : nullptr);
    condition = fitter.condition_bound();
  }
  return to_numpy(pb, W, b, py::float_(condition));
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
        if (s1 == item) for (Index j = 0; j < cols; ++j) row_ok &= (r[j] - r[j]) == T(0);
        else for (Index j = 0; j < cols; ++j) row_ok &= (r[j * (s1 / item)] - r[j * (s1 / item)]) == T(0);
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

DrawSpec draw_spec(std::uint64_t seed, const std::string& scheme, Index block_len) {
  DrawSpec spec;
  spec.seed = seed;
  spec.block_len = block_len;
  if (scheme == "multinomial") spec.scheme = Scheme::multinomial;
  else if (scheme == "poisson") spec.scheme = Scheme::poisson;
  else throw std::invalid_argument("unknown scheme '" + scheme + "'");
  return spec;
}

// Calls back into Python at most every 100 ms: Ctrl-C and the progress bar.
class Poller {
 public:
  explicit Poller(py::object progress) : progress_(std::move(progress)) {}
  bool operator()(Index done) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return true;
    last_ = now;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) return interrupted_ = true, false;
    if (!progress_.is_none()) {
      try {
        progress_(done);
      } catch (py::error_already_set& e) {
        e.restore();
        return interrupted_ = true, false;
      }
    }
    return true;
  }
  bool interrupted() const { return interrupted_; }

 private:
  py::object progress_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  bool interrupted_ = false;
};

template <class T>
py::dict bootstrap(const Array<T>& X, const Array<T>& Y, const std::optional<Array<T>>& w,
                   const Array<T>& alphas, const std::string& solver, bool intercept, Index first,
                   Index n_boot, bool chunk_sums, const std::string& scheme, Index block_len,
                   std::uint64_t seed,
                   const std::optional<py::array_t<std::int32_t, py::array::c_style>>& counts,
                   int n_threads, bool keep_coefs, std::optional<py::tuple> reference,
                   bool oob_rows, bool oob_mse, bool replicate_stats, py::object progress) {
  const Problem<T> pb = make_problem(X, Y, w, alphas, solver, intercept);
  const Index n = pb.n(), k = pb.k(), p = pb.p(), t = pb.t();
  if (n_boot < 1) throw std::invalid_argument("n_boot must be >= 1");
  BootstrapConfig cfg;
  cfg.first = first;
  cfg.n_boot = n_boot;
  cfg.chunk_sums = chunk_sums;
  // (the engine checks that first starts a summation chunk)
  if (std::uint64_t(first + n_boot) > kMaxReplicates + 1)
    throw std::invalid_argument("first + n_boot must be <= 2^32");
  // Sums: totals, or one per summation chunk (leading axis) for merging elsewhere.
  const Index n_sums = chunk_sums ? cfg.n_chunks() : 1;
  auto sums = [&](std::vector<Index> shape) {
    if (chunk_sums) shape.insert(shape.begin(), n_sums);
    py::array_t<double> a(shape);
    std::fill_n(a.mutable_data(), a.size(), 0.0);
    return a;
  };
  cfg.draw = draw_spec(seed, scheme, block_len);
  cfg.n_threads = std::max(1, n_threads);
  if (counts) {
    if (counts->ndim() != 2 || counts->shape(0) != n_boot || counts->shape(1) != n)
      throw std::invalid_argument("counts must have shape (n_boot, n)");
    cfg.counts = counts->data();
  }
  py::dict result;
  BootstrapOutputs<T> out;
  if (keep_coefs) {
    Array<T> coefs({n_boot, k, p, t}), icpts({n_boot, k, t});
    out.coefs = coefs.mutable_data();
    out.intercepts = icpts.mutable_data();
    result["coefs"] = coefs;
    result["intercepts"] = icpts;
  }
  Array<T> ref_coef, ref_icpt;
  if (reference) {
    ref_coef = (*reference)[0].cast<Array<T>>();
    ref_icpt = (*reference)[1].cast<Array<T>>();
    if (ref_coef.size() != k * p * t || ref_icpt.size() != k * t ||
        !(ref_coef.flags() & py::array::c_style) || !(ref_icpt.flags() & py::array::c_style))
      throw std::invalid_argument("reference must be C-contiguous (k, p, t) and (k, t) arrays");
    out.ref_coef = ref_coef.data();
    out.ref_intercept = ref_icpt.data();
    auto s = sums({k, p, t}), ss = sums({k, p, t}), is = sums({k, t}), iss = sums({k, t});
    out.coef_sum = s.mutable_data();
    out.coef_sumsq = ss.mutable_data();
    out.intercept_sum = is.mutable_data();
    out.intercept_sumsq = iss.mutable_data();
    result["coef_sum"] = s;
    result["coef_sumsq"] = ss;
    result["intercept_sum"] = is;
    result["intercept_sumsq"] = iss;
  }
  if (oob_rows) {
    auto loss = sums({n, k, t});
    py::array_t<std::int64_t> cnt(n);
    std::fill_n(cnt.mutable_data(), cnt.size(), 0);
    out.oob_loss = loss.mutable_data();
    out.oob_count = cnt.mutable_data();
    result["oob_loss"] = loss;
    result["oob_count"] = cnt;
  }
  py::array_t<std::int64_t> oob_reps(1);
  if (oob_mse) {
    auto mse = sums({k, t});
    oob_reps.mutable_data()[0] = 0;
    out.oob_mse_sum = mse.mutable_data();
    out.oob_replicates = oob_reps.mutable_data();
    result["oob_mse_sum"] = mse;
    result["oob_replicates"] = oob_reps;
  }
  py::array_t<std::int64_t> valid(1);
  valid.mutable_data()[0] = 0;
  out.valid_replicates = valid.mutable_data();
  result["n_valid"] = valid;
  if (replicate_stats) {
    py::array_t<double> stats({n_boot, Index(kReplicateStats), k, t});
    out.replicate_stats = stats.mutable_data();
    result["replicate_stats"] = stats;
  }
  Poller poller(std::move(progress));
  bool cancelled = false;
  {
    py::gil_scoped_release release;
    BootstrapEngine<T> engine(pb, cfg, out);
    try {
      engine.run([&](Index done) { return poller(done); });
    } catch (const Cancelled&) {
      cancelled = true;
    }
  }
  if (cancelled) {
    if (PyErr_Occurred()) throw py::error_already_set();
    throw py::value_error("bootstrap cancelled");
  }
  return result;
}

py::array_t<std::int32_t> bootstrap_counts(Index n, Index n_boot, std::uint64_t seed,
                                           const std::string& scheme, Index block_len, int n_threads) {
  if (n < 1 || n_boot < 0) throw std::invalid_argument("n must be >= 1 and n_boot >= 0");
  const DrawSpec spec = draw_spec(seed, scheme, block_len);
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
py::array_t<std::int32_t> poisson_counts(Index row_start, Index n_rows, Index first, Index n_boot,
                                         std::uint64_t seed, Index block_len, int n_threads) {
  if (row_start < 0 || n_rows < 0 || first < 0 || n_boot < 0 || block_len < 0)
    throw std::invalid_argument("row_start, n_rows, first, n_boot, block_len must be >= 0");
  py::array_t<std::int32_t> counts({n_boot, n_rows});
  std::int32_t* data = counts.mutable_data();
  {
    py::gil_scoped_release release;
    ThreadPool pool(std::max(1, n_threads));
    pool.run(n_boot, [&](Index b, int) {
      const auto rep = std::uint64_t(first + b);
      for (Index r = 0; r < n_rows; ++r) {
        const Index i = row_start + r;
        data[b * n_rows + r] = block_len > 1
                                   ? poisson1(seed, rep, Stream::poisson_blocks, i / block_len)
                                   : poisson1(seed, rep, Stream::poisson_rows, i);
      }
    });
  }
  return counts;
}

const char* isa() {
#if defined(__AVX512F__)
  return "AVX-512";
#elif defined(__AVX2__) && defined(__FMA__)
  return "AVX2+FMA";
#elif defined(__AVX2__)
  return "AVX2";
#elif defined(__AVX__)
  return "AVX";
#elif defined(__SSE4_2__)
  return "SSE4.2";
#elif defined(__SSE2__) || defined(_M_X64)
  return "SSE2";
#elif defined(__ARM_NEON)
  return "NEON";
#else
  return "generic";
#endif
}

py::dict build_info() {
  py::dict d;
#if defined(__clang__)
  d["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  d["compiler"] = std::string("gcc ") + __VERSION__;
#else
  d["compiler"] = "unknown";
#endif
  d["flags"] = RIDGEBOOT_CXX_FLAGS;
  d["build_type"] = RIDGEBOOT_BUILD_TYPE;
  d["isa"] = isa();
  d["eigen_simd"] = Eigen::SimdInstructionSetsInUse();
  d["eigen_version"] = std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
                       "." + std::to_string(EIGEN_MINOR_VERSION);
  d["eigen_dir"] = RIDGEBOOT_EIGEN_DIR;
  d["native"] = std::string(RIDGEBOOT_CXX_FLAGS).find("-march=native") != std::string::npos;
  d["threads"] = true;
  d["hardware_threads"] = std::thread::hardware_concurrency();
  d["version"] = RIDGEBOOT_VERSION;
  return d;
}

template <class T>
void register_dtype(py::module_& m, const char* suffix) {
  using namespace pybind11::literals;
  m.def((std::string("fit_") + suffix).c_str(), &fit<T>, "X"_a.noconvert(), "Y"_a.noconvert(),
        "sample_weight"_a.noconvert(), "alphas"_a.noconvert(), "solver"_a, "fit_intercept"_a,
        "n_threads"_a, "Weighted ridge fit for a (k, t) alpha grid -> (coef (k,p,t), intercept (k,t), "
        "condition bound).");
  m.def((std::string("all_finite_") + suffix).c_str(), &all_finite<T>, "A"_a.noconvert(),
        "B"_a.noconvert(), "Whether every value of two 1-D or 2-D arrays is finite.");
  m.def((std::string("bootstrap_") + suffix).c_str(), &bootstrap<T>, "X"_a.noconvert(),
        "Y"_a.noconvert(), "sample_weight"_a.noconvert(), "alphas"_a.noconvert(), "solver"_a,
        "fit_intercept"_a, "first"_a, "n_boot"_a, "chunk_sums"_a, "scheme"_a, "block_len"_a, "seed"_a, "counts"_a,
        "n_threads"_a, "keep_coefs"_a, "reference"_a, "oob_rows"_a, "oob_mse"_a,
        "replicate_stats"_a, "progress"_a,
        "The bootstrap engine for replicates first .. first + n_boot - 1; returns a dict of "
        "arrays (sums with a leading summation-chunk axis when chunk_sums).");
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "ridgeboot's C++ core (private: use the ridgeboot package)";
  static py::handle lin_alg_error =
      py::object(py::module_::import("numpy.linalg").attr("LinAlgError")).release();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const LinAlgError& e) {
      PyErr_SetString(lin_alg_error.ptr(), e.what());
    }
  });
  register_dtype<double>(m, "float64");
  register_dtype<float>(m, "float32");
  using namespace pybind11::literals;
  m.def("bootstrap_counts", &bootstrap_counts, "n"_a, "n_boot"_a, "seed"_a, "scheme"_a,
        "block_len"_a, "n_threads"_a, "(n_boot, n) int32 draw counts of rb.bootstrap.");
  m.def("poisson_counts", &poisson_counts, "row_start"_a, "n_rows"_a, "first"_a, "n_boot"_a,
        "seed"_a, "block_len"_a, "n_threads"_a,
        "(n_boot, n_rows) int32 Poisson counts of global rows row_start.. for replicates first..");
  m.attr("SUM_CHUNK") = kSumChunk;
  m.attr("MAX_REPLICATES") = kMaxReplicates;  // replicates per run (and the largest index)
  m.attr("MAX_ROWS") = kMaxRows;
  m.attr("MAX_SEED") = kMaxSeed;
  m.def("philox4x32_10", [](std::array<std::uint32_t, 4> ctr, std::array<std::uint32_t, 2> key) {
    return philox4x32_10(ctr, key);
  }, "counter"_a, "key"_a, "One Philox4x32-10 block (for known-answer tests).");
  m.def("build_info", &build_info, "Compiler, flags and instruction set of this build.");
}
