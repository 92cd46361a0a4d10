// Tests of the core's building blocks: the Gram and cross-product kernels
// against a plain Eigen product, the Philox generator against Random123's
// known answers and the draws built on it, and the thread pool.
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <ridgeboot/gram.hpp>
#include <ridgeboot/rng.hpp>
#include <ridgeboot/thread_pool.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "check.hpp"

using namespace ridgeboot;

namespace {

template <class T>
const char* type_name() {
  return std::is_same_v<T, float> ? "float" : "double";
}

// Error bound of A^T B, for A (rows, p) and B (rows, t) summed in T in any order:
// rows * eps * (|A|^T |B|) entrywise, the standard bound with a factor 2 to spare.
template <class T>
Matrix<double> product_tolerance(const Matrix<double>& A, const Matrix<double>& B) {
  const double rows = double(A.rows());
  return rows * std::numeric_limits<T>::epsilon() * (A.cwiseAbs().transpose() * B.cwiseAbs());
}

// (rows, p_pad) panel as the kernels read it: p random columns, the padding zero.
template <class T>
RowMatrix<T> padded_panel(Index rows, Index p, check::Uniform& rand) {
  RowMatrix<T> Z = RowMatrix<T>::Zero(rows, gram_padded_cols<T>(p));
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < p; ++j) Z(i, j) = T(rand());
  return Z;
}

// An entry the kernels must leave alone.
template <class T>
constexpr T kUntouched = T(-12345);

template <class T>
void test_gram_lower() {
  check::Uniform rand(1);
  for (const Index rows : {1, 7, 256, 600}) {  // 600 crosses the 256-row block
    for (Index p = 1; p <= 75; ++p) {
      check::Scope scope(check::fmt("gram_lower<%s> p=%d rows=%d", type_name<T>(), int(p), int(rows)));
      const RowMatrix<T> Z = padded_panel<T>(rows, p, rand);  // (rows, p_pad)
      const Index p_pad = Z.cols();
      const Matrix<double> Zd = Z.leftCols(p).template cast<double>();  // (rows, p)
      const Matrix<double> ref = Zd.transpose() * Zd;                     // (p, p)
      const Matrix<double> tol = product_tolerance<T>(Zd, Zd);           // (p, p)
      Matrix<T> G = Matrix<T>::Constant(p_pad, p_pad, kUntouched<T>);  // (p_pad, p_pad)
      gram_lower(Z.data(), rows, p, p_pad, G.data(), p_pad);
      for (Index j = 0; j < p_pad; ++j) {
        for (Index i = 0; i < p_pad; ++i) {
          const T g = G(i, j);
          if (j >= p) {
            CHECK(g == kUntouched<T>);  // padding columns are never written
          } else if (i >= p) {
            CHECK(g == T(0) || g == kUntouched<T>);  // padding rows: products with zero columns
          } else if (i >= j) {
            CHECK_CLOSE(g, ref(i, j), tol(i, j));
          } else {
            // Above the diagonal: left alone, or (within the diagonal vectors) the product too.
            CHECK(g == kUntouched<T> || std::fabs(double(g) - ref(i, j)) <= tol(i, j));
          }
        }
      }
    }
  }
}

// p = 1..75, and past the strips of kEdgeStrip vectors (float's 128 columns).
std::vector<Index> cross_product_widths() {
  std::vector<Index> widths(75);
  std::iota(widths.begin(), widths.end(), Index(1));
  for (const Index p : {127, 128, 129, 150, 200}) widths.push_back(p);
  return widths;
}

