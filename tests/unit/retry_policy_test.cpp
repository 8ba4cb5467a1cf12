#include <gtest/gtest.h>

#include "pledged/stripe/retry_policy.hpp"

using namespace pledged::stripe;
using std::chrono::milliseconds;

namespace {
AttemptOutcome answered(int status, std::optional<bool> should_retry = std::nullopt) {
  AttemptOutcome outcome;
  outcome.http_status = status;
  outcome.stripe_should_retry = should_retry;
  return outcome;
}
}  // namespace

TEST(RetryPolicy, RetriesNetworkErrors) {
  AttemptOutcome outcome;
  outcome.network_error = true;
  EXPECT_TRUE(should_retry(outcome));
}

TEST(RetryPolicy, RetriesConflictsAndServerErrors) {
  EXPECT_TRUE(should_retry(answered(409)));
  EXPECT_TRUE(should_retry(answered(500)));
  EXPECT_TRUE(should_retry(answered(502)));
  EXPECT_TRUE(should_retry(answered(503)));
}

TEST(RetryPolicy, Retries429OnlyWhenStripeSaysSo) {
  EXPECT_FALSE(should_retry(answered(429)));
  EXPECT_TRUE(should_retry(answered(429, true)));
  EXPECT_FALSE(should_retry(answered(429, false)));
}

TEST(RetryPolicy, StripeKeepsAServerErrorUnderItsKeyUnlessItSaysRetry) {
  EXPECT_TRUE(answer_is_saved_under_key(answered(500)));
  EXPECT_TRUE(answer_is_saved_under_key(answered(503, false)));
  EXPECT_FALSE(answer_is_saved_under_key(answered(500, true)));
  EXPECT_FALSE(answer_is_saved_under_key(answered(409)));
  EXPECT_FALSE(answer_is_saved_under_key(answered(429)));
  AttemptOutcome timed_out;
  timed_out.network_error = true;
  EXPECT_FALSE(answer_is_saved_under_key(timed_out)) << "a timeout retries under the same key";
}

TEST(RetryPolicy, NeverRetriesClientErrors) {
  for (const int status : {400, 401, 402, 403, 404}) EXPECT_FALSE(should_retry(answered(status))) << status;
}

TEST(RetryPolicy, ExplicitShouldRetryFalseWinsOverServerError) {
  EXPECT_FALSE(should_retry(answered(500, false)));
  EXPECT_TRUE(should_retry(answered(400, true)));
}

TEST(RetryPolicy, BackoffGrowsExponentiallyWithinJitterBounds) {
  const BackoffPolicy policy{milliseconds(300), milliseconds(4000)};
  EXPECT_EQ(backoff_delay(policy, 1, 0.0), milliseconds(150));
  EXPECT_EQ(backoff_delay(policy, 1, 1.0), milliseconds(300));
  EXPECT_EQ(backoff_delay(policy, 2, 0.0), milliseconds(300));
  EXPECT_EQ(backoff_delay(policy, 2, 1.0), milliseconds(600));
  EXPECT_EQ(backoff_delay(policy, 3, 0.5), milliseconds(900));
}

TEST(RetryPolicy, BackoffIsCapped) {
  const BackoffPolicy policy{milliseconds(300), milliseconds(4000)};
  EXPECT_EQ(backoff_delay(policy, 10, 1.0), milliseconds(4000));
  EXPECT_EQ(backoff_delay(policy, 40, 0.0), milliseconds(2000));
}
