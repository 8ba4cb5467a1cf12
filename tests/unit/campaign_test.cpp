#include <gtest/gtest.h>

#include "pledged/domain/campaign.hpp"

using namespace pledged;

TEST(CampaignDraft, BareDatesCoverWholeDaysInUtc) {
  auto campaign = validate_campaign_draft(
      {"eoy-2026", "Urgent End Of Year Fundraising Campaign", "usd", "50000.00", "2026-11-15", "2026-12-31"});
  ASSERT_TRUE(campaign) << campaign.error().message;
  EXPECT_EQ(format_rfc3339(campaign->starts_at), "2026-11-15T00:00:00Z");
  EXPECT_EQ(format_rfc3339(campaign->ends_at), "2026-12-31T23:59:59Z");
  EXPECT_EQ(campaign->goal.minor_units(), 5000000);
}

TEST(CampaignDraft, AcceptsRfc3339TimesWithOffsets) {
  auto campaign = validate_campaign_draft(
      {"spring", "Spring", "eur", "100", "2027-03-01T00:00:00+01:00", "2027-03-31T23:00:00Z"});
  ASSERT_TRUE(campaign) << campaign.error().message;
  EXPECT_EQ(format_rfc3339(campaign->starts_at), "2027-02-28T23:00:00Z");
}

TEST(CampaignDraft, ListsEveryInvalidFieldAtOnce) {
  auto campaign = validate_campaign_draft({"Bad Slug!", "", "usd", "0", "someday", "2026-12-31"});
  ASSERT_FALSE(campaign);
  const auto& fields = campaign.error().fields;
  EXPECT_TRUE(fields.count("slug"));
  EXPECT_TRUE(fields.count("title"));
  EXPECT_TRUE(fields.count("goal"));
  EXPECT_TRUE(fields.count("starts_at"));
}

TEST(CampaignDraft, EndMustFollowStartAndCurrencyMustBeKnown) {
  auto reversed = validate_campaign_draft({"x", "X", "usd", "10", "2026-12-31", "2026-11-01"});
  ASSERT_FALSE(reversed);
  EXPECT_TRUE(reversed.error().fields.count("ends_at"));
  auto currency = validate_campaign_draft({"x", "X", "USD", "10", "2026-11-01", "2026-12-31"});
  ASSERT_FALSE(currency);
  EXPECT_TRUE(currency.error().fields.count("currency"));
}
