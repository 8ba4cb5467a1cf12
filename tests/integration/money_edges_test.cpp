// Money at the ledger's edges (issue 13), each case the history that first showed it,
// fed in process through EventProcessor (the webhook route's code path) against a real
// database: foreign money of a donor's customer, installments' refunds under the current
// API version, forged amounts and modes, refunds that fail after being counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "pledged/db/connection_pool.hpp"
#include "pledged/db/unmatched_event_repository.hpp"
#include "pledged/db/webhook_health_repository.hpp"
#include "pledged/operations/unmatched_events_review.hpp"
#include "pledged/webhooks/event_processor.hpp"
#include "service_fixture.hpp"
#include "stripe_history.hpp"
#include "stripe_objects.hpp"

using namespace pledged::testing;
using namespace pledged::webhooks;
using nlohmann::json;

namespace {

constexpr long long kCreated = 1795000000;  // 2026-11-18, inside the demo campaign

class MoneyEdges : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<TestDatabase>();
    migrate_and_seed(*database_);
    auto statements = EventProcessor::statements();
    for (const auto& statement : pledged::WebhookHealthRepository::statements()) statements.push_back(statement);
    for (const auto& statement : pledged::UnmatchedEventRepository::statements()) statements.push_back(statement);
    pool_ = std::make_unique<pledged::ConnectionPool>(pledged::PoolOptions{database_->url(), 2}, statements);
    processor_ = std::make_unique<EventProcessor>(*pool_);
  }

  HistoryPledge pledge(const std::string& frequency, std::int64_t amount) {
    HistoryPledge p{new_pledge_id(), frequency, amount, "cs_test_" + new_pledge_id().substr(3), ""};
    insert_pledges(*database_, {p});
    return p;
  }

  // Delivers one event (created `seconds` after kCreated) and returns its stored outcome.
  EventOutcome deliver(const std::string& type, const json& object, long long seconds = 0, bool livemode = false) {
    auto raw = json::parse(stripe_event("evt_edge_" + std::to_string(++sequence_), type, object, kCreated + seconds));
    raw["livemode"] = livemode;
    const auto body = raw.dump();
    const auto event = parse_stripe_event(body);
    EXPECT_TRUE(event);
    const auto outcome = processor_->receive(*event, body, EventSource::webhook);
    EXPECT_TRUE(outcome) << outcome.error().message;
    return outcome ? *outcome : EventOutcome::failed;
  }

  // The periodic pass's work, done at once.
  void settle() {
    for (int pass = 0; pass < 10; ++pass) {
      const auto retried = processor_->retry_waiting(1000, true);
      ASSERT_TRUE(retried);
      if (*retried == 0) return;
    }
  }

  long long ledger_sum() const {
    return std::stoll(database_->query_value("SELECT coalesce(sum(amount), 0) FROM ledger_entries"));
  }
  pledged::WebhookHealth health() const {
    pledged::WebhookHealthRepository repository(*pool_);
    const auto loaded = repository.load();
    EXPECT_TRUE(loaded);
    return loaded ? *loaded : pledged::WebhookHealth{};
  }
  std::int64_t failed_in_health() const { return health().failed; }
  std::string event_column(int sequence, const std::string& column) const {
    return database_->query_value("SELECT " + column + " FROM webhook_events WHERE id = 'evt_edge_" +
                                  std::to_string(sequence) + "'");
  }
  std::string status_of(const HistoryPledge& p) const {
    return database_->query_value("SELECT status FROM pledges WHERE id = '" + p.id + "'");
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<pledged::ConnectionPool> pool_;
  std::unique_ptr<EventProcessor> processor_;
  int sequence_ = 0;
};

}  // namespace

// Case 1: a monthly donor (cus_1) is later billed for a gala ticket on the same Stripe
// account. Before: the gala invoice added $200 to the campaign, an unrelated refund of
// the customer subtracted, and an unrelated subscription's end canceled the gift.
TEST_F(MoneyEdges, ForeignMoneyOfAMonthlyDonorsCustomerNeverTouchesThePledge) {
  const auto monthly = pledge("monthly", 1500);
  EXPECT_EQ(deliver("checkout.session.completed", subscription_checkout(monthly, "cus_1", "sub_gift")),
            EventOutcome::applied);
  EXPECT_EQ(deliver("invoice.paid", invoice("in_gift_1", "cus_1", "sub_gift", 1500), 10), EventOutcome::applied);

  EXPECT_EQ(deliver("invoice.paid", invoice("in_gala", "cus_1", "", 20000), 20), EventOutcome::waiting);
  EXPECT_EQ(deliver("charge.refunded", charge("ch_gala", "cus_1", "pi_gala", 20000, 5000), 30), EventOutcome::waiting);
  EXPECT_EQ(deliver("charge.dispute.closed", dispute("dp_gala", "ch_gala", "pi_gala", 20000, "lost"), 35),
            EventOutcome::waiting);
  EXPECT_EQ(deliver("customer.subscription.deleted", canceled_subscription("sub_newsletter", "cus_1", ""), 40),
            EventOutcome::waiting);
  settle();

  EXPECT_EQ(ledger_sum(), 1500) << "only the gift's own installment counts";
  EXPECT_EQ(status_of(monthly), "active");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM stripe_links WHERE stripe_id LIKE 'cus_%'"), "0")
      << "a customer id is never stored as a way to the pledge";
}

