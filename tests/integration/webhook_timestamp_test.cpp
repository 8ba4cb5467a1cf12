// Issue 14, finding 8: Stripe-Signature timestamps out of range, over HTTP.
#include <gtest/gtest.h>

#include <limits>

#include "service_fixture.hpp"
#include "stripe_history.hpp"

using namespace pledged::testing;

namespace {

constexpr const char* kWebhook = "/v1/webhooks/stripe";

// Finding 8: `t=-9223372036854775808` made `now - t` overflow; the wrapped (negative)
// skew then passed the tolerance check, so a signed event of any age was accepted.
class WebhookTimestamps : public ServiceFixture {
 protected:
  WebhookTimestamps() { extra_env_["STRIPE_WEBHOOK_SECRET"] = kWebhookSecret; }
};

TEST_F(WebhookTimestamps, OutOfRangeTimestampsAreRefusedBeforeAnyArithmetic) {
  const std::string body =
      stripe_event("evt_overflowing_t", "customer.created", {{"id", "cus_overflow"}, {"object", "customer"}}, 1);
  for (const long long t : {std::numeric_limits<long long>::min(), std::numeric_limits<long long>::max(), -1LL}) {
    // Correctly signed for that `t`: only the timestamp's range can refuse it.
    const auto reply = http_request(port(), "POST", kWebhook, stripe_signature_headers(body, t), body);
    EXPECT_EQ(reply.status, 400) << "t=" << t << ": " << reply.body;
  }
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events"), "0");
}

}  // namespace