template <class T>
void test_cross_product() {
  check::Uniform rand(2);
  for (const Index rows : {1, 7, 256, 600}) {
    for (const Index p : cross_product_widths()) {
      const RowMatrix<T> A = padded_panel<T>(rows, p, rand);  // (rows, p_pad)
      const Index p_pad = A.cols();
      const Matrix<double> Ad = A.leftCols(p).template cast<double>();  // (rows, p)
      for (const Index t : {1, 2, 3, 4, 5, 6, 7, 8, 9, 29}) {
        check::Scope scope(
            check::fmt("cross_product<%s> p=%d rows=%d t=%d", type_name<T>(), int(p), int(rows), int(t)));
        RowMatrix<T> B(rows, t);  // (rows, t)
        for (Index i = 0; i < rows; ++i)
          for (Index u = 0; u < t; ++u) B(i, u) = T(rand());
        const Matrix<double> Bd = B.template cast<double>();  // (rows, t)
        const Matrix<double> ref = Ad.transpose() * Bd;        // (p, t)
        const Matrix<double> tol = product_tolerance<T>(Ad, Bd);  // (p, t)
        Matrix<T> R = Matrix<T>::Constant(p_pad, t, kUntouched<T>);  // (p_pad, t)
        cross_product(A.data(), rows, p, p_pad, B.data(), t, t, R.data(), p_pad);
        for (Index u = 0; u < t; ++u) {
          for (Index i = 0; i < p; ++i) CHECK_CLOSE(R(i, u), ref(i, u), tol(i, u));
          for (Index i = p; i < p_pad; ++i) CHECK(R(i, u) == T(0));
        }
        // Each entry adds the rows in row order whatever tile holds it: a column
        // of B alone (other tiles) gives the same bits.
        for (Index u = 0; u < t; ++u) {
          const RowMatrix<T> Bu = B.col(u);  // (rows, 1)
          Matrix<T> Ru(p_pad, 1);
          cross_product(A.data(), rows, p, p_pad, Bu.data(), 1, 1, Ru.data(), p_pad);
          for (Index i = 0; i < p; ++i) CHECK(Ru(i, 0) == R(i, u));
        }
      }
    }
  }
}

// add_centred_cross_product against a double reference: rows read through
// pointers (a scattered subset of a wider source, as a replicate reads Y), less
// a shift, against a weighted panel B; every strip width of the kernels. An
// entry adds the rows in row order, so two calls (the second from the sums of
// the first) give the same bits as one; nothing past `cols` is written.
template <class T>
void test_centred_cross_product() {
  check::Uniform rand(5);
  constexpr Index L = gram_detail::Vec<T>::lanes;
  for (const Index rows : {1, 7, 300}) {
    for (const Index vectors : {1, 2, 3, 5, 8, 9, 11, 17}) {
      for (const Index t : {1, 3, 8, 9, 51}) {
        const Index cols = vectors * L, ld = cols + 5;
        check::Scope scope(check::fmt("add_centred_cross_product<%s> rows=%d cols=%d t=%d", type_name<T>(),
                                      int(rows), int(cols), int(t)));
        RowMatrix<T> source(2 * rows + 1, ld);  // rows 1, 3, 5, ... are read
        for (Index i = 0; i < source.rows(); ++i)
          for (Index u = 0; u < ld; ++u) source(i, u) = T(3 + rand());
        std::vector<const T*> at(static_cast<std::size_t>(rows));
        for (Index r = 0; r < rows; ++r) at[std::size_t(r)] = source.row(2 * r + 1).data();
        std::vector<T> shift(static_cast<std::size_t>(cols)), w(static_cast<std::size_t>(rows));
        for (auto& v : shift) v = T(3 + 0.5 * rand());
        for (auto& v : w) v = T(1.5 + rand());  // positive
        RowMatrix<T> B(rows, t);
        for (Index r = 0; r < rows; ++r)
          for (Index j = 0; j < t; ++j) B(r, j) = T(rand());
        Matrix<double> D(rows, cols), Dw(rows, cols);  // the centred rows (as T computes them), and w-weighted
        for (Index r = 0; r < rows; ++r)
          for (Index u = 0; u < cols; ++u) {
            D(r, u) = double(T(at[std::size_t(r)][u] - shift[std::size_t(u)]));
            Dw(r, u) = double(w[std::size_t(r)]) * D(r, u);
          }
        const Matrix<double> Bd = B.template cast<double>();
        const Matrix<double> ref = D.transpose() * Bd, tol = product_tolerance<T>(D, Bd);  // (cols, t)
        Matrix<T> one = Matrix<T>::Constant(cols + 1, t, T(0.5)),
                  split = one;  // (cols + 1, t): the last row untouched
        std::vector<T> sq_one(std::size_t(cols + 1), T(0.5)), sq_split = sq_one;
        add_centred_cross_product(at.data(), shift.data(), rows, cols, B.data(), t, t, w.data(), one.data(),
                                  cols + 1, sq_one.data());
        const Index half = rows / 2;
        add_centred_cross_product(at.data(), shift.data(), half, cols, B.data(), t, t, w.data(), split.data(),
                                  cols + 1, sq_split.data());
        add_centred_cross_product(at.data() + half, shift.data(), rows - half, cols, B.data() + half * t, t, t,
                                  w.data() + half, split.data(), cols + 1, sq_split.data());
        const double eps = std::numeric_limits<T>::epsilon();
        for (Index u = 0; u < cols; ++u) {
          for (Index j = 0; j < t; ++j) CHECK_CLOSE(one(u, j), 0.5 + ref(u, j), tol(u, j) + eps);
          const double sq = 0.5 + Dw.col(u).dot(D.col(u));
          CHECK_CLOSE(sq_one[std::size_t(u)], sq, 3 * double(rows + 1) * eps * sq);
        }
        CHECK(one == split && sq_one == sq_split);
        CHECK(one.row(cols).isConstant(T(0.5)) && sq_one[std::size_t(cols)] == T(0.5));
      }
    }
  }
}

