#include <gtest/gtest.h>

#include "pledged/core/rate_limiter.hpp"
#include "pledged/core/trusted_proxies.hpp"

using pledged::RateLimiter;
using std::chrono::seconds;

TEST(RateLimiter, AllowsTheBurstThenAsksToWait) {
  RateLimiter limiter(3);
  const auto t0 = RateLimiter::Clock::time_point{} + seconds(1000);
  EXPECT_EQ(limiter.acquire("1.2.3.4", t0), 0);
  EXPECT_EQ(limiter.acquire("1.2.3.4", t0), 0);
  EXPECT_EQ(limiter.acquire("1.2.3.4", t0), 0);
  EXPECT_EQ(limiter.acquire("1.2.3.4", t0), 20) << "3 per minute: one token every 20 s";
  EXPECT_EQ(limiter.acquire("5.6.7.8", t0), 0) << "clients are limited separately";
  EXPECT_EQ(limiter.acquire("1.2.3.4", t0 + seconds(20)), 0);
}

TEST(RateLimiter, ZeroTurnsTheLimitOff) {
  RateLimiter limiter(0);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.acquire("1.2.3.4"), 0);
}

TEST(RateLimiter, ForgetsRefilledClientsButNotLimitedOnes) {
  RateLimiter limiter(1, 2);
  const auto t0 = RateLimiter::Clock::time_point{} + seconds(1000);
  EXPECT_EQ(limiter.acquire("a", t0), 0);
  EXPECT_EQ(limiter.acquire("b", t0 + seconds(59)), 0);
  EXPECT_EQ(limiter.acquire("c", t0 + seconds(61)), 0);  // table full: "a" has refilled and is dropped
  EXPECT_GT(limiter.acquire("b", t0 + seconds(61)), 0) << "a client still over its limit is remembered";
}

// Issue 14, finding 6: bounded with O(1) work; a full table forgets the least recently
// seen client, even one still limited, rather than growing or scanning.
TEST(RateLimiter, AFullTableForgetsTheLeastRecentlySeenClientAndStaysBounded) {
  RateLimiter limiter(1, 2);
  const auto t0 = RateLimiter::Clock::time_point{} + seconds(1000);
  EXPECT_EQ(limiter.acquire("a", t0), 0);
  EXPECT_EQ(limiter.acquire("b", t0), 0);
  EXPECT_GT(limiter.acquire("a", t0), 0);  // "a" is now the most recently seen
  EXPECT_EQ(limiter.acquire("c", t0), 0);  // full: "b" is forgotten
  EXPECT_GT(limiter.acquire("a", t0), 0) << "a client seen recently keeps its limit";
  EXPECT_EQ(limiter.acquire("b", t0), 0) << "the least recently seen was forgotten (at most 2 kept)";
}

TEST(LimitKey, Ipv6ClientsAreKeyedByTheirSlash64AndIpv4ByTheirAddress) {
  EXPECT_EQ(pledged::limit_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(pledged::limit_key("2001:db8:1:2::ffff"), pledged::limit_key("2001:db8:1:2:aaaa::1"));
  EXPECT_NE(pledged::limit_key("2001:db8:1:2::1"), pledged::limit_key("2001:db8:1:3::1"));
  EXPECT_EQ(pledged::limit_key("198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(pledged::limit_key("::ffff:198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(pledged::limit_key("not-an-address"), "not-an-address");
}
