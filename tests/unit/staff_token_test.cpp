#include <gtest/gtest.h>

#include <set>

#include "pledged/domain/failure_throttle.hpp"
#include "pledged/domain/staff_token.hpp"

using namespace pledged;

TEST(StaffTokens, AreHighEntropyAndNeverRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto token = new_staff_token();
    ASSERT_EQ(token.size(), 44u);
    EXPECT_EQ(token.rfind("pst_", 0), 0u);
    EXPECT_TRUE(bearer_token("Bearer " + token).has_value()) << token;
    EXPECT_TRUE(seen.insert(token).second);
  }
}

TEST(StaffTokens, OnlyTheSha256IsKept) {
  const std::string token = "pst_" + std::string(40, 'a');
  const auto hash = staff_token_hash(token);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash.find(token), std::string::npos);
  EXPECT_EQ(hash, staff_token_hash(token));
  EXPECT_NE(hash, staff_token_hash("pst_" + std::string(40, 'b')));
}

// Known answers: the stored hash is SHA-256 itself, in lowercase hex, so a hash made by
// another tool (sha256sum, psql's sha256()) of a token finds its row. Without these, a
// hash that is merely stable and 64 characters long (a truncated HMAC, a different
// digest, uppercase hex) would pass the test above.
TEST(StaffTokens, TheHashIsSha256InLowercaseHex) {
  // FIPS 180-2, appendix B.1, and the empty message.
  EXPECT_EQ(staff_token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(staff_token_hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // printf 'pst_%s' "$(printf 'a%.0s' $(seq 40))" | sha256sum
  EXPECT_EQ(staff_token_hash("pst_" + std::string(40, 'a')),
            "327b5ae6eaf2523bc72e2631f8a3b925f3ee5d5de9652d95b1df60ffa8d7d893");
}

TEST(StaffTokens, BearerHeaderIsParsedStrictly) {
  const std::string token = "pst_" + std::string(40, 'Z');
  EXPECT_EQ(bearer_token("Bearer " + token), token);
  EXPECT_EQ(bearer_token("bearer  " + token + " "), token);
  EXPECT_FALSE(bearer_token(token));
  EXPECT_FALSE(bearer_token("Basic " + token));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token("Bearer pst_short"));
  EXPECT_FALSE(bearer_token("Bearer xyz_" + std::string(40, 'a')));
  EXPECT_FALSE(bearer_token("Bearer pst_" + std::string(39, 'a') + "!"));
}

TEST(StaffTokens, AdminMayDoWhatAViewerMayButNotTheReverse) {
  EXPECT_TRUE(role_allows(StaffRole::admin, StaffRole::admin));
  EXPECT_TRUE(role_allows(StaffRole::admin, StaffRole::viewer));
  EXPECT_TRUE(role_allows(StaffRole::viewer, StaffRole::viewer));
  EXPECT_FALSE(role_allows(StaffRole::viewer, StaffRole::admin));
  EXPECT_EQ(parse_staff_role("admin"), StaffRole::admin);
  EXPECT_EQ(parse_staff_role("viewer"), StaffRole::viewer);
  EXPECT_FALSE(parse_staff_role("root"));
}

TEST(StaffTokens, NamesArePrintableAndShort) {
  EXPECT_TRUE(is_valid_token_name("ana-finance"));
  EXPECT_TRUE(is_valid_token_name("Ana Finance 2"));
  EXPECT_FALSE(is_valid_token_name(""));
  EXPECT_FALSE(is_valid_token_name(" ana"));
  EXPECT_FALSE(is_valid_token_name("ana\n"));
  EXPECT_FALSE(is_valid_token_name(std::string(101, 'a')));
}

TEST(FailureThrottle, BlocksAClientAfterTooManyFailuresUntilTheWindowEnds) {
  FailureThrottle throttle(3, std::chrono::seconds(60));
  const auto start = FailureThrottle::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.retry_after("10.0.0.1", start), 0);
    throttle.record_failure("10.0.0.1", start);
  }
  EXPECT_EQ(throttle.retry_after("10.0.0.1", start), 60);
  EXPECT_EQ(throttle.retry_after("10.0.0.1", start + std::chrono::seconds(59)), 1);
  EXPECT_EQ(throttle.retry_after("10.0.0.2", start), 0) << "other clients are not affected";
  EXPECT_EQ(throttle.retry_after("10.0.0.1", start + std::chrono::seconds(60)), 0);
  throttle.record_failure("10.0.0.1", start + std::chrono::seconds(61));
  EXPECT_EQ(throttle.retry_after("10.0.0.1", start + std::chrono::seconds(61)), 0) << "a new window starts afresh";
}

TEST(FailureThrottle, ForgetsOldClientsWhenFull) {
  FailureThrottle throttle(1, std::chrono::seconds(10), 2);
  const auto start = FailureThrottle::Clock::time_point{} + std::chrono::hours(1);
  throttle.record_failure("a", start);
  throttle.record_failure("b", start);
  throttle.record_failure("c", start + std::chrono::seconds(11));
  EXPECT_EQ(throttle.retry_after("a", start + std::chrono::seconds(11)), 0);
  EXPECT_GT(throttle.retry_after("c", start + std::chrono::seconds(11)), 0);
}

// Issue 14, finding 6: 100k live addresses used to clear everyone's counts.
TEST(FailureThrottle, AFullTableNeverResetsTheClientsStillInIt) {
  FailureThrottle throttle(1, std::chrono::seconds(60), 2);
  const auto start = FailureThrottle::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(throttle.admit("a", start), 0);
  EXPECT_EQ(throttle.admit("b", start), 0);
  EXPECT_EQ(throttle.admit("c", start), 0);  // full: the least recently seen ("a") goes
  EXPECT_GT(throttle.admit("b", start), 0) << "b's failure is still counted";
  EXPECT_GT(throttle.admit("c", start), 0);
}

TEST(FailureThrottle, AnAdmittedAttemptCountsUntilForgiven) {
  FailureThrottle throttle(2, std::chrono::seconds(60));
  const auto start = FailureThrottle::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(throttle.admit("a", start), 0);
  EXPECT_EQ(throttle.admit("a", start), 0);
  EXPECT_GT(throttle.admit("a", start), 0) << "two attempts in flight fill the limit";
  throttle.forgive("a");
  EXPECT_EQ(throttle.admit("a", start), 0) << "a good token gives its attempt back";
}

TEST(StaffTokenLifetime, IsAWholeNumberOfHoursDaysOrWeeksUpToTenYears) {
  EXPECT_EQ(parse_token_lifetime("1h"), std::chrono::seconds(3600));
  EXPECT_EQ(parse_token_lifetime("90d"), std::chrono::seconds(90 * 86400));
  EXPECT_EQ(parse_token_lifetime("2w"), std::chrono::seconds(14 * 86400));
  EXPECT_EQ(parse_token_lifetime("3650d"), std::chrono::seconds(3650LL * 86400));
  EXPECT_EQ(parse_token_lifetime("007d"), std::chrono::seconds(7 * 86400));
  for (const char* bad : {"", "d", "90", "0h", "0d", "-1d", "+1d", "1.5d", "90 d", " 90d", "90D", "90m", "90s", "1y",
                          "3651d", "87601h", "522w", "99999999d", "18446744073709551617d"}) {
    EXPECT_FALSE(parse_token_lifetime(bad).has_value()) << bad;
  }
}