// Random123's tests/kat_vectors, lines "philox4x32 10 ...": counter, key -> output.
void test_philox_known_answers() {
  struct Kat {
    Philox4x32Counter ctr;
    Philox4x32Key key;
    Philox4x32Counter out;
  };
  const Kat kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const auto& kat : kats) CHECK(philox4x32_10(kat.ctr, kat.key) == kat.out);
}

// Word w of a stream is output[w % 4] of Philox(counter = (w / 4, b, stream), key = seed).
void test_word_stream_layout() {
  const std::uint64_t seed = 0x0123456789abcdefull, b = 77;
  WordStream words(seed, b, Stream::multinomial_blocks);
  for (std::uint32_t w = 0; w < 300; ++w) {  // across the blocks WordStream makes at a time
    const auto block = philox4x32_10({w / 4, 0, std::uint32_t(b), std::uint32_t(Stream::multinomial_blocks)},
                                     {0x89abcdefu, 0x01234567u});
    CHECK(words.next() == block[w % 4]);
  }
  CHECK_THROWS(WordStream(seed, kMaxReplicates + 1, Stream::multinomial_rows), std::invalid_argument);
  WordStream small(1, 0, Stream::multinomial_rows);
  for (int i = 0; i < 1000; ++i) {
    CHECK(small.below(1) == 0);
    CHECK(small.below(3) < 3);
  }
}

int sum(const std::vector<std::int32_t>& counts) { return std::accumulate(counts.begin(), counts.end(), 0); }

void test_draw_counts() {
  for (const Index n : {1, 2, 7, 1000}) {
    for (const Index block_len : {0, 1, 2, 5}) {
      if (block_len > n) continue;
      for (std::uint64_t b = 0; b < 20; ++b) {
        check::Scope scope(check::fmt("draw_counts n=%d block_len=%d b=%d", int(n), int(block_len), int(b)));
        const DrawSpec spec{Scheme::multinomial, 42, block_len};
        std::vector<std::int32_t> counts(std::size_t(n), -1), again(std::size_t(n), -2);
        draw_counts(spec, b, n, counts.data());
        draw_counts(spec, b, n, again.data());
        CHECK(sum(counts) == int(n));  // n rows drawn, whether one by one or in blocks
        CHECK(counts == again);
        for (const auto c : counts) CHECK(c >= 0);
      }
    }
  }
  // Another replicate or seed is another draw.
  std::vector<std::int32_t> c0(1000), c1(1000), c2(1000);
  draw_counts({Scheme::multinomial, 42, 0}, 0, 1000, c0.data());
  draw_counts({Scheme::multinomial, 42, 0}, 1, 1000, c1.data());
  draw_counts({Scheme::multinomial, 43, 0}, 0, 1000, c2.data());
  CHECK(c0 != c1);
  CHECK(c0 != c2);
  // Poisson blocks: one count per block of rows.
  std::vector<std::int32_t> blocks(103);
  draw_counts({Scheme::poisson, 5, 10}, 3, 103, blocks.data());
  for (Index i = 0; i < 103; ++i) CHECK(blocks[std::size_t(i)] == blocks[std::size_t(i / 10 * 10)]);
  std::vector<std::int32_t> too_long(5);
  CHECK_THROWS(draw_counts({Scheme::multinomial, 0, 6}, 0, 5, too_long.data()), std::invalid_argument);
}

