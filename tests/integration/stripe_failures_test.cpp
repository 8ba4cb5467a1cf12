#include <gtest/gtest.h>

#include <set>

#include "pledge_fixture.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

class StripeFailures : public PledgeFixture {
 protected:
  // The pledge, kept as not started, after a failed checkout.
  void expect_pledge_kept_not_started() {
    EXPECT_EQ(database_->query_value("SELECT count(*) || ' ' || min(status) FROM pledges"), "1 not_started");
    EXPECT_EQ(database_->query_value("SELECT count(*) FROM pledges WHERE checkout_session_id IS NOT NULL"), "0");
  }
};

void expect_unavailable(const HttpReply& reply) {
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_FALSE(reply.header("retry-after").empty());
  const auto error = json::parse(reply.body)["error"];
  EXPECT_EQ(error["code"], "checkout_unavailable");
  EXPECT_NE(error["message"].get<std::string>().find("pl_"), std::string::npos) << "names the saved pledge";
}

}  // namespace

// Stripe keeps a 5xx under its idempotency key and replays it for 24 h (the stand-in
// does too), so each retry after one carries a new key; the pledge still gets one session.
TEST_F(StripeFailures, TwoServerErrorsThenSuccessMakeOneSession) {
  standin_->configure({{"fail", json::array({{{"status", 500}}, {{"status", 500}}})}});
  const auto reply = post(pledge_body());
  ASSERT_EQ(reply.status, 201) << reply.body;
  const auto attempts = standin_->session_creations();
  ASSERT_EQ(attempts.size(), 3u);
  const std::string pledge_id = json::parse(reply.body)["id"];
  std::set<std::string> keys;
  for (const auto& attempt : attempts) {
    keys.insert(attempt["idempotency_key"]);
    EXPECT_EQ(attempt["idempotency_key"].get<std::string>().rfind("pledged-checkout-" + pledge_id, 0), 0u);
  }
  EXPECT_EQ(keys.size(), 3u) << "every retry after a 5xx carries a new Idempotency-Key";
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM pledges WHERE checkout_session_id IS NOT NULL"), "1");
}

// Case 4 of issue 13: with the key fixed per pledge, the retry got the saved 500 again.
TEST_F(StripeFailures, ARetryAfterAServerErrorUsesANewKeyAndSucceeds) {
  standin_->configure({{"fail", json::array({{{"status", 500}}})}});
  const auto reply = post(pledge_body());
  ASSERT_EQ(reply.status, 201) << reply.body;
  const auto attempts = standin_->session_creations();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_NE(attempts[0]["idempotency_key"], attempts[1]["idempotency_key"]);
}

// A 409 (the same key still running) is not a saved answer: the retry keeps the key,
// so Stripe answers it with what the running request makes.
TEST_F(StripeFailures, ARetryAfterAConflictKeepsTheKey) {
  standin_->configure({{"fail", json::array({{{"status", 409}}})}});
  ASSERT_EQ(post(pledge_body()).status, 201);
  const auto attempts = standin_->session_creations();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0]["idempotency_key"], attempts[1]["idempotency_key"]);
}

TEST_F(StripeFailures, RateLimitedWithoutShouldRetryIsNotRetried) {
  standin_->configure({{"fail", json::array({{{"status", 429}}})}});
  expect_unavailable(post(pledge_body()));
  EXPECT_EQ(standin_->session_creations().size(), 1u);
  expect_pledge_kept_not_started();
}

TEST_F(StripeFailures, RateLimitedWithShouldRetryTrueIsRetried) {
  standin_->configure({{"fail", json::array({{{"status", 429}, {"should_retry", true}}})}});
  const auto reply = post(pledge_body());
  EXPECT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(standin_->session_creations().size(), 2u);
}

TEST_F(StripeFailures, PersistentServerErrorsAnswer503AndKeepThePledge) {
  standin_->configure({{"fail", json::array({{{"status", 502}}, {{"status", 503}}, {{"status", 500}}})}});
  expect_unavailable(post(pledge_body()));
  EXPECT_EQ(standin_->session_creations().size(), 3u) << "the first attempt and two retries";
  expect_pledge_kept_not_started();
}

TEST_F(StripeFailures, StripeTooSlowAnswers503WithinTheTimeout) {
  standin_->configure({{"latency_ms", 5000}});
  const auto started = std::chrono::steady_clock::now();
  const auto reply = post(pledge_body());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  expect_unavailable(reply);
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000 + 1500)) << "PLEDGED_STRIPE_TIMEOUT_MS is 3000";
  expect_pledge_kept_not_started();
}

namespace {
class StripeDown : public PledgeFixture {
 protected:
  StripeDown() : PledgeFixture({{"STRIPE_API_BASE", "http://127.0.0.1:" + std::to_string(unused_port())}}) {}
};
}  // namespace

TEST_F(StripeDown, Answers503WithinTheTimeoutAndKeepsThePledge) {
  const auto started = std::chrono::steady_clock::now();
  const auto reply = post(pledge_body());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  expect_unavailable(reply);
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000 + 1500));
  EXPECT_EQ(database_->query_value("SELECT count(*) || ' ' || min(status) FROM pledges"), "1 not_started");
}
