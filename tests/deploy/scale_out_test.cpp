// Several `pledged` instances on one PostgreSQL database, the way deploy/ runs them
// (two compose replicas, a Kubernetes Deployment, two systemd hosts behind nginx).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
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
          {"PLEDGED_ACCESS_LOG", "off"}};
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

// One way of sending a banner request: a fresh connection each time, or kept-alive
// connections per instance as nginx's upstream `keepalive` holds them.
class BannerClient {
 public:
  enum class Outcome { ok, connection_error, bad_status };

  explicit BannerClient(bool keep_alive) : keep_alive_(keep_alive) {}

  Outcome get(std::uint16_t port) {
    try {
      if (!keep_alive_) return http_get(port, kProgress).status == 200 ? Outcome::ok : Outcome::bad_status;
      auto& connection = connections_[port];
      if (!connection) connection = std::make_unique<HttpConnection>(port);
      connection->send_raw(std::string("GET ") + kProgress + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      const auto reply = connection->read_reply(std::chrono::seconds(5));
      // No reply: the instance closed this idle connection as it stopped.
      if (!reply) {
        connection.reset();
        return Outcome::connection_error;
      }
      // A draining instance answers, then closes: the next request needs a new connection.
      if (reply->header("connection") == "close" || reply->header("connection") == "Close") connection.reset();
      return reply->status == 200 ? Outcome::ok : Outcome::bad_status;
    } catch (const std::exception&) {
      connections_.erase(port);
      return Outcome::connection_error;  // refused, reset or closed before a full reply
    }
  }

 private:
  bool keep_alive_;
  std::map<std::uint16_t, std::unique_ptr<HttpConnection>> connections_;
};

// Clients in front of two instances that do what nginx's
// `proxy_next_upstream error timeout` does for a GET: a connection error on one
// instance is retried once on the other. Anything else is a failure.
class BannerLoad {
 public:
  BannerLoad(std::atomic<std::uint16_t>& port_a, std::uint16_t port_b) : port_a_(port_a), port_b_(port_b) {}

  void run_until(const std::atomic<bool>& stop, int first_instance, bool keep_alive) {
    BannerClient client(keep_alive);
    int instance = first_instance;
    // Bounded even if `stop` never comes: 20,000 requests at most per client.
    for (int i = 0; i < 20000 && !stop.load(); ++i, instance ^= 1) {
      const std::uint16_t first = instance == 0 ? port_a_.load() : port_b_;
      const std::uint16_t other = instance == 0 ? port_b_ : port_a_.load();
      const auto outcome = client.get(first);
      if (outcome == BannerClient::Outcome::ok) {
        ++succeeded_;
      } else if (outcome == BannerClient::Outcome::connection_error &&
                 client.get(other) == BannerClient::Outcome::ok) {
        ++retried_;
      } else {
        ++failed_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
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

}  // namespace

TEST(ScaleOut, RollingRestartUnderBannerLoadFailsNoRequestAfterOneRetry) {
  TestDatabase database;
  migrate_and_seed(database);
  const auto env = instance_env(database);
  auto a = std::make_unique<ServiceProcess>(env);
  const auto b = std::make_unique<ServiceProcess>(env);
  std::atomic<std::uint16_t> port_a{a->port()};

  BannerLoad load(port_a, b->port());
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  // One client opens a connection per request, the other keeps connections alive.
  for (int i = 0; i < 2; ++i) clients.emplace_back([&, i] { load.run_until(stop, i, /*keep_alive=*/i == 1); });

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
  std::cout << "banner requests: " << load.succeeded() << " answered first time, " << load.retried()
            << " answered after one retry on the other instance, " << load.failed() << " failed\n";

  EXPECT_TRUE(time_until_raised(a->port(), 700, kVisibleWithin)) << "the new A does not show the money";
  EXPECT_TRUE(time_until_raised(b->port(), 700, kVisibleWithin));
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
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database.url()},
                                               {"STRIPE_SECRET_KEY", kStandinKey},
                                               {"STRIPE_API_BASE", standin.base_url()},
                                               {"STRIPE_WEBHOOK_SECRET", kWebhookSecret},
                                               {"PLEDGED_PLEDGE_RATE", "0"}};
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

  const std::string pledge_id = json::parse(first.body)["id"];
  json session = stripe_template("checkout.session");
  session["id"] = database.query_value("SELECT checkout_session_id FROM pledges");
  session["client_reference_id"] = pledge_id;
  session["metadata"] = {{"pledge_id", pledge_id}, {"campaign", "eoy-2026"}};
  session["mode"] = "payment";
  session["payment_status"] = "paid";
  session["amount_total"] = 4200;
  session["currency"] = "usd";
  session["payment_intent"] = "pi_scale_out_1";
  const auto event = stripe_event("evt_scale_out_1", "checkout.session.completed", session, unix_now());
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
