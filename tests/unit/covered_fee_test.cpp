// The covered-fee rule (API.md, POST /v1/pledges): charged = the smallest integer c with
// c − round(c × PERCENT / 100) − FIXED ≥ amount, round() rounding a half up. Every
// expectation below was worked out by hand; the search at the end is the contract's
// definition, written out, against the closed form.
#include "pledged/domain/covered_fee.hpp"

#include <gtest/gtest.h>

using pledged::charged_covering_fee;
using pledged::fee_percentage_part;
using pledged::FeeRule;

namespace {

const FeeRule kDefault{290, 30};  // PLEDGED_COVER_FEE's default, 2.9%+30

}  // namespace

TEST(CoveredFee, TwentyFiveDollarsIsChargedTwentySixOhSix) {
  // 2606 − round(75.574) − 30 = 2500; 2605 − round(75.545) − 30 = 2499.
  EXPECT_EQ(charged_covering_fee(2500, kDefault), 2606);
}

TEST(CoveredFee, ExactHalvesRoundUp) {
  EXPECT_EQ(fee_percentage_part(500, kDefault), 15) << "14.5";
  EXPECT_EQ(fee_percentage_part(2500, kDefault), 73) << "72.5";
  EXPECT_EQ(fee_percentage_part(499, kDefault), 14) << "14.471";
  EXPECT_EQ(fee_percentage_part(501, kDefault), 15) << "14.529";
  // 500 − 15 − 30 = 455 < 456, 501 − 15 − 30 = 456: 501. Banker's rounding (14) would give 500.
  EXPECT_EQ(charged_covering_fee(456, kDefault), 501);
  // 2500 − 73 − 30 = 2397 < 2398, 2501 − 73 − 30 = 2398: 2501 (banker's: 2500).
  EXPECT_EQ(charged_covering_fee(2398, kDefault), 2501);
  // 499 − 14 − 30 = 455: already enough, and 498 − 14 − 30 = 454 is not.
  EXPECT_EQ(charged_covering_fee(455, kDefault), 499);
}

TEST(CoveredFee, BoundaryAmounts) {
  // usd's minimum: 82 − round(2.378) − 30 = 50; 81 − 2 − 30 = 49.
  EXPECT_EQ(charged_covering_fee(50, kDefault), 82);
  // 10330 − round(299.57) − 30 = 10000; 10329 − round(299.541) − 30 = 9999.
  EXPECT_EQ(charged_covering_fee(10000, kDefault), 10330);
  // The largest gift: 102986642 − round(2986612.618) − 30 = 99999999; one less leaves 99999998.
  EXPECT_EQ(charged_covering_fee(99'999'999, kDefault), 102'986'642);
}

TEST(CoveredFee, OtherRules) {
  EXPECT_EQ(charged_covering_fee(2500, FeeRule{0, 0}), 2500) << "no fee";
  EXPECT_EQ(charged_covering_fee(2500, FeeRule{0, 30}), 2530) << "fixed part only";
  EXPECT_EQ(charged_covering_fee(90, FeeRule{1000, 0}), 100) << "10%: 99 − round(9.9) = 89";
  // 2.25%: 1023 − round(23.0175) = 1000; 1022 − round(22.995) = 999.
  EXPECT_EQ(charged_covering_fee(1000, FeeRule{225, 0}), 1023);
  // 50%, the largest allowed: 200 − 100 = 100, 199 − round(99.5) = 99.
  EXPECT_EQ(charged_covering_fee(100, FeeRule{5000, 0}), 200);
  // 198 − 99 = 99 and 197 − round(98.5) = 98.
  EXPECT_EQ(charged_covering_fee(99, FeeRule{5000, 0}), 198);
}

TEST(CoveredFee, IsTheSmallestQualifyingChargeForEveryAmount) {
  // The contract's words as a search: from the amount up (the fee is never negative), the
  // first c whose remainder after the fee reaches the amount. Exact decimal arithmetic on
  // basis points: round half up is floor((c × bp + 5000) / 10000).
  const auto left = [](std::int64_t c, const FeeRule& rule) {
    return c - (c * rule.percent_basis_points + 5000) / 10000 - rule.fixed;
  };
  for (const FeeRule rule : {kDefault, FeeRule{0, 0}, FeeRule{1, 0}, FeeRule{225, 25}, FeeRule{350, 0},
                             FeeRule{4999, 10000}, FeeRule{5000, 1}}) {
    for (std::int64_t amount = 0; amount <= 6000; ++amount) {
      std::int64_t smallest = amount;
      while (left(smallest, rule) < amount) ++smallest;
      ASSERT_EQ(charged_covering_fee(amount, rule), smallest)
          << amount << " at " << rule.percent_basis_points << " bp + " << rule.fixed;
    }
  }
}
