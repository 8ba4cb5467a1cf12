// Reconcile: events that never arrived are fetched page by page and fed through the
// same code path as the webhook. Pages come from a fake event list, or, for the
// command, from a fake /v1/events server and the Stripe stand-in through the one
// Stripe client.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "pledged/db/connection_pool.hpp"
#include "pledged/stripe/event_page.hpp"
#include "pledged/stripe/form_encoding.hpp"
#include "pledged/stripe/stripe_client.hpp"
#include "pledged/webhooks/event_processor.hpp"
#include "pledged/webhooks/reconcile.hpp"
#include "service_fixture.hpp"
#include "standin_process.hpp"
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
  const ReconcileOptions three_tries{3, {std::chrono::milliseconds(0), std::chrono::milliseconds(0)}};
  const auto report = reconcile_events(
      *processor_,
      [&](const std::string& after) -> pledged::Result<EventPage> {
        if (++calls >= 2) return pledged::make_error(pledged::ErrorCode::unavailable, "Stripe unreachable");
        return stripe.page(after);
      },
      three_tries);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, pledged::ErrorCode::unavailable);
  EXPECT_EQ(calls, 4) << "the first page, then the second asked three times";
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events"), "100");
}

// Case 9 of issue 13: a 429 or 5xx from the event list ended the run.
TEST_F(Reconcile, AsksAgainForAPageStripeRefusedForNow) {
  FakeEventList stripe(history_.events);
  int calls = 0;
  const ReconcileOptions quick{6, {std::chrono::milliseconds(1), std::chrono::milliseconds(1)}};
  const auto report = reconcile_events(
      *processor_,
      [&](const std::string& after) -> pledged::Result<EventPage> {
        ++calls;
        if (calls == 2 || calls == 3) return pledged::make_error(pledged::ErrorCode::unavailable, "Stripe 429");
        return stripe.page(after);
      },
      quick);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->seen, static_cast<int>(history_.events.size()));
  EXPECT_EQ(ledger_sum(), history_.expected_raised);
}

// Case 9 of issue 13: a page whose events all failed to parse never moved the cursor,
// so the same page was fetched forever.
TEST_F(Reconcile, PagesPastAPageOfEventsThatCannotBeRead) {
  const std::vector<std::string> unreadable{R"({"id": "evt_unreadable_2", "object": "event"})",
                                            R"({"id": "evt_unreadable_1", "object": "event", "type": 7})"};
  int calls = 0;
  const auto report = reconcile_events(*processor_, [&](const std::string& after) -> pledged::Result<EventPage> {
    if (++calls > 5) return pledged::make_error(pledged::ErrorCode::internal, "the same page, again and again");
    EventPage page;
    if (after.empty()) {
      page.events = unreadable;
      page.has_more = true;
    } else {
      EXPECT_EQ(after, "evt_unreadable_1");
    }
    return page;
  });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(report->seen, 2);
  EXPECT_EQ(report->failed, 2);

  // Without an id to page past, the run stops with an error instead of asking forever.
  calls = 0;
  const auto stuck = reconcile_events(*processor_, [&](const std::string&) -> pledged::Result<EventPage> {
    if (++calls > 5) return pledged::make_error(pledged::ErrorCode::unavailable, "the same page, again and again");
    EventPage page;
    page.events = {R"({"object": "event"})"};
    page.has_more = true;
    return page;
  });
  ASSERT_FALSE(stuck);
  EXPECT_EQ(stuck.error().code, pledged::ErrorCode::internal);
  EXPECT_EQ(calls, 1);
}

namespace {

// A stand-in for Stripe's GET /v1/events, enough for `pledged reconcile`: one
// request per connection, pages served by FakeEventList, the key checked.
class FakeStripeEvents {
 public:
  explicit FakeStripeEvents(std::vector<std::string> events) : list_(std::move(events)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 16);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeStripeEvents() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool saw_created_filter() const { return saw_created_filter_; }

 private:
  void serve() {
    for (;;) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::string request;
      char chunk[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        request.append(chunk, static_cast<std::size_t>(n));
      }
      const auto target = request.substr(4, request.find(' ', 4) - 4);
      std::string body;
      int status = 200;
      if (request.find("Authorization: Bearer sk_test_reconcile") == std::string::npos) {
        status = 401;
        body = R"({"error":{"message":"bad key"}})";
      } else {
        // The query as the server reads it, whichever characters the client escaped.
        std::vector<pledged::stripe::FormField> query;
        const auto question = target.find('?');
        if (question != std::string::npos) pledged::stripe::decode_form(target.substr(question + 1), query);
        std::string after;
        for (const auto& [key, value] : query) {
          if (key == "created[gte]") saw_created_filter_ = true;
          if (key == "starting_after") after = value;
        }
        auto page = list_.page(after);
        json out{{"object", "list"}, {"url", "/v1/events"}, {"has_more", page->has_more}, {"data", json::array()}};
        for (const auto& event : page->events) out["data"].push_back(json::parse(event));
        body = out.dump();
      }
      const std::string response = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n"
                                   "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
      ::close(fd);
    }
  }

  FakeEventList list_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> saw_created_filter_{false};
  std::thread thread_;
};

}  // namespace

