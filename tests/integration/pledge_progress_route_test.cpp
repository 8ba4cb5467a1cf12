// GET /v1/pledges/{id}: what the thank-you page polls. Real pledges through the stand-in's
// checkout, its signed events applied by pledged, the answer read over HTTP.
#include <gtest/gtest.h>

#include <thread>

#include "pledge_fixture.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr const char* kWebhookSecret = "whsec_pledge_progress_route_test";
constexpr const char* kProgress = "/v1/campaigns/eoy-2026/progress";

class PledgeProgressRoute : public PledgeFixture {
 protected:
  // The banner's snapshot reloads on NOTIFY and, as a safety net, on this timer: an hour
  // here, so that a test can hold the snapshot still by turning the NOTIFY off.
  PledgeProgressRoute()
      : PledgeFixture({{"STRIPE_WEBHOOK_SECRET", kWebhookSecret}, {"PLEDGED_PROGRESS_REFRESH_MS", "3600000"}}) {}

  void SetUp() override {
    PledgeFixture::SetUp();
    standin_->configure({{"webhook_url", "http://127.0.0.1:" + std::to_string(port()) + "/v1/webhooks/stripe"},
                         {"webhook_secret", kWebhookSecret}});
  }

  std::string create_pledge(long long amount) {
    const auto reply = post(pledge_body("once", amount));
    EXPECT_EQ(reply.status, 201) << reply.body;
    return json::parse(reply.body)["id"];
  }

  // Pays on the stand-in's checkout page; its events reach pledged before the redirect.
  void pay(const std::string& pledge_id) {
    const auto session =
        database_->query_value("SELECT checkout_session_id FROM pledges WHERE id = '" + pledge_id + "'");
    ASSERT_EQ(http_request(standin_->port(), "POST", "/checkout/" + session + "/pay").status, 303);
  }

  long long banner_raised() { return json::parse(http_get(port(), kProgress).body)["raised"]; }
};

}  // namespace

TEST_F(PledgeProgressRoute, UnknownOrMalformedIdIs404InTheErrorShapeAndNeverStored) {
  for (const std::string id : {"pl_AAAAAAAAAAAAAAAAAAAAAAAA", "pl_short", "12", "pl_AAAAAAAAAAAAAAAAAAAAAAA%2D"}) {
    const auto reply = http_get(port(), "/v1/pledges/" + id);
    EXPECT_EQ(reply.status, 404) << id;
    EXPECT_EQ(json::parse(reply.body)["error"]["code"], "not_found") << id;
    EXPECT_EQ(reply.header("cache-control"), "no-store") << id;
  }
}

TEST_F(PledgeProgressRoute, PendingPledgeShowsItsStatusAndTheCampaignNeverTheDonor) {
  const auto id = create_pledge(5000);
  const auto reply = http_get(port(), "/v1/pledges/" + id);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(reply.header("cache-control"), "no-store");
  EXPECT_FALSE(reply.header("x-request-id").empty());
  const auto body = json::parse(reply.body);
  EXPECT_EQ(body["id"], id);
  EXPECT_EQ(body["status"], "pending");
  EXPECT_EQ(body["counted"], false);
  EXPECT_EQ(body["amount"], 5000);
  EXPECT_EQ(body["currency"], "usd");
  EXPECT_EQ(body["frequency"], "once");
  EXPECT_EQ(body["progress"]["campaign"], "eoy-2026");
  EXPECT_EQ(body["progress"]["goal"], 5000000);
  EXPECT_EQ(body["progress"]["raised"], 0);
  std::vector<std::string> keys;
  for (const auto& item : body.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"amount", "counted", "currency", "frequency", "id", "progress", "status"}))
      << "nothing else, the donor least of all";
  for (const std::string donor_detail : {"ana@example.org", "Ana", "Keep going", "checkout"}) {
    EXPECT_EQ(reply.body.find(donor_detail), std::string::npos) << donor_detail;
  }
}

// Issue 19: the thank-you page showed a figure from before the donor's gift. Paid on the
// stand-in's checkout, the pledge is counted and its figure includes it.
TEST_F(PledgeProgressRoute, PaidPledgeIsCountedAndItsFigureIncludesIt) {
  database_->execute(
      "INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, offline_method, occurred_at) "
      "SELECT id, 'offline_gift', 2500, 'usd', 'ben@example.org', 'check', now() FROM campaigns WHERE slug = "
      "'eoy-2026'");
  const auto id = create_pledge(5000);
  pay(id);
  ASSERT_EQ(database_->query_value("SELECT sum(amount) FROM ledger_entries"), "7500");

  const auto reply = http_get(port(), "/v1/pledges/" + id);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = json::parse(reply.body);
  EXPECT_EQ(body["status"], "paid");
  EXPECT_EQ(body["counted"], true);
  EXPECT_EQ(body["amount"], 5000);
  EXPECT_EQ(body["progress"]["raised"], 7500);
  EXPECT_EQ(body["progress"]["gifts"], 2);
  EXPECT_EQ(body["progress"]["donors"], 2);
  EXPECT_EQ(body["progress"]["percent"], 0.15);
  EXPECT_EQ(reply.header("cache-control"), "no-store");
}

// The banner's snapshot may lag a gift by up to 2 s (its NOTIFY, or another instance's,
// has not arrived). Here it never arrives: the trigger is off, and the payment is written as
// another instance's webhook would have written it. The pledge's figure still includes it.
TEST_F(PledgeProgressRoute, CountedPledgesFigureNeverComesFromASnapshotOlderThanTheGift) {
  const auto id = create_pledge(5000);
  database_->execute("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_notify");
  database_->execute("UPDATE pledges SET status = 'paid' WHERE id = '" + id + "'");
  database_->execute(
      "INSERT INTO ledger_entries (campaign_id, pledge_id, kind, amount, currency, donor_key, stripe_object_id, "
      "occurred_at) SELECT campaign_id, id, 'payment', amount, currency, donor_email, 'py_elsewhere', now() "
      "FROM pledges WHERE id = '" +
      id + "'");
  ASSERT_EQ(banner_raised(), 0) << "the snapshot was meant to lag here";

  const auto body = json::parse(http_get(port(), "/v1/pledges/" + id).body);
  EXPECT_EQ(body["counted"], true);
  EXPECT_EQ(body["progress"]["raised"], 5000);
  EXPECT_EQ(body["progress"]["gifts"], 1);
}
