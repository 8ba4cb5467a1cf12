// Several `pledged` instances on one PostgreSQL database, the way deploy/ runs them
// (two compose replicas, a Kubernetes Deployment, two systemd hosts behind nginx).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "service_fixture.hpp"
#include "standin_process.hpp"
#include "stripe_history.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr const char* kProgress = "/v1/campaigns/eoy-2026/progress";
constexpr auto kVisibleWithin = std::chrono::seconds(2);

std::map<std::string, std::string> instance_env(const TestDatabase& database) {
  return {{"PLEDGED_DATABASE_URL", database.url()},
          {"PLEDGED_SHUTDOWN_GRACE", "5"},
          {"PLEDGED_ACCESS_LOG", "off"},
          {"STRIPE_WEBHOOK_SECRET", kWebhookSecret}};
}

// A one-time pledge paid by card, as Stripe tells it: the Checkout Session and its
// payment intent, both naming the pledge and the same payment intent id (so the
// two events count the money once between them).
json paid_checkout_session(const HistoryPledge& pledge, const std::string& payment_intent) {
  json session = stripe_template("checkout.session");
  session["id"] = pledge.checkout_session_id;
  session["client_reference_id"] = pledge.id;
  session["metadata"] = {{"pledge_id", pledge.id}, {"campaign", "eoy-2026"}};
  session["mode"] = "payment";
  session["payment_status"] = "paid";
  session["amount_total"] = pledge.amount;
  session["currency"] = "usd";
  session["payment_intent"] = payment_intent;
  return session;
}

json succeeded_payment_intent(const HistoryPledge& pledge, const std::string& payment_intent) {
  json intent = stripe_template("payment_intent");
  intent["id"] = payment_intent;
  intent["amount"] = pledge.amount;
  intent["amount_received"] = pledge.amount;
  intent["currency"] = "usd";
  intent["status"] = "succeeded";
  intent["invoice"] = nullptr;
  intent["metadata"] = {{"pledge_id", pledge.id}};
  return intent;
}

void seed_demo_campaign(const TestDatabase& database) {
  const auto seeded = run_pledged({"campaign", "create", "--slug", "eoy-2026", "--title",
                                   "Urgent End Of Year Fundraising Campaign", "--goal", "50000.00", "--currency", "usd",
                                   "--starts", "2026-11-15", "--ends", "2026-12-31"},
                                  {{"PLEDGED_DATABASE_URL", database.url()}});
  ASSERT_EQ(seeded.exit_code, 0) << seeded.err;
}

// Money written straight into the ledger (as the staff route and the webhook
// handlers do): no instance is told, each must learn it from the database.
void record_offline_gift(const TestDatabase& database, long long amount, const std::string& donor) {
  database.execute(
      "INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, offline_method, occurred_at) "
      "SELECT id, 'offline_gift', " + std::to_string(amount) + ", 'usd', '" + donor + "', 'check', now() "
      "FROM campaigns WHERE slug = 'eoy-2026'");
}

std::optional<json> progress_of(std::uint16_t port) {
  const auto reply = http_get(port, kProgress);
  if (reply.status != 200) return std::nullopt;
  return json::parse(reply.body);
}

// Polls one instance until `raised` equals `expected`; returns how long that took,
// or nullopt when `within` passed first.
std::optional<std::chrono::milliseconds> time_until_raised(std::uint16_t port, long long expected,
                                                           std::chrono::milliseconds within) {
  const auto started = std::chrono::steady_clock::now();
  do {
    const auto body = progress_of(port);
    if (body && (*body)["raised"] == expected) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  } while (std::chrono::steady_clock::now() - started < within);
  return std::nullopt;
}

int count_occurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

// `as_of` is each instance's own "numbers last changed" clock; everything else
// must be the same bytes on every instance.
json without_as_of(json body) {
  body.erase("as_of");
  return body;
}

}  // namespace

