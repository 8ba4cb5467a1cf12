#include <gtest/gtest.h>

#include "pledged/domain/admin_changes.hpp"
#include "pledged/domain/refund.hpp"

using namespace pledged;

namespace {

Campaign demo_campaign() {
  return *validate_new_campaign(CampaignFields{"eoy-2026", "End of year", "usd", 5000000, "2026-11-15", "2026-12-31"});
}

Timestamp at(const char* text) { return *parse_rfc3339(text); }

}  // namespace

TEST(AdminCampaigns, NewCampaignTakesTheGoalInMinorUnits) {
  const auto campaign = demo_campaign();
  EXPECT_EQ(campaign.goal.minor_units(), 5000000);
  EXPECT_EQ(format_rfc3339(campaign.ends_at), "2026-12-31T23:59:59Z");
  auto bad = validate_new_campaign(CampaignFields{"Bad Slug", "", "xyz", -5, "later", "2020-01-01"});
  ASSERT_FALSE(bad);
  for (const char* field : {"slug", "title", "currency", "goal", "starts_at"}) {
    EXPECT_EQ(bad.error().fields.count(field), 1u) << field;
  }
  auto no_goal = validate_new_campaign(CampaignFields{"x", "X", "usd", std::nullopt, "2026-01-01", "2026-02-01"});
  ASSERT_FALSE(no_goal);
  EXPECT_EQ(no_goal.error().fields.count("goal"), 1u);
}

TEST(AdminCampaigns, PatchChangesOnlyWhatItNames) {
  const auto current = demo_campaign();
  auto patched = apply_campaign_patch(current, CampaignPatch{std::string("New title"), std::nullopt, std::nullopt,
                                                             std::string("2027-01-15")});
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->title, "New title");
  EXPECT_EQ(patched->goal, current.goal);
  EXPECT_EQ(patched->starts_at, current.starts_at);
  EXPECT_EQ(format_rfc3339(patched->ends_at), "2027-01-15T23:59:59Z");
  auto backwards = apply_campaign_patch(current, CampaignPatch{std::nullopt, 0, std::nullopt, std::string("2026-01-01")});
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().fields.count("goal"), 1u);
  EXPECT_EQ(backwards.error().fields.count("ends_at"), 1u);
}

TEST(OfflineGifts, AreCheckedAgainstTheCampaign) {
  const auto campaign = demo_campaign();
  const auto now = at("2026-12-01T12:00:00Z");
  auto gift = validate_offline_gift(
      OfflineGiftFields{2500, "usd", "Ana", "Ana@Example.org", "2026-11-30", "check", "at the door"}, campaign, now);
  ASSERT_TRUE(gift);
  EXPECT_EQ(gift->amount.minor_units(), 2500);
  EXPECT_EQ(gift->donor_key, "ana@example.org");
  EXPECT_EQ(format_rfc3339(gift->received_at), "2026-11-30T00:00:00Z");
  EXPECT_EQ(gift->method, OfflineMethod::check);

  auto bad = validate_offline_gift(OfflineGiftFields{0, "eur", std::string(201, 'a'), "not-an-email",
                                                     "2027-06-01", "bitcoin", std::string(1001, 'n')},
                                   campaign, now);
  ASSERT_FALSE(bad);
  for (const char* field : {"amount", "currency", "name", "email", "received_at", "method", "note"}) {
    EXPECT_EQ(bad.error().fields.count(field), 1u) << field;
  }
  auto defaulted = validate_offline_gift(OfflineGiftFields{100, "usd", "", "", "", "cash", ""}, campaign, now);
  ASSERT_TRUE(defaulted);
  EXPECT_EQ(defaulted->received_at, now);
}

TEST(Refunds, StripesKeyComesFromTheClientsKeyAlone) {
  const std::string pledge = "pl_abcdefghijklmnopqrstu";
  EXPECT_EQ(stripe_refund_key(pledge, "refund-1"), stripe_refund_key(pledge, "refund-1"))
      << "a retry is the same refund";
  EXPECT_NE(stripe_refund_key(pledge, "refund-1"), stripe_refund_key(pledge, "refund-2")) << "two keys, two refunds";
  EXPECT_NE(stripe_refund_key(pledge, "refund-1"), stripe_refund_key("pl_bcdefghijklmnopqrstuv", "refund-1"));
  EXPECT_LE(stripe_refund_key(pledge, std::string(255, 'k')).size(), 255u) << "within Stripe's key length";
}

TEST(Refunds, DefaultIsWhatIsLeftOfTheLatestPayment) {
  RefundablePledge pledge{"pl_abcdefghijklmnopqrstu", 1, "eoy-2026", "pi_123", *Money::of(2500, "usd"), 2500};
  auto all = plan_refund(pledge, std::nullopt);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->amount.minor_units(), 2500);
  auto part = plan_refund(pledge, 1000);
  ASSERT_TRUE(part);
  EXPECT_EQ(part->amount.minor_units(), 1000);

  pledge.net = 1500;  // 1000 already refunded
  EXPECT_EQ(plan_refund(pledge, std::nullopt)->amount.minor_units(), 1500);
  auto too_much = plan_refund(pledge, 2000);
  ASSERT_FALSE(too_much);
  EXPECT_EQ(too_much.error().fields.count("amount"), 1u);
  EXPECT_FALSE(plan_refund(pledge, 0));

  pledge.net = 0;
  auto nothing = plan_refund(pledge, std::nullopt);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, ErrorCode::conflict);
}
