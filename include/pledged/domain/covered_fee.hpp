#pragma once
// The processing fee a donor may choose to cover (API.md, POST /v1/pledges): the gift is
// grossed up so that what is left after the fee is the gift. Integer arithmetic only.
#include <cstdint>

namespace pledged {

// PLEDGED_COVER_FEE as numbers: a percentage in basis points (2.9% = 290) and a fixed
// part in the currency's minor units.
struct FeeRule {
  std::int64_t percent_basis_points = 0;  // 0 to kMaxFeeBasisPoints
  std::int64_t fixed = 0;                 // 0 to kMaxFeeFixed
};

// The bounds the setting is checked against: the rule has an answer only below 100%, and
// more than half of a gift going to fees is a typo, not a price list.
inline constexpr std::int64_t kMaxFeeBasisPoints = 5000;
inline constexpr std::int64_t kMaxFeeFixed = 10000;

// round(charged × PERCENT / 100), rounding a half up (away from zero: the values are never
// negative), as JavaScript's Math.round does for the page's copy of the rule.
std::int64_t fee_percentage_part(std::int64_t charged, const FeeRule& rule);

// The smallest integer c with c − round(c × PERCENT / 100) − FIXED ≥ amount. The contract's
// definition, computed from a close lower bound; `amount` from 0 to 99,999,999.
std::int64_t charged_covering_fee(std::int64_t amount, const FeeRule& rule);

}  // namespace pledged