// Case 1, the other side: under API version 2025-03-31 an invoice names no charge, so
// an installment's refund and dispute find their pledge through the invoice_payment
// that names the installment's payment intent, in whatever order they arrive.
TEST_F(MoneyEdges, InstallmentRefundAndDisputeFindThePledgeThroughTheInvoicePayment) {
  const auto monthly = pledge("monthly", 2000);
  // Stripe's charges of an invoice carry the customer; the refund arrives first.
  EXPECT_EQ(deliver("charge.refunded", charge("ch_inst_2", "cus_2", "pi_inst_2", 2000, 2000), 5),
            EventOutcome::waiting);
  EXPECT_EQ(deliver("charge.dispute.closed", dispute("dp_inst_1", "ch_inst_1", "pi_inst_1", 2000, "lost"), 6),
            EventOutcome::waiting);
  deliver("invoice_payment.paid", invoice_payment("in_inst_2", "pi_inst_2"), 4);
  deliver("invoice_payment.paid", invoice_payment("in_inst_1", "pi_inst_1"), 2);
  deliver("checkout.session.completed", subscription_checkout(monthly, "cus_2", "sub_inst"));
  deliver("invoice.paid", invoice("in_inst_1", "cus_2", "sub_inst", 2000), 1);
  deliver("invoice.paid", invoice("in_inst_2", "cus_2", "sub_inst", 2000), 3);
  settle();

  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE status <> 'applied'"), "0");
  EXPECT_EQ(ledger_sum(), 0) << "two installments, one refunded, one disputed and lost";
  EXPECT_EQ(status_of(monthly), "active");
}

// Older API versions name the invoice's charge and payment intent directly.
TEST_F(MoneyEdges, InstallmentRefundFindsThePledgeThroughAnOlderInvoicesCharge) {
  const auto monthly = pledge("monthly", 2500);
  deliver("checkout.session.completed", subscription_checkout(monthly, "cus_3", "sub_old"));
  json old = invoice("in_old_1", "cus_3", "", 2500);
  old["parent"] = nullptr;
  old["subscription"] = "sub_old";
  old["charge"] = "ch_old_1";
  old["payment_intent"] = "pi_old_1";
  deliver("invoice.paid", old, 1);
  EXPECT_EQ(deliver("charge.refunded", charge("ch_old_1", "cus_3", "pi_old_1", 2500, 1000), 2), EventOutcome::applied);
  EXPECT_EQ(ledger_sum(), 1500);
}

// Case 6: anyone holding the webhook secret could post amount_total 9999999999 and the
// banner showed it. A one-time payment counts only at what its Checkout charged.
TEST_F(MoneyEdges, ForgedOneTimeAmountIsStoredAsFailedAndNeverCounts) {
  const auto once = pledge("once", 2500);
  EXPECT_EQ(deliver("checkout.session.completed", one_time_checkout(once, 9999999999LL, "pi_forged")),
            EventOutcome::failed);
  EXPECT_EQ(deliver("payment_intent.succeeded", payment_intent("pi_forged", once.id, 9999999999LL, "succeeded"), 1),
            EventOutcome::failed);
  EXPECT_NE(event_column(1, "last_error").find("differs from the 2500 its Checkout charged"), std::string::npos)
      << event_column(1, "last_error");
  settle();
  EXPECT_EQ(ledger_sum(), 0);
  EXPECT_EQ(status_of(once), "pending");
  EXPECT_EQ(failed_in_health(), 2);
  EXPECT_EQ(event_column(2, "status"), "failed") << "no retry makes a forged amount count";

  // The genuine payment of the same pledge still counts, once.
  EXPECT_EQ(deliver("checkout.session.completed", one_time_checkout(once, 2500, "pi_forged"), 2),
            EventOutcome::applied);
  EXPECT_EQ(ledger_sum(), 2500);
}

