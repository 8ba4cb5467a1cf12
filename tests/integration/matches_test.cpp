// Matching gifts (issue 18): the admin routes, and the figure the progress route, the
// report and gifts.csv show, against expectations written here. Payments and refunds
// arrive as signed Stripe webhooks (over HTTP, or in process through EventProcessor for
// the many shuffled orders), exactly as Stripe would send them.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "csv_reader.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/db/progress_repository.hpp"
#include "pledged/webhooks/event_processor.hpp"
#include "staff_fixture.hpp"
#include "stripe_history.hpp"
#include "stripe_objects.hpp"

using namespace pledged::testing;
using nlohmann::json;
using pledged::webhooks::EventProcessor;
using pledged::webhooks::EventSource;

namespace {

// Twenty orders in the suite; PLEDGED_MATCH_ORDERS=100 (or more) is the long mode the
// issue asks for, run by hand (docs/security.md has its figure).
int shuffled_orders() {
  const char* configured = std::getenv("PLEDGED_MATCH_ORDERS");
  if (configured == nullptr || *configured == '\0') return 20;
  const int orders = std::atoi(configured);
  return orders > 0 ? orders : 20;
}

// Three one-time $60 gifts and what Stripe sends for them: a paid checkout each, and a
// full refund of the first two (refund.created, naming the payment intent the checkout
// named). Ids are unique per test run.
struct ThreeGifts {
  std::vector<HistoryPledge> pledges;
  std::vector<std::string> payments;  // one checkout.session.completed per gift
  std::vector<std::string> refunds;   // a full refund of gift 0, then of gift 1
  std::string partial_refund;         // $20 back of gift 2

  ThreeGifts() {
    const auto now = unix_now();
    for (int g = 0; g < 3; ++g) {
      const auto id = new_pledge_id();
      const auto tag = id.substr(3, 10);
      HistoryPledge pledge{id, "once", 6000, "cs_" + tag, "paid"};
      pledges.push_back(pledge);
      payments.push_back(stripe_event("evt_pay" + tag, "checkout.session.completed",
                                      one_time_checkout(pledge, 6000, "pi_" + tag), now));
      refunds.push_back(stripe_event("evt_ref" + tag, "refund.created",
                                     refund("re_" + tag, "ch_" + tag, "pi_" + tag, 6000, now, "succeeded"), now));
      if (g == 2) {
        partial_refund = stripe_event("evt_part" + tag, "refund.created",
                                      refund("re_p" + tag, "ch_" + tag, "pi_" + tag, 2000, now, "succeeded"), now);
      }
    }
    refunds.resize(2);
  }
};

json knight_fund(std::int64_t cap) {
  return {{"sponsor", "The Knight Fund"}, {"ratio", 100}, {"cap", cap}, {"applies_to", "all"}};
}

class Matches : public StaffFixture {
 protected:
  Matches() { extra_env_["STRIPE_WEBHOOK_SECRET"] = kWebhookSecret; }

  HttpReply create_match(const json& body, const std::string& key = "") {
    auto headers = bearer(admin_token_);
    headers["Content-Type"] = "application/json";
    if (!key.empty()) headers["Idempotency-Key"] = key;
    return http_request(port(), "POST", "/v1/admin/campaigns/eoy-2026/matches", headers, body.dump());
  }

  void deliver(const std::string& body) {
    const auto reply =
        http_request(port(), "POST", "/v1/webhooks/stripe", stripe_signature_headers(body, unix_now()), body);
    ASSERT_EQ(reply.status, 200) << reply.body;
  }

  // The banner's body once it shows `raised` and `matched` (API.md: within 2 seconds), or the last one read.
  json progress_showing(std::int64_t raised, std::int64_t matched, std::uint16_t on_port = 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    json progress;
    do {
      progress = json::parse(http_get(on_port == 0 ? port() : on_port, "/v1/campaigns/eoy-2026/progress").body);
      if (progress["raised"] == raised && progress["matched"] == matched) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    return progress;
  }

  // gifts.csv's `match` column, summed.
  std::int64_t csv_match_total() {
    const auto csv = staff_get("/v1/reports/campaigns/eoy-2026/gifts.csv", viewer_token_);
    EXPECT_EQ(csv.status, 200);
    const auto rows = parse_csv(csv.body);
    EXPECT_FALSE(rows.empty());
    if (rows.empty()) return -1;
    const auto column = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "match") - rows[0].begin());
    EXPECT_LT(column, rows[0].size());
    std::int64_t total = 0;
    for (std::size_t r = 1; r < rows.size() && column < rows[r].size(); ++r) total += std::stoll(rows[r][column]);
    return total;
  }
};

}  // namespace

