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
    threads_.reserve(extra);
    for (int w = 1; w <= extra; ++w) threads_.emplace_back([this, w] { worker_loop(w); });
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

 private:
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
