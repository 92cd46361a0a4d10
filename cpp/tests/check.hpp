// A minimal check library for the C++ tests: no framework, just a failure
// count and file:line messages. A test program calls its test functions, then
// returns check::summary(name), non-zero when any check failed.
#pragma once

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace check {

inline int n_checks = 0;
inline int n_failures = 0;
// Only the first failures are printed in full: a broken kernel fails thousands of checks.
inline constexpr int kMaxPrinted = 30;

// What is being checked (e.g. "gram<float> p=7 rows=256"), printed with each failure.
inline std::vector<std::string>& context() {
  static std::vector<std::string> stack;
  return stack;
}

// printf into a std::string, for context lines.
inline std::string fmt(const char* format, ...) {
  char buf[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof(buf), format, args);
  va_end(args);
  return buf;
}

// Pushes a context line for the lifetime of a scope.
struct Scope {
  explicit Scope(std::string what) { context().push_back(std::move(what)); }
  ~Scope() { context().pop_back(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
};

inline bool record(bool ok, const char* file, int line, const std::string& what) {
  ++n_checks;
  if (ok) return true;
  if (++n_failures <= kMaxPrinted) {
    std::fprintf(stderr, "%s:%d: FAILED %s\n", file, line, what.c_str());
    for (const auto& c : context()) std::fprintf(stderr, "    in %s\n", c.c_str());
  }
  return false;
}

// |actual - expected| <= tol, false on NaN; `exprs` is the macro's argument text.
inline bool close(double actual, double expected, double tol, const char* exprs, const char* file, int line) {
  const bool ok = std::fabs(actual - expected) <= tol;
  if (ok) return record(true, file, line, {});
  return record(false, file, line,
                fmt("CHECK_CLOSE(%s): %.17g vs %.17g, |difference| %.3g > tolerance %.3g", exprs, actual, expected,
                    std::fabs(actual - expected), tol));
}

// Deterministic test data, the same on every platform (unlike std::uniform_real_distribution):
// a 64-bit LCG whose top 53 bits make a double uniform in [-1, 1).
class Uniform {
 public:
  explicit Uniform(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  double operator()() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return double(state_ >> 11) * 0x1p-52 - 1.0;
  }

 private:
  std::uint64_t state_;
};

// Prints the totals; the program's exit status.
inline int summary(const char* program) {
  if (n_failures > kMaxPrinted) std::fprintf(stderr, "... %d more failures not shown\n", n_failures - kMaxPrinted);
  std::printf("%s: %d checks, %d failed\n", program, n_checks, n_failures);
  return n_failures == 0 ? 0 : 1;
}

}  // namespace check

#define CHECK(cond) ::check::record(bool(cond), __FILE__, __LINE__, "CHECK(" #cond ")")

#define CHECK_CLOSE(actual, expected, tol)                                                                  \
  ::check::close(double(actual), double(expected), double(tol), #actual ", " #expected ", " #tol, __FILE__, \
                 __LINE__)

// An unconditional failure, e.g. an unexpected exception's message.
#define FAIL(message) ::check::record(false, __FILE__, __LINE__, std::string("FAIL: ") + (message))

// `expr` throws an exception of type `type` (or derived from it).
#define CHECK_THROWS(expr, type)                                                              \
  do {                                                                                        \
    bool check_thrown_ = false;                                                               \
    try {                                                                                     \
      expr;                                                                                   \
    } catch (const type&) {                                                                   \
      check_thrown_ = true;                                                                   \
    } catch (...) {                                                                           \
    }                                                                                         \
    ::check::record(check_thrown_, __FILE__, __LINE__, "CHECK_THROWS(" #expr ", " #type ")"); \
  } while (0)
