// Order independence: the same set of Stripe events, delivered in many random orders
// with random repeats, always ends in the same ledger, pledge states and totals.
// The many orders run in-process through EventProcessor (the code path the webhook
// route calls) against a real database; a few more run over real HTTP. Events that
// arrive together are stored and applied in batches (webhooks/src/db/event_batch.hpp):
// deliveries from many threads at once end as deliveries one by one do, and an event
// whose write fails takes no other event of its batch with it.
//
// The suite runs a short mode (kShortInProcessOrders); the long mode is opt-in:
//   PLEDGED_WEBHOOK_ORDERS=100 scripts/test -R '^integration_webhook_order$'
// Twenty orders already put each of the history's events early and late many times over;
// a hundred cost minutes under the sanitizers (395 s under ASan on a loaded machine)
// and belong outside the test command's 30-minute budget.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>
#include <thread>

#include "pledged/db/connection_pool.hpp"
#include "pledged/db/progress_repository.hpp"
#include "pledged/webhooks/event_processor.hpp"
#include "service_fixture.hpp"
#include "stripe_history.hpp"

using namespace pledged::testing;
using nlohmann::json;
using pledged::webhooks::EventProcessor;
using pledged::webhooks::EventSource;

namespace {

constexpr int kPledges = 50;
constexpr int kShortInProcessOrders = 12;
constexpr int kHttpOrders = 3;

constexpr int kConcurrentOrders = 4;
constexpr int kConcurrentSenders = 16;

struct FinalState {
  std::string ledger;   // every row's pledge, kind, Stripe object and amount
  std::string pledges;  // every pledge's status
  std::string emails;   // every queued receipt (refund notices depend on the order: one per refunded total seen)
  long long ledger_sum = 0;

  bool operator==(const FinalState& other) const {
    return ledger == other.ledger && pledges == other.pledges && emails == other.emails &&
           ledger_sum == other.ledger_sum;
  }
};

// PLEDGED_WEBHOOK_ORDERS (a positive count) selects the long mode.
int in_process_orders() {
  const char* configured = std::getenv("PLEDGED_WEBHOOK_ORDERS");
  if (configured == nullptr || *configured == '\0') return kShortInProcessOrders;
  const int orders = std::atoi(configured);
  if (orders <= 0) throw std::invalid_argument("PLEDGED_WEBHOOK_ORDERS must be a positive count");
  return orders;
}

FinalState final_state(const TestDatabase& database) {
  FinalState state;
  state.ledger = database.query_value(
      "SELECT string_agg(concat_ws('|', campaign_id, pledge_id, kind, stripe_object_id, amount, currency, donor_key, "
      "occurred_at), E'\\n' ORDER BY kind, stripe_object_id) FROM ledger_entries");
  state.pledges = database.query_value("SELECT string_agg(id || '|' || status, E'\\n' ORDER BY id) FROM pledges");
  state.emails = database.query_value(
      "SELECT string_agg(concat_ws('|', kind, recipient, amount, currency), E'\\n' "
      "ORDER BY kind, recipient, amount, currency) FROM email_outbox WHERE kind = 'receipt'");
  state.ledger_sum = std::stoll(database.query_value("SELECT coalesce(sum(amount), 0) FROM ledger_entries"));
  return state;
}

void expect_statuses(const TestDatabase& database, const StripeHistory& history) {
  for (const auto& pledge : history.pledges) {
    EXPECT_EQ(database.query_value("SELECT status FROM pledges WHERE id = '" + pledge.id + "'"), pledge.expected_status)
        << pledge.id;
  }
}

// Every event once, plus about one in five again, shuffled.
std::vector<std::string> random_delivery(const StripeHistory& history, std::mt19937& random) {
  std::vector<std::string> deliveries = history.events;
  std::bernoulli_distribution repeat(0.2);
  for (const auto& event : history.events) {
    if (repeat(random)) deliveries.push_back(event);
  }
  std::shuffle(deliveries.begin(), deliveries.end(), random);
  return deliveries;
}

void reset_stripe_state(const TestDatabase& database) {
  database.execute(
      "DELETE FROM email_outbox; DELETE FROM ledger_entries; DELETE FROM webhook_events; DELETE FROM stripe_links; "
      "DELETE FROM stripe_refunds; "
      "DELETE FROM stripe_charge_refunds; "
      "UPDATE pledges SET status = 'pending', stripe_payment_intent_id = NULL, stripe_subscription_id = NULL, "
      "stripe_customer_id = NULL");
}

// Every delivery from `senders` threads at once, each taking the next one in the list.
// Returns how many were not recorded.
int deliver_concurrently(EventProcessor& processor, const std::vector<std::string>& deliveries, int senders) {
  std::atomic<std::size_t> next{0};
  std::atomic<int> not_recorded{0};
  const auto send = [&] {
    for (std::size_t i = next++; i < deliveries.size(); i = next++) {
      const auto event = pledged::webhooks::parse_stripe_event(deliveries[i]);
      if (!event || !processor.receive(*event, deliveries[i], EventSource::webhook)) ++not_recorded;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t) threads.emplace_back(send);
  for (auto& thread : threads) thread.join();
  return not_recorded.load();
}

// The periodic pass's work, done at once.
void retry_until_settled(EventProcessor& processor) {
  while (true) {
    const auto retried = processor.retry_waiting(1000, true);
    ASSERT_TRUE(retried);
    if (*retried == 0) break;
  }
}

class WebhookOrder : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<TestDatabase>();
    // Thousands of small commits: durability of this throw-away database is not
    // under test (crash safety is, over HTTP, with the server's own settings).
    database_->execute("ALTER DATABASE " + database_->name() + " SET synchronous_commit = off");
    migrate_and_seed(*database_);
    history_ = generate_history(kPledges);
    insert_pledges(*database_, history_.pledges);
  }