TEST_F(Matches, AdminRoutesCreateListAndChangeAMatchAudited) {
  json body = knight_fund(1000000);
  body["per_gift_cap"] = 100000;
  body["starts_at"] = "2026-12-01";
  body["ends_at"] = "2026-12-31T23:59:59Z";
  body["applies_to"] = "first_monthly";
  const auto created = create_match(body, "match-key-1");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto match = json::parse(created.body);
  const auto id = match["id"].get<std::string>();
  EXPECT_EQ(id.rfind("mt_", 0), 0u);
  EXPECT_EQ(match["sponsor"], "The Knight Fund");
  EXPECT_EQ(match["cap"], 1000000);
  EXPECT_EQ(match["per_gift_cap"], 100000);
  EXPECT_EQ(match["currency"], "usd");
  EXPECT_EQ(match["starts_at"], "2026-12-01T00:00:00Z");
  EXPECT_EQ(match["applies_to"], "first_monthly");
  EXPECT_EQ(match["earned"], 0);
  EXPECT_EQ(match["remaining"], 1000000);

  // The same key and body: the first answer, nothing created; another body: refused.
  const auto again = create_match(body, "match-key-1");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, created.body);
  EXPECT_EQ(again.headers.count("idempotent-replayed"), 1u);
  EXPECT_EQ(create_match(knight_fund(5), "match-key-1").status, 422);

  const auto listed = staff_get("/v1/admin/campaigns/eoy-2026/matches", admin_token_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(json::parse(listed.body)["matches"].size(), 1u);
  EXPECT_EQ(json::parse(listed.body)["matches"][0]["id"], id);

  const auto patched =
      staff_send("PATCH", "/v1/admin/matches/" + id, admin_token_, {{"cap", 750000}, {"ends_at", "2026-12-24"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json::parse(patched.body)["cap"], 750000);
  EXPECT_EQ(json::parse(patched.body)["ends_at"], "2026-12-24T23:59:59Z");
  const auto fixed = staff_send("PATCH", "/v1/admin/matches/" + id, admin_token_, {{"ratio", 200}});
  EXPECT_EQ(fixed.status, 422);
  EXPECT_TRUE(json::parse(fixed.body)["error"]["fields"].contains("ratio"));
  EXPECT_EQ(staff_send("PATCH", "/v1/admin/matches/mt_nosuchmatch00000000000", admin_token_, {{"cap", 1}}).status, 404);

  EXPECT_EQ(database_->query_value("SELECT count(*) FROM audit_log WHERE action = 'match.create'"), "1");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM audit_log WHERE action = 'match.update'"), "1");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM matches"), "1");
}

TEST_F(Matches, InvalidMatchesAreRefusedInTheErrorShape) {
  const auto refused = create_match({{"sponsor", ""},
                                     {"ratio", 0},
                                     {"cap", 0},
                                     {"per_gift_cap", 0},
                                     {"currency", "eur"},
                                     {"starts_at", "2026-10-01"},
                                     {"applies_to", "sometimes"}});
  ASSERT_EQ(refused.status, 422) << refused.body;
  const auto fields = json::parse(refused.body)["error"]["fields"];
  for (const char* field : {"sponsor", "ratio", "cap", "per_gift_cap", "currency", "starts_at", "applies_to"}) {
    EXPECT_TRUE(fields.contains(field)) << field << " in " << refused.body;
  }
  EXPECT_EQ(create_match({{"sponsor", "A"}, {"ratio", "100"}, {"cap", 1}}).status, 422);  // a string ratio
  EXPECT_EQ(staff_send("POST", "/v1/admin/campaigns/nope/matches", admin_token_, knight_fund(1)).status, 404);
  EXPECT_EQ(staff_send("POST", "/v1/admin/campaigns/eoy-2026/matches", viewer_token_, knight_fund(1)).status, 403);
  EXPECT_EQ(http_get(port(), "/v1/admin/campaigns/eoy-2026/matches").status, 401);
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM matches"), "0");
}