TEST(ScaleOut, TwoInstancesMigratingTogetherThenAgreeOnMoneyWithinTwoSeconds) {
  TestDatabase database;
  const auto env = instance_env(database);

  // Both start at once with --migrate (an ExecStartPre or init container on two
  // hosts): the advisory lock lets one apply each file and the other wait.
  auto start_a = std::async(std::launch::async, [&] { return std::make_unique<ServiceProcess>(env, std::vector<std::string>{"--migrate"}); });
  auto start_b = std::async(std::launch::async, [&] { return std::make_unique<ServiceProcess>(env, std::vector<std::string>{"--migrate"}); });
  const auto a = start_a.get();
  const auto b = start_b.get();
  ASSERT_NE(a->port(), b->port());

  const int files = std::stoi(database.query_value("SELECT count(*) FROM schema_migrations"));
  ASSERT_GE(files, 1);
  const std::string applied = R"("msg":"applied migration")";
  EXPECT_EQ(count_occurrences(a->log(), applied) + count_occurrences(b->log(), applied), files)
      << "every migration file applied by exactly one instance\nA:\n" << a->log() << "\nB:\n" << b->log();
  EXPECT_EQ(http_get(a->port(), "/readyz").status, 200);
  EXPECT_EQ(http_get(b->port(), "/readyz").status, 200);

  seed_demo_campaign(database);
  // A new campaign reaches the snapshots through the periodic reload (2 s).
  EXPECT_TRUE(time_until_raised(a->port(), 0, std::chrono::seconds(5)));
  EXPECT_TRUE(time_until_raised(b->port(), 0, std::chrono::seconds(5)));

  record_offline_gift(database, 2500, "ana@example.org");
  record_offline_gift(database, 10000, "ben@example.org");
  const auto on_b = time_until_raised(b->port(), 12500, kVisibleWithin);
  ASSERT_TRUE(on_b) << "instance B did not show the new money within 2 s";
  const auto on_a = time_until_raised(a->port(), 12500, kVisibleWithin);
  ASSERT_TRUE(on_a) << "instance A did not show the new money within 2 s";

  const auto body_a = progress_of(a->port());
  const auto body_b = progress_of(b->port());
  ASSERT_TRUE(body_a && body_b);
  EXPECT_EQ(without_as_of(*body_a), without_as_of(*body_b));
  EXPECT_EQ((*body_b)["gifts"], 2);
  EXPECT_EQ((*body_b)["donors"], 2);
  EXPECT_EQ((*body_b)["percent"], 0.25);
}

namespace {

// What one attempt of a request on one instance came to.
enum class Outcome { ok, try_other_instance, failed };

// One way of sending a banner request: a fresh connection each time, or kept-alive
// connections per instance as nginx's upstream `keepalive` holds them. A connection
// refused, reset or closed before a full reply is what nginx retries elsewhere.
class BannerClient {
 public:
  explicit BannerClient(bool keep_alive) : keep_alive_(keep_alive) {}

  Outcome get(std::uint16_t port) {
    try {
      if (!keep_alive_) return http_get(port, kProgress).status == 200 ? Outcome::ok : Outcome::failed;
      auto& connection = connections_[port];
      if (!connection) connection = std::make_unique<HttpConnection>(port);
      connection->send_raw(std::string("GET ") + kProgress + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      const auto reply = connection->read_reply(std::chrono::seconds(5));
      // No reply: the instance closed this idle connection as it stopped.
      if (!reply) {
        connection.reset();
        return Outcome::try_other_instance;
      }
      // A draining instance answers, then closes: the next request needs a new connection.
      if (reply->header("connection") == "close" || reply->header("connection") == "Close") connection.reset();
      return reply->status == 200 ? Outcome::ok : Outcome::failed;
    } catch (const std::exception&) {
      connections_.erase(port);
      return Outcome::try_other_instance;
    }
  }

 private:
  bool keep_alive_;
  std::map<std::uint16_t, std::unique_ptr<HttpConnection>> connections_;
};

// Clients in front of two instances that do what nginx's `proxy_next_upstream`
// does, and for webhooks what Stripe's redelivery does: a request one instance
// could not take is sent once more, to the other instance. Anything else, or a
// second miss, is a failure.
class FailoverLoad {
 public:
  // One request; called with the first instance's port and, if it asks, the other's.
  using Request = std::function<Outcome(std::uint16_t port)>;

  FailoverLoad(std::atomic<std::uint16_t>& port_a, std::uint16_t port_b) : port_a_(port_a), port_b_(port_b) {}

