#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "csv_reader.hpp"
#include "pledged/db/idempotency_repository.hpp"
#include "pledged/db/refund_repository.hpp"
#include "pledged/refunds/pledge_refunds.hpp"
#include "staff_fixture.hpp"
#include "standin_process.hpp"
#include "stripe_history.hpp"

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

  // POST .../refund with an Idempotency-Key ("" sends none).
  HttpReply refund(const std::string& pledge_id, const json& body, const std::string& key) const {
    auto headers = bearer(admin_token_);
    headers["Content-Type"] = "application/json";
    if (!key.empty()) headers["Idempotency-Key"] = key;
    return http_request(port(), "POST", "/v1/admin/pledges/" + pledge_id + "/refund", headers, body.dump());
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

// The refund use case on the test's database, with StandInRefundGateway for Stripe.
struct RefundUseCase {
  explicit RefundUseCase(const std::string& database_url)
      : pool(pledged::PoolOptions{database_url, 2},
             [] {
               auto all = pledged::RefundRepository::statements();
               for (const auto& statement : pledged::IdempotencyRepository::statements()) all.push_back(statement);
               return all;
             }()),
        repository(pool),
        idempotency(pool),
        refunds(repository, idempotency, &stripe) {}

  pledged::Result<pledged::RefundOutcome> refund(std::optional<std::int64_t> amount, const std::string& key) {
    const std::string body = amount ? json{{"amount", *amount}}.dump() : "{}";
    return refunds.refund(pledged::RefundCall{kPledge, amount, key, body, {"admin-ana", "127.0.0.1"}, {}});
  }

  pledged::ConnectionPool pool;
  pledged::RefundRepository repository;
  pledged::IdempotencyRepository idempotency;
  StandInRefundGateway stripe;
  pledged::PledgeRefunds refunds;
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

// Case 5 of issue 13: a retried POST (a timeout, a double click) counted the gift twice.
TEST_F(Admin, AnOfflineGiftRetriedWithItsIdempotencyKeyCountsOnce) {
  const auto post_gift = [&](const json& body, const std::string& key) {
    auto headers = bearer(admin_token_);
    headers["Content-Type"] = "application/json";
    headers["Idempotency-Key"] = key;
    return http_request(port(), "POST", "/v1/admin/campaigns/eoy-2026/offline-gifts", headers, body.dump());
  };
  const json gift{{"amount", 25000},
                  {"currency", "usd"},
                  {"name", "Gala table 4"},
                  {"method", "check"},
                  {"received_at", "2026-11-20T18:00:00Z"}};
  const auto first = post_gift(gift, "gift-1");
  ASSERT_EQ(first.status, 201) << first.body;
  const auto retried = post_gift(gift, "gift-1");
  EXPECT_EQ(retried.status, 201) << retried.body;
  EXPECT_EQ(retried.body, first.body);
  EXPECT_EQ(retried.header("idempotent-replayed"), "true");
  EXPECT_EQ(database_->query_value("SELECT count(*) || ' ' || sum(amount) FROM ledger_entries"), "1 25000");

  auto other = gift;
  other["amount"] = 30000;
  const auto reused = post_gift(other, "gift-1");
  EXPECT_EQ(reused.status, 422) << reused.body;
  EXPECT_EQ(json::parse(reused.body)["error"]["code"], "idempotency_key_reused");
  EXPECT_EQ(post_gift(gift, std::string(256, 'k')).status, 400);
  const auto second = post_gift(gift, "gift-2");
  EXPECT_EQ(second.status, 201) << second.body;
  EXPECT_NE(json::parse(second.body)["id"], json::parse(first.body)["id"]) << "a new key is a new gift";
  EXPECT_EQ(database_->query_value("SELECT count(*) || ' ' || sum(amount) FROM ledger_entries"), "2 50000");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM audit_log WHERE action = 'offline_gift.create'"), "2");
}

TEST_F(Admin, TheAuditLogIsAppendOnly) {
  ASSERT_EQ(staff_send("PATCH", "/v1/admin/campaigns/eoy-2026", admin_token_, {{"title", "New"}}).status, 200);
  EXPECT_ANY_THROW(database_->execute("UPDATE audit_log SET actor = 'someone else'"));
  EXPECT_ANY_THROW(database_->execute("DELETE FROM audit_log"));
  EXPECT_EQ(database_->query_value("SELECT actor FROM audit_log WHERE action = 'campaign.update'"), "admin-ana");
}

TEST_F(Admin, RefundsAnswer503WithoutAStripeKeyAndChangeNothing) {
  seed_paid_pledge();
  const auto reply = refund(kPledge, json::object(), "refund-1");
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_FALSE(reply.header("retry-after").empty());
  EXPECT_EQ(raised_in_ledger(), "5000");
  const auto too_much = refund(kPledge, {{"amount", 9000}}, "refund-2");
  EXPECT_EQ(too_much.status, 422) << "the amount is checked before Stripe is asked";
  EXPECT_EQ(refund("pl_unknown00000000000000", json::object(), "refund-3").status, 404);
}

TEST_F(Admin, ARefundNeedsAnIdempotencyKey) {
  seed_paid_pledge();
  const auto missing = refund(kPledge, {{"amount", 1000}}, "");
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(json::parse(missing.body)["error"]["code"], "idempotency_key_required");
  EXPECT_EQ(refund(kPledge, {{"amount", 1000}}, std::string(256, 'k')).status, 400);
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM audit_log WHERE action = 'pledge.refund'"), "0");
}

// The refund route's domain logic against the real database, with a stand-in for Stripe.
TEST_F(Admin, ARefundCountsOnceWhicheverOfEventAndAnswerComesFirst) {
  seed_paid_pledge();
  RefundUseCase use_case(database_->url());
  auto& stripe = use_case.stripe;

  // Stripe's event can beat the API's answer; the ledger then already shows it.
  auto outcome = use_case.refund(2000, "refund-1");
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
  RefundUseCase use_case(database_->url());
  auto& stripe = use_case.stripe;

  auto first = use_case.refund(std::nullopt, "refund-1");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->newly_recorded);
  EXPECT_EQ(first->amount.minor_units(), 5000);
  EXPECT_EQ(raised_in_ledger(), "5000") << "no money moves in the ledger before Stripe's event";
  webhook_records_refund(5000);  // the event arrives afterwards
  EXPECT_EQ(raised_in_ledger(), "0");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM ledger_entries WHERE kind = 'refund'"), "1");

  auto repeat = use_case.refund(std::nullopt, "refund-1");
  ASSERT_TRUE(repeat) << repeat.error().message;
  EXPECT_TRUE(repeat->replayed);
  EXPECT_EQ(repeat->refund_id, first->refund_id) << "the same key is the same refund";
  auto again = use_case.refund(std::nullopt, "refund-2");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, pledged::ErrorCode::conflict) << "nothing left to refund";
  EXPECT_EQ(stripe.keys.size(), 1u);
}

