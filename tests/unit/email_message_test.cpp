#include "pledged/email/email_message.hpp"

#include <gtest/gtest.h>

#include "pledged/email/outbox_sender.hpp"

using pledged::OutboxEmail;
using pledged::Timestamp;
using pledged::email::compose_email;
using pledged::email::is_plain_address;
using pledged::email::Organisation;

namespace {

OutboxEmail row(const std::string& recipient, const std::string& name) {
  OutboxEmail email;
  email.id = 42;
  email.kind = "receipt";
  email.recipient = recipient;
  email.donor_name = name;
  email.campaign_title = "Spring <drive>";
  email.amount = 2500;
  email.currency = "usd";
  email.occurred_at = Timestamp(std::chrono::seconds(1795000000));
  email.created_at = Timestamp(std::chrono::seconds(1795000100));
  return email;
}

const Organisation kOrganisation{{"The Ledger", "12-3456789", "1 Press Row"}, "The Ledger <giving@ledger.example>"};

std::string headers_of(const std::string& data) { return data.substr(0, data.find("\r\n\r\n") + 2); }

}  // namespace

TEST(EmailMessage, OnlyAPlainAddressReachesTheEnvelope) {
  EXPECT_TRUE(is_plain_address("ana@example.org"));
  for (const char* bad : {"ana@example.org\r\nBcc: x@evil", "ana@example.org>, <x@evil", "ana @example.org", "ana",
                          "@example.org", "ana@", "a@b@c", "ana@example.org\n", "\"ana\"@example.org"}) {
    EXPECT_FALSE(is_plain_address(bad)) << bad;
    EXPECT_FALSE(compose_email(row(bad, "Ana"), kOrganisation, Timestamp{})) << bad;
  }
}

TEST(EmailMessage, DonorTextNeverMakesAHeaderAndIsEscapedInHtml) {
  const auto message =
      compose_email(row("ana@example.org", "Eve\r\nBcc: x@evil.example <b>"), kOrganisation, Timestamp{});
  ASSERT_TRUE(message);
  EXPECT_EQ(message->recipient, "ana@example.org");
  EXPECT_EQ(message->envelope_from, "giving@ledger.example");
  const std::string headers = headers_of(message->data);
  EXPECT_EQ(headers.find("Bcc"), std::string::npos) << headers;
  EXPECT_EQ(headers.find("evil"), std::string::npos) << headers;
  EXPECT_NE(headers.find("To: <ana@example.org>\r\n"), std::string::npos) << headers;
  // Every header line is a header: "Name: value", or a folded continuation (none here).
  std::size_t start = 0;
  while (start < headers.size() - 2) {
    const auto end = headers.find("\r\n", start);
    const std::string line = headers.substr(start, end - start);
    EXPECT_NE(line.find(": "), std::string::npos) << line;
    start = end + 2;
  }
}

TEST(EmailMessage, TheMessageIdIsStablePerRowAndDiffersBetweenRows) {
  const auto first = compose_email(row("ana@example.org", "Ana"), kOrganisation, Timestamp{});
  const auto again = compose_email(row("ana@example.org", "Ana"), kOrganisation, Timestamp(std::chrono::hours(5)));
  auto other_row = row("ana@example.org", "Ana");
  other_row.id = 43;
  const auto other = compose_email(other_row, kOrganisation, Timestamp{});
  EXPECT_EQ(first->message_id, again->message_id);
  EXPECT_NE(first->message_id, other->message_id);
  EXPECT_NE(first->data.find("Message-ID: " + first->message_id + "\r\n"), std::string::npos);
}

TEST(EmailMessage, RetriesBackOffToHalfAnHour) {
  using pledged::email::retry_delay;
  EXPECT_EQ(retry_delay(1).count(), 2);
  EXPECT_EQ(retry_delay(2).count(), 4);
  EXPECT_EQ(retry_delay(5).count(), 32);
  EXPECT_EQ(retry_delay(100).count(), 1800);
}

TEST(EmailMessage, AStatementIsMultipartMixedWithTheAlternativesThenThePdf) {
  auto statement = row("ana@example.org", "Ana");
  statement.kind = "statement";
  statement.summary = "70.00 USD";
  statement.attachment = std::string("%PDF-1.3\n\0\xff", 11);
  statement.attachment_name = "statement-2026.pdf";
  const auto message = compose_email(statement, kOrganisation, Timestamp{});
  ASSERT_TRUE(message);
  const auto& data = message->data;
  const auto mixed = data.find("Content-Type: multipart/mixed;");
  const auto alternative = data.find("Content-Type: multipart/alternative;");
  const auto pdf = data.find("Content-Type: application/pdf; name=\"statement-2026.pdf\"");
  ASSERT_NE(mixed, std::string::npos) << data;
  EXPECT_LT(mixed, alternative);
  EXPECT_LT(alternative, pdf);
  EXPECT_NE(data.find("Content-Disposition: attachment; filename=\"statement-2026.pdf\""), std::string::npos);
  // The 11 bytes in base64, written out by hand.
  EXPECT_NE(data.find("JVBERi0xLjMKAP8=\r\n"), std::string::npos) << data;
  EXPECT_EQ(data.substr(data.size() - 4), "--\r\n");
  // A receipt stays multipart/alternative only.
  EXPECT_EQ(compose_email(row("ana@example.org", "Ana"), kOrganisation, Timestamp{})->data.find("multipart/mixed"),
            std::string::npos);
}
