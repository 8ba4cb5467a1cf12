#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "pledge_fixture.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {
class PledgeIdempotency : public PledgeFixture {};
}  // namespace

TEST_F(PledgeIdempotency, SameKeyAndBodyReplaysTheFirstResponseByteForByte) {
  const std::string body = pledge_body().dump();
  const auto first = post_pledge(port(), body, {{"Idempotency-Key", "gift-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  const auto again = post_pledge(port(), body, {{"Idempotency-Key", "gift-1"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(pledge_count(), "1");
  EXPECT_EQ(standin_->session_creations().size(), 1u);

  const auto other_key = post_pledge(port(), body, {{"Idempotency-Key", "gift-2"}});
  EXPECT_EQ(other_key.status, 201);
  EXPECT_NE(other_key.body, first.body);
  EXPECT_EQ(pledge_count(), "2");
}

TEST_F(PledgeIdempotency, SameKeyWithADifferentBodyIsRefused) {
  ASSERT_EQ(post(pledge_body("once", 2500), {{"Idempotency-Key", "gift-1"}}).status, 201);
  const auto reused = post(pledge_body("once", 5000), {{"Idempotency-Key", "gift-1"}});
  EXPECT_EQ(reused.status, 422);
  EXPECT_EQ(json::parse(reused.body)["error"]["code"], "idempotency_key_reused");
  EXPECT_EQ(pledge_count(), "1");
}

TEST_F(PledgeIdempotency, KeyLongerThan255CharactersIsRefused) {
  EXPECT_EQ(post(pledge_body(), {{"Idempotency-Key", std::string(256, 'k')}}).status, 400);
  EXPECT_EQ(post(pledge_body(), {{"Idempotency-Key", std::string(255, 'k')}}).status, 201);
}

TEST_F(PledgeIdempotency, TwentyConcurrentDuplicatesMakeOnePledgeAndOneSession) {
  // Stripe takes 300 ms, so the duplicates arrive while the first is still running.
  standin_->configure({{"latency_ms", 300}});
  const std::string body = pledge_body().dump();
  std::vector<HttpReply> replies(20);
  std::vector<std::thread> clients;
  for (auto& reply : replies) {
    clients.emplace_back([&] { reply = post_pledge(port(), body, {{"Idempotency-Key", "double-click"}}); });
  }
  for (auto& client : clients) client.join();

  std::set<std::string> created_bodies;
  int conflicts = 0;
  for (const auto& reply : replies) {
    if (reply.status == 201) {
      created_bodies.insert(reply.body);
    } else {
      EXPECT_EQ(reply.status, 409) << reply.body;
      EXPECT_EQ(json::parse(reply.body)["error"]["code"], "idempotency_key_in_use");
      ++conflicts;
    }
  }
  EXPECT_EQ(created_bodies.size(), 1u) << "every success is the same response";
  EXPECT_GT(conflicts, 0) << "duplicates during the first request are told to wait";
  EXPECT_EQ(pledge_count(), "1");
  EXPECT_EQ(standin_->session_creations().size(), 1u);

  const auto after = post_pledge(port(), body, {{"Idempotency-Key", "double-click"}});
  EXPECT_EQ(after.status, 201);
  EXPECT_EQ(created_bodies.count(after.body), 1u);
}

TEST_F(PledgeIdempotency, RepeatAfterAStripeOutageResumesTheSamePledgeAndSession) {
  standin_->configure({{"fail", json::array({{{"status", 500}}, {{"status", 500}}, {{"status", 500}}})}});
  const std::string body = pledge_body().dump();
  const auto failed = post_pledge(port(), body, {{"Idempotency-Key", "retry-me"}});
  ASSERT_EQ(failed.status, 503) << failed.body;
  const std::string pledge_id = database_->query_value("SELECT id FROM pledges");
  EXPECT_EQ(database_->query_value("SELECT status FROM pledges"), "not_started");

  const auto resumed = post_pledge(port(), body, {{"Idempotency-Key", "retry-me"}});
  ASSERT_EQ(resumed.status, 201) << resumed.body;
  EXPECT_EQ(json::parse(resumed.body)["id"], pledge_id) << "the same pledge, not a second one";
  EXPECT_EQ(pledge_count(), "1");
  EXPECT_EQ(database_->query_value("SELECT status FROM pledges"), "pending");
  // Stripe keeps each 500 under its key: every attempt after one needs a key of its own.
  const auto attempts = standin_->session_creations();
  std::set<std::string> stripe_keys;
  for (const auto& request : attempts) {
    stripe_keys.insert(request["idempotency_key"]);
    EXPECT_EQ(request["idempotency_key"].get<std::string>().rfind("pledged-checkout-" + pledge_id + "-", 0), 0u);
  }
  EXPECT_EQ(stripe_keys.size(), attempts.size()) << "no 500 replayed to the donor's retry";
  EXPECT_EQ(attempts.size(), 4u) << "three 500s, then the donor's retry";
}