namespace {

// The admin routes with a Stripe key, against the local stand-in.
class AdminWithStripe : public StaffFixture {
 protected:
  AdminWithStripe() {
    // Short, so that a slow stand-in times the refund out quickly.
    extra_env_["PLEDGED_STRIPE_TIMEOUT_MS"] = "2000";
    extra_env_["STRIPE_SECRET_KEY"] = kStandinKey;
    extra_env_["STRIPE_API_BASE"] = standin_.base_url();
    extra_env_["STRIPE_WEBHOOK_SECRET"] = kWebhookSecret;
  }

  HttpReply deliver(const std::string& event) {
    return http_request(port(), "POST", "/v1/webhooks/stripe", stripe_signature_headers(event, unix_now()), event);
  }

  HttpReply refund(const std::string& pledge_id, const json& body, const std::string& key) const {
    auto headers = bearer(admin_token_);
    headers["Content-Type"] = "application/json";
    if (!key.empty()) headers["Idempotency-Key"] = key;
    return http_request(port(), "POST", "/v1/admin/pledges/" + pledge_id + "/refund", headers, body.dump());
  }

  std::string pledge_ledger_sum(const std::string& pledge_id) const {
    return database_->query_value("SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE pledge_id = '" +
                                  pledge_id + "'");
  }