  std::unique_ptr<TestDatabase> database_;
  StripeHistory history_;
};

}  // namespace

TEST_F(WebhookOrder, AnyOrderWithRepeatsGivesTheSameFinalState) {
  auto statements = EventProcessor::statements();
  const auto progress_statements = pledged::ProgressRepository::statements();
  statements.insert(statements.end(), progress_statements.begin(), progress_statements.end());
  pledged::ConnectionPool pool(pledged::PoolOptions{database_->url(), 4}, statements);
  EventProcessor processor(pool);
  pledged::ProgressRepository progress(pool);

  std::mt19937 random(20261127);
  std::optional<FinalState> first;
  const int orders = in_process_orders();
  std::cout << "[ figures  ] " << orders << " random orders in process\n";
  for (int order = 0; order < orders; ++order) {
    reset_stripe_state(*database_);
    for (const auto& raw : random_delivery(history_, random)) {
      const auto event = pledged::webhooks::parse_stripe_event(raw);
      ASSERT_TRUE(event);
      const auto outcome = processor.receive(*event, raw, EventSource::webhook);
      ASSERT_TRUE(outcome) << outcome.error().message;
    }
    retry_until_settled(processor);
    ASSERT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE status IN ('waiting', 'failed')"), "0")
        << "order " << order;
    const auto state = final_state(*database_);
    if (!first) {
      first = state;
      EXPECT_EQ(state.ledger_sum, history_.expected_raised);
      expect_statuses(*database_, history_);
    } else {
      ASSERT_TRUE(state == *first) << "order " << order << " ended differently";
    }
    const auto totals = progress.load_all();
    ASSERT_TRUE(totals);
    ASSERT_EQ(totals->size(), 1u);
    ASSERT_EQ(totals->front().totals.raised, state.ledger_sum) << "raised must equal the ledger sum";
  }
}

TEST_F(WebhookOrder, EventsArrivingTogetherEndAsEventsDeliveredOneByOne) {
  pledged::ConnectionPool pool(pledged::PoolOptions{database_->url(), 8}, EventProcessor::statements());
  EventProcessor processor(pool);
  std::mt19937 random(20261207);

  reset_stripe_state(*database_);
  for (const auto& raw : history_.events) {
    const auto event = pledged::webhooks::parse_stripe_event(raw);
    ASSERT_TRUE(event);
    ASSERT_TRUE(processor.receive(*event, raw, EventSource::webhook));
  }
  retry_until_settled(processor);
  const auto one_by_one = final_state(*database_);
  ASSERT_EQ(one_by_one.ledger_sum, history_.expected_raised);
  expect_statuses(*database_, history_);

  for (int order = 0; order < kConcurrentOrders; ++order) {
    reset_stripe_state(*database_);
    // Each event several times over, so that copies of one event and several events of one
    // pledge share batches.
    std::vector<std::string> deliveries;
    for (int copies = 0; copies < 3; ++copies) {
      const auto some = random_delivery(history_, random);
      deliveries.insert(deliveries.end(), some.begin(), some.end());
    }
    std::shuffle(deliveries.begin(), deliveries.end(), random);
    ASSERT_EQ(deliver_concurrently(processor, deliveries, kConcurrentSenders), 0) << "order " << order;
    retry_until_settled(processor);
    ASSERT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE status IN ('waiting', 'failed')"), "0")
        << "order " << order;
    ASSERT_EQ(database_->query_value("SELECT count(*) FROM webhook_events"), std::to_string(history_.events.size()));
    const auto state = final_state(*database_);
    EXPECT_TRUE(state == one_by_one) << "order " << order << " ended differently from one by one:\n"
                                     << state.ledger << "\n"
                                     << state.emails;
  }
}