TEST_F(Reconcile, CommandPagesStripeAndAppliesWhatNeverArrived) {
  for (std::size_t i = 0; i < history_.events.size(); i += 2) {  // half the deliveries arrived
    const auto event = parse_stripe_event(history_.events[i]);
    ASSERT_TRUE(event);
    ASSERT_TRUE(processor_->receive(*event, history_.events[i], EventSource::webhook));
  }
  FakeStripeEvents stripe(history_.events);
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database_->url()},
                                               {"STRIPE_SECRET_KEY", "sk_test_reconcile"},
                                               {"STRIPE_API_BASE", stripe.base_url()}};
  const auto first = run_pledged({"reconcile", "--since", "2026-11-01"}, env);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("seen " + std::to_string(history_.events.size())), std::string::npos) << first.out;
  EXPECT_TRUE(stripe.saw_created_filter());
  EXPECT_EQ(ledger_sum(), history_.expected_raised);

  const auto second = run_pledged({"reconcile"}, env);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("applied 0, waiting 0, failed 0"), std::string::npos) << second.out;
  EXPECT_EQ(ledger_sum(), history_.expected_raised);
}

TEST_F(Reconcile, CommandFailsClearlyWithoutAKeyOrWithABadDate) {
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database_->url()}};
  const auto no_key = run_pledged({"reconcile"}, env);
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_NE(no_key.err.find("STRIPE_SECRET_KEY"), std::string::npos);
  auto with_key = env;
  with_key["STRIPE_SECRET_KEY"] = "sk_test_reconcile";
  with_key["STRIPE_API_BASE"] = "http://127.0.0.1:9";
  // One ask, no retry: the refusal is what is under test, not the backoff (about 20 s).
  with_key["PLEDGED_RECONCILE_PAGE_ATTEMPTS"] = "1";
  with_key["PLEDGED_STRIPE_RETRIES"] = "0";
  EXPECT_EQ(run_pledged({"reconcile", "--since", "yesterday"}, with_key).exit_code, 2);
  const auto unreachable = run_pledged({"reconcile"}, with_key);
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.err.find("Stripe unreachable"), std::string::npos) << unreachable.err;
}

// Reconcile's requests go through the one Stripe client: the stand-in's request log
// shows the pinned Stripe-Version on every one, and a 500 is retried.
TEST_F(Reconcile, CommandSendsThePinnedStripeVersionToTheStandin) {
  StandinProcess standin;
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database_->url()},
                                               {"STRIPE_SECRET_KEY", kStandinKey},
                                               {"STRIPE_API_BASE", standin.base_url()}};
  const auto run = run_pledged({"reconcile", "--since", "2026-11-01"}, env);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("seen 0,"), std::string::npos) << run.out;

  const auto requests = standin.requests();
  ASSERT_EQ(requests.size(), 1u) << requests.dump(2);
  const auto& request = requests[0];
  EXPECT_EQ(request["method"], "GET");
  EXPECT_EQ(request["path"], "/v1/events");
  EXPECT_EQ(request["stripe_version"], std::string(pledged::stripe::kStripeApiVersion));
  EXPECT_EQ(request["authorized"], true);
  EXPECT_EQ(request["params"]["limit"], "100");
  EXPECT_EQ(request["params"]["created[gte]"],
            std::to_string(pledged::parse_date("2026-11-01")->time_since_epoch().count()));
}

TEST_F(Reconcile, CommandRetriesAServerErrorFromStripe) {
  StandinProcess standin;
  standin.configure(json{{"fail", json::array({json{{"status", 500}}})}});
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database_->url()},
                                               {"STRIPE_SECRET_KEY", kStandinKey},
                                               {"STRIPE_API_BASE", standin.base_url()}};
  const auto run = run_pledged({"reconcile"}, env);
  ASSERT_EQ(run.exit_code, 0) << run.err;

  const auto requests = standin.requests();
  ASSERT_EQ(requests.size(), 2u) << "the injected 500, then one retry: " << requests.dump(2);
  for (const auto& request : requests) {
    EXPECT_EQ(request["path"], "/v1/events");
    EXPECT_EQ(request["stripe_version"], std::string(pledged::stripe::kStripeApiVersion));
  }
  EXPECT_EQ(requests[0]["query"], requests[1]["query"]) << "the same page asked again";
}

// Case 9 of issue 13: a 429 is not retried by the client without Stripe-Should-Retry,
// and three 500s outlast its retries; the command asks for the page again after a backoff.
TEST_F(Reconcile, CommandRidesOutRateLimitsAndServerErrors) {
  StandinProcess standin;
  standin.configure(json{{"fail", json::array({json{{"status", 429}}, json{{"status", 500}}, json{{"status", 500}},
                                               json{{"status", 500}}})}});
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database_->url()},
                                               {"STRIPE_SECRET_KEY", kStandinKey},
                                               {"STRIPE_API_BASE", standin.base_url()}};
  const auto run = run_pledged({"reconcile"}, env);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(standin.requests().size(), 5u) << "the 429, three 500s, then the page";
}

TEST(ReconcileEventPage, ReadsStripesListObject) {
  const auto page = pledged::stripe::parse_event_page(
      json::parse(R"({"object": "list", "url": "/v1/events", "has_more": true,
                      "data": [{"id": "evt_2", "type": "charge.refunded"}, {"id": "evt_1"}]})"));
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_EQ(json::parse(page->events[0])["id"], "evt_2");
  EXPECT_EQ(json::parse(page->events[1])["id"], "evt_1");
  EXPECT_TRUE(page->has_more);

  const auto last = pledged::stripe::parse_event_page(json::parse(R"({"object": "list", "data": []})"));
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->events.empty());
  EXPECT_FALSE(last->has_more);
}

TEST(ReconcileEventPage, AnythingButAListIsUnavailable) {
  for (const char* body : {R"({"object": "event"})", R"({"data": {}})", R"([])", R"("list")"}) {
    const auto page = pledged::stripe::parse_event_page(json::parse(body));
    ASSERT_FALSE(page) << body;
    EXPECT_EQ(page.error().code, pledged::ErrorCode::unavailable) << body;
  }
}