// Poisson(1) row counts: mean 1, variance 1, P(0) = exp(-1), within 5 standard errors.
void test_poisson_moments() {
  const Index n = 200000;
  std::vector<std::int32_t> counts(static_cast<std::size_t>(n));
  draw_counts({Scheme::poisson, 2024, 0}, 9, n, counts.data());
  double s1 = 0, s2 = 0, zeros = 0;
  for (const auto c : counts) s1 += c, s2 += double(c) * c, zeros += c == 0;
  const double mean = s1 / n, var = s2 / n - mean * mean;
  CHECK_CLOSE(mean, 1.0, 5 * std::sqrt(1.0 / n));
  CHECK_CLOSE(var, 1.0, 5 * std::sqrt(3.0 / n));  // Var(sample variance) = (mu4 - 1) / n = 3 / n
  const double p0 = std::exp(-1.0);
  CHECK_CLOSE(zeros / n, p0, 5 * std::sqrt(p0 * (1 - p0) / n));
}

// Threads of this process, where /proc shows them (Linux); -1 elsewhere.
int thread_count() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/task", ec), end;
  if (ec) return -1;
  int count = 0;
  for (; it != end; it.increment(ec)) ++count;
  return count;
}

// Runs first, while this process has one thread.
void test_pool_of_one_starts_no_thread() {
  const int before = thread_count();
  {
    ThreadPool pool(1);
    CHECK(pool.size() == 1);
    if (before > 0) CHECK(thread_count() == before);
    const auto caller = std::this_thread::get_id();
    bool all_on_caller = true;
    pool.run(50, [&](Index, int worker) { all_on_caller &= worker == 0 && std::this_thread::get_id() == caller; });
    CHECK(all_on_caller);
  }
  if (before > 0) {
    ThreadPool pool(3);  // the count does see the threads a pool starts
    CHECK(thread_count() == before + 2);
  }
}

void test_pool_results_independent_of_threads() {
  const Index n = 5000;
  std::vector<std::uint64_t> serial;
  for (const int threads : {1, 2, 3, 8}) {
    check::Scope scope(check::fmt("ThreadPool(%d)", threads));
    ThreadPool pool(threads);
    CHECK(pool.size() == threads);
    std::vector<std::uint64_t> out(std::size_t(n), 0);
    std::vector<std::atomic<int>> runs(static_cast<std::size_t>(n));
    std::atomic<bool> worker_ok{true};
    for (int repeat = 0; repeat < 3; ++repeat) {  // a pool runs many times
      pool.run(n, [&](Index item, int worker) {
        if (worker < 0 || worker >= threads) worker_ok = false;
        ++runs[std::size_t(item)];
        const auto o = philox4x32_10({std::uint32_t(item), 0, 0, 0}, {1, 2});
        out[std::size_t(item)] = (std::uint64_t(o[0]) << 32) | o[1];
      });
    }
    CHECK(worker_ok);
    bool thrice = true;
    for (const auto& r : runs) thrice &= r == 3;
    CHECK(thrice);  // every item ran once per run
    if (serial.empty()) serial = out;
    CHECK(out == serial);
    pool.run(0, [&](Index, int) { worker_ok = false; });  // no items: the body is never called
    CHECK(worker_ok);
  }
}

