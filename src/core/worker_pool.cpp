#include "pledged/core/worker_pool.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace pledged {

namespace {

// Linux gives each thread its own nice value (setpriority on a thread id). Raising
// one's own needs no privilege; where it fails, the thread keeps the process's.
void lower_this_threads_priority(int by) {
  const auto thread_id = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, thread_id);
  if (errno == 0) ::setpriority(PRIO_PROCESS, thread_id, nice + by);
}

}  // namespace

WorkerPool::WorkerPool(int threads, std::size_t max_queue) : max_queue_(max_queue) {
  threads_.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::try_submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= max_queue_) {
      ++rejected_;
      return false;
    }
    queue_.push_back(Job{std::move(job), std::chrono::steady_clock::now()});
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

WorkerStats WorkerPool::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return WorkerStats{static_cast<int>(threads_.size()), busy_, queue_.size(), completed_, rejected_, wait_seconds_};
}

void WorkerPool::work() {
  lower_this_threads_priority(kWorkerNiceIncrement);
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      job = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
      wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - job.queued_at).count();
    }
    try {
      job.run();
    } catch (...) {
      // A job owns its own error reporting (an unsent reply answers 500 when it is
      // destroyed); one bad job must not take a worker thread down.
    }
    job.run = nullptr;  // release what the job captured before counting it done
    std::lock_guard<std::mutex> lock(mutex_);
    --busy_;
    ++completed_;
  }
}

}  // namespace pledged
