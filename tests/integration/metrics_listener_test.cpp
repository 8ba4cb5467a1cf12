// Issue 14, finding 3: /metrics on PLEDGED_METRICS_LISTEN only.
#include <gtest/gtest.h>

#include "service_fixture.hpp"

using namespace pledged::testing;

namespace {

// Finding 3: /metrics (donation, refund and dispute counts, auth failures, pool use) was
// public behind the Kubernetes Ingress, which routes every path to the public port.
class MetricsListener : public ServiceFixture {};

TEST_F(MetricsListener, OnlyTheOperationsListenerServesMetrics) {
  const auto public_metrics = http_get(port(), "/metrics");
  EXPECT_EQ(public_metrics.status, 404) << public_metrics.body.substr(0, 200);
  EXPECT_EQ(public_metrics.body.find("pledged_"), std::string::npos);
  ASSERT_NE(metrics_port(), 0) << "the service logs its metrics listener's port";
  ASSERT_NE(metrics_port(), port());
  const auto metrics = http_get(metrics_port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("pledged_db_pool_size"), std::string::npos);
  EXPECT_EQ(http_get(metrics_port(), "/v1/campaigns/eoy-2026/progress").status, 404)
      << "the operations listener serves nothing public";
}

}  // namespace