// Items 37 and 38 both throw. With several threads they run at the same time and
// throw in a forced order (`lower_first`), so keeping the first or the last error
// would both show. Returns the message run() threw.
std::string two_failures(ThreadPool& pool, bool lower_first) {
  std::atomic<bool> started_38{false}, first_thrown{false};
  // Waits only where another thread can set the flag; the timeout is a guard, never reached.
  const auto wait_for = [&](const std::atomic<bool>& flag) {
    for (int ms = 0; pool.size() > 1 && !flag && ms < 5000; ++ms)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (pool.size() > 1) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the first is recorded
  };
  try {
    pool.run(2000, [&](Index item, int) {
      if (item == 38) started_38 = true;
      if (item == 37) wait_for(started_38);
      if (item != 37 && item != 38 && item != 500) return;
      if ((item == 37) != lower_first) wait_for(first_thrown);
      first_thrown = true;
      throw std::runtime_error("item " + std::to_string(item));
    });
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "nothing thrown";
}

void test_pool_reports_lowest_failing_item() {
  for (const int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (const bool lower_first : {true, false}) {
      check::Scope scope(
          check::fmt("ThreadPool(%d), %s item throws first", threads, lower_first ? "lower" : "higher"));
      CHECK(two_failures(pool, lower_first) == "item 37");
    }
    // The pool is usable after a failure.
    std::atomic<Index> done{0};
    pool.run(100, [&](Index, int) { ++done; });
    CHECK(done == 100);
  }
}

void test_pool_cancels() {
  for (const int threads : {1, 2, 3}) {
    check::Scope scope(check::fmt("ThreadPool(%d)", threads));
    ThreadPool pool(threads);
    std::atomic<Index> done{0};
    // Worker 0 polls before its first item, so cancelling at once always cancels.
    // (How many items the other workers ran meanwhile is up to the scheduler.)
    CHECK_THROWS(pool.run(100000, [&](Index, int) { ++done; }, [] { return false; }), Cancelled);
    done = 0;
    pool.run(1000, [&](Index, int) { ++done; }, [] { return true; });
    CHECK(done == 1000);
  }
  // One thread: exactly the items before the poll that said stop have run.
  ThreadPool pool(1);
  int polls = 0;
  Index done = 0;
  CHECK_THROWS(pool.run(100, [&](Index, int) { ++done; }, [&] { return ++polls <= 10; }), Cancelled);
  CHECK(done == 10);
}

// A worker starts on a CPU other than the caller's (Linux, two or more CPUs allowed):
// the kernel was seen to start it on the caller's CPU and leave the two threads
// sharing it for ~10 ms. Both threads spin until each has said where it runs, so a
// worker left on the caller's CPU runs only when the caller is preempted, there.
void test_pool_starts_workers_off_the_callers_cpu() {
#if defined(__linux__)
  if (ThreadPool::start_cpus().size() < 2) return;
  int apart = 0;
  const int trials = 20;
  for (int trial = 0; trial < trials; ++trial) {
    const int caller_cpu = sched_getcpu();
    ThreadPool pool(2);
    std::atomic<int> cpu[2] = {-1, -1};
    pool.run(2, [&](Index, int worker) {
      cpu[worker].store(sched_getcpu());
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      while ((cpu[0].load() < 0 || cpu[1].load() < 0) && std::chrono::steady_clock::now() < give_up) {
      }
    });
    apart += cpu[1].load() >= 0 && cpu[1].load() != caller_cpu;
  }
  check::Scope scope(check::fmt("worker 1 started off the caller's CPU in %d of %d pools", apart, trials));
  CHECK(apart >= trials - 2);
#endif
}

// Eigen's vectorized square roots are correctly rounded in this build (no
// EIGEN_FAST_MATH): with it, AVX-512 doubles came out an ulp off std::sqrt.
template <class T>
void test_vectorized_sqrt_correctly_rounded() {
  check::Scope scope(type_name<T>());
  check::Uniform rand(9);
  Vector<T> v(4099);
  for (Index i = 0; i < v.size(); ++i) v(i) = T(std::ldexp(rand() + 1.0, int(i % 61) - 30));
  const Vector<T> root = v.cwiseSqrt();
  Index off = 0;
  for (Index i = 0; i < v.size(); ++i) off += root(i) != std::sqrt(v(i));
  CHECK(off == 0);
}

}  // namespace

int main() {
  test_pool_of_one_starts_no_thread();
  test_gram_lower<float>();
  test_gram_lower<double>();
  test_cross_product<float>();
  test_cross_product<double>();
  test_centred_cross_product<float>();
  test_centred_cross_product<double>();
  test_philox_known_answers();
  test_word_stream_layout();
  test_draw_counts();
  test_poisson_moments();
  test_pool_results_independent_of_threads();
  test_pool_reports_lowest_failing_item();
  test_pool_cancels();
  test_pool_starts_workers_off_the_callers_cpu();
  test_vectorized_sqrt_correctly_rounded<float>();
  test_vectorized_sqrt_correctly_rounded<double>();
  return check::summary("test_kernels");
}
