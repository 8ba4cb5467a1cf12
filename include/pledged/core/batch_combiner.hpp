#pragma once
// Lets threads that each have one job run them together, in batches: a thread that
// submits a job either leads a batch (everything waiting when it starts, its own job
// included, up to a maximum) or waits until a leader ran its job. No thread of its
// own and no timer: under light load every batch is one job and waits for nothing;
// under heavy load the jobs that arrive while the leaders work form the next batches.
// At most `max_leaders` batches run at once (each holds, say, a database connection).
// A job that no leader took by its deadline is not run: its submitter gives up, as it
// would waiting for a connection of a pool that is all taken.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace pledged {

template <typename Job>
class BatchCombiner {
 public:
  // `run` handles one batch; it must not throw (a job's failure is part of its result).
  using Runner = std::function<void(const std::vector<Job*>&)>;

  BatchCombiner(int max_leaders, std::size_t max_batch, Runner run)
      : max_leaders_(max_leaders < 1 ? 1 : max_leaders),
        max_batch_(max_batch < 1 ? 1 : max_batch),
        run_(std::move(run)) {}

  // Returns true once `job` ran, in a batch this thread led or another one did; false
  // when no batch took it by `deadline` (it did not run, and will not). A batch that took
  // it is waited for whatever the deadline: its runner bounds its own time.
  bool submit(Job& job, std::chrono::steady_clock::time_point deadline) {
    Waiting mine{&job};
    std::unique_lock<std::mutex> lock(mutex_);
    waiting_.push_back(&mine);
    while (!mine.done) {
      if (leading_ >= max_leaders_ || waiting_.empty() || mine.taken) {
        if (mine.taken) {
          mine.wake.wait(lock);
        } else if (mine.wake.wait_until(lock, deadline) == std::cv_status::timeout && !mine.taken) {
          waiting_.erase(std::find(waiting_.begin(), waiting_.end(), &mine));
          wake_a_leader();  // a wake-up meant for this thread may have come with the timeout
          return false;
        }
        continue;
      }
      std::vector<Waiting*> batch;
      while (!waiting_.empty() && batch.size() < max_batch_) {
        batch.push_back(waiting_.front());
        batch.back()->taken = true;
        waiting_.pop_front();
      }
      ++leading_;
      wake_a_leader();  // the batch was full and another may run beside this one
      lock.unlock();
      std::vector<Job*> jobs;
      jobs.reserve(batch.size());
      for (auto* each : batch) jobs.push_back(each->job);
      run_(jobs);
      lock.lock();
      --leading_;
      for (auto* each : batch) {
        each->done = true;
        if (each != &mine) each->wake.notify_one();
      }
      wake_a_leader();
    }
    return true;
  }

 private:
  // Each waiter sleeps on its own condition variable, so a finished batch wakes its own
  // submitters and at most one other thread, not every thread that waits.
  struct Waiting {
    explicit Waiting(Job* j) : job(j) {}
    Job* job;
    bool taken = false;  // by a leader, into its batch
    bool done = false;   // its batch ran
    std::condition_variable wake;
  };

  // Called with the mutex held whenever a batch starts or ends: if a batch could start
  // and jobs wait, the oldest waiter leads it. Waking it twice does no harm.
  void wake_a_leader() {
    if (leading_ < max_leaders_ && !waiting_.empty()) waiting_.front()->wake.notify_one();
  }

  const int max_leaders_;
  const std::size_t max_batch_;
  const Runner run_;
  std::mutex mutex_;
  std::deque<Waiting*> waiting_;
  int leading_ = 0;
};

}  // namespace pledged
