// Year-end statements (issue 16), against the real database and a real SMTP server on
// loopback: the staff CSV of a year, and sending every donor their PDF statement once
// however often staff ask, with the total read back from the PDF by pdftotext.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "email_fixture.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

class Statements : public EmailFixture {
 protected:
  Statements() : EmailFixture(true) {}

  // Two donors of 2026 and one of 2025 only, written to the ledger as the webhook and
  // the offline-gift route write it (no receipts: the ledger rows come straight in).
  void SetUp() override {
    EmailFixture::SetUp();
    insert_pledge("pl_statementAnaFirst000001", "once", "ana@example.org", "Ana Alvarez", false);
    insert_pledge("pl_statementAnaSecond00001", "once", "ana@example.org", "Ana Alvarez", true);
    insert_pledge("pl_statementBoOnly00000001", "once", "bo@example.org", "Bo Berg", false);
    insert_pledge("pl_statementCyOld000000001", "once", "cy@example.org", "Cy", false);
    insert_entry("payment", 2500, "2026-02-03T10:00:00Z", "ana@example.org", "pl_statementAnaFirst000001", "py_a1");
    insert_entry("offline_gift", 1500, "2026-05-01T12:00:00Z", "ana@example.org", "", "");
    insert_entry("payment", 4000, "2026-11-20T09:30:00Z", "ana@example.org", "pl_statementAnaSecond00001", "py_a2");
    insert_entry("refund", -1000, "2026-11-25T16:00:00Z", "ana@example.org", "pl_statementAnaSecond00001", "re_a2");
    // The last second of 2025 and the first of 2027 belong to those years.
    insert_entry("payment", 9900, "2025-12-31T23:59:59Z", "ana@example.org", "pl_statementAnaFirst000001", "py_a0");
    insert_entry("payment", 10000, "2026-07-04T00:00:00Z", "bo@example.org", "pl_statementBoOnly00000001", "py_b1");
    insert_entry("payment", 700, "2027-01-01T00:00:00Z", "bo@example.org", "pl_statementBoOnly00000001", "py_b2");
    insert_entry("payment", 5000, "2025-06-01T00:00:00Z", "cy@example.org", "pl_statementCyOld000000001", "py_c1");
  }

  HttpReply send_statements(const std::string& year, const std::string& token) const {
    return http_request(port(), "POST", "/v1/admin/statements/" + year + "/send", bearer(token), "");
  }
};

// What pdftotext reads in a PDF (its layout kept, so a label and its amount share a line).
std::string pdf_text(const std::string& base64) {
  char folder[] = "/tmp/pledged-statement-XXXXXX";
  if (mkdtemp(folder) == nullptr) return "";
  const std::string dir = folder;
  std::ofstream(dir + "/pdf.b64") << base64;
  const std::string command = "base64 -d " + dir + "/pdf.b64 > " + dir + "/statement.pdf && pdftotext -layout " + dir +
                              "/statement.pdf - 2>&1; rm -rf " + dir;
  std::string text;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, n);
    pclose(pipe);
  }
  return text;
}

}  // namespace

TEST_F(Statements, TheCsvHasOneRowPerDonorOfTheYearWithGiftsAndNetTotals) {
  const auto reply = staff_get("/v1/reports/statements/2026.csv", viewer_token_);
  ASSERT_EQ(reply.status, 200) << reply.body;
  // Ana: 25.00 + 15.00 + 40.00 given, 10.00 refunded; Bo: 100.00 (his 2027 gift is next year's).
  EXPECT_EQ(reply.body,
            "donor_email,donor_name,gifts,total_usd,total_usd_major\r\n"
            "ana@example.org,Ana Alvarez,3,7000,70.00\r\n"
            "bo@example.org,Bo Berg,1,10000,100.00\r\n");
  const auto earlier = staff_get("/v1/reports/statements/2025.csv", viewer_token_);
  ASSERT_EQ(earlier.status, 200);
  EXPECT_EQ(earlier.body,
            "donor_email,donor_name,gifts,total_usd,total_usd_major\r\n"
            "ana@example.org,Ana Alvarez,1,9900,99.00\r\n"
            "cy@example.org,Cy,1,5000,50.00\r\n");
  EXPECT_EQ(staff_get("/v1/reports/statements/26.csv", viewer_token_).status, 422);
  EXPECT_EQ(http_get(port(), "/v1/reports/statements/2026.csv").status, 401);
}

TEST_F(Statements, SendingTwiceEmailsEachDonorOnePdfWhoseTotalMatchesTheLedger) {
  EXPECT_EQ(send_statements("2026", viewer_token_).status, 403);
  const auto first = send_statements("2026", admin_token_);
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(json::parse(first.body)["queued"], 2);
  const auto again = send_statements("2026", admin_token_);
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(json::parse(again.body)["queued"], 0);
  wait_until_outbox_sent();

  // The expected totals, worked out above from the gifts the test wrote.
  const std::map<std::string, std::string> expected_total{{"ana@example.org", "70.00 USD"},
                                                          {"bo@example.org", "100.00 USD"}};
  const auto messages = capture_->messages();
  ASSERT_EQ(messages.size(), 2u);
  std::map<std::string, std::string> totals;
  for (const auto& message : messages) {
    ASSERT_EQ(message["recipients"].size(), 1u);
    const std::string recipient = message["recipients"][0];
    ASSERT_EQ(message["attachments"].size(), 1u) << message["raw"];
    const auto& attachment = message["attachments"][0];
    EXPECT_EQ(attachment["content_type"], "application/pdf");
    EXPECT_EQ(attachment["filename"], "statement-2026.pdf");
    EXPECT_NE(message["text"].get<std::string>().find(expected_total.at(recipient)), std::string::npos)
        << message["text"];
    const auto text = pdf_text(attachment["base64"]);
    std::smatch total;
    ASSERT_TRUE(std::regex_search(text, total, std::regex("Total for 2026, net of refunds: +([0-9.]+ USD)"))) << text;
    totals[recipient] = total[1];
    for (const char* wanted : {"The Example Ledger", "12-3456789", "1 Press Row, Springfield",
                               "No goods or services were provided in exchange for this contribution."}) {
      EXPECT_NE(text.find(wanted), std::string::npos) << wanted << " missing from:\n" << text;
    }
  }
  EXPECT_EQ(totals, expected_total);
  EXPECT_EQ(
      database_->query_value("SELECT count(*) FROM audit_log WHERE action = 'statements.send' AND target = '2026'"),
      "2");
}