TEST_F(WebhookOrder, AnEventWhoseWriteFailsInABatchFailsAloneAndTheOthersApply) {
  pledged::ConnectionPool pool(pledged::PoolOptions{database_->url(), 8}, EventProcessor::statements());
  EventProcessor processor(pool);
  // A fault for one pledge's money only (a constraint or a bug would look the same): the
  // first pledge of the history is paid once, by card (generate_history's first case).
  const auto& poisoned = history_.pledges.front();
  ASSERT_EQ(poisoned.expected_status, "paid");
  database_->execute(
      "CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "RAISE EXCEPTION 'poisoned ledger row'; END $$; "
      "CREATE TRIGGER test_poison BEFORE INSERT ON ledger_entries FOR EACH ROW WHEN (NEW.pledge_id = '" +
      poisoned.id + "') EXECUTE FUNCTION test_poison()");
  reset_stripe_state(*database_);
  std::mt19937 random(7);
  ASSERT_EQ(deliver_concurrently(processor, random_delivery(history_, random), kConcurrentSenders), 0);
  retry_until_settled(processor);

  // Every event is stored once; only the poisoned pledge's money-moving ones failed.
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events"), std::to_string(history_.events.size()));
  EXPECT_NE(database_->query_value("SELECT count(*) FROM webhook_events WHERE status = 'failed'"), "0");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE status = 'failed' AND NOT ("
                                   "raw_body LIKE '%" +
                                   poisoned.id + "%' OR raw_body LIKE '%" + poisoned.checkout_session_id + "%')"),
            "0");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE status = 'waiting'"), "0");
  EXPECT_EQ(std::stoll(database_->query_value("SELECT coalesce(sum(amount), 0) FROM ledger_entries")),
            history_.expected_raised - poisoned.amount);
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM ledger_entries WHERE pledge_id = '" + poisoned.id + "'"), "0");
}

// The copy of `pledge`'s event of `type`, under the id `id`.
std::string pledge_event_as(const StripeHistory& history, const HistoryPledge& pledge, const std::string& type,
                            const std::string& id) {
  for (const auto& raw : history.events) {
    auto event = json::parse(raw);
    if (event["type"] == type && event["data"]["object"].value("client_reference_id", "") == pledge.id) {
      event["id"] = id;
      return event.dump();
    }
  }
  throw std::logic_error("no " + type + " for " + pledge.id);
}