// Case 6: an event whose livemode differs from the configured key's mode never counts,
// whichever way round.
TEST_F(MoneyEdges, EventOfTheOtherModeIsStoredAsFailedAndNeverCounts) {
  const auto once = pledge("once", 3000);
  EXPECT_EQ(deliver("checkout.session.completed", one_time_checkout(once, 3000, "pi_mode"), 0, /*livemode=*/true),
            EventOutcome::failed);
  EXPECT_NE(event_column(1, "last_error").find("live-mode event for a test-mode key"), std::string::npos);
  settle();
  EXPECT_EQ(ledger_sum(), 0);

  processor_ = std::make_unique<EventProcessor>(*pool_, /*live_key=*/true);
  EXPECT_EQ(deliver("checkout.session.completed", one_time_checkout(once, 3000, "pi_mode"), 1, false),
            EventOutcome::failed);
  EXPECT_EQ(ledger_sum(), 0);
  EXPECT_EQ(failed_in_health(), 2);
  EXPECT_EQ(deliver("checkout.session.completed", one_time_checkout(once, 3000, "pi_mode"), 2, true),
            EventOutcome::applied);
  EXPECT_EQ(ledger_sum(), 3000);
}

namespace {

constexpr long long kDay = 86400;

}  // namespace

// Case 3: a refund that fails after it was counted gives its money back (the ledger's
// upsert only let a refund grow), and each partial refund is dated when it happened
// (a later one took the first one's date). Delivered in two orders: the same rows.
TEST_F(MoneyEdges, FailedRefundReturnsToTheTotalAndEachPartialRefundKeepsItsDate) {
  std::string first_rows;
  for (const bool reversed : {false, true}) {
    const auto once = pledge("once", 3000);
    const std::string suffix = reversed ? "_b" : "_a";
    const auto intent = "pi_r" + suffix, charge_id = "ch_r" + suffix;
    std::vector<std::pair<std::string, json>> events = {
        {"checkout.session.completed", one_time_checkout(once, 3000, intent)},
        {"refund.created", refund("re_1" + suffix, charge_id, intent, 700, kCreated + 1 * kDay, "succeeded")},
        {"charge.refunded", charge(charge_id, "cus_r", intent, 3000, 700)},
        {"refund.created", refund("re_2" + suffix, charge_id, intent, 500, kCreated + 3 * kDay, "pending")},
        {"charge.refunded", charge(charge_id, "cus_r", intent, 3000, 1200)},
        {"charge.refund.updated", refund("re_2" + suffix, charge_id, intent, 500, kCreated + 3 * kDay, "failed")},
    };
    if (reversed) std::reverse(events.begin() + 1, events.end());
    const long long at[] = {0, 1 * kDay, 1 * kDay, 3 * kDay, 3 * kDay, 5 * kDay};
    for (std::size_t i = 0; i < events.size(); ++i) {
      deliver(events[i].first, events[i].second, reversed && i > 0 ? at[events.size() - i] : at[i]);
    }
    settle();
    const auto rows = database_->query_value(
        "SELECT string_agg(concat_ws('|', kind, replace(stripe_object_id, '" + suffix +
        "', ''), amount, extract(epoch FROM occurred_at)::bigint - " + std::to_string(kCreated) +
        "), ', ' ORDER BY occurred_at, kind) FROM ledger_entries WHERE pledge_id = '" + once.id + "'");
    EXPECT_EQ(rows,
              "payment|pi_r|3000|0, refund|re_1|-700|86400, refund|re_2|-500|259200, refund_reversal|re_2|500|432000")
        << (reversed ? "reversed order" : "in order");
    EXPECT_EQ(database_->query_value("SELECT sum(amount) FROM ledger_entries WHERE pledge_id = '" + once.id + "'"),
              "2300");
    if (first_rows.empty()) first_rows = rows;
    EXPECT_EQ(rows, first_rows);
  }
}

// Case 3, without refund events (an endpoint not subscribed to them): the charge's
// cumulative amount still counts, once, whatever the order.
TEST_F(MoneyEdges, ChargeRefundedAloneStillCountsTheCumulativeAmountOnce) {
  const auto once = pledge("once", 4000);
  deliver("charge.refunded", charge("ch_c", "cus_c", "pi_c", 4000, 2500), 20);
  deliver("charge.refunded", charge("ch_c", "cus_c", "pi_c", 4000, 1000), 10);
  deliver("checkout.session.completed", one_time_checkout(once, 4000, "pi_c"));
  settle();
  EXPECT_EQ(ledger_sum(), 1500);
  // A refund event that itemises part of it afterwards moves nothing more.
  deliver("refund.created", refund("re_c1", "ch_c", "pi_c", 1000, kCreated + 10, "succeeded"), 30);
  EXPECT_EQ(ledger_sum(), 1500);
  EXPECT_EQ(database_->query_value("SELECT amount FROM ledger_entries WHERE stripe_object_id = 'ch_c'"), "-1500");
}

