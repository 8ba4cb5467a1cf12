#pragma once
// When to try a Stripe call again, and how long to wait first. Pure functions, so
// the decisions are unit-tested without a network.
#include <chrono>
#include <optional>

namespace pledged::stripe {

struct AttemptOutcome {
  bool network_error = false;             // no HTTP answer at all (refused, reset, timed out)
  int http_status = 0;                    // when there was an answer
  std::optional<bool> stripe_should_retry;  // the Stripe-Should-Retry header, when present
};

// Network errors, 409 (a concurrent request with the same idempotency key) and 5xx
// are retried; 429 only when Stripe says so with `Stripe-Should-Retry: true`.
// An explicit `Stripe-Should-Retry: false` always wins. Everything else is final.
bool should_retry(const AttemptOutcome& outcome);

// Stripe's idempotency layer saves the first answer of a request that started
// executing, 5xx included, and replays it to every repeat with the same key for 24 h.
// So a 5xx to a POST with a key is final for that key unless Stripe says
// `Stripe-Should-Retry: true` (it saved nothing): only a new key can get another answer.
bool answer_is_saved_under_key(const AttemptOutcome& outcome);

struct BackoffPolicy {
  std::chrono::milliseconds initial{300};
  std::chrono::milliseconds max{4000};
};

// Exponential backoff with "equal jitter": half the exponential delay is fixed, the
// other half scaled by `jitter` in [0, 1], so concurrent clients spread out but
// never retry immediately. `retry` counts from 1.
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int retry, double jitter);

}  // namespace pledged::stripe
