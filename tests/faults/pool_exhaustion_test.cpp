// Every pooled database connection held: the test locks webhook_events (or staff_tokens) from its own
// connection, so pledged's inserts block on the lock and keep their connections.
// Further requests wait at most the pool timeout, blocked statements at most the
// statement timeout, then 503 in the API's error shape; nothing hangs.
#include <gtest/gtest.h>

#include <future>
#include <iostream>
#include <pqxx/pqxx>

#include "fault_load.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr int kPoolSize = 2;
constexpr auto kPoolTimeout = std::chrono::milliseconds(500);
constexpr auto kStatementTimeout = std::chrono::milliseconds(1500);
constexpr auto kMargin = std::chrono::milliseconds(1500);
constexpr int kDeliveries = 8;  // four times the pool

class PoolExhaustion : public ServiceFixture {
 protected:
  PoolExhaustion() {
    extra_env_ = {{"STRIPE_WEBHOOK_SECRET", kWebhookSecret},
                  {"PLEDGED_DB_POOL", std::to_string(kPoolSize)},
                  {"PLEDGED_DB_POOL_TIMEOUT_MS", std::to_string(kPoolTimeout.count())},
                  {"PLEDGED_DB_STATEMENT_TIMEOUT_MS", std::to_string(kStatementTimeout.count())}};
  }
};

// Issue 14, finding 7: a flood of unauthenticated work while the pool is held.
class ReadinessUnderFlood : public PoolExhaustion {
 protected:
  ReadinessUnderFlood() {
    extra_env_["PLEDGED_TRUSTED_PROXIES"] = "127.0.0.1";  // each guess from an address of its own
    extra_env_["PLEDGED_STAFF_AUTH_FAILURES"] = "1";
  }
};

void expect_unavailable_shape(const HttpReply& reply) {
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_FALSE(reply.header("retry-after").empty());
  const auto body = json::parse(reply.body, nullptr, false);
  ASSERT_TRUE(body.contains("error")) << reply.body;
  EXPECT_EQ(body["error"]["code"], "unavailable");
  EXPECT_TRUE(body["error"]["message"].is_string());
}

}  // namespace

TEST_F(PoolExhaustion, RequestsWaitAtMostThePoolAndStatementTimeoutsThen503) {
  pqxx::connection holder(database_->url());
  pqxx::work lock(holder);
  // Reads go on; every insert into webhook_events waits for this transaction.
  lock.exec("LOCK TABLE webhook_events IN EXCLUSIVE MODE");

  std::vector<std::future<Outcome>> deliveries;
  for (int i = 0; i < kDeliveries; ++i) {
    deliveries.push_back(std::async(std::launch::async, [this] {
      return deliver_ignored_event(port(), "evt_pool_" + pledged::random_base62(16));
    }));
  }
  // /readyz must find the pool taken: wait until the deliveries hold every connection
  // (a fixed pause was too short on a loaded machine under ASan: /readyz got one first).
  const auto leased_since = std::chrono::steady_clock::now();
  while (gauge(get_path(metrics_port(), "/metrics").reply.body, "pledged_db_pool_in_use") < kPoolSize &&
         std::chrono::steady_clock::now() - leased_since < kStatementTimeout / 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto ready = get_path(port(), "/readyz");
  const auto banner = get_path(port(), kProgressPath);

  std::vector<std::string> refused;
  int waited_for_pool = 0;
  for (auto& pending : deliveries) {
    const auto outcome = pending.get();
    expect_unavailable_shape(outcome.reply);
    EXPECT_LT(outcome.elapsed(), kStatementTimeout + kPoolTimeout + kMargin) << "never hangs";
    waited_for_pool += outcome.elapsed() < kStatementTimeout;
    refused.push_back(outcome.id);
    std::cout << "[ figures  ] webhook with the pool held: " << outcome.reply.status << " after "
              << outcome.elapsed().count() << " ms\n";
  }
  EXPECT_GE(waited_for_pool, kDeliveries - 2 * kPoolSize) << "most gave up at the pool timeout";
  // Readiness probes on a connection of its own (issue 14, finding 7): a held pool is
  // a busy instance, not one Kubernetes should take out of the Service.
  EXPECT_EQ(ready.reply.status, 200) << "the readiness check shares no pool with requests: " << ready.reply.body;
  EXPECT_EQ(banner.reply.status, 200) << "the banner needs no connection";
  EXPECT_LT(banner.elapsed(), std::chrono::milliseconds(500));

  lock.commit();
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE id = ANY(" + sql_id_array(refused) + ")"),
            "0")
      << "a 503'd event is not stored (Stripe delivers it again)";
  EXPECT_EQ(wait_for_status(port(), "/readyz", 200, std::chrono::seconds(3)), 200);
  const auto redelivered = deliver_ignored_event(port(), refused.front());
  EXPECT_EQ(redelivered.reply.status, 200) << redelivered.reply.body;
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events"), "1");
}

TEST_F(ReadinessUnderFlood, ReadyzStays200WhileBadSignaturesAndBearerGuessesFloodThePools) {
  pqxx::connection holder(database_->url());
  pqxx::work lock(holder);
  // Every token lookup now waits for this transaction (up to the statement timeout),
  // holding a pooled connection: the guesses keep the whole pool taken.
  lock.exec("LOCK TABLE staff_tokens IN ACCESS EXCLUSIVE MODE");

  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::vector<std::thread> flood;
  // Stops and joins the flood however the test leaves this scope (a failed read throws).
  struct JoinFlood {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~JoinFlood() {
      stop = true;
      for (auto& thread : threads) thread.join();
    }
  } join_flood{stop, flood};
  for (int t = 0; t < 4; ++t) {
    flood.emplace_back([&] {  // forged webhooks: refused before any database work
      const std::string body = R"({"id":"evt_forged","object":"event","type":"checkout.session.completed"})";
      while (!stop) {
        http_request(
            port(), "POST", kWebhookPath,
            {{"Content-Type", "application/json"}, {"Stripe-Signature", "t=1796000000,v1=" + std::string(64, 'f')}},
            body);
        ++sent;
      }
    });
    flood.emplace_back([&, t] {  // bearer guesses, each from a new address, so none is throttled
      for (int i = 0; !stop; ++i) {
        const std::string address =
            "10." + std::to_string(t) + "." + std::to_string(i / 250) + "." + std::to_string(i % 250);
        http_get(port(), "/v1/reports/webhooks/health",
                 {{"Authorization", "Bearer pst_" + pledged::random_base62(40)}, {"X-Forwarded-For", address}});
        ++sent;
      }
    });
  }
  const auto pool_in_use = [this] {
    try {
      return gauge(get_path(metrics_port(), "/metrics").reply.body, "pledged_db_pool_in_use");
    } catch (const std::exception&) {
      return std::nan("");
    }
  };
  const auto flooding_since = std::chrono::steady_clock::now();
  while (!(pool_in_use() >= kPoolSize) && std::chrono::steady_clock::now() - flooding_since < kStatementTimeout) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::vector<std::string> not_ready;
  for (int i = 0; i < 40; ++i) {
    const auto ready = get_path(port(), "/readyz");
    if (ready.reply.status != 200) not_ready.push_back(std::to_string(ready.reply.status) + " " + ready.reply.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  stop = true;
  lock.commit();
  EXPECT_TRUE(not_ready.empty()) << not_ready.size()
                                 << " of 40 /readyz not 200 during the flood, first: " << not_ready.front();
  EXPECT_GT(sent.load(), 40);
}