// The case: a 1:1 match with a $100 cap and three $60 gifts.
TEST_F(Matches, ACappedMatchOverThreeGiftsAndTheirRefunds) {
  const auto none = json::parse(http_get(port(), "/v1/campaigns/eoy-2026/progress").body);
  EXPECT_EQ(none["matched"], 0);
  EXPECT_FALSE(none.contains("match"));

  ASSERT_EQ(create_match(knight_fund(10000)).status, 201);
  ThreeGifts gifts;
  insert_pledges(*database_, gifts.pledges);
  for (const auto& payment : gifts.payments) ASSERT_NO_FATAL_FAILURE(deliver(payment));

  // 3 × 6000 earned, capped at 10000; nothing left, so the banner shows no match line.
  auto progress = progress_showing(18000, 10000);
  EXPECT_EQ(progress["raised"], 18000);
  EXPECT_EQ(progress["matched"], 10000);
  EXPECT_EQ(progress["percent"], 0.56);  // 28000 of 5000000
  EXPECT_FALSE(progress.contains("match"));
  EXPECT_EQ(csv_match_total(), 10000);

  // One refunded: two gifts earn 12000, still capped.
  ASSERT_NO_FATAL_FAILURE(deliver(gifts.refunds[0]));
  progress = progress_showing(12000, 10000);
  EXPECT_EQ(progress["raised"], 12000);
  EXPECT_EQ(progress["matched"], 10000);

  // Two refunded: one gift earns 6000, and 4000 of the match is left.
  ASSERT_NO_FATAL_FAILURE(deliver(gifts.refunds[1]));
  progress = progress_showing(6000, 6000);
  EXPECT_EQ(progress["raised"], 6000);
  EXPECT_EQ(progress["matched"], 6000);
  ASSERT_TRUE(progress.contains("match")) << progress.dump();
  EXPECT_EQ(progress["match"], json({{"sponsor", "The Knight Fund"}, {"ratio", 100}, {"remaining", 4000}}));

  // A partial refund of the last gift: $40 of it is kept, and earns $40.
  ASSERT_NO_FATAL_FAILURE(deliver(gifts.partial_refund));
  progress = progress_showing(4000, 4000);
  EXPECT_EQ(progress["matched"], 4000);

  const auto report = staff_get("/v1/reports/campaigns/eoy-2026", viewer_token_);
  ASSERT_EQ(report.status, 200) << report.body;
  const auto figures = json::parse(report.body);
  EXPECT_EQ(figures["matched"], 4000);
  ASSERT_EQ(figures["matches"].size(), 1u);
  EXPECT_EQ(figures["matches"][0]["earned"], 4000);
  EXPECT_EQ(figures["matches"][0]["remaining"], 6000);
  EXPECT_EQ(csv_match_total(), 4000);
}

// Several matches add, each within its own cap; a two-to-one match with a per-gift cap.
TEST_F(Matches, SeveralMatchesAddEachWithinItsCap) {
  ASSERT_EQ(create_match(knight_fund(10000)).status, 201);
  ASSERT_EQ(create_match({{"sponsor", "Local Bank"}, {"ratio", 200}, {"cap", 1000000}, {"per_gift_cap", 5000}}).status,
            201);
  ASSERT_EQ(
      create_match({{"sponsor", "Monthly Only"}, {"ratio", 100}, {"cap", 1000000}, {"applies_to", "first_monthly"}})
          .status,
      201);
  ThreeGifts gifts;
  insert_pledges(*database_, gifts.pledges);
  for (const auto& payment : gifts.payments) ASSERT_NO_FATAL_FAILURE(deliver(payment));
  // Knight: min(10000, 18000) = 10000; Local Bank: 3 × min(12000, 5000) = 15000; Monthly Only: no monthly gift.
  const auto progress = progress_showing(18000, 25000);
  EXPECT_EQ(progress["matched"], 25000);
  // The first created match that is active: the Knight Fund's is used up, so the bank's.
  EXPECT_EQ(progress["match"]["sponsor"], "Local Bank");
  EXPECT_EQ(progress["match"]["remaining"], 985000);
  EXPECT_EQ(csv_match_total(), 25000);
}

