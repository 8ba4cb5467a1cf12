#pragma once
// A bounded pool of threads for work that waits on the database or on Stripe, so
// that Pistache's reactor threads never block. When the queue is full, submit()
// says no at once and the caller answers 503: a queue without a bound only turns
// overload into timeouts. Its threads run a little below the process's priority
// (nice + kWorkerNiceIncrement): when the cores are short, a reactor answering the
// banner from memory goes first, and a worker waits a few milliseconds longer for
// work that takes that long anyway.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pledged {

// Measured with bench/pledges_under_load.sh (banner p99 on one connection while 64
// clients create pledges): six runs each, 4.7–8.6 ms at the process's priority,
// 2.1–5.1 ms with +5, pledges still 0.92–0.95 of the stand-in's ceiling.
inline constexpr int kWorkerNiceIncrement = 5;

struct WorkerStats {
  int threads = 0;
  int busy = 0;
  std::size_t queued = 0;
  std::uint64_t completed = 0;
  std::uint64_t rejected = 0;
  double queue_wait_seconds_total = 0;  // summed time jobs spent waiting for a thread
};

class WorkerPool {
 public:
  WorkerPool(int threads, std::size_t max_queue);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping; the job is not run.
  [[nodiscard]] bool try_submit(std::function<void()> job);

  // Runs every queued job, then joins the threads. Idempotent.
  void stop();

  WorkerStats stats() const;

 private:
  struct Job {
    std::function<void()> run;
    std::chrono::steady_clock::time_point queued_at;
  };
  void work();

  const std::size_t max_queue_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
  int busy_ = 0;
  std::uint64_t completed_ = 0;
  std::uint64_t rejected_ = 0;
  double wait_seconds_ = 0;
};

}  // namespace pledged
