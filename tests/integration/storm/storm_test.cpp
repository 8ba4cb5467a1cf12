// The storm test (issue 13): random Stripe histories of pledges, delivered signed over real
// HTTP to a running pledged on a real PostgreSQL, and each pledge's ledger net and the
// progress route's `raised` compared with an independent model of API.md's counting rules
// (ledger_model.cpp). A history is one pledge's world: one-time or monthly, installments,
// partial and full refunds (some failing or canceled), disputes lost, won, lost-then-won,
// the same customer's foreign charges, invoices and subscriptions, forged amounts, the
// other livemode; every event once or more, in any order. Histories are batched: a
// hundred pledges' events interleaved per delivery pass.
//
// A disagreement is shrunk (events dropped one at a time while the replayed history still
// disagrees) and printed with its seed and number. Modes:
//   suite:  kShortHistories histories, seed kDefaultSeed (CTest `integration_storm`)
//   long:   PLEDGED_STORM_HISTORIES=10000 scripts/test -R '^integration_storm$'
//   replay: PLEDGED_STORM_SEED=<seed> PLEDGED_STORM_HISTORIES=<number + 1> (the failure's line)
// PLEDGED_STORM_SENDERS=N delivers each batch from N client threads at once (default 1: the
// suite's order is deterministic): the long mode's speed on two cores, and concurrent
// deliveries of one pledge's events on top of the shuffled order.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "../staff_fixture.hpp"
#include "csv_reader.hpp"
#include "ledger_model.hpp"
#include "storm_histories.hpp"
#include "stripe_history.hpp"

using namespace pledged::testing;
using namespace pledged::testing::storm;
using nlohmann::json;

namespace {

constexpr int kShortHistories = 150;
constexpr int kBatch = 100;
constexpr std::uint64_t kDefaultSeed = 20261129;
constexpr int kShrinkReplays = 400;  // a bound on one shrink; histories are tens of events
constexpr int kReportedFailures = 3;
// A match over every payment of the campaign (issue 18): two to one at half rate, a per-gift
// cap that some gifts reach, and a campaign cap that the suite's histories pass partway through.
constexpr ModelMatch kStormMatch{50, 2500, 400000};

std::uint64_t storm_seed() {
  const char* configured = std::getenv("PLEDGED_STORM_SEED");
  if (configured == nullptr || *configured == '\0') return kDefaultSeed;
  return std::stoull(configured);
}

int storm_histories() {
  const char* configured = std::getenv("PLEDGED_STORM_HISTORIES");
  if (configured == nullptr || *configured == '\0') return kShortHistories;
  const int histories = std::atoi(configured);
  if (histories <= 0) throw std::invalid_argument("PLEDGED_STORM_HISTORIES must be a positive count");
  return histories;
}

int storm_senders() {
  const char* configured = std::getenv("PLEDGED_STORM_SENDERS");
  if (configured == nullptr || *configured == '\0') return 1;
  const int senders = std::atoi(configured);
  if (senders <= 0 || senders > 64) throw std::invalid_argument("PLEDGED_STORM_SENDERS must be 1 to 64");
  return senders;
}

std::string listing(const std::vector<StormEvent>& deliveries) {
  std::ostringstream out;
  for (const auto& event : deliveries) out << "    " << describe(event) << "\n";
  return out.str();
}

class Storm : public StaffFixture {
 protected:
  Storm() {
    extra_env_["STRIPE_WEBHOOK_SECRET"] = kWebhookSecret;
    // Thousands of small commits: durability of this throw-away database is not under
    // test here (crash safety is, in Webhooks.KillNineMidStorm… and DatabaseCrash.*).
    extra_env_["PGOPTIONS"] = "-c synchronous_commit=off";
  }

  RenderedPledge new_pledge(const ModelPledge& model) {
    return render_pledge(model, "st" + std::to_string(next_tag_++) + "x" + run_);
  }

  void post(const std::string& body) {
    const auto reply =
        http_request(port(), "POST", "/v1/webhooks/stripe", stripe_signature_headers(body, unix_now()), body);
    ASSERT_EQ(reply.status, 200) << reply.body;
  }

