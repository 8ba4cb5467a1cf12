#include <gtest/gtest.h>

#include <limits>

#include "pledged/domain/currency.hpp"
#include "pledged/domain/money.hpp"

using pledged::ErrorCode;
using pledged::Money;

TEST(Money, AddsAmountsOfTheSameCurrency) {
  auto sum = Money::of(2500, "usd")->plus(*Money::of(75, "usd"));
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->minor_units(), 2575);
  EXPECT_EQ(sum->currency(), "usd");
}

TEST(Money, RefusesArithmeticAcrossCurrencies) {
  auto sum = Money::of(100, "usd")->plus(*Money::of(100, "eur"));
  ASSERT_FALSE(sum);
  EXPECT_EQ(sum.error().code, ErrorCode::validation_failed);
  EXPECT_FALSE(Money::of(100, "usd")->minus(*Money::of(1, "gbp")));
}

TEST(Money, ReportsOverflowInsteadOfWrapping) {
  const auto max = std::numeric_limits<std::int64_t>::max();
  const auto min = std::numeric_limits<std::int64_t>::min();
  EXPECT_FALSE(Money::of(max, "usd")->plus(*Money::of(1, "usd")));
  EXPECT_FALSE(Money::of(min, "usd")->minus(*Money::of(1, "usd")));
  EXPECT_TRUE(Money::of(max - 1, "usd")->plus(*Money::of(1, "usd")));
}

TEST(Money, RejectsUnknownOrUppercaseCurrencies) {
  EXPECT_FALSE(Money::of(100, "USD"));
  EXPECT_FALSE(Money::of(100, "xyz"));
  EXPECT_FALSE(Money::of(100, ""));
}

TEST(Money, ParsesMajorUnitsForTwoDecimalCurrencies) {
  EXPECT_EQ(Money::parse_major("50000.00", "usd")->minor_units(), 5000000);
  EXPECT_EQ(Money::parse_major("50000", "usd")->minor_units(), 5000000);
  EXPECT_EQ(Money::parse_major("12.5", "eur")->minor_units(), 1250);
  EXPECT_EQ(Money::parse_major("0.07", "gbp")->minor_units(), 7);
}

TEST(Money, ZeroDecimalCurrenciesHaveNoMinorUnitDigits) {
  EXPECT_EQ(Money::parse_major("5000", "jpy")->minor_units(), 5000);
  EXPECT_FALSE(Money::parse_major("5000.5", "jpy"));
  EXPECT_FALSE(Money::parse_major("5000.0", "krw"));
  EXPECT_EQ(Money::of(5000, "jpy")->to_major_string(), "5000");
  EXPECT_EQ(pledged::find_currency("jpy")->exponent, 0);
  EXPECT_EQ(pledged::find_currency("jpy")->minimum_charge, 50);
}

TEST(Money, RejectsMalformedMajorAmounts) {
  for (const char* text : {"", ".", "12.", "1.234", "-5", "1,000", "1e3", "12.3.4", " 12", "abc"}) {
    EXPECT_FALSE(Money::parse_major(text, "usd")) << text;
  }
  EXPECT_FALSE(Money::parse_major("99999999999999999999", "usd"));
  EXPECT_FALSE(Money::parse_major("92233720368547758.08", "usd"));
}

TEST(Money, FormatsMajorUnits) {
  EXPECT_EQ(Money::of(5000000, "usd")->to_major_string(), "50000.00");
  EXPECT_EQ(Money::of(5, "usd")->to_major_string(), "0.05");
  EXPECT_EQ(Money::of(-1250, "eur")->to_major_string(), "-12.50");
  EXPECT_EQ(Money::of(std::numeric_limits<std::int64_t>::min(), "usd")->to_major_string(), "-92233720368547758.08");
}

TEST(Currency, KnowsStripeMinimumCharges) {
  EXPECT_EQ(pledged::find_currency("usd")->minimum_charge, 50);
  EXPECT_EQ(pledged::find_currency("eur")->minimum_charge, 50);
  EXPECT_EQ(pledged::find_currency("gbp")->minimum_charge, 30);
  EXPECT_FALSE(pledged::find_currency("USD"));
}
