#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "csv_reader.hpp"
#include "pledged/db/refund_repository.hpp"
#include "pledged/refunds/pledge_refunds.hpp"
#include "staff_fixture.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr const char* kPledge = "pl_refund0000000000000001";

class Admin : public StaffFixture {
 protected:
  json audit() {
    const auto reply = staff_get("/v1/admin/audit", admin_token_);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body)["entries"];
  }

  void seed_paid_pledge() {
    insert_pledge(kPledge, "once", "ana@example.org", "Ana", false);
    insert_entry("payment", 5000, "2026-11-20T10:00:00Z", "ana@example.org", kPledge, "pi_paid1");
  }

  std::string raised_in_ledger() {
    return database_->query_value("SELECT sum(amount) FROM ledger_entries WHERE pledge_id = '" + std::string(kPledge) + "'");
  }

  // What the webhook receiver writes for charge.refunded (webhooks/src/event_handlers.cpp):
  // one refund row per charge, minus the cumulative amount_refunded.
  void webhook_records_refund(long long cumulative) {
    database_->execute(
        "INSERT INTO ledger_entries (campaign_id, pledge_id, kind, amount, currency, donor_key, stripe_object_id, "
        "occurred_at) SELECT campaign_id, id, 'refund', " + std::to_string(-cumulative) +
        ", 'usd', 'ana@example.org', 'ch_paid1', now() FROM pledges WHERE id = '" + kPledge +
        "' ON CONFLICT (kind, stripe_object_id) DO UPDATE SET amount = least(ledger_entries.amount, EXCLUDED.amount)");
  }
};

// Stands in for Stripe's POST /v1/refunds: the same idempotency key gets the same refund.
class StandInRefundGateway : public pledged::RefundGateway {
 public:
  pledged::Result<pledged::RefundReceipt> create_refund(const std::string& payment, const pledged::Money& amount,
                                                        const std::string& key) override {
    payments.push_back(payment);
    keys.push_back(key);
    return pledged::RefundReceipt{"re_standin" + std::to_string(keys_seen(key)), amount, pledged::now_utc()};
  }
  std::size_t keys_seen(const std::string& key) {
    return static_cast<std::size_t>(std::find(keys.begin(), keys.end(), key) - keys.begin());
  }
  std::vector<std::string> payments;
  std::vector<std::string> keys;
};

}  // namespace