  // Waits (up to 5 s) for the ledger to show `sum` for the pledge, as Stripe's events land.
  bool ledger_reaches(const std::string& pledge_id, const std::string& sum) const {
    for (int i = 0; i < 100 && pledge_ledger_sum(pledge_id) != sum; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return pledge_ledger_sum(pledge_id) == sum;
  }

  // A real one-time gift: pledge, the stand-in's checkout, Pay, its signed events. The
  // stand-in keeps sending its events here afterwards.
  std::string paid_pledge(long long amount) {
    standin_.configure({{"webhook_url", "http://127.0.0.1:" + std::to_string(port()) + "/v1/webhooks/stripe"},
                        {"webhook_secret", kWebhookSecret}});
    const auto pledged_reply = http_request(port(), "POST", "/v1/pledges", {{"Content-Type", "application/json"}},
                                            json{{"campaign", "eoy-2026"},
                                                 {"amount", amount},
                                                 {"currency", "usd"},
                                                 {"frequency", "once"},
                                                 {"email", "ana@example.org"}}
                                                .dump());
    EXPECT_EQ(pledged_reply.status, 201) << pledged_reply.body;
    const std::string pledge_id = json::parse(pledged_reply.body)["id"];
    const auto session =
        database_->query_value("SELECT checkout_session_id FROM pledges WHERE id = '" + pledge_id + "'");
    const auto paid = http_request(standin_.port(), "POST", "/checkout/" + session + "/pay");
    EXPECT_EQ(paid.status, 303) << paid.body;
    EXPECT_TRUE(ledger_reaches(pledge_id, std::to_string(amount)));
    return pledge_id;
  }

  // The refunds Stripe made: one refund.created event each.
  std::vector<std::string> stripe_refunds() const {
    std::vector<std::string> ids;
    for (const auto& event : standin_.events()) {
      if (event["type"] == "refund.created") ids.push_back(event["data"]["object"]["id"]);
    }
    return ids;
  }

  StandinProcess standin_;
};

}  // namespace

TEST_F(AdminWithStripe, ARefundGoesThroughStripeAndTheLedgerMovesOnceWithStripesEvent) {
  const std::string pledge_id = paid_pledge(5000);
  const auto ledger_sum = [&] { return pledge_ledger_sum(pledge_id); };

  const auto reply = refund(pledge_id, {{"amount", 2000}}, "refund-1");
  ASSERT_EQ(reply.status, 201) << reply.body;
  const auto answer = json::parse(reply.body);
  EXPECT_EQ(answer["amount"], 2000);
  EXPECT_EQ(answer["refund"].get<std::string>().rfind("re_", 0), 0u);

  json refund_calls = json::array();
  for (const auto& request : standin_.requests()) {
    if (request["path"] == "/v1/refunds") refund_calls.push_back(request);
  }
  ASSERT_EQ(refund_calls.size(), 1u);
  const auto payment_intent =
      database_->query_value("SELECT stripe_object_id FROM ledger_entries WHERE kind = 'payment' AND pledge_id = '" +
                             pledge_id + "'");
  EXPECT_EQ(refund_calls[0]["params"]["payment_intent"], payment_intent);
  EXPECT_EQ(refund_calls[0]["params"]["amount"], "2000");
  EXPECT_FALSE(refund_calls[0]["idempotency_key"].get<std::string>().empty());
  // The stand-in, like Stripe, sends charge.refunded (cumulative amount_refunded); that
  // event, not the API's answer, moves the ledger.
  for (int i = 0; i < 100 && ledger_sum() != "3000"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(ledger_sum(), "3000");

  json refunded_event;
  for (const auto& event : standin_.events()) {
    if (event["type"] == "charge.refunded") refunded_event = event;
  }
  ASSERT_FALSE(refunded_event.is_null()) << standin_.events().dump();
  EXPECT_EQ(refunded_event["data"]["object"]["amount_refunded"], 2000);
  EXPECT_EQ(deliver(refunded_event.dump()).status, 200);  // redelivered, as Stripe may
  EXPECT_EQ(deliver(refunded_event.dump()).status, 200);
  EXPECT_EQ(ledger_sum(), "3000");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM ledger_entries WHERE kind = 'refund'"), "1");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM audit_log WHERE action = 'pledge.refund'"), "1");
}

// Case 2 of issue 13: the refund's Stripe key came from the pledge's net, which the
// refund's own webhook changes. Stripe acts, its answer is lost (here: slower than our
// timeout), charge.refunded lands, the admin retries with the same Idempotency-Key.
TEST_F(AdminWithStripe, ARefundRetriedAfterATimedOutAnswerRefundsOnce) {
  const std::string pledge_id = paid_pledge(5000);
  standin_.configure({{"latency_ms", 3000}});
  const auto timed_out = refund(pledge_id, {{"amount", 1000}}, "refund-a");
  EXPECT_EQ(timed_out.status, 503) << timed_out.body;
  ASSERT_TRUE(ledger_reaches(pledge_id, "4000")) << "Stripe made the refund and its webhook landed";

  standin_.configure({{"latency_ms", 0}});
  const auto retried = refund(pledge_id, {{"amount", 1000}}, "refund-a");
  ASSERT_EQ(retried.status, 201) << retried.body;
  const auto made = stripe_refunds();
  ASSERT_EQ(made.size(), 1u) << "the retry is the same Stripe refund";
  EXPECT_EQ(json::parse(retried.body)["refund"], made[0]);
  EXPECT_EQ(pledge_ledger_sum(pledge_id), "4000");

  const auto replayed = refund(pledge_id, {{"amount", 1000}}, "refund-a");
  EXPECT_EQ(replayed.status, 201);
  EXPECT_EQ(replayed.body, retried.body);
  EXPECT_EQ(replayed.header("idempotent-replayed"), "true");
  const auto reused = refund(pledge_id, {{"amount", 1500}}, "refund-a");
  EXPECT_EQ(reused.status, 422) << reused.body;
  EXPECT_EQ(json::parse(reused.body)["error"]["code"], "idempotency_key_reused");
  EXPECT_EQ(stripe_refunds().size(), 1u);
}

// ... and two deliberate refunds of the same amount, before Stripe's webhook, shared one key.
TEST_F(AdminWithStripe, TwoRefundsWithTwoKeysAreTwoRefunds) {
  const std::string pledge_id = paid_pledge(5000);
  standin_.configure({{"webhook_url", ""}});  // Stripe's events are late: the ledger has not moved
  const auto first = refund(pledge_id, {{"amount", 1000}}, "refund-a");
  ASSERT_EQ(first.status, 201) << first.body;
  const auto second = refund(pledge_id, {{"amount", 1000}}, "refund-b");
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_NE(json::parse(first.body)["refund"], json::parse(second.body)["refund"]);
  EXPECT_EQ(stripe_refunds().size(), 2u);
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM audit_log WHERE action = 'pledge.refund'"), "2");
}