  // Delivers every body from `senders` threads, each taking the next one in the list: the
  // first answer that is not 200, or empty when every delivery was accepted.
  std::string post_all(const std::vector<std::string>& bodies, int senders) {
    std::atomic<std::size_t> next{0};
    std::mutex failure_lock;
    std::string failure;
    const auto send = [&] {
      for (std::size_t i = next++; i < bodies.size(); i = next++) {
        const auto reply = http_request(port(), "POST", "/v1/webhooks/stripe",
                                        stripe_signature_headers(bodies[i], unix_now()), bodies[i]);
        if (reply.status == 200) continue;
        const std::lock_guard<std::mutex> hold(failure_lock);
        if (failure.empty()) failure = std::to_string(reply.status) + " " + reply.body;
        next = bodies.size();
      }
    };
    std::vector<std::thread> threads;
    for (int t = 1; t < senders; ++t) threads.emplace_back(send);
    send();
    for (auto& thread : threads) thread.join();
    return failure;
  }

  std::int64_t ledger_net(const RenderedPledge& pledge) const {
    return std::stoll(database_->query_value("SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE pledge_id = '" +
                                             pledge.pledge.id + "'"));
  }

  std::map<std::string, std::int64_t> ledger_nets() const {
    std::map<std::string, std::int64_t> nets;
    std::istringstream rows(database_->query_value(
        "SELECT string_agg(pledge_id || ' ' || net, E'\\n') FROM "
        "(SELECT pledge_id, sum(amount) AS net FROM ledger_entries GROUP BY pledge_id) AS per_pledge"));
    std::string id;
    std::int64_t net = 0;
    while (rows >> id >> net) nets[id] = net;
    return nets;
  }

  // The banner's figures (raised, matched), read until they show `expected` (they follow a
  // change within 2 seconds, API.md) or a few seconds have passed: the last values read.
  std::pair<std::int64_t, std::int64_t> progress_figures(std::pair<std::int64_t, std::int64_t> expected) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::pair<std::int64_t, std::int64_t> figures;
    do {
      const auto body = json::parse(http_get(port(), "/v1/campaigns/eoy-2026/progress").body);
      figures = {body["raised"].get<std::int64_t>(), body["matched"].get<std::int64_t>()};
      if (figures == expected) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < deadline);
    return figures;
  }

  void create_storm_match() {
    const auto created = staff_send("POST", "/v1/admin/campaigns/eoy-2026/matches", admin_token_,
                                    {{"sponsor", "Storm Fund"},
                                     {"ratio", kStormMatch.ratio},
                                     {"per_gift_cap", kStormMatch.per_gift_cap},
                                     {"cap", kStormMatch.cap},
                                     {"applies_to", "all"}});
    ASSERT_EQ(created.status, 201) << created.body;
  }

  // One history alone, on a pledge of its own, in the given order: the ledger's net.
  std::int64_t replay(const ModelPledge& model, const std::vector<StormEvent>& deliveries) {
    const auto pledge = new_pledge(model);
    insert_pledges(*database_, {pledge.pledge});
    for (const auto& event : deliveries) post(render_event(event, pledge));
    return ledger_net(pledge);
  }

  // Drops events one at a time while the replayed history still disagrees with the model.
  std::vector<StormEvent> shrink(const ModelPledge& model, std::vector<StormEvent> deliveries) {
    int replays = 0;
    for (bool dropped = true; dropped && replays < kShrinkReplays;) {
      dropped = false;
      for (std::size_t i = 0; i < deliveries.size() && replays < kShrinkReplays; ++i) {
        auto candidate = deliveries;
        candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(i));
        ++replays;
        if (replay(model, candidate) != pledge_net(model, candidate)) {
          deliveries = std::move(candidate);
          dropped = true;
          --i;
        }
      }
    }
    return deliveries;
  }

  // A fixed history, delivered in its order and reversed: the ledger, the model and the
  // amount the case states all agree.
  void expect_history(const ModelPledge& model, std::vector<StormEvent> deliveries, std::int64_t stated) {
    EXPECT_EQ(pledge_net(model, deliveries), stated) << "the model disagrees with the issue's case";
    EXPECT_EQ(replay(model, deliveries), stated) << "in order:\n" << listing(deliveries);
    std::reverse(deliveries.begin(), deliveries.end());
    EXPECT_EQ(replay(model, deliveries), stated) << "reversed:\n" << listing(deliveries);
  }

  int next_tag_ = 0;
  std::string run_ = new_pledge_id().substr(3, 6);
};

