// Takes the whole private PostgreSQL cluster away, so it runs on its own (RUN_SERIAL).
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "service_fixture.hpp"

using namespace pledged::testing;

namespace {

// scripts/pg, passed by the test command.
void pg_control(const std::string& action) {
  const char* script = std::getenv("PLEDGED_TEST_PGCTL");
  ASSERT_NE(script, nullptr) << "PLEDGED_TEST_PGCTL is not set: run through scripts/test";
  const std::string command = std::string(script) + " " + action + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

int wait_for_status(std::uint16_t port, const std::string& path, int wanted, std::chrono::seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  int status = 0;
  do {
    status = http_get(port, path).status;
    if (status == wanted) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  return status;
}

class Outage : public ServiceFixture {
 protected:
  void TearDown() override {
    pg_control("start");  // whatever happened, leave the cluster running for the next test
    ServiceFixture::TearDown();
  }
};

}  // namespace

TEST_F(Outage, ReadinessFollowsTheDatabaseWithoutARestart) {
  ASSERT_EQ(http_get(port(), "/readyz").status, 200);
  const auto banner_before = http_get(port(), "/v1/campaigns/eoy-2026/progress");

  pg_control("stop");
  EXPECT_EQ(wait_for_status(port(), "/readyz", 503, std::chrono::seconds(10)), 503);
  // The banner keeps serving its last snapshot while the database is away.
  const auto banner_during = http_get(port(), "/v1/campaigns/eoy-2026/progress");
  EXPECT_EQ(banner_during.status, 200);
  EXPECT_EQ(banner_during.body, banner_before.body);
  EXPECT_EQ(http_get(port(), "/healthz").status, 200);

  pg_control("start");
  EXPECT_EQ(wait_for_status(port(), "/readyz", 200, std::chrono::seconds(10)), 200);
  EXPECT_TRUE(service_->running());
}
