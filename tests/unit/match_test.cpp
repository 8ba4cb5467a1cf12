// Matching gifts' rules without a database: what an admin may ask for, and what the
// banner shows. Every expectation is written out, never computed by the code under test.
#include "pledged/domain/match.hpp"

#include <gtest/gtest.h>

#include "pledged/domain/progress.hpp"

using namespace pledged;

namespace {

Timestamp at(const char* text) { return *parse_rfc3339(text); }

Campaign eoy_campaign() {
  return Campaign{7,
                  "eoy-2026",
                  "Urgent End Of Year Fundraising Campaign",
                  *Money::of(5000000, "usd"),
                  at("2026-11-15T00:00:00Z"),
                  at("2026-12-31T23:59:59Z")};
}

MatchFields knight_fund() {
  MatchFields fields;
  fields.sponsor = "The Knight Fund";
  fields.ratio = 100;
  fields.cap = 1000000;
  fields.per_gift_cap = 100000;
  fields.starts_at = "2026-12-01";
  fields.ends_at = "2026-12-31T23:59:59Z";
  fields.applies_to = "first_monthly";
  return fields;
}

MatchStanding standing(const char* sponsor, std::int64_t ratio, std::int64_t cap, std::int64_t earned,
                       const char* starts = "2026-11-15T00:00:00Z", const char* ends = "2026-12-31T23:59:59Z") {
  return MatchStanding{
      Match{"mt_x", 7, sponsor, ratio, *Money::of(cap, "usd"), std::nullopt, at(starts), at(ends), MatchScope::all},
      earned};
}

}  // namespace

TEST(Match, AValidMatchKeepsWhatWasAsked) {
  const auto match = validate_new_match(knight_fund(), eoy_campaign());
  ASSERT_TRUE(match) << match.error().message;
  EXPECT_EQ(match->campaign_id, 7);
  EXPECT_EQ(match->sponsor, "The Knight Fund");
  EXPECT_EQ(match->ratio, 100);
  EXPECT_EQ(match->cap.minor_units(), 1000000);
  EXPECT_EQ(match->cap.currency(), "usd");
  EXPECT_EQ(match->per_gift_cap, std::optional<std::int64_t>(100000));
  EXPECT_EQ(match->starts_at, at("2026-12-01T00:00:00Z"));
  EXPECT_EQ(match->ends_at, at("2026-12-31T23:59:59Z"));
  EXPECT_EQ(match->applies_to, MatchScope::first_monthly);
}

TEST(Match, DefaultsAreTheCampaignsWindowAndCurrencyAndEveryGift) {
  MatchFields fields;
  fields.sponsor = "A";
  fields.ratio = 1;
  fields.cap = 1;
  const auto match = validate_new_match(fields, eoy_campaign());
  ASSERT_TRUE(match) << match.error().message;
  EXPECT_EQ(match->starts_at, at("2026-11-15T00:00:00Z"));
  EXPECT_EQ(match->ends_at, at("2026-12-31T23:59:59Z"));
  EXPECT_EQ(match->cap.currency(), "usd");
  EXPECT_EQ(match->applies_to, MatchScope::all);
  EXPECT_FALSE(match->per_gift_cap);
}

TEST(Match, EveryInvalidFieldIsNamedAtOnce) {
  MatchFields fields;
  fields.sponsor = "   ";
  fields.ratio = 1001;
  fields.cap = 0;
  fields.per_gift_cap = -5;
  fields.currency = "eur";
  fields.starts_at = "2026-11-01";  // before the campaign
  fields.ends_at = "2027-01-02";    // after it
  fields.applies_to = "monthly";
  const auto match = validate_new_match(fields, eoy_campaign());
  ASSERT_FALSE(match);
  EXPECT_EQ(match.error().code, ErrorCode::validation_failed);
  for (const char* field :
       {"sponsor", "ratio", "cap", "per_gift_cap", "currency", "starts_at", "ends_at", "applies_to"}) {
    EXPECT_EQ(match.error().fields.count(field), 1u) << field;
  }
}