  // Sends the requests `next_request` makes (an empty one: no more) until `stop`,
  // alternating the instance each one goes to first.
  void run_until(const std::atomic<bool>& stop, int first_instance, const std::function<Request()>& next_request) {
    int instance = first_instance;
    // Bounded even if `stop` never comes: 20,000 requests at most per client.
    for (int i = 0; i < 20000 && !stop.load(); ++i, instance ^= 1) {
      const auto request = next_request();
      if (!request) return;
      const std::uint16_t first = instance == 0 ? port_a_.load() : port_b_;
      const std::uint16_t other = instance == 0 ? port_b_ : port_a_.load();
      const auto outcome = request(first);
      if (outcome == Outcome::ok) {
        ++succeeded_;
      } else if (outcome == Outcome::try_other_instance && request(other) == Outcome::ok) {
        ++retried_;
      } else {
        ++failed_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void run_banner_client(const std::atomic<bool>& stop, int first_instance, bool keep_alive) {
    BannerClient client(keep_alive);
    run_until(stop, first_instance, [&client]() -> Request { return [&client](std::uint16_t port) { return client.get(port); }; });
  }

  int succeeded() const { return succeeded_; }
  int retried() const { return retried_; }
  int failed() const { return failed_; }

 private:
  std::atomic<std::uint16_t>& port_a_;
  std::uint16_t port_b_;
  std::atomic<int> succeeded_{0};
  std::atomic<int> retried_{0};
  std::atomic<int> failed_{0};
};

// Stripe's side of the load: each request is one new event about one of the pledges
// made beforehand — its checkout.session.completed and, for every other pledge, also
// its payment_intent.succeeded (the same money under a second event id). Stripe
// redelivers after a connection error or any non-2xx; a 4xx here would be a bug.
class StripeSender {
 public:
  explicit StripeSender(const std::vector<HistoryPledge>& pledges) {
    for (std::size_t i = 0; i < pledges.size(); ++i) {
      const auto& pledge = pledges[i];
      const auto suffix = pledge.id.substr(3);
      const auto payment_intent = "pi_" + suffix;
      events_.push_back({"evt_" + suffix + "_cs", pledge.amount,
                         stripe_event("evt_" + suffix + "_cs", "checkout.session.completed",
                                      paid_checkout_session(pledge, payment_intent), unix_now())});
      if (i % 2 == 1) continue;
      events_.push_back({"evt_" + suffix + "_pi", pledge.amount,
                         stripe_event("evt_" + suffix + "_pi", "payment_intent.succeeded",
                                      succeeded_payment_intent(pledge, payment_intent), unix_now())});
    }
  }

  FailoverLoad::Request next() {
    if (next_ == events_.size()) return {};
    const Event& event = events_[next_++];
    return [this, &event](std::uint16_t port) {
      try {
        const auto reply = http_request(port, "POST", "/v1/webhooks/stripe",
                                        stripe_signature_headers(event.body, unix_now()), event.body);
        if (reply.status == 200) {
          acknowledged_[event.id] = event.amount;
          return Outcome::ok;
        }
        return reply.status >= 500 ? Outcome::try_other_instance : Outcome::failed;
      } catch (const std::exception&) {
        return Outcome::try_other_instance;  // refused, reset, or closed before the reply
      }
    };
  }

  // Event id -> its pledge's amount, for every event some instance answered 200.
  const std::map<std::string, std::int64_t>& acknowledged() const { return acknowledged_; }

 private:
  struct Event {
    std::string id;
    std::int64_t amount;
    std::string body;
  };
  std::vector<Event> events_;
  std::size_t next_ = 0;
  std::map<std::string, std::int64_t> acknowledged_;
};

void report_load(const char* what, const FailoverLoad& load) {
  std::cout << what << ": " << load.succeeded() << " answered first time, " << load.retried()
            << " answered after one retry on the other instance, " << load.failed() << " failed\n";
}

}  // namespace

TEST(ScaleOut, RollingRestartUnderBannerLoadFailsNoRequestAfterOneRetry) {
  TestDatabase database;
  migrate_and_seed(database);
  const auto env = instance_env(database);
  auto a = std::make_unique<ServiceProcess>(env);
  const auto b = std::make_unique<ServiceProcess>(env);
  std::atomic<std::uint16_t> port_a{a->port()};

  FailoverLoad load(port_a, b->port());
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  // One client opens a connection per request, the other keeps connections alive.
  for (int i = 0; i < 2; ++i) clients.emplace_back([&, i] { load.run_banner_client(stop, i, /*keep_alive=*/i == 1); });

  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  a->signal(SIGTERM);
  const int exit_code = a->wait_for_exit(std::chrono::seconds(10));
  const std::string old_log = a->log();
  const int served_before_restart = load.succeeded();

  // Money arrives while A is away; the new A must start with it.
  record_offline_gift(database, 700, "cy@example.org");
  a = std::make_unique<ServiceProcess>(env);
  port_a = a->port();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  stop = true;
  for (auto& client : clients) client.join();

  EXPECT_EQ(exit_code, 0) << old_log;
  EXPECT_NE(old_log.find(R"("msg":"stopped")"), std::string::npos) << old_log;
  EXPECT_EQ(load.failed(), 0) << "requests that failed even after a retry on the other instance";
  EXPECT_GT(load.succeeded(), served_before_restart) << "served nothing after the restart";
  EXPECT_GT(load.succeeded() + load.retried(), 100) << "the load was too light to prove anything";
  report_load("banner requests", load);

  EXPECT_TRUE(time_until_raised(a->port(), 700, kVisibleWithin)) << "the new A does not show the money";
  EXPECT_TRUE(time_until_raised(b->port(), 700, kVisibleWithin));
  a->signal(SIGTERM);
  b->signal(SIGTERM);
  EXPECT_EQ(a->wait_for_exit(std::chrono::seconds(10)), 0);
  EXPECT_EQ(b->wait_for_exit(std::chrono::seconds(10)), 0);
}

namespace {

std::set<std::string> split_set(const std::string& text) {
  std::set<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) items.insert(item);
  return items;
}

}  // namespace

// The same restart while Stripe keeps delivering: the proof that matters for money.
// Every event an instance acknowledged is stored and applied, and the ledger holds
// each payment exactly once, whichever instance took it and however often.
TEST(ScaleOut, RollingRestartUnderWebhookAndBannerLoadLosesNoAcknowledgedEventAndCountsNoneTwice) {
  TestDatabase database;
  migrate_and_seed(database);
  // More events than the clients can send in the test's few seconds, so the load
  // is steady from start to end.
  constexpr int kPledgesPerSender = 1500;
  std::vector<HistoryPledge> pledges;
  for (int i = 0; i < 2 * kPledgesPerSender; ++i) {
    pledges.push_back({new_pledge_id(), "once", 500 + i, "cs_rolling_" + std::to_string(i), "paid"});
  }
  insert_pledges(database, pledges);
  std::vector<StripeSender> senders{
      StripeSender({pledges.begin(), pledges.begin() + kPledgesPerSender}),
      StripeSender({pledges.begin() + kPledgesPerSender, pledges.end()})};

  const auto env = instance_env(database);
  auto a = std::make_unique<ServiceProcess>(env);
  const auto b = std::make_unique<ServiceProcess>(env);
  std::atomic<std::uint16_t> port_a{a->port()};
  // The new A comes back on the old one's address, as a restarted systemd unit
  // behind nginx's fixed upstream list does.
  auto restarted_env = env;
  restarted_env["PLEDGED_LISTEN"] = "127.0.0.1:" + std::to_string(a->port());

  FailoverLoad webhooks(port_a, b->port());
  FailoverLoad banner(port_a, b->port());
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 2; ++i) {
    clients.emplace_back([&, i] {
      webhooks.run_until(stop, i, [&sender = senders[static_cast<std::size_t>(i)]] { return sender.next(); });
    });
    clients.emplace_back([&, i] { banner.run_banner_client(stop, i, /*keep_alive=*/i == 1); });
  }

