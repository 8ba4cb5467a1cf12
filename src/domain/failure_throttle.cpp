#include "pledged/domain/failure_throttle.hpp"

namespace pledged {

long long FailureThrottle::retry_after(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto found = clients_.find(client);
  if (found == clients_.end() || found->second.failures < max_failures_) return 0;
  const auto ends = found->second.started + window_;
  if (now >= ends) return 0;
  const auto left = std::chrono::ceil<std::chrono::seconds>(ends - now).count();
  return left < 1 ? 1 : left;
}

void FailureThrottle::record_failure(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  // A flood of distinct addresses must not grow the map without end.
  if (clients_.size() >= max_clients_) forget_expired(now);
  if (clients_.size() >= max_clients_) clients_.clear();
  auto& window = clients_[client];
  if (window.failures == 0 || now >= window.started + window_) window = Window{now, 0};
  ++window.failures;
}

long long FailureThrottle::admit(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (clients_.size() >= max_clients_ && clients_.find(client) == clients_.end()) forget_expired(now);
  if (clients_.size() >= max_clients_ && clients_.find(client) == clients_.end()) clients_.clear();
  auto& window = clients_[client];
  if (window.failures == 0 || now >= window.started + window_) window = Window{now, 0};
  if (window.failures >= max_failures_) {
    const auto left = std::chrono::ceil<std::chrono::seconds>(window.started + window_ - now).count();
    return left < 1 ? 1 : left;
  }
  ++window.failures;
  return 0;
}

void FailureThrottle::forgive(const std::string& client) {
  std::lock_guard lock(mutex_);
  const auto found = clients_.find(client);
  if (found != clients_.end() && found->second.failures > 0) --found->second.failures;
}

void FailureThrottle::forget_expired(Clock::time_point now) {
  for (auto it = clients_.begin(); it != clients_.end();) {
    it = now >= it->second.started + window_ ? clients_.erase(it) : std::next(it);
  }
}

}  // namespace pledged