// Two events of one pledge in one batch: the second is computed from what the first
// wrote, not from the pledge as the batch locked it. Each pair would end wrong if both
// were computed from `pending`: a bank debit's checkout (awaiting_payment) and its
// success (paid), in both orders of their ids; one by one, both pledges end paid.
TEST_F(WebhookOrder, APledgesLaterEventInABatchSeesWhatItsFirstWrote) {
  pledged::ConnectionPool pool(pledged::PoolOptions{database_->url(), 8}, EventProcessor::statements());
  EventProcessor processor(pool);
  reset_stripe_state(*database_);
  const auto& first = history_.pledges.at(3);  // generate_history's bank debit that clears
  const auto& second = history_.pledges.at(13);
  ASSERT_EQ(first.expected_status, "paid");
  ASSERT_EQ(second.expected_status, "paid");
  const std::vector<std::string> together{
      pledge_event_as(history_, first, "checkout.session.completed", "evt_together_a1"),
      pledge_event_as(history_, first, "checkout.session.async_payment_succeeded", "evt_together_a2"),
      pledge_event_as(history_, second, "checkout.session.async_payment_succeeded", "evt_together_b1"),
      pledge_event_as(history_, second, "checkout.session.completed", "evt_together_b2")};

  // Both batches allowed at once wait on a lock, so that the four events queue up behind
  // them and make one batch when it is released.
  pqxx::connection holder(database_->url());
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE webhook_events IN EXCLUSIVE MODE");
  const std::vector<std::string> blockers{
      stripe_event("evt_together_block_1", "customer.created", json{{"id", "cus_block_1"}, {"object", "customer"}}, 1),
      stripe_event("evt_together_block_2", "customer.created", json{{"id", "cus_block_2"}, {"object", "customer"}}, 1)};
  std::vector<std::thread> senders;
  std::atomic<int> not_recorded{0};
  const auto send = [&](const std::string& raw) {
    senders.emplace_back([&, raw] {
      const auto event = pledged::webhooks::parse_stripe_event(raw);
      if (!event || !processor.receive(*event, raw, EventSource::webhook)) ++not_recorded;
    });
  };
  for (const auto& raw : blockers) send(raw);
  const auto since = std::chrono::steady_clock::now();
  while (pool.stats().in_use < 2 && std::chrono::steady_clock::now() - since < std::chrono::seconds(1)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (const auto& raw : together) send(raw);
  // Well inside the pool's timeout (2 s), which an event waiting for a batch also keeps.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  lock.commit();
  for (auto& sender : senders) sender.join();
  ASSERT_EQ(not_recorded.load(), 0);
  retry_until_settled(processor);

  for (const auto* pledge : {&first, &second}) {
    EXPECT_EQ(database_->query_value("SELECT status FROM pledges WHERE id = '" + pledge->id + "'"), "paid")
        << pledge->id;
    EXPECT_EQ(database_->query_value("SELECT string_agg(kind || ' ' || amount, ',') FROM ledger_entries "
                                     "WHERE pledge_id = '" +
                                     pledge->id + "'"),
              "payment " + std::to_string(pledge->amount));
    EXPECT_EQ(database_->query_value("SELECT count(*) FROM email_outbox e JOIN ledger_entries l "
                                     "ON l.id = e.ledger_entry_id WHERE e.kind = 'receipt' AND l.pledge_id = '" +
                                     pledge->id + "'"),
              "1");
  }
}

class WebhookOrderOverHttp : public ServiceFixture {
 protected:
  WebhookOrderOverHttp() { extra_env_["STRIPE_WEBHOOK_SECRET"] = kWebhookSecret; }
};

TEST_F(WebhookOrderOverHttp, ConcurrentRandomOrdersGiveTheSameTotals) {
  const auto history = generate_history(kPledges);
  insert_pledges(*database_, history.pledges);
  std::mt19937 random(4242);
  std::optional<FinalState> first;
  for (int order = 0; order < kHttpOrders; ++order) {
    reset_stripe_state(*database_);
    const auto deliveries = random_delivery(history, random);
    std::atomic<std::size_t> next{0};
    std::atomic<int> not_ok{0};
    std::vector<std::thread> senders;
    for (int s = 0; s < 6; ++s) {
      senders.emplace_back([&] {
        for (std::size_t i = next++; i < deliveries.size(); i = next++) {
          const auto& body = deliveries[i];
          if (http_request(port(), "POST", "/v1/webhooks/stripe", stripe_signature_headers(body, unix_now()), body)
                  .status != 200) {
            ++not_ok;
          }
        }
      });
    }
    for (auto& sender : senders) sender.join();
    EXPECT_EQ(not_ok.load(), 0);
    // Waiting events whose pledge arrived concurrently are settled by the retries.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (database_->query_value("SELECT count(*) FROM webhook_events WHERE status IN ('waiting', 'failed')") != "0" &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const auto state = final_state(*database_);
    EXPECT_EQ(state.ledger_sum, history.expected_raised) << "order " << order;
    if (!first) {
      first = state;
      expect_statuses(*database_, history);
    } else {
      EXPECT_TRUE(state == *first) << "order " << order << " ended differently";
    }
    const auto progress_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    json progress;
    do {
      progress = json::parse(http_get(port(), "/v1/campaigns/eoy-2026/progress").body);
      if (progress["raised"] == state.ledger_sum) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < progress_deadline);
    EXPECT_EQ(progress["raised"], state.ledger_sum);
  }
}