TEST_F(Admin, CampaignsAreCreatedAndPatchedAndEachChangeIsAudited) {
  const json campaign{{"slug", "spring-2027"}, {"title", "Spring appeal"}, {"currency", "usd"},
                      {"goal", 2500000},       {"starts_at", "2027-03-01"}, {"ends_at", "2027-03-31T23:59:59Z"}};
  const auto created = staff_send("POST", "/v1/admin/campaigns", admin_token_, campaign);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body)["goal"], 2500000);
  EXPECT_EQ(staff_send("POST", "/v1/admin/campaigns", admin_token_, campaign).status, 409);
  const auto invalid = staff_send("POST", "/v1/admin/campaigns", admin_token_, {{"slug", "Bad!"}, {"goal", "lots"}});
  EXPECT_EQ(invalid.status, 422);
  const auto fields = json::parse(invalid.body)["error"]["fields"];
  for (const char* field : {"slug", "title", "currency", "goal", "starts_at", "ends_at"}) {
    EXPECT_TRUE(fields.contains(field)) << field << " in " << fields;
  }

  const auto patched =
      staff_send("PATCH", "/v1/admin/campaigns/spring-2027", admin_token_, {{"goal", 3000000}, {"ends_at", "2027-04-15"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json::parse(patched.body)["goal"], 3000000);
  EXPECT_EQ(json::parse(patched.body)["ends_at"], "2027-04-15T23:59:59Z");
  EXPECT_EQ(json::parse(patched.body)["title"], "Spring appeal");
  EXPECT_EQ(staff_send("PATCH", "/v1/admin/campaigns/spring-2027", admin_token_, {{"currency", "eur"}}).status, 422);
  EXPECT_EQ(staff_send("PATCH", "/v1/admin/campaigns/nope", admin_token_, {{"title", "x"}}).status, 404);
  EXPECT_EQ(http_request(port(), "PATCH", "/v1/admin/campaigns/spring-2027", bearer(admin_token_), "{}").status, 415);

  const auto entries = audit();
  ASSERT_GE(entries.size(), 2u);
  EXPECT_EQ(entries[0]["action"], "campaign.update");
  EXPECT_EQ(entries[0]["actor"], "admin-ana");
  EXPECT_EQ(entries[0]["client_ip"], "127.0.0.1");
  EXPECT_EQ(entries[0]["target"], "spring-2027");
  EXPECT_EQ(entries[0]["before"]["goal"], 2500000);
  EXPECT_EQ(entries[0]["after"]["goal"], 3000000);
  EXPECT_TRUE(entries[0]["at"].is_string());
  EXPECT_EQ(entries[1]["action"], "campaign.create");
  EXPECT_TRUE(entries[1]["before"].is_null());
  EXPECT_EQ(entries[1]["after"]["slug"], "spring-2027");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM audit_log WHERE actor = 'admin-ana'"), "2")
      << "refused changes leave no audit row";
}

TEST_F(Admin, AnOfflineGiftCountsInRaisedWithinTwoSecondsAndShowsInReportsAndCsv) {
  const auto started = std::chrono::steady_clock::now();
  const auto reply = staff_send("POST", "/v1/admin/campaigns/eoy-2026/offline-gifts", admin_token_,
                                {{"amount", 25000}, {"currency", "usd"}, {"name", "Gala table 4"},
                                 {"email", "Table4@Example.org"}, {"received_at", "2026-11-20T18:00:00Z"},
                                 {"method", "check"}, {"note", "check #1001"}});
  ASSERT_EQ(reply.status, 201) << reply.body;
  json progress;
  while (std::chrono::steady_clock::now() - started < std::chrono::seconds(2)) {
    progress = json::parse(http_get(port(), "/v1/campaigns/eoy-2026/progress").body);
    if (progress["raised"] == 25000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(progress["raised"], 25000) << "not in the banner within 2 s";
  EXPECT_EQ(progress["gifts"], 1);

  const auto report = json::parse(staff_get("/v1/reports/campaigns/eoy-2026", viewer_token_).body);
  EXPECT_EQ(report["raised"], 25000);
  EXPECT_EQ(report["gifts"], 1);
  EXPECT_EQ(report["by_frequency"]["once"]["amount"], 25000);
  EXPECT_EQ(report["recent_gifts"][0]["method"], "check");
  EXPECT_EQ(report["recent_gifts"][0]["name"], "Gala table 4");

  const auto rows = parse_csv(staff_get("/v1/reports/campaigns/eoy-2026/gifts.csv", viewer_token_).body);
  ASSERT_EQ(rows.size(), 2u);
  const auto method = std::find(rows[0].begin(), rows[0].end(), "method") - rows[0].begin();
  EXPECT_EQ(rows[1][static_cast<std::size_t>(method)], "check");

  const auto entries = audit();
  ASSERT_GE(entries.size(), 1u);
  EXPECT_EQ(entries[0]["action"], "offline_gift.create");
  EXPECT_EQ(entries[0]["actor"], "admin-ana");
  EXPECT_EQ(entries[0]["after"]["amount"], 25000);
  EXPECT_EQ(entries[0]["after"]["offline_method"], "check");

  const auto wrong = staff_send("POST", "/v1/admin/campaigns/eoy-2026/offline-gifts", admin_token_,
                                {{"amount", 10}, {"currency", "eur"}, {"method", "iou"}});
  EXPECT_EQ(wrong.status, 422);
  EXPECT_EQ(json::parse(wrong.body)["error"]["fields"].size(), 2u);
}

TEST_F(Admin, TheAuditLogIsAppendOnly) {
  ASSERT_EQ(staff_send("PATCH", "/v1/admin/campaigns/eoy-2026", admin_token_, {{"title", "New"}}).status, 200);
  EXPECT_ANY_THROW(database_->execute("UPDATE audit_log SET actor = 'someone else'"));
  EXPECT_ANY_THROW(database_->execute("DELETE FROM audit_log"));
  EXPECT_EQ(database_->query_value("SELECT actor FROM audit_log WHERE action = 'campaign.update'"), "admin-ana");
}

TEST_F(Admin, RefundsAnswer503WithoutAStripeKeyAndChangeNothing) {
  seed_paid_pledge();
  const auto reply = staff_send("POST", std::string("/v1/admin/pledges/") + kPledge + "/refund", admin_token_, json::object());
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_FALSE(reply.header("retry-after").empty());
  EXPECT_EQ(raised_in_ledger(), "5000");
  const auto too_much =
      staff_send("POST", std::string("/v1/admin/pledges/") + kPledge + "/refund", admin_token_, {{"amount", 9000}});
  EXPECT_EQ(too_much.status, 422) << "the amount is checked before Stripe is asked";
  EXPECT_EQ(staff_send("POST", "/v1/admin/pledges/pl_unknown00000000000000/refund", admin_token_, json::object()).status,
            404);
}

// The refund route's domain logic against the real database, with a stand-in for Stripe.
TEST_F(Admin, ARefundCountsOnceWhicheverOfEventAndAnswerComesFirst) {
  seed_paid_pledge();
  pledged::ConnectionPool pool(pledged::PoolOptions{database_->url(), 2}, pledged::RefundRepository::statements());
  pledged::RefundRepository repository(pool);
  StandInRefundGateway stripe;
  pledged::PledgeRefunds refunds(repository, &stripe);

  // Stripe's event can beat the API's answer; the ledger then already shows it.
  auto outcome = refunds.refund(kPledge, 2000, {"admin-ana", "127.0.0.1"});
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->refund_id, "re_standin0");
  EXPECT_FALSE(outcome->newly_recorded) << "the refund route never writes the ledger itself";
  webhook_records_refund(2000);
  webhook_records_refund(2000);  // a redelivery
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM ledger_entries WHERE kind = 'refund'"), "1");
  EXPECT_EQ(stripe.payments.at(0), "pi_paid1");
  EXPECT_EQ(raised_in_ledger(), "3000");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM audit_log WHERE action = 'pledge.refund'"), "1");
}

TEST_F(Admin, ARefundWhoseWebhookCameAfterCountsOnceAndARetryIsTheSameRefund) {
  seed_paid_pledge();
  pledged::ConnectionPool pool(pledged::PoolOptions{database_->url(), 2}, pledged::RefundRepository::statements());
  pledged::RefundRepository repository(pool);
  StandInRefundGateway stripe;
  pledged::PledgeRefunds refunds(repository, &stripe);

  auto first = refunds.refund(kPledge, std::nullopt, {"admin-ana", "127.0.0.1"});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->newly_recorded);
  EXPECT_EQ(first->amount.minor_units(), 5000);
  EXPECT_EQ(raised_in_ledger(), "5000") << "no money moves in the ledger before Stripe's event";
  webhook_records_refund(5000);  // the event arrives afterwards
  EXPECT_EQ(raised_in_ledger(), "0");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM ledger_entries WHERE kind = 'refund'"), "1");

  auto again = refunds.refund(kPledge, std::nullopt, {"admin-ana", "127.0.0.1"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, pledged::ErrorCode::conflict) << "nothing left to refund";
  EXPECT_EQ(stripe.keys.size(), 1u);
}
