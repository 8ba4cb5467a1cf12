// Donor self-service's pure parts (issue 17): the donor key of a typed email, gifts by
// year, and the sign-in email's words.
#include "pledged/domain/donor.hpp"

#include <gtest/gtest.h>

#include "pledged/email/email_message.hpp"

using namespace pledged;

namespace {

// The text/plain part of a composed message, base64 decoded (as a mail client shows it).
std::string plain_text_of(const std::string& data) {
  const std::string marker = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  const auto start = data.find(marker);
  if (start == std::string::npos) return "";
  const auto end = data.find("--", start + marker.size());
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (const char c : data.substr(start + marker.size(), end - start - marker.size())) {
    const auto value = alphabet.find(c);
    if (value == std::string::npos) continue;  // line breaks, padding
    bits = (bits << 6) | static_cast<unsigned>(value);
    if ((count += 6) >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

}  // namespace

TEST(DonorKey, IsTheEmailTrimmedAndInLowerCase) {
  EXPECT_EQ(donor_key_of("  Ana@Example.ORG \t").value(), "ana@example.org");
  for (const char* bad : {"", "   ", "ana", "@example.org", "ana@", "a b@example.org", "ana@x@y", "<ana@x.org>"}) {
    const auto key = donor_key_of(bad);
    ASSERT_FALSE(key) << bad;
    EXPECT_EQ(key.error().code, ErrorCode::validation_failed);
    EXPECT_EQ(key.error().fields.count("email"), 1u);
  }
}

TEST(DonorYears, GroupMovementsByUtcYearNewestYearFirstOldestMovementFirst) {
  const auto at = [](const char* text) { return parse_rfc3339(text).value(); };
  std::vector<DonorMovement> movements = {
      {at("2026-03-01T00:00:00Z"), "B", "payment", 200, "usd", "once"},
      {at("2025-12-31T23:59:59Z"), "A", "payment", 100, "usd", "once"},
      {at("2026-01-01T00:00:00Z"), "C", "refund", -50, "usd", "once"},
  };
  const auto years = group_by_year(movements);
  ASSERT_EQ(years.size(), 2u);
  EXPECT_EQ(years[0].year, 2026);
  ASSERT_EQ(years[0].movements.size(), 2u);
  EXPECT_EQ(years[0].movements[0].campaign, "C");
  EXPECT_EQ(years[0].movements[1].campaign, "B");
  EXPECT_EQ(years[1].year, 2025);
  EXPECT_EQ(years[1].movements[0].campaign, "A");
}

TEST(SignInEmail, HasTheLinkSaysHowLongItWorksAndIsNoReceipt) {
  OutboxEmail row;
  row.id = 7;
  row.kind = "donor_link";
  row.recipient = "ana@example.org";
  row.currency = "xxx";
  row.summary = "https://give.example/donor/abc";
  row.created_at = parse_rfc3339("2026-12-06T12:00:00Z").value();
  row.occurred_at = row.created_at;
  email::Organisation organisation{pledged::Organisation{"The Example Ledger", "12-3", "1 Press Row"},
                                   "The Example Ledger <giving@ledger.example>"};
  const auto message = email::compose_email(row, organisation, row.created_at);
  ASSERT_TRUE(message.has_value());
  EXPECT_NE(message->data.find("Subject: Your sign-in link for The Example Ledger"), std::string::npos);
  const auto text = plain_text_of(message->data);
  EXPECT_NE(text.find("https://give.example/donor/abc"), std::string::npos) << text;
  EXPECT_NE(text.find("30 minutes"), std::string::npos);
  EXPECT_EQ(text.find(kNoGoodsOrServices), std::string::npos) << "no money, no receipt language";
}
