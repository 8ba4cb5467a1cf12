#pragma once
// A token bucket per client: `per_minute` requests, refilled evenly over the minute,
// with bursts up to `per_minute` (or `per_window` over a window of another length). In memory and per instance: a limit against one
// client hammering one instance, not a global quota.
#include <chrono>
#include <mutex>
#include <string>

#include "pledged/core/lru_table.hpp"

namespace pledged {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(int per_minute, std::size_t max_clients = 100000)
      : RateLimiter(per_minute, std::chrono::seconds(60), max_clients) {}
  RateLimiter(int per_window, std::chrono::seconds window, std::size_t max_clients = 100000);

  // 0 when the request may go ahead (and is counted), otherwise the whole seconds
  // until it would be allowed (for Retry-After). A limit of 0 allows everything.
  int acquire(const std::string& client, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };

  const double capacity_;
  const double per_second_;
  std::mutex mutex_;
  // At most max_clients buckets; the least recently seen is forgotten to make room
  // (O(1); it scanned the whole table under the mutex past 100k clients).
  LruTable<Bucket> buckets_;
};

}  // namespace pledged
