#include "pledged/core/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace pledged {

RateLimiter::RateLimiter(int per_window, std::chrono::seconds window, std::size_t max_clients)
    : capacity_(per_window),
      per_second_(per_window / std::max(1.0, static_cast<double>(window.count()))),
      buckets_(max_clients) {}

int RateLimiter::acquire(const std::string& client, Clock::time_point now) {
  if (capacity_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  auto& bucket = buckets_.touch(client, [&] { return Bucket{capacity_, now}; });
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(capacity_, bucket.tokens + elapsed * per_second_);
  bucket.updated = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - bucket.tokens) / per_second_)));
}

}  // namespace pledged
