#include "pledged/stripe/retry_policy.hpp"

#include <algorithm>

namespace pledged::stripe {

bool should_retry(const AttemptOutcome& outcome) {
  if (outcome.network_error) return true;
  if (outcome.stripe_should_retry.has_value()) return *outcome.stripe_should_retry;
  if (outcome.http_status == 409) return true;
  if (outcome.http_status >= 500) return true;
  return false;
}

bool answer_is_saved_under_key(const AttemptOutcome& outcome) {
  return !outcome.network_error && outcome.http_status >= 500 && outcome.stripe_should_retry != true;
}

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int retry, double jitter) {
  const int exponent = std::clamp(retry - 1, 0, 16);
  const auto exponential = std::min(policy.max.count(), policy.initial.count() << exponent);
  const double clamped_jitter = std::clamp(jitter, 0.0, 1.0);
  const auto half = exponential / 2;
  return std::chrono::milliseconds(half + static_cast<long long>(static_cast<double>(exponential - half) * clamped_jitter));
}

}  // namespace pledged::stripe
