// Takes the whole private PostgreSQL cluster away, so it runs on its own (RUN_SERIAL).
#include <gtest/gtest.h>

#include "fault_support.hpp"
#include "service_fixture.hpp"

using namespace pledged::testing;

namespace {

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
  const auto banner_before = http_get(port(), kProgressPath);

  pg_control("stop");
  EXPECT_EQ(wait_for_status(port(), "/readyz", 503, std::chrono::seconds(10)), 503);
  // The banner keeps serving its last snapshot while the database is away.
  const auto banner_during = http_get(port(), kProgressPath);
  EXPECT_EQ(banner_during.status, 200);
  EXPECT_EQ(banner_during.body, banner_before.body);
  EXPECT_EQ(http_get(port(), "/healthz").status, 200);

  pg_control("start");
  EXPECT_EQ(wait_for_status(port(), "/readyz", 200, std::chrono::seconds(10)), 200);
  EXPECT_TRUE(service_->running());
}