// The same payments and refunds in many orders, with repeats, always end at the same figures.
TEST_F(Matches, AnyOrderOfEventsGivesTheSameMatch) {
  ASSERT_EQ(create_match(knight_fund(10000)).status, 201);
  ThreeGifts gifts;
  insert_pledges(*database_, gifts.pledges);
  std::vector<std::string> events = gifts.payments;
  events.push_back(gifts.refunds[1]);
  events.push_back(gifts.partial_refund);
  events.push_back(gifts.payments[0]);  // a repeat

  pledged::ConnectionPool pool(pledged::PoolOptions{database_->url(), 2}, [] {
    auto statements = EventProcessor::statements();
    const auto progress = pledged::ProgressRepository::statements();
    statements.insert(statements.end(), progress.begin(), progress.end());
    return statements;
  }());
  EventProcessor processor(pool);
  pledged::ProgressRepository progress(pool);
  std::mt19937 random(20261206);
  const int orders = shuffled_orders();
  for (int order = 0; order < orders; ++order) {
    database_->execute(
        "DELETE FROM ledger_entries; DELETE FROM webhook_events; DELETE FROM stripe_links; DELETE FROM stripe_refunds; "
        "DELETE FROM stripe_charge_refunds; DELETE FROM email_outbox; UPDATE pledges SET status = 'pending', "
        "stripe_payment_intent_id = NULL, stripe_customer_id = NULL");
    std::shuffle(events.begin(), events.end(), random);
    for (const auto& raw : events) {
      const auto event = pledged::webhooks::parse_stripe_event(raw);
      ASSERT_TRUE(event);
      ASSERT_TRUE(processor.receive(*event, raw, EventSource::webhook));
    }
    while (true) {  // the periodic pass's work (a refund before its payment waits), at once
      const auto retried = processor.retry_waiting(100, true);
      ASSERT_TRUE(retried);
      if (*retried == 0) break;
    }
    // Gift 0 kept whole (6000), gift 1 refunded (0), gift 2 kept 4000: 10000 earned, all within the cap.
    const auto totals = progress.load_all();
    ASSERT_TRUE(totals);
    ASSERT_EQ(totals->size(), 1u);
    EXPECT_EQ(totals->front().totals.raised, 10000) << "order " << order;
    ASSERT_EQ(totals->front().matches.size(), 1u);
    EXPECT_EQ(totals->front().matches[0].earned, 10000) << "order " << order;
  }
  EXPECT_EQ(progress_showing(10000, 10000)["matched"], 10000);
  EXPECT_EQ(csv_match_total(), 10000);
}

// Two instances applying the same events at once (each as Stripe's retries would deliver
// them to another instance): the match is counted once and never passes its cap.
TEST_F(Matches, TwoInstancesApplyingAtOnceGiveTheSameMatch) {
  ASSERT_EQ(create_match(knight_fund(10000)).status, 201);
  ThreeGifts gifts;
  insert_pledges(*database_, gifts.pledges);
  std::vector<std::string> events = gifts.payments;
  events.push_back(gifts.refunds[0]);

  auto second = std::make_unique<ServiceProcess>(service_env());
  std::vector<std::thread> instances;
  for (const std::uint16_t instance_port : {port(), second->port()}) {
    instances.emplace_back([&events, instance_port] {
      for (const auto& body : events) {
        http_request(instance_port, "POST", "/v1/webhooks/stripe", stripe_signature_headers(body, unix_now()), body);
      }
    });
  }
  for (auto& instance : instances) instance.join();
  // Gifts 1 and 2 kept: 12000 earned, capped at 10000; the refund may have waited for its payment.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (database_->query_value("SELECT count(*) FROM webhook_events WHERE status = 'waiting'") != "0" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto on_first = progress_showing(12000, 10000);
  EXPECT_EQ(on_first["raised"], 12000);
  EXPECT_EQ(on_first["matched"], 10000);
  const auto on_second = progress_showing(12000, 10000, second->port());
  EXPECT_EQ(on_second["raised"], 12000);
  EXPECT_EQ(on_second["matched"], 10000);
  EXPECT_EQ(csv_match_total(), 10000);
}