// A fluent StormEvent for the fixed histories below.
struct Event {
  StormEvent e;
  Event(int number, Kind kind, const std::string& type, const std::string& object) {
    e.number = number;
    e.kind = kind;
    e.type = type;
    e.object = object;
  }
  Event& amount(std::int64_t value) { return e.amount = value, *this; }
  Event& charge_amount(std::int64_t value) { return e.charge_amount = value, *this; }
  Event& status(const std::string& value) { return e.status = value, *this; }
  Event& pledge() { return e.names_pledge = true, *this; }
  Event& intent(const std::string& id) { return e.intent = id, *this; }
  Event& charge(const std::string& id) { return e.charge = id, *this; }
  Event& subscription(const std::string& id) { return e.subscription = id, *this; }
  Event& live() { return e.livemode = true, *this; }
  operator StormEvent() const { return e; }
};

}  // namespace

TEST_F(Storm, RandomHistoriesAgreeWithTheModel) {
  const auto seed = storm_seed();
  const int histories = storm_histories();
  const int senders = storm_senders();
  std::cout << "[ figures  ] storm: " << histories << " histories, seed " << seed << ", " << senders
            << " sender(s) (PLEDGED_STORM_HISTORIES, PLEDGED_STORM_SEED, PLEDGED_STORM_SENDERS)\n";
  ASSERT_NO_FATAL_FAILURE(create_storm_match());
  std::mt19937_64 interleave(seed);
  std::int64_t campaign_expected = 0;
  std::int64_t fees_expected = 0;  // of the campaign's gross, the covered fees
  std::int64_t earned_expected = 0;  // before the match's cap
  int disagreements = 0, events_delivered = 0;
  for (int first = 0; first < histories; first += kBatch) {
    const int count = std::min(kBatch, histories - first);
    std::vector<StormHistory> batch;
    std::vector<RenderedPledge> pledges;
    std::vector<HistoryPledge> rows;
    std::vector<std::pair<int, std::size_t>> order;  // (history in batch, delivery)
    for (int h = 0; h < count; ++h) {
      batch.push_back(generate_history(seed, first + h));
      // The model against the world the history was drawn from, before any HTTP.
      ASSERT_EQ(pledge_net(batch.back().pledge, batch.back().deliveries), batch.back().world_net)
          << "the model disagrees with the world of history " << first + h << " (seed " << seed << "):\n"
          << listing(batch.back().deliveries);
      pledges.push_back(new_pledge(batch.back().pledge));
      rows.push_back(pledges.back().pledge);
      for (std::size_t d = 0; d < batch.back().deliveries.size(); ++d) order.emplace_back(h, d);
    }
    insert_pledges(*database_, rows);
    // Each history keeps its own shuffled order; the batch's histories interleave at random.
    std::shuffle(order.begin(), order.end(), interleave);
    std::vector<std::size_t> next(count, 0);
    for (auto& [h, d] : order) d = next[h]++;
    std::vector<std::string> bodies;
    bodies.reserve(order.size());
    for (const auto& [h, d] : order) bodies.push_back(render_event(batch[h].deliveries[d], pledges[h]));
    const auto refused = post_all(bodies, senders);
    ASSERT_TRUE(refused.empty()) << "a delivery was refused: " << refused;
    events_delivered += static_cast<int>(bodies.size());

    const auto nets = ledger_nets();
    for (int h = 0; h < count; ++h) {
      const auto expected = pledge_net(batch[h].pledge, batch[h].deliveries);
      campaign_expected += expected;
      fees_expected += pledge_fees_covered(batch[h].pledge, batch[h].deliveries);
      earned_expected += pledge_match_earned(batch[h].pledge, batch[h].deliveries, kStormMatch);
      const auto found = nets.find(pledges[h].pledge.id);
      const auto got = found == nets.end() ? 0 : found->second;
      if (got == expected) continue;
      if (++disagreements > kReportedFailures) continue;
      const auto minimal = shrink(batch[h].pledge, batch[h].deliveries);
      ADD_FAILURE() << "history " << first + h << " of seed " << seed << " ("
                    << (batch[h].pledge.monthly ? "monthly" : "once") << " " << batch[h].pledge.amount << " fee "
                    << batch[h].pledge.fee << "): ledger " << got << ", model " << expected
                    << "\n  replay: PLEDGED_STORM_SEED=" << seed << " PLEDGED_STORM_HISTORIES=" << first + h + 1
                    << "\n  smallest history that disagrees (" << minimal.size() << " of " << batch[h].deliveries.size()
                    << " deliveries; ledger " << replay(batch[h].pledge, minimal) << ", model "
                    << pledge_net(batch[h].pledge, minimal) << "):\n"
                    << listing(minimal);
    }
    // Shrinking replays add pledges of their own: the campaign's figure is compared while
    // every pledge in it is a history's.
    if (disagreements == 0) {
      const std::pair<std::int64_t, std::int64_t> expected{campaign_expected,
                                                           std::min(kStormMatch.cap, earned_expected)};
      ASSERT_EQ(progress_figures(expected), expected) << "(raised, matched) after history " << first + count;
    }
  }
  const auto matched_expected = std::min(kStormMatch.cap, earned_expected);
  if (disagreements == 0) {
    // The staff report's `raised`, and gifts.csv's rows (one per counted movement) summed.
    const auto report = staff_get("/v1/reports/campaigns/eoy-2026", viewer_token_);
    ASSERT_EQ(report.status, 200) << report.body;
    EXPECT_EQ(json::parse(report.body)["raised"].get<std::int64_t>(), campaign_expected);
    EXPECT_EQ(json::parse(report.body)["fees_covered"].get<std::int64_t>(), fees_expected) << "the covered fees";
    EXPECT_EQ(json::parse(report.body)["matched"].get<std::int64_t>(), matched_expected);
    const auto csv = staff_get("/v1/reports/campaigns/eoy-2026/gifts.csv", viewer_token_);
    ASSERT_EQ(csv.status, 200);
    const auto rows = parse_csv(csv.body);
    ASSERT_FALSE(rows.empty());
    const auto amount = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "amount") - rows[0].begin());
    ASSERT_LT(amount, rows[0].size());
    const auto match = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "match") - rows[0].begin());
    ASSERT_LT(match, rows[0].size());
    std::int64_t csv_total = 0, csv_matched = 0;
    for (std::size_t r = 1; r < rows.size(); ++r) {
      csv_total += std::stoll(rows[r].at(amount));
      csv_matched += std::stoll(rows[r].at(match));
    }
    EXPECT_EQ(csv_total, campaign_expected) << "the sum of gifts.csv";
    EXPECT_EQ(csv_matched, matched_expected) << "the sum of gifts.csv's match column";
  }
  std::cout << "[ figures  ] storm: " << events_delivered << " deliveries, " << disagreements << " disagreements, "
            << fees_expected << " in covered fees; the match earned " << earned_expected << " before its cap of "
            << kStormMatch.cap << "\n";
  EXPECT_EQ(disagreements, 0);
}

