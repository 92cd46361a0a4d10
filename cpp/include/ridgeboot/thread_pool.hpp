// A small pool of native threads for one call: no globals, no static settings.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

#include "types.hpp"

namespace ridgeboot {

// Runs `body(item, worker)` for items [0, n) on `size()` threads: the calling
// thread is worker 0, so a pool of one thread starts nothing. Items are handed
// out in increasing order; which worker runs an item never changes a result
// because each item writes only its own outputs.
//
// `poll`, if set, is called by worker 0 between its items (the binding uses it
// to check for Ctrl-C and update a progress bar); returning false cancels the
// remaining items and run() throws Cancelled.
class ThreadPool {
 public:
  explicit ThreadPool(int n_threads) {
    const int extra = std::max(0, n_threads - 1);
    const std::vector<int> cpus = extra > 0 ? start_cpus() : std::vector<int>{};
    threads_.reserve(extra);
    for (int w = 1; w <= extra; ++w) {
      const int cpu = cpus.empty() ? -1 : cpus[std::size_t(w - 1) % cpus.size()];
      threads_.emplace_back([this, w, cpu] {
        start_on(cpu);
        worker_loop(w);
      });
    }
  }

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    start_.notify_all();
    for (auto& t : threads_) t.join();
  }

  int size() const { return int(threads_.size()) + 1; }

  void run(Index n_items, const std::function<void(Index, int)>& body, const std::function<bool()>& poll = {}) {
    if (n_items <= 0) return;
    body_ = &body;
    n_items_ = n_items;
    next_.store(0);
    cancelled_.store(false);
    user_cancel_ = false;
    error_ = nullptr;
    error_item_ = n_items;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      busy_ = int(threads_.size());
      ++generation_;
    }
    start_.notify_all();
    work(0, &poll);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return busy_ == 0; });
    }
    body_ = nullptr;
    if (error_) std::rethrow_exception(error_);
    if (user_cancel_) throw Cancelled();
  }

  // The CPUs to start workers on, in turn: those the calling thread may use other than
  // the one it runs on, then that one (so more workers than CPUs spread evenly). Empty
  // off Linux or where the caller may use one CPU only.
  static std::vector<int> start_cpus() {
    std::vector<int> cpus;
#if defined(__linux__)
    cpu_set_t allowed;
    const int here = sched_getcpu();
    if (here < 0 || sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (cpu != here && CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
    if (!cpus.empty()) cpus.push_back(here);
#endif
    return cpus;
  }

 private:
  // Linux may start a new thread on its parent's CPU and move it only at a later
  // scheduler tick: on a 2-vCPU KVM guest (Linux 6.18) the two threads of a 55 ms
  // bootstrap shared one CPU for its first ~10 ms while the other idled. A worker
  // therefore moves itself to `cpu` (see start_cpus), then takes back the caller's
  // CPU set, so the kernel balances it as usual from there. Best effort: a failed
  // call leaves the thread where the kernel put it.
  static void start_on(int cpu) {
#if defined(__linux__)
    if (cpu < 0) return;
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof(one), &one) == 0) sched_setaffinity(0, sizeof(allowed), &allowed);
#else
    (void)cpu;
#endif
  }

  void worker_loop(int worker) {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        start_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      work(worker, nullptr);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        --busy_;
      }
      done_.notify_all();
    }
  }

  void work(int worker, const std::function<bool()>* poll) {
    for (;;) {
      if (cancelled_.load(std::memory_order_relaxed)) return;
      if (poll && *poll && !(*poll)()) {
        user_cancel_ = true;
        cancelled_.store(true);
        return;
      }
      const Index item = next_.fetch_add(1);
      if (item >= n_items_) return;
      try {
        (*body_)(item, worker);
      } catch (...) {
        // Keep the error of the lowest item so the message does not depend on timing.
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (item < error_item_) {
          error_item_ = item;
          error_ = std::current_exception();
        }
        cancelled_.store(true);
      }
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_, error_mutex_;
  std::condition_variable start_, done_;
  std::uint64_t generation_ = 0;
  int busy_ = 0;
  bool stop_ = false;

  const std::function<void(Index, int)>* body_ = nullptr;
  Index n_items_ = 0;
  std::atomic<Index> next_{0};
  std::atomic<bool> cancelled_{false};
  bool user_cancel_ = false;
  std::exception_ptr error_;
  Index error_item_ = 0;
};

}  // namespace ridgeboot