TEST(Match, RatioBoundsAndSponsorLength) {
  auto fields = knight_fund();
  for (std::int64_t ratio : {1, 1000}) {
    fields.ratio = ratio;
    EXPECT_TRUE(validate_new_match(fields, eoy_campaign())) << ratio;
  }
  for (std::int64_t ratio : {0, -100, 1001}) {
    fields.ratio = ratio;
    EXPECT_FALSE(validate_new_match(fields, eoy_campaign())) << ratio;
  }
  fields = knight_fund();
  fields.ratio.reset();
  EXPECT_EQ(validate_new_match(fields, eoy_campaign()).error().fields.count("ratio"), 1u);
  fields = knight_fund();
  fields.sponsor = std::string(200, 'k');
  EXPECT_TRUE(validate_new_match(fields, eoy_campaign()));
  fields.sponsor = std::string(201, 'k');
  EXPECT_FALSE(validate_new_match(fields, eoy_campaign()));
  fields.sponsor = "The Knight\nFund";
  EXPECT_FALSE(validate_new_match(fields, eoy_campaign()));
}

TEST(Match, TheWindowMustBeInsideTheCampaignAndForward) {
  auto fields = knight_fund();
  fields.starts_at = "2026-12-20T00:00:00Z";
  fields.ends_at = "2026-12-10T00:00:00Z";
  EXPECT_EQ(validate_new_match(fields, eoy_campaign()).error().fields.count("ends_at"), 1u);
  fields.ends_at = "2027-01-01T00:00:00Z";  // one second past the campaign's last
  EXPECT_EQ(validate_new_match(fields, eoy_campaign()).error().fields.count("ends_at"), 1u);
  fields.starts_at = "not a time";
  EXPECT_EQ(validate_new_match(fields, eoy_campaign()).error().fields.count("starts_at"), 1u);
}

TEST(Match, APatchChangesOnlyTheEndAndTheCap) {
  const auto current = *validate_new_match(knight_fund(), eoy_campaign());
  const auto next = apply_match_patch(current, MatchPatch{std::string("2026-12-24"), 750000}, eoy_campaign());
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->ends_at, at("2026-12-24T23:59:59Z"));
  EXPECT_EQ(next->cap.minor_units(), 750000);
  EXPECT_EQ(next->starts_at, at("2026-12-01T00:00:00Z"));
  EXPECT_EQ(next->sponsor, "The Knight Fund");

  const auto refused = apply_match_patch(current, MatchPatch{std::string("2026-11-30"), 0}, eoy_campaign());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().fields.count("ends_at"), 1u);  // before the match starts
  EXPECT_EQ(refused.error().fields.count("cap"), 1u);
  EXPECT_FALSE(apply_match_patch(current, MatchPatch{std::string("2027-01-05"), std::nullopt}, eoy_campaign()));
}

TEST(Match, MatchesAddEachWithinItsCap) {
  EXPECT_EQ(total_matched({}), 0);
  EXPECT_EQ(total_matched({standing("A", 100, 10000, 10000), standing("B", 50, 5000, 1234)}), 11234);
}

TEST(Match, TheBannerShowsTheFirstActiveMatchWithRoomLeft) {
  const auto now = at("2026-12-05T12:00:00Z");
  EXPECT_FALSE(banner_match({}, now));
  // Used up, then not started yet, then active: the active one, though created last.
  const std::vector<MatchStanding> standings{
      standing("Used Up", 100, 10000, 10000), standing("Later", 200, 5000, 0, "2026-12-10T00:00:00Z"),
      standing("The Knight Fund", 100, 1000000, 250000), standing("Also Active", 300, 1000000, 0)};
  const auto shown = banner_match(standings, now);
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->sponsor, "The Knight Fund");
  EXPECT_EQ(shown->ratio, 100);
  EXPECT_EQ(shown->remaining, 750000);
  // Its window's last second is still inside; the next one is not.
  EXPECT_TRUE(standing("Edge", 100, 100, 0).active_at(at("2026-12-31T23:59:59Z")));
  EXPECT_FALSE(standing("Edge", 100, 100, 0).active_at(at("2027-01-01T00:00:00Z")));
}

TEST(Match, PercentCountsRaisedAndMatched) {
  // 1,234,567 raised + 250,000 matched of 5,000,000 is 29.69134 %.
  const auto progress = compute_progress(eoy_campaign(), CampaignTotals{1234567, 321, 400}, at("2026-12-05T12:00:00Z"),
                                         {standing("The Knight Fund", 100, 1000000, 250000)});
  EXPECT_EQ(progress.raised, 1234567);
  EXPECT_EQ(progress.matched, 250000);
  EXPECT_EQ(progress.percent_hundredths, 2969);
  ASSERT_TRUE(progress.match);
  EXPECT_EQ(progress.match->remaining, 750000);
}
