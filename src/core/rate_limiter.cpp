#include "pledged/core/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace pledged {

RateLimiter::RateLimiter(int per_minute, std::size_t max_clients)
    : capacity_(per_minute), per_second_(per_minute / 60.0), max_clients_(max_clients) {}

int RateLimiter::acquire(const std::string& client, Clock::time_point now) {
  if (capacity_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  if (buckets_.size() >= max_clients_) forget_full_buckets(now);
  auto [it, inserted] = buckets_.try_emplace(client, Bucket{capacity_, now});
  auto& bucket = it->second;
  if (!inserted) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(capacity_, bucket.tokens + elapsed * per_second_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - bucket.tokens) / per_second_)));
}

// Buckets that have refilled completely carry no information; dropping them keeps
// memory bounded without forgetting a client that is still over its limit.
void RateLimiter::forget_full_buckets(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    if (it->second.tokens + elapsed * per_second_ >= capacity_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace pledged
