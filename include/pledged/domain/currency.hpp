#pragma once
// The currencies pledged accepts, with the facts Stripe publishes about each:
// how many decimals its minor unit has and the smallest amount Stripe will charge.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pledged {

struct CurrencyInfo {
  std::string_view code;       // lowercase ISO 4217, as Stripe writes it
  int exponent;                // digits after the decimal point (0 for jpy, krw, ...)
  std::int64_t minimum_charge; // in minor units
};

// nullopt for a currency we do not take (unknown to us, or not lowercase).
std::optional<CurrencyInfo> find_currency(std::string_view code);

}  // namespace pledged
