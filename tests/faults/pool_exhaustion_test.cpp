// Every pooled database connection held: the test locks webhook_events from its own
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
  EXPECT_EQ(ready.reply.status, 503) << "no connection for the readiness check either";
  EXPECT_LT(ready.elapsed(), kStatementTimeout + kPoolTimeout + kMargin);
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