// Case 8: a body with "\u0000" could not be stored (jsonb refuses it, SQLSTATE 22P05):
// the webhook answered 500 for days. Kept byte for byte, and applied like any other,
// at once or after waiting for its pledge.
TEST_F(MoneyEdges, EventWithAnEscapedNulIsStoredByteForByteAndApplied) {
  const auto once = pledge("once", 1800);
  json refunded = charge("ch_nul", "cus_nul", "pi_nul", 1800, 600);
  refunded["description"] = std::string("gift\0note", 9);
  const auto waiting_body = stripe_event("evt_nul_refund", "charge.refunded", refunded, kCreated + 5);
  ASSERT_NE(waiting_body.find("\\u0000"), std::string::npos);
  const auto waiting = parse_stripe_event(waiting_body);
  ASSERT_TRUE(waiting);
  const auto waited = processor_->receive(*waiting, waiting_body, EventSource::webhook);
  ASSERT_TRUE(waited) << waited.error().message;
  EXPECT_EQ(*waited, EventOutcome::waiting);

  json session = one_time_checkout(once, 1800, "pi_nul");
  session["metadata"]["note"] = std::string("\0", 1);
  const auto body = stripe_event("evt_nul_checkout", "checkout.session.completed", session, kCreated);
  const auto event = parse_stripe_event(body);
  ASSERT_TRUE(event);
  const auto outcome = processor_->receive(*event, body, EventSource::webhook);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(*outcome, EventOutcome::applied);
  settle();

  EXPECT_EQ(ledger_sum(), 1200);
  EXPECT_EQ(database_->query_value("SELECT raw_body FROM webhook_events WHERE id = 'evt_nul_checkout'"), body);
  EXPECT_EQ(database_->query_value("SELECT raw_body FROM webhook_events WHERE id = 'evt_nul_refund'"), waiting_body);
  EXPECT_EQ(database_->query_value("SELECT status FROM webhook_events WHERE id = 'evt_nul_refund'"), "applied");
  EXPECT_EQ(database_->query_value(
                "SELECT payload->'data'->'object'->>'description' FROM webhook_events WHERE id = 'evt_nul_refund'"),
            "gift\xEF\xBF\xBDnote");
}

// Case 7: an event that can never find its pledge (a Payment Link's payment) was retried
// every 5 minutes without end and kept "waiting" above zero. After 72 hours it is
// unmatched: terminal, counted, listed, and applied again on an admin's request (audited).
TEST_F(MoneyEdges, EventWithoutAPledgeFor72HoursIsUnmatchedListedAndReappliedOnRequest) {
  HistoryPledge link{new_pledge_id(), "once", 5000, "cs_payment_link_1", ""};
  json session = one_time_checkout(link, 5000, "pi_payment_link_1");
  session["client_reference_id"] = nullptr;
  session["metadata"] = json::object();
  EXPECT_EQ(deliver("checkout.session.completed", session), EventOutcome::waiting);
  const std::string id = "evt_edge_1";

  settle();
  EXPECT_EQ(event_column(1, "status"), "waiting") << "not yet 72 hours";
  database_->execute("UPDATE webhook_events SET received_at = now() - interval '73 hours'");
  settle();
  EXPECT_EQ(event_column(1, "status"), "unmatched");
  EXPECT_EQ(event_column(1, "next_attempt_at"), "");
  const auto retried = processor_->retry_waiting(1000, true);
  ASSERT_TRUE(retried);
  EXPECT_EQ(*retried, 0);
  EXPECT_EQ(event_column(1, "status"), "unmatched") << "terminal: no pass picks it up again";
  EXPECT_EQ(health().waiting, 0);
  EXPECT_EQ(health().unmatched, 1);

  pledged::UnmatchedEventRepository repository(*pool_);
  pledged::UnmatchedEventsReview review(repository, *processor_);
  const auto listed = review.list(100);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->count, 1);
  ASSERT_EQ(listed->events.size(), 1u);
  EXPECT_EQ(listed->events[0].id, id);
  EXPECT_NE(std::find(listed->events[0].awaits.begin(), listed->events[0].awaits.end(), "cs_payment_link_1"),
            listed->events[0].awaits.end());

  const pledged::AuditActor admin{"ana-admin", ""};
  const auto still = review.reapply(id, admin);
  ASSERT_TRUE(still) << still.error().message;
  EXPECT_EQ(*still, "unmatched") << "still no pledge: unmatched again";

  insert_pledges(*database_, {link});  // the pledge exists now (restored by staff)
  const auto applied = review.reapply(id, admin);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, "applied");
  EXPECT_EQ(ledger_sum(), 5000);
  EXPECT_EQ(
      database_->query_value("SELECT count(*) FROM audit_log WHERE action = 'webhook_event.reapply' AND target = '" +
                             id + "' AND actor = 'ana-admin'"),
      "2");
  const auto again = review.reapply(id, admin);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, pledged::ErrorCode::conflict);
  const auto unknown = review.reapply("evt_unknown", admin);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, pledged::ErrorCode::not_found);
  EXPECT_EQ(ledger_sum(), 5000);
}
