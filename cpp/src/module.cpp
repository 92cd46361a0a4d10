// The extension module ridgeboot._core: numpy buffers in, numpy buffers out.
// Shapes and dtypes are validated in Python (ridgeboot/_validation.py); the
// bind_*.cpp files re-check them, map them without copies and release the GIL
// around the C++ core (cpp/include/ridgeboot/, which knows nothing of Python).
#include <pybind11/pybind11.h>

#include <atomic>
#include <string>
#include <thread>

#include "bindings.hpp"

namespace py = pybind11;

namespace {

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
  d["eigen_version"] = std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                       std::to_string(EIGEN_MINOR_VERSION);
  d["eigen_source"] = RIDGEBOOT_EIGEN_SOURCE;
  d["native"] = std::string(RIDGEBOOT_CXX_FLAGS).find("-march=native") != std::string::npos;
  d["threads"] = true;
  d["hardware_threads"] = std::thread::hardware_concurrency();
  d["version"] = RIDGEBOOT_VERSION;
  return d;
}

// The limit a surrounding threadpoolctl.threadpool_limits (or joblib) sets on
// ridgeboot's native threads when n_threads is None; 0: none. threadpoolctl
// finds the module by these two exported symbols (ridgeboot/_threads.py
// registers the controller) and calls them through ctypes.
std::atomic<int> thread_limit{0};

}  // namespace

extern "C" {
__attribute__((visibility("default"))) int ridgeboot_get_num_threads() {
  const int limit = thread_limit.load();
  return limit > 0 ? limit : int(std::thread::hardware_concurrency());
}
__attribute__((visibility("default"))) void ridgeboot_set_num_threads(int n) { thread_limit.store(n > 0 ? n : 0); }
}

PYBIND11_MODULE(_core, m) {
  m.doc() = "ridgeboot's C++ core (private: use the ridgeboot package)";
  static py::handle lin_alg_error = py::object(py::module_::import("numpy.linalg").attr("LinAlgError")).release();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ridgeboot::LinAlgError& e) {
      PyErr_SetString(lin_alg_error.ptr(), e.what());
    }
  });
  py::register_exception<ridgeboot::NonFiniteInput>(m, "NonFiniteInput", PyExc_ValueError);
  ridgeboot::binding::register_draws(m);  // first: EngineRequest, used by the engine's signature
  ridgeboot::binding::register_float64(m);
  ridgeboot::binding::register_float32(m);
  m.def("build_info", &build_info, "Compiler, flags and instruction set of this build.");
  m.def(
      "thread_limit", [] { return thread_limit.load(); },
      "The threadpoolctl limit on native threads for n_threads=None (0: none).");
}
