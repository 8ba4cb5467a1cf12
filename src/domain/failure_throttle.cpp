#include "pledged/domain/failure_throttle.hpp"

namespace pledged {

FailureThrottle::Window& FailureThrottle::current(const std::string& client, Clock::time_point now) {
  auto& window = clients_.touch(client, [&] { return Window{now, 0}; });
  if (window.failures == 0 || now >= window.started + window_) window = Window{now, 0};
  return window;
}

long long FailureThrottle::wait_left(const Window& window, Clock::time_point now) const {
  if (window.failures < max_failures_) return 0;
  const auto ends = window.started + window_;
  if (now >= ends) return 0;
  const auto left = std::chrono::ceil<std::chrono::seconds>(ends - now).count();
  return left < 1 ? 1 : left;
}

long long FailureThrottle::retry_after(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const Window* window = clients_.find(client);
  return window == nullptr ? 0 : wait_left(*window, now);
}

void FailureThrottle::record_failure(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  ++current(client, now).failures;
}

long long FailureThrottle::admit(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& window = current(client, now);
  if (const auto wait = wait_left(window, now); wait > 0) return wait;
  ++window.failures;
  return 0;
}

void FailureThrottle::forgive(const std::string& client) {
  std::lock_guard lock(mutex_);
  if (Window* window = clients_.find(client); window != nullptr && window->failures > 0) --window->failures;
}

}  // namespace pledged
