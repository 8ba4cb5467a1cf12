#include <gtest/gtest.h>

#include "pledged/domain/progress.hpp"
#include "pledged/progress/progress_cache.hpp"

using namespace pledged;

namespace {

Campaign eoy_campaign() {
  return Campaign{1, "eoy-2026", "Urgent End Of Year Fundraising Campaign", *Money::of(5000000, "usd"),
                  *parse_rfc3339("2026-11-15T00:00:00Z"), *parse_rfc3339("2026-12-31T23:59:59Z")};
}

Timestamp at(const char* text) { return *parse_rfc3339(text); }

}  // namespace

TEST(Progress, PercentIsRoundedHalfUpToTwoDecimals) {
  EXPECT_EQ(percent_hundredths(1234567, 5000000), 2469);  // 24.69134
  EXPECT_EQ(percent_hundredths(1, 3), 3333);              // 33.333...
  EXPECT_EQ(percent_hundredths(2, 3), 6667);              // 66.666...
  EXPECT_EQ(percent_hundredths(1, 20000), 1);             // 0.005 rounds up
  EXPECT_EQ(percent_hundredths(1, 20001), 0);             // 0.00499...
  EXPECT_EQ(percent_hundredths(0, 5000000), 0);
}

TEST(Progress, PercentMayExceedOneHundred) {
  EXPECT_EQ(percent_hundredths(7500000, 5000000), 15000);
  EXPECT_EQ(percent_hundredths(INT64_MAX, 1), INT64_MAX);  // saturates instead of overflowing
}

TEST(Progress, StatusFollowsTheCampaignDates) {
  const auto campaign = eoy_campaign();
  EXPECT_EQ(campaign.status_at(at("2026-11-14T23:59:59Z")), CampaignStatus::scheduled);
  EXPECT_EQ(campaign.status_at(at("2026-11-15T00:00:00Z")), CampaignStatus::active);
  EXPECT_EQ(campaign.status_at(at("2026-12-31T23:59:59Z")), CampaignStatus::active);
  EXPECT_EQ(campaign.status_at(at("2027-01-01T00:00:00Z")), CampaignStatus::ended);
}

TEST(Progress, ComputesTheBannerNumbers) {
  const auto progress =
      compute_progress(eoy_campaign(), CampaignTotals{1234567, 321, 400}, at("2026-11-27T12:00:00Z"));
  EXPECT_EQ(progress.campaign, "eoy-2026");
  EXPECT_EQ(progress.currency, "usd");
  EXPECT_EQ(progress.goal, 5000000);
  EXPECT_EQ(progress.raised, 1234567);
  EXPECT_EQ(progress.percent_hundredths, 2469);
  EXPECT_EQ(progress.donors, 321);
  EXPECT_EQ(progress.gifts, 400);
  EXPECT_EQ(progress.status, CampaignStatus::active);
}

TEST(Progress, RendersTheContractsJson) {
  const auto progress =
      compute_progress(eoy_campaign(), CampaignTotals{1234567, 321, 400}, at("2026-11-27T12:00:00Z"));
  const auto json = render_progress_json(progress, at("2026-11-27T12:00:01Z"));
  EXPECT_EQ(json, R"({"campaign":"eoy-2026","title":"Urgent End Of Year Fundraising Campaign","currency":"usd",)"
                  R"("goal":5000000,"raised":1234567,"percent":24.69,"donors":321,"gifts":400,)"
                  R"("starts_at":"2026-11-15T00:00:00Z","ends_at":"2026-12-31T23:59:59Z","status":"active",)"
                  R"("as_of":"2026-11-27T12:00:01Z","matched":0})");
}

TEST(ProgressCache, KeepsETagAndAsOfWhileNothingChanges) {
  CampaignTotals totals{100, 1, 1};
  Timestamp now = at("2026-11-27T12:00:00Z");
  Timestamp changed_at = at("2026-11-27T11:00:00Z");
  ProgressCache cache(
      [&]() -> Result<std::vector<CampaignWithTotals>> {
        return std::vector<CampaignWithTotals>{{eoy_campaign(), totals, changed_at, {}}};
      },
      [&] { return now; });

  ASSERT_TRUE(cache.refresh());
  const auto first = cache.find("eoy-2026");
  ASSERT_TRUE(first);
  now += std::chrono::seconds(30);
  ASSERT_TRUE(cache.refresh());
  EXPECT_EQ(cache.find("eoy-2026")->etag, first->etag);
  EXPECT_EQ(cache.find("eoy-2026")->as_of, first->as_of);

  totals.raised = 2600;
  changed_at = at("2026-11-27T12:00:20Z");
  ASSERT_TRUE(cache.refresh());
  const auto changed = cache.find("eoy-2026");
  EXPECT_NE(changed->etag, first->etag);
  EXPECT_EQ(changed->progress.raised, 2600);
  EXPECT_EQ(changed->as_of, changed_at);
  EXPECT_EQ(cache.find("no-such-campaign"), nullptr);
}

TEST(ProgressCache, KeepsTheLastSnapshotWhenTheDatabaseFails) {
  bool fail = false;
  ProgressCache cache(
      [&]() -> Result<std::vector<CampaignWithTotals>> {
        if (fail) return make_error(ErrorCode::unavailable, "database down");
        return std::vector<CampaignWithTotals>{
            {eoy_campaign(), CampaignTotals{500, 1, 1}, at("2026-11-27T11:00:00Z"), {}}};
      },
      [] { return *parse_rfc3339("2026-11-27T12:00:00Z"); });
  ASSERT_TRUE(cache.refresh());
  fail = true;
  EXPECT_FALSE(cache.refresh());
  ASSERT_TRUE(cache.find("eoy-2026"));
  EXPECT_EQ(cache.find("eoy-2026")->progress.raised, 500);
}
