// BatchCombiner: jobs submitted from many threads run exactly once, in batches no
// bigger than allowed, with no more batches at once than allowed, and each submitter
// returns only after its own job ran.
#include "pledged/core/batch_combiner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace {

struct Job {
  int id = 0;
  int runs = 0;  // written by whichever thread leads its batch
};

std::chrono::steady_clock::time_point far_off() { return std::chrono::steady_clock::now() + std::chrono::hours(1); }

TEST(BatchCombiner, ALoneJobRunsAtOnceInABatchOfItsOwn) {
  std::vector<std::size_t> sizes;
  pledged::BatchCombiner<Job> combiner(2, 8, [&](const std::vector<Job*>& jobs) {
    sizes.push_back(jobs.size());
    for (auto* job : jobs) ++job->runs;
  });
  Job job{1, 0};
  EXPECT_TRUE(combiner.submit(job, far_off()));
  EXPECT_EQ(job.runs, 1);
  EXPECT_EQ(sizes, std::vector<std::size_t>{1});
}

TEST(BatchCombiner, JobsFromManyThreadsRunOnceEachWithinTheLimits) {
  constexpr int kThreads = 16;
  constexpr int kJobsPerThread = 200;
  constexpr int kLeaders = 2;
  constexpr std::size_t kMaxBatch = 5;
  std::atomic<int> running{0};
  std::atomic<int> most_running{0};
  std::mutex seen_mutex;
  std::vector<int> times_seen(kThreads * kJobsPerThread, 0);
  std::size_t biggest = 0;
  pledged::BatchCombiner<Job> combiner(kLeaders, kMaxBatch, [&](const std::vector<Job*>& jobs) {
    const int now = ++running;
    int most = most_running.load();
    while (now > most && !most_running.compare_exchange_weak(most, now)) {
    }
    // A batch takes a while (a database round trip), so that the others queue up.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    {
      std::lock_guard<std::mutex> lock(seen_mutex);
      biggest = std::max(biggest, jobs.size());
      for (auto* job : jobs) ++times_seen[job->id];
    }
    for (auto* job : jobs) ++job->runs;
    --running;
  });

  std::atomic<int> returned_before_running{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int j = 0; j < kJobsPerThread; ++j) {
        Job job{t * kJobsPerThread + j, 0};
        if (!combiner.submit(job, far_off()) || job.runs != 1) ++returned_before_running;
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(returned_before_running.load(), 0);
  for (std::size_t id = 0; id < times_seen.size(); ++id) ASSERT_EQ(times_seen[id], 1) << "job " << id;
  EXPECT_LE(most_running.load(), kLeaders);
  EXPECT_LE(biggest, kMaxBatch);
  // Sixteen threads and batches that take time: some batches hold more than one job.
  EXPECT_GT(biggest, 1u);
}

TEST(BatchCombiner, AJobNoBatchTookByItsDeadlineDoesNotRun) {
  std::mutex gate;
  std::unique_lock<std::mutex> closed(gate);  // the one batch allowed waits on this
  std::atomic<int> batches{0};
  pledged::BatchCombiner<Job> combiner(1, 8, [&](const std::vector<Job*>& jobs) {
    ++batches;
    std::lock_guard<std::mutex> wait_for_the_gate(gate);
    for (auto* job : jobs) ++job->runs;
  });
  Job first{1, 0};
  std::atomic<bool> first_ran{false};
  std::thread leader([&] { first_ran = combiner.submit(first, far_off()); });
  while (batches.load() == 0) std::this_thread::yield();

  Job second{2, 0};
  EXPECT_FALSE(combiner.submit(second, std::chrono::steady_clock::now() + std::chrono::milliseconds(20)));
  closed.unlock();
  leader.join();
  EXPECT_TRUE(first_ran.load());
  EXPECT_EQ(first.runs, 1);
  EXPECT_EQ(second.runs, 0) << "given up, so never run";
  EXPECT_EQ(batches.load(), 1);
}

}  // namespace
