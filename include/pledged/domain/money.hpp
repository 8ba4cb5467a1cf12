#pragma once
// Money is an integer count of the currency's minor unit, always with its currency.
// Arithmetic across currencies and arithmetic that would overflow are errors the
// caller has to look at, never a silent wrong sum.
#include <cstdint>
#include <string>
#include <string_view>

#include "pledged/core/result.hpp"

namespace pledged {

class Money {
 public:
  // The currency must be one find_currency() knows.
  static Result<Money> of(std::int64_t minor_units, std::string_view currency);
  // Parses an amount as a person types it in major units ("50000", "50000.00", "12.5").
  static Result<Money> parse_major(std::string_view text, std::string_view currency);

  std::int64_t minor_units() const { return minor_units_; }
  const std::string& currency() const { return currency_; }

  Result<Money> plus(const Money& other) const;
  Result<Money> minus(const Money& other) const;

  // "50000.00" for usd, "5000" for jpy: for logs, CLI output and CSV, never for parsing back.
  std::string to_major_string() const;

  friend bool operator==(const Money& a, const Money& b) {
    return a.minor_units_ == b.minor_units_ && a.currency_ == b.currency_;
  }
  friend bool operator!=(const Money& a, const Money& b) { return !(a == b); }

 private:
  Money(std::int64_t minor_units, std::string currency)
      : minor_units_(minor_units), currency_(std::move(currency)) {}

  std::int64_t minor_units_;
  std::string currency_;
};

// "10.00 USD": an amount as a donor reads it in an email or a statement.
std::string display_amount(std::int64_t minor_units, const std::string& currency);

}  // namespace pledged
