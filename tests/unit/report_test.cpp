#include <gtest/gtest.h>

#include "pledged/domain/report.hpp"

using namespace pledged;

namespace {

Timestamp at(const char* text) { return *parse_rfc3339(text); }

}  // namespace

TEST(ReportRange, DefaultsToTheCampaignsDaysInUtc) {
  auto range = parse_report_range(std::nullopt, std::nullopt, std::nullopt, "2026-11-15", "2026-12-31");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->from, "2026-11-15");
  EXPECT_EQ(range->to, "2026-12-31");
  EXPECT_EQ(range->time_zone, "UTC");
}

TEST(ReportRange, ListsEveryInvalidFieldAtOnce) {
  auto range = parse_report_range(std::string("2026-02-30"), std::string("yesterday"),
                                  std::string("Robert'); DROP TABLE--"), "2026-11-15", "2026-12-31");
  ASSERT_FALSE(range);
  EXPECT_EQ(range.error().code, ErrorCode::validation_failed);
  EXPECT_EQ(range.error().fields.count("from"), 1u);
  EXPECT_EQ(range.error().fields.count("to"), 1u);
  EXPECT_EQ(range.error().fields.count("tz"), 1u);
}

TEST(ReportRange, RefusesAnEndBeforeTheStart) {
  auto range = parse_report_range(std::string("2026-12-02"), std::string("2026-12-01"), std::string("America/New_York"),
                                  "", "");
  ASSERT_FALSE(range);
  EXPECT_EQ(range.error().fields.count("to"), 1u);
}

TEST(ReportRange, TimeZoneNamesLookLikeIana) {
  EXPECT_TRUE(looks_like_time_zone("America/New_York"));
  EXPECT_TRUE(looks_like_time_zone("Etc/GMT+5"));
  EXPECT_TRUE(looks_like_time_zone("UTC"));
  EXPECT_FALSE(looks_like_time_zone(""));
  EXPECT_FALSE(looks_like_time_zone("../etc/passwd"));
  EXPECT_FALSE(looks_like_time_zone("America/New York"));
}

TEST(Report, AverageGiftRoundsHalfUpAndIsZeroWithoutGifts) {
  EXPECT_EQ(average_gift(0, 0), 0);
  EXPECT_EQ(average_gift(1000, 3), 333);
  EXPECT_EQ(average_gift(1001, 2), 501);
  EXPECT_EQ(average_gift(5000, 2), 2500);
}

TEST(Pace, ProjectsTheLastSevenDaysToTheEndAndFindsTheGoalDate) {
  // 7000 in 7 days = 1000 a day; 10 days left; 5000 missing -> 5 days from now.
  const auto now = at("2026-12-21T23:59:59Z");
  const auto pace = project_pace(45000, 50000, 7000, now, at("2026-12-31T23:59:59Z"));
  EXPECT_EQ(pace.per_day, 1000);
  EXPECT_EQ(pace.expected_at_end, 55000);
  ASSERT_TRUE(pace.goal_reached_at);
  EXPECT_EQ(format_rfc3339(*pace.goal_reached_at), "2026-12-26T23:59:59Z");
  EXPECT_TRUE(pace.goal_reached_before_end);
}

TEST(Pace, ATooSlowPaceReachesTheGoalOnlyAfterTheEnd) {
  const auto pace = project_pace(1000, 50000, 700, at("2026-12-21T00:00:00Z"), at("2026-12-31T23:59:59Z"));
  EXPECT_EQ(pace.per_day, 100);
  EXPECT_LT(pace.expected_at_end, 50000);
  ASSERT_TRUE(pace.goal_reached_at);
  EXPECT_FALSE(pace.goal_reached_before_end);
}

TEST(Pace, NoMoneyLatelyMeansNoGoalDateAndAGoalMetIsMetNow) {
  const auto now = at("2026-12-21T00:00:00Z");
  const auto still = project_pace(1000, 50000, 0, now, at("2026-12-31T23:59:59Z"));
  EXPECT_EQ(still.expected_at_end, 1000);
  EXPECT_FALSE(still.goal_reached_at);
  const auto met = project_pace(60000, 50000, 0, now, at("2026-12-31T23:59:59Z"));
  ASSERT_TRUE(met.goal_reached_at);
  EXPECT_EQ(*met.goal_reached_at, now);
  EXPECT_TRUE(met.goal_reached_before_end);
}

TEST(Pace, AfterTheEndNothingMoreIsExpected) {
  const auto end = at("2026-12-31T23:59:59Z");
  const auto pace = project_pace(1000, 50000, 7000, end, end);
  EXPECT_EQ(pace.expected_at_end, 1000);
}