  // Waits on the load, not on the clock, so that a busy machine only makes the test
  // slower: every phase ends when enough happened in it (or the bound passes).
  const auto acknowledged = [&] { return webhooks.succeeded() + webhooks.retried(); };
  const auto wait_until = [](const std::function<bool()>& done) {
    const auto bound = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!done() && std::chrono::steady_clock::now() < bound) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  };
  constexpr int kEnoughEvents = 30;
  wait_until([&] { return acknowledged() >= kEnoughEvents; });
  a->signal(SIGTERM);
  const int exit_code = a->wait_for_exit(std::chrono::seconds(10));
  const std::string old_log = a->log();
  const int acknowledged_before_restart = acknowledged();
  a = std::make_unique<ServiceProcess>(restarted_env);
  const auto new_a_applied_events = [&] {
    return http_get(a->metrics_port(), "/metrics")
               .body.find(R"(pledged_webhook_events_total{type="checkout.session.completed",outcome="applied"})") !=
           std::string::npos;
  };
  wait_until([&] { return acknowledged() >= acknowledged_before_restart + kEnoughEvents && new_a_applied_events(); });
  stop = true;
  for (auto& client : clients) client.join();

  report_load("webhook deliveries", webhooks);
  report_load("banner requests", banner);
  EXPECT_EQ(exit_code, 0) << old_log;
  EXPECT_EQ(webhooks.failed(), 0) << "webhooks that failed even after redelivery to the other instance";
  EXPECT_EQ(banner.failed(), 0) << "banner requests that failed even after a retry on the other instance";
  EXPECT_GE(acknowledged_before_restart, kEnoughEvents) << "the webhook load was too light to prove anything";
  EXPECT_GE(acknowledged(), acknowledged_before_restart + kEnoughEvents) << "too few webhooks delivered after the restart";
  EXPECT_TRUE(new_a_applied_events()) << "the restarted A applied no webhook";

