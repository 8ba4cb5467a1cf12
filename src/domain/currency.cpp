#include "pledged/domain/currency.hpp"

#include <array>

namespace pledged {
namespace {

// Source: Stripe's documentation, "Supported currencies" (zero-decimal list) and
// "Minimum and maximum charge amounts" (the per-currency minimums below).
constexpr std::array<CurrencyInfo, 27> kCurrencies{{
    {"aud", 2, 50},    {"brl", 2, 50},    {"cad", 2, 50},   {"chf", 2, 50},
    {"czk", 2, 1500},  {"dkk", 2, 250},   {"eur", 2, 50},   {"gbp", 2, 30},
    {"hkd", 2, 400},   {"huf", 2, 17500}, {"inr", 2, 50},   {"jpy", 0, 50},
    {"krw", 0, 100},   {"mxn", 2, 1000},  {"myr", 2, 200},  {"nok", 2, 300},
    {"nzd", 2, 50},    {"pln", 2, 200},   {"ron", 2, 200},  {"sek", 2, 300},
    {"sgd", 2, 50},    {"thb", 2, 1000},  {"usd", 2, 50},   {"aed", 2, 200},
    {"bgn", 2, 100},   {"clp", 0, 500},   {"vnd", 0, 15000},
}};

}  // namespace

std::optional<CurrencyInfo> find_currency(std::string_view code) {
  for (const auto& currency : kCurrencies) {
    if (currency.code == code) return currency;
  }
  return std::nullopt;
}

}  // namespace pledged