// The histories that first showed issue 13's cases, kept as named tests. The issue's own
// regression tests: case 1 MoneyEdges.ForeignMoneyOfAMonthlyDonorsCustomerNeverTouchesThePledge,
// case 2 AdminWithStripe.ARefundRetriedAfterATimedOutAnswerRefundsOnce and
// TwoRefundsWithTwoKeysAreTwoRefunds (the refund route), case 3
// MoneyEdges.FailedRefundReturnsToTheTotalAndEachPartialRefundKeepsItsDate, case 6
// MoneyEdges.ForgedOneTimeAmountIsStoredAsFailedAndNeverCounts and
// EventOfTheOtherModeIsStoredAsFailedAndNeverCounts. These run the same histories through
// the storm's path: over HTTP, against the model.

// Case 1: a monthly donor's customer is billed for a gala ticket, refunded and disputed
// on the gala charge, and ends a newsletter subscription: none of it is the gift's.
TEST_F(Storm, Case1ForeignMoneyOfTheDonorsCustomer) {
  const ModelPledge monthly{true, 1500};
  expect_history(
      monthly,
      {Event(0, Kind::checkout_subscription, "checkout.session.completed", "cs").pledge().subscription("sub_gift"),
       Event(1, Kind::invoice_paid, "invoice.paid", "in_gift").subscription("sub_gift").amount(1500),
       Event(2, Kind::invoice_paid, "invoice.paid", "in_gala").amount(20000),
       Event(3, Kind::charge_refunded, "charge.refunded", "ch_gala")
           .intent("pi_gala")
           .amount(5000)
           .charge_amount(20000),
       Event(4, Kind::dispute, "charge.dispute.closed", "dp_gala")
           .charge("ch_gala")
           .intent("pi_gala")
           .amount(20000)
           .status("lost"),
       Event(5, Kind::subscription_deleted, "customer.subscription.deleted", "sub_newsletter")},
      1500);
}

