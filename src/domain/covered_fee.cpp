#include "pledged/domain/covered_fee.hpp"

namespace pledged {
namespace {

constexpr std::int64_t kBasisPointsPerWhole = 10000;

// What is left of `charged` after the fee. Non-decreasing in `charged`, by 0 or 1 per step
// (the percentage is below 100%, so its rounded part grows by at most 1 per step).
std::int64_t left_after_fee(std::int64_t charged, const FeeRule& rule) {
  return charged - fee_percentage_part(charged, rule) - rule.fixed;
}

}  // namespace

std::int64_t fee_percentage_part(std::int64_t charged, const FeeRule& rule) {
  return (charged * rule.percent_basis_points + kBasisPointsPerWhole / 2) / kBasisPointsPerWhole;
}

std::int64_t charged_covering_fee(std::int64_t amount, const FeeRule& rule) {
  // Any c that qualifies has c × (1 − p) ≥ amount + FIXED − 1/2, so c is at least
  // (amount + FIXED) / (1 − p) − 1/(2(1 − p)) ≥ that quotient − 1 (p ≤ 50%); starting
  // two below its floor, and never below the amount (the fee is never negative), the
  // first c that qualifies is the smallest.
  const std::int64_t kept = kBasisPointsPerWhole - rule.percent_basis_points;
  std::int64_t charged = (amount + rule.fixed) * kBasisPointsPerWhole / kept - 2;
  if (charged < amount) charged = amount;
  while (left_after_fee(charged, rule) < amount) ++charged;
  return charged;
}

}  // namespace pledged
