#pragma once
// A token bucket per client: `per_minute` requests, refilled evenly over the minute,
// with bursts up to `per_minute`. In memory and per instance: a limit against one
// client hammering one instance, not a global quota.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace pledged {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(int per_minute, std::size_t max_clients = 100000);

  // 0 when the request may go ahead (and is counted), otherwise the whole seconds
  // until it would be allowed (for Retry-After). A limit of 0 allows everything.
  int acquire(const std::string& client, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void forget_full_buckets(Clock::time_point now);

  const double capacity_;
  const double per_second_;
  const std::size_t max_clients_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace pledged
