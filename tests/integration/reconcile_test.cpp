// Reconcile: events that never arrived are fetched page by page and fed through the
// same code path as the webhook. Pages come from a fake event list (the Stripe
// client that fetches real pages lives on the pledges branch).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "pledged/db/connection_pool.hpp"
#include "pledged/webhooks/event_processor.hpp"
#include "pledged/webhooks/reconcile.hpp"
#include "service_fixture.hpp"
#include "stripe_history.hpp"

using namespace pledged::testing;
using namespace pledged::webhooks;
using nlohmann::json;

namespace {

// Stripe's /v1/events: newest first, `limit` per page, `starting_after` an event id.
class FakeEventList {
 public:
  explicit FakeEventList(std::vector<std::string> oldest_first)
      : events_(oldest_first.rbegin(), oldest_first.rend()) {}

  pledged::Result<EventPage> page(const std::string& starting_after) {
    ++pages_served_;
    std::size_t start = 0;
    if (!starting_after.empty()) {
      while (start < events_.size() && json::parse(events_[start])["id"] != starting_after) ++start;
      ++start;
    }
    EventPage page;
    for (std::size_t i = start; i < events_.size() && page.events.size() < kLimit; ++i) {
      page.events.push_back(events_[i]);
    }
    page.has_more = start + page.events.size() < events_.size();
    return page;
  }

  int pages_served() const { return pages_served_; }

 private:
  static constexpr std::size_t kLimit = 100;
  std::vector<std::string> events_;
  int pages_served_ = 0;
};

class Reconcile : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<TestDatabase>();
    database_->execute("ALTER DATABASE " + database_->name() + " SET synchronous_commit = off");
    migrate_and_seed(*database_);
    history_ = generate_history(50);
    insert_pledges(*database_, history_.pledges);
    pool_ = std::make_unique<pledged::ConnectionPool>(pledged::PoolOptions{database_->url(), 4},
                                                      EventProcessor::statements());
    processor_ = std::make_unique<EventProcessor>(*pool_);
  }

  long long ledger_sum() const {
    return std::stoll(database_->query_value("SELECT coalesce(sum(amount), 0) FROM ledger_entries"));
  }

  std::unique_ptr<TestDatabase> database_;
  StripeHistory history_;
  std::unique_ptr<pledged::ConnectionPool> pool_;
  std::unique_ptr<EventProcessor> processor_;
};

}  // namespace

TEST_F(Reconcile, AppliesDroppedDeliveriesAndASecondRunAppliesNothing) {
  std::mt19937 random(7);
  std::bernoulli_distribution dropped(0.1);
  int delivered = 0;
  for (const auto& raw : history_.events) {
    if (dropped(random)) continue;
    const auto event = parse_stripe_event(raw);
    ASSERT_TRUE(event);
    ASSERT_TRUE(processor_->receive(*event, raw, EventSource::webhook));
    ++delivered;
  }
  const int missing = static_cast<int>(history_.events.size()) - delivered;
  ASSERT_GT(missing, 0);
  ASSERT_NE(ledger_sum(), history_.expected_raised) << "dropping deliveries should have lost money";

  FakeEventList stripe(history_.events);
  const auto first = reconcile_events(*processor_, [&](const std::string& after) { return stripe.page(after); });
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->seen, static_cast<int>(history_.events.size()));
  EXPECT_EQ(first->already_present, delivered);
  EXPECT_EQ(first->applied + first->waiting, missing);
  EXPECT_EQ(first->failed, 0);
  EXPECT_GE(stripe.pages_served(), 2) << "more than one page: paging is exercised";
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE status IN ('waiting', 'failed')"), "0");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE source = 'reconcile'"),
            std::to_string(missing));
  EXPECT_EQ(ledger_sum(), history_.expected_raised);
  for (const auto& pledge : history_.pledges) {
    EXPECT_EQ(database_->query_value("SELECT status FROM pledges WHERE id = '" + pledge.id + "'"),
              pledge.expected_status);
  }

  const auto second = reconcile_events(*processor_, [&](const std::string& after) { return stripe.page(after); });
  ASSERT_TRUE(second);
  EXPECT_EQ(second->applied, 0);
  EXPECT_EQ(second->waiting, 0);
  EXPECT_EQ(second->already_present, static_cast<int>(history_.events.size()));
  EXPECT_EQ(ledger_sum(), history_.expected_raised);
}

TEST_F(Reconcile, StopsAtAPageThatCannotBeFetchedAndKeepsWhatItApplied) {
  FakeEventList stripe(history_.events);
  int calls = 0;
  const auto report = reconcile_events(*processor_, [&](const std::string& after) -> pledged::Result<EventPage> {
    if (++calls == 2) return pledged::make_error(pledged::ErrorCode::unavailable, "Stripe unreachable");
    return stripe.page(after);
  });
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, pledged::ErrorCode::unavailable);
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events"), "100");
}
