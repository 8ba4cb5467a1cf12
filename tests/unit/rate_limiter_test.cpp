#include <gtest/gtest.h>

#include "pledged/core/rate_limiter.hpp"

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