  // What Stripe was told is recorded must be exactly what is recorded.
  std::set<std::string> acknowledged_ids;
  std::map<std::string, std::int64_t> expected_payments;  // payment intent -> amount, once per pledge
  for (const auto& sender : senders) {
    for (const auto& [id, amount] : sender.acknowledged()) {
      acknowledged_ids.insert(id);
      expected_payments["pi_" + id.substr(4, id.size() - 7)] = amount;  // evt_<pledge>_cs / _pi
    }
  }
  EXPECT_EQ(split_set(database.query_value("SELECT string_agg(id, ',') FROM webhook_events")), acknowledged_ids)
      << "every acknowledged event stored, and no event stored that Stripe would still redeliver";
  EXPECT_EQ(database.query_value("SELECT count(*) FROM webhook_events WHERE status <> 'applied'"), "0");
  std::string expected_ledger;
  std::int64_t expected_raised = 0;
  for (const auto& [intent, amount] : expected_payments) {
    expected_ledger += (expected_ledger.empty() ? "" : ",") + intent + "=" + std::to_string(amount);
    expected_raised += amount;
  }
  EXPECT_EQ(database.query_value("SELECT string_agg(stripe_object_id || '=' || amount, ',' "
                                 "ORDER BY stripe_object_id COLLATE \"C\") FROM ledger_entries WHERE kind = 'payment'"),
            expected_ledger)
      << "one payment per paid pledge, whichever events and instances carried it";
  EXPECT_EQ(database.query_value("SELECT sum(amount) FROM ledger_entries"), std::to_string(expected_raised));

  EXPECT_TRUE(time_until_raised(a->port(), expected_raised, kVisibleWithin)) << "the new A's banner";
  EXPECT_TRUE(time_until_raised(b->port(), expected_raised, kVisibleWithin)) << "B's banner";
  std::cout << "events acknowledged: " << acknowledged_ids.size() << " (" << acknowledged_before_restart
            << " before A restarted), payments in the ledger: " << expected_payments.size()
            << ", raised: " << expected_raised << "\n";
  a->signal(SIGTERM);
  b->signal(SIGTERM);
  EXPECT_EQ(a->wait_for_exit(std::chrono::seconds(10)), 0);
  EXPECT_EQ(b->wait_for_exit(std::chrono::seconds(10)), 0);
}

// Stripe reports to one instance while the banner is read from another, and a donor's
// retry through another instance with the same Idempotency-Key creates nothing new.
TEST(ScaleOut, WebhooksToAShowOnBAndOneIdempotencyKeyThroughBothMakesOnePledge) {
  TestDatabase database;
  migrate_and_seed(database);
  StandinProcess standin;
  auto env = instance_env(database);
  env.insert({{"STRIPE_SECRET_KEY", kStandinKey}, {"STRIPE_API_BASE", standin.base_url()}, {"PLEDGED_PLEDGE_RATE", "0"}});
  ServiceProcess a(env);
  ServiceProcess b(env);

  const std::string body = R"({"campaign":"eoy-2026","amount":4200,"currency":"usd","frequency":"once",)"
                           R"("email":"dee@example.org","name":"Dee"})";
  const std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                                   {"Idempotency-Key", "scale-out-key-1"}};
  const auto first = http_request(a.port(), "POST", "/v1/pledges", headers, body);
  ASSERT_EQ(first.status, 201) << first.body;
  const auto again = http_request(b.port(), "POST", "/v1/pledges", headers, body);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body) << "the first response again, byte for byte";
  EXPECT_EQ(database.query_value("SELECT count(*) FROM pledges"), "1");
  EXPECT_EQ(standin.session_creations().size(), 1u);

  const HistoryPledge pledge{json::parse(first.body)["id"], "once", 4200,
                             database.query_value("SELECT checkout_session_id FROM pledges"), "paid"};
  const auto event = stripe_event("evt_scale_out_1", "checkout.session.completed",
                                  paid_checkout_session(pledge, "pi_scale_out_1"), unix_now());
  const auto delivered =
      http_request(a.port(), "POST", "/v1/webhooks/stripe", stripe_signature_headers(event, unix_now()), event);
  ASSERT_EQ(delivered.status, 200) << delivered.body;

  const auto started = std::chrono::steady_clock::now();
  long long raised = 0;
  while (std::chrono::steady_clock::now() - started < std::chrono::seconds(2)) {
    raised = json::parse(http_get(b.port(), kProgress).body)["raised"].get<long long>();
    if (raised == 4200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(raised, 4200) << "instance B did not show A's webhook money within 2 s";
}