// Case 2, as Stripe's events tell it: two deliberate refunds of the same amount are two
// refunds, and a repeated delivery of either is the same refund.
TEST_F(Storm, Case2TwoRefundsOfTheSameAmountAndARepeat) {
  const ModelPledge once{false, 5000};
  const auto refund = [](int number, const std::string& id) {
    return Event(number, Kind::refund, "refund.created", id)
        .charge("ch_1")
        .intent("pi_1")
        .amount(1000)
        .status("succeeded");
  };
  const auto refunded = [](int number, std::int64_t cumulative) {
    return Event(number, Kind::charge_refunded, "charge.refunded", "ch_1")
        .intent("pi_1")
        .amount(cumulative)
        .charge_amount(5000);
  };
  expect_history(
      once,
      {Event(0, Kind::checkout_paid, "checkout.session.completed", "cs").pledge().intent("pi_1").amount(5000),
       refund(1, "re_a"), refunded(2, 1000), refund(3, "re_b"), refunded(4, 2000), refund(1, "re_a"),
       refunded(2, 1000)},
      3000);
}

// Case 3: a partial refund that fails after it was counted gives its money back.
TEST_F(Storm, Case3AFailedRefundGivesItsMoneyBack) {
  const ModelPledge once{false, 3000};
  const auto on_charge = [](int number, std::int64_t cumulative) {
    return Event(number, Kind::charge_refunded, "charge.refunded", "ch_r")
        .intent("pi_r")
        .amount(cumulative)
        .charge_amount(3000);
  };
  const auto refund = [](int number, const std::string& type, const std::string& id, std::int64_t amount,
                         const std::string& status) {
    return Event(number, Kind::refund, type, id).charge("ch_r").intent("pi_r").amount(amount).status(status);
  };
  expect_history(
      once,
      {Event(0, Kind::checkout_paid, "checkout.session.completed", "cs").pledge().intent("pi_r").amount(3000),
       refund(1, "refund.created", "re_1", 700, "succeeded"), on_charge(2, 700),
       refund(3, "refund.created", "re_2", 500, "pending"), on_charge(4, 1200),
       refund(5, "charge.refund.updated", "re_2", 500, "failed")},
      2300);
}

// Case 6: a forged amount (checkout and payment intent) and a genuine event sent in the
// other mode never count; the genuine payment counts once.
TEST_F(Storm, Case6ForgedAmountsAndTheOtherModeNeverCount) {
  const ModelPledge once{false, 2500};
  const auto checkout = [](int number, std::int64_t amount) {
    return Event(number, Kind::checkout_paid, "checkout.session.completed", "cs")
        .pledge()
        .intent("pi_f")
        .amount(amount);
  };
  expect_history(once,
                 {checkout(0, 9999999999LL),
                  Event(1, Kind::intent_succeeded, "payment_intent.succeeded", "pi_f")
                      .pledge()
                      .charge("ch_f")
                      .amount(9999999999LL),
                  checkout(2, 2500).live(), checkout(3, 2500)},
                 2500);
}
