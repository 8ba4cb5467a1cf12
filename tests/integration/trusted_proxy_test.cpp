// PLEDGED_TRUSTED_PROXIES: behind nginx every connection comes from the proxy, so
// the per-client limits must key on the address nginx forwards, and only when the
// connection really comes from the proxy (here: the test, on 127.0.0.1).
#include <gtest/gtest.h>

#include "pledge_fixture.hpp"

using namespace pledged::testing;

namespace {

constexpr const char* kStaffRoute = "/v1/reports/webhooks/health";

// No Stripe key: a pledge that passes the rate limit is kept and answered 503, one
// that does not is answered 429, so the status shows which bucket it hit.
class ProxyFixture : public ServiceFixture {
 protected:
  explicit ProxyFixture(const std::string& trusted) {
    extra_env_ = {{"PLEDGED_PLEDGE_RATE", "1"}, {"PLEDGED_STAFF_AUTH_FAILURES", "1"}, {"PLEDGED_ACCESS_LOG", "off"}};
    if (!trusted.empty()) extra_env_["PLEDGED_TRUSTED_PROXIES"] = trusted;
  }

  int pledge_from(const std::string& forwarded_for) {
    return post_pledge(port(), pledge_body().dump(), {{"X-Forwarded-For", forwarded_for}}).status;
  }
  int staff_failure_from(const std::string& forwarded_for) {
    return http_get(port(), kStaffRoute, {{"X-Forwarded-For", forwarded_for}}).status;
  }
};

class BehindTrustedProxy : public ProxyFixture {
 protected:
  BehindTrustedProxy() : ProxyFixture("127.0.0.1, 10.0.0.0/8") {}
};

class WithoutTrustedProxy : public ProxyFixture {
 protected:
  WithoutTrustedProxy() : ProxyFixture("") {}
};

}  // namespace

TEST_F(BehindTrustedProxy, EachForwardedClientHasItsOwnPledgeBucketAndIsRecorded) {
  EXPECT_EQ(pledge_from("198.51.100.1"), 503);
  EXPECT_EQ(pledge_from("198.51.100.1"), 429) << "one pledge a minute for this client";
  EXPECT_EQ(pledge_from("198.51.100.2"), 503) << "another client behind the same proxy is not limited";
  // A client that writes its own X-Forwarded-For gets the proxy's hop appended:
  // the right-most untrusted entry counts, not what the client chose.
  EXPECT_EQ(pledge_from("203.0.113.77, 198.51.100.2, 10.0.0.2"), 429);
  EXPECT_EQ(database_->query_value("SELECT string_agg(host(client_ip), ',' ORDER BY created_at) FROM pledges"),
            "198.51.100.1,198.51.100.2")
      << "the pledge records the client, not the proxy";
}

TEST_F(BehindTrustedProxy, StaffSignInFailuresAreThrottledPerForwardedClient) {
  EXPECT_EQ(staff_failure_from("198.51.100.1"), 401);
  EXPECT_EQ(staff_failure_from("198.51.100.1"), 429);
  EXPECT_EQ(staff_failure_from("198.51.100.2"), 401) << "one client's guessing does not lock out the others";
}

TEST_F(WithoutTrustedProxy, ForwardedForIsIgnoredSoEveryClientSharesThePeersBucket) {
  EXPECT_EQ(pledge_from("198.51.100.1"), 503);
  EXPECT_EQ(pledge_from("198.51.100.2"), 429) << "a forged X-Forwarded-For must not buy a fresh bucket";
  EXPECT_EQ(database_->query_value("SELECT host(client_ip) FROM pledges"), "127.0.0.1");
  EXPECT_EQ(staff_failure_from("198.51.100.1"), 401);
  EXPECT_EQ(staff_failure_from("198.51.100.2"), 429);
}

// Issue 14, finding 6: one subscriber gets a whole IPv6 /64 and can rotate through it;
// the limits key IPv6 clients by their /64.
TEST_F(BehindTrustedProxy, AddressesOfOneIpv6Slash64ShareTheirLimits) {
  EXPECT_EQ(pledge_from("2001:db8:1:2::1"), 503);
  EXPECT_EQ(pledge_from("2001:db8:1:2::2"), 429) << "a new address in the same /64 buys no fresh bucket";
  EXPECT_EQ(pledge_from("2001:db8:1:2:ffff:ffff:ffff:ffff"), 429);
  EXPECT_EQ(pledge_from("2001:db8:1:3::1"), 503) << "another /64 is another client";
  EXPECT_EQ(staff_failure_from("2001:db8:9:9:aaaa::1"), 401);
  EXPECT_EQ(staff_failure_from("2001:db8:9:9:bbbb::1"), 429);
  EXPECT_EQ(database_->query_value("SELECT string_agg(host(client_ip), ',' ORDER BY created_at) FROM pledges"),
            "2001:db8:1:2::1,2001:db8:1:3::1")
      << "records keep the full address";
}
