#include "pledged/domain/money.hpp"

#include "pledged/domain/currency.hpp"

namespace pledged {
namespace {

Error currency_mismatch(const Money& a, const Money& b) {
  return make_error(ErrorCode::validation_failed,
                    "cannot combine " + a.currency() + " with " + b.currency());
}

Error overflow() { return make_error(ErrorCode::validation_failed, "amount out of range"); }

}  // namespace

Result<Money> Money::of(std::int64_t minor_units, std::string_view currency) {
  if (!find_currency(currency)) {
    return make_error(ErrorCode::validation_failed, "unsupported currency");
  }
  return Money(minor_units, std::string(currency));
}

Result<Money> Money::parse_major(std::string_view text, std::string_view currency) {
  const auto info = find_currency(currency);
  if (!info) return make_error(ErrorCode::validation_failed, "unsupported currency");
  const auto invalid = make_error(ErrorCode::validation_failed,
                                  "expected an amount like 50000.00 with at most " +
                                      std::to_string(info->exponent) + " decimals");
  if (text.empty()) return invalid;

  std::int64_t units = 0;
  int decimals = -1;  // -1 until the decimal point is seen
  for (const char c : text) {
    if (c == '.') {
      if (decimals >= 0) return invalid;
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9') return invalid;
    if (decimals >= 0 && ++decimals > info->exponent) return invalid;
    if (__builtin_mul_overflow(units, 10, &units) || __builtin_add_overflow(units, c - '0', &units)) {
      return overflow();
    }
  }
  if (decimals == 0) return invalid;  // "12." is a typo, not an amount
  for (int i = decimals < 0 ? 0 : decimals; i < info->exponent; ++i) {
    if (__builtin_mul_overflow(units, 10, &units)) return overflow();
  }
  return Money(units, std::string(currency));
}

Result<Money> Money::plus(const Money& other) const {
  if (currency_ != other.currency_) return currency_mismatch(*this, other);
  std::int64_t sum = 0;
  if (__builtin_add_overflow(minor_units_, other.minor_units_, &sum)) return overflow();
  return Money(sum, currency_);
}

Result<Money> Money::minus(const Money& other) const {
  if (currency_ != other.currency_) return currency_mismatch(*this, other);
  std::int64_t difference = 0;
  if (__builtin_sub_overflow(minor_units_, other.minor_units_, &difference)) return overflow();
  return Money(difference, currency_);
}

std::string Money::to_major_string() const {
  const int exponent = find_currency(currency_)->exponent;
  const bool negative = minor_units_ < 0;
  // Work in unsigned so that INT64_MIN has a magnitude.
  std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(minor_units_)
                                     : static_cast<std::uint64_t>(minor_units_);
  std::string digits = std::to_string(magnitude);
  if (exponent > 0) {
    if (digits.size() <= static_cast<std::size_t>(exponent)) {
      digits.insert(0, static_cast<std::size_t>(exponent) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<std::size_t>(exponent), ".");
  }
  return negative ? "-" + digits : digits;
}

std::string display_amount(std::int64_t minor_units, const std::string& currency) {
  std::string upper;
  for (const char c : currency) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  auto money = Money::of(minor_units, currency);
  return (money ? money->to_major_string() : std::to_string(minor_units)) + " " + upper;
}

}  // namespace pledged
