// PostgreSQL's postmaster killed with SIGKILL for 10 s under mixed load (banner,
// pledges, webhooks). Takes the whole private cluster away, so it runs on its own
// (RUN_SERIAL).
#include <gtest/gtest.h>

#include <iostream>

#include "fault_load.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr auto kOutage = std::chrono::seconds(10);
constexpr auto kRecoveryBudget = std::chrono::seconds(5);

class DatabaseCrash : public PledgeFixture {
 protected:
  DatabaseCrash()
      : PledgeFixture({{"STRIPE_WEBHOOK_SECRET", kWebhookSecret}, {"PLEDGED_PLEDGE_RATE", "0"}}) {}

  void TearDown() override {
    pg_control("start");  // whatever happened, leave the cluster running for the next test
    PledgeFixture::TearDown();
  }

  // How many of `ids` are rows of `table` (column id).
  long long stored(const std::string& table, const std::vector<std::string>& ids) const {
    if (ids.empty()) return 0;
    return std::stoll(database_->query_value("SELECT count(*) FROM " + table + " WHERE id = ANY(" + sql_id_array(ids) + ")"));
  }
};

json banner_totals(const HttpReply& reply) {
  const auto body = json::parse(reply.body);
  return {body["raised"], body["gifts"], body["donors"]};
}

}  // namespace

TEST_F(DatabaseCrash, KillNineUnderLoadServesTheBannerRefusesWritesAndLosesNothingAcknowledged) {
  const std::string run = pledged::random_base62(16);
  LoadGenerator load;
  load.add(1, [&](int) { return get_path(port(), kProgressPath); });
  load.add(2, [&](int n) { return create_pledge(port(), "crash-" + run + "-" + std::to_string(n) + "-" + pledged::random_base62(16)); });
  load.add(2, [&](int) { return deliver_ignored_event(port(), "evt_crash_" + pledged::random_base62(16)); });

  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto banner_before = http_get(port(), kProgressPath);
  ASSERT_EQ(banner_before.status, 200);

  pg_control("kill");
  const auto killed = Clock::now();
  ASSERT_EQ(wait_for_status(port(), "/readyz", 503, std::chrono::seconds(5)), 503) << "readiness follows the crash";
  // Requests in flight at the moment of the kill may end either way; judge those
  // that started once the service had noticed.
  const auto outage_from = Clock::now();
  std::this_thread::sleep_until(killed + kOutage);
  EXPECT_EQ(http_get(port(), "/readyz").status, 503);
  const auto outage_to = Clock::now();

  pg_control("start");
  const auto database_back = Clock::now();
  const int ready = wait_for_status(port(), "/readyz", 200, kRecoveryBudget);
  const auto ready_after = Clock::now() - database_back;
  Outcome first_pledge;
  do {
    first_pledge = create_pledge(port(), "crash-after-" + pledged::random_base62(16));
  } while (first_pledge.reply.status != 201 && Clock::now() - database_back < kRecoveryBudget);
  const auto pledge_after = Clock::now() - database_back;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto outcomes = load.stop();

  EXPECT_EQ(ready, 200) << "readyz within 5 s of the database's return, pledged not restarted";
  EXPECT_EQ(first_pledge.reply.status, 201) << first_pledge.reply.body;
  EXPECT_TRUE(service_->running());

  int banners = 0, pledges = 0, webhooks = 0;  // inside the outage window
  std::vector<std::string> acknowledged_pledges{first_pledge.id}, acknowledged_events;
  int pledges_201 = 0, pledges_503 = 0, webhooks_200 = 0, webhooks_5xx = 0, other = 0;
  std::string others;  // what each unexpected answer was, for the failure message
  const auto note_other = [&](const Outcome& outcome, const char* kind) {
    ++other;
    others += std::string("\n  ") + kind + " " + std::to_string(outcome.reply.status) + " after " +
              std::to_string(outcome.elapsed().count()) + " ms: " + outcome.reply.body.substr(0, 300);
  };
  for (const auto& outcome : outcomes) {
    const int status = outcome.reply.status;
    if (outcome.kind == Kind::webhook) {
      if (status == 200) acknowledged_events.push_back(outcome.id);
      webhooks_200 += status == 200;
      webhooks_5xx += status >= 500;
      if (status != 200 && status < 500) note_other(outcome, "webhook");
    } else if (outcome.kind == Kind::pledge) {
      if (status == 201) acknowledged_pledges.push_back(outcome.id);
      pledges_201 += status == 201;
      pledges_503 += status == 503;
      if (status != 201 && status != 503) note_other(outcome, "pledge");
    }
    if (!outcome.within(outage_from, outage_to)) continue;
    switch (outcome.kind) {
      case Kind::webhook:
        ++webhooks;
        EXPECT_GE(status, 500) << "a webhook the database could not store is never acknowledged";
        break;
      case Kind::banner:
        ++banners;
        ASSERT_EQ(status, 200);
        EXPECT_EQ(banner_totals(outcome.reply), banner_totals(banner_before)) << "the last snapshot";
        break;
      case Kind::pledge:
        ++pledges;
        EXPECT_EQ(status, 503) << outcome.reply.body;
        EXPECT_FALSE(outcome.reply.header("retry-after").empty());
        break;
      case Kind::other: break;
    }
  }
  EXPECT_GT(banners, 0);
  EXPECT_GT(pledges, 0);
  EXPECT_GT(webhooks, 0);
  EXPECT_GT(pledges_201, 0) << "pledges succeeded before and after the outage";
  EXPECT_GT(webhooks_200, 0);
  EXPECT_EQ(other, 0) << "only success or 5xx (pledges: 503); got:" << others;

  const long long pledges_stored = stored("pledges", acknowledged_pledges);
  const long long events_stored = stored("webhook_events", acknowledged_events);
  EXPECT_EQ(pledges_stored, static_cast<long long>(acknowledged_pledges.size())) << "acknowledged pledges lost";
  EXPECT_EQ(events_stored, static_cast<long long>(acknowledged_events.size())) << "acknowledged events lost";

  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "[ figures  ] kill -9 outage " << ms(outage_to - killed) << " ms; during it: " << banners
            << " banner 200, " << pledges << " pledge 503, " << webhooks << " webhook 5xx; overall: " << pledges_201
            << " pledges 201 + 1 after recovery (" << pledges_stored << " stored), " << pledges_503 << " pledges 503, " << webhooks_200
            << " webhooks 200 (" << events_stored << " stored), " << webhooks_5xx << " webhooks 5xx; readyz 200 "
            << ms(ready_after) << " ms and a pledge 201 " << ms(pledge_after) << " ms after the database returned\n";
}
