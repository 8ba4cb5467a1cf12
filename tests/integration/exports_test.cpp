#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "csv_reader.hpp"
#include "fault_support.hpp"
#include "staff_fixture.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

// kB of a /proc/<pid>/status line ("VmRSS", "VmHWM").
long long proc_status_kib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

class Exports : public StaffFixture {};

}  // namespace

TEST_F(Exports, GiftsCsvHasOneRowPerMoneyMovementQuotedAndFormulaSafe) {
  insert_pledge("pl_00000000000000000001", "monthly", "eve@example.org", "=HYPERLINK(\"http://evil\",\"x\")", false);
  insert_entry("payment", 2500, "2026-11-20T10:00:00Z", "eve@example.org", "pl_00000000000000000001", "in_1");
  insert_entry("refund", -1000, "2026-11-21T10:00:00Z", "eve@example.org", "pl_00000000000000000001", "re_1");
  database_->execute(
      "INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, donor_name, offline_method, note, "
      "occurred_at) SELECT id, 'offline_gift', 7700, 'usd', 'o@example.org', 'Doe, \"Jo\"', 'bank_transfer', "
      "E'+1 line\\nbreak', '2026-11-22T10:00:00Z' FROM campaigns WHERE slug = 'eoy-2026'");

  const auto reply = staff_get("/v1/reports/campaigns/eoy-2026/gifts.csv", viewer_token_);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(reply.header("content-disposition").find("eoy-2026-gifts.csv"), std::string::npos);
  const auto rows = parse_csv(reply.body);
  ASSERT_EQ(rows.size(), 4u) << reply.body;
  const auto& header = rows[0];
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  for (const char* name : {"occurred_at", "kind", "amount", "currency", "method", "donor_name", "note"}) {
    EXPECT_LT(column(name), header.size()) << name;
  }
  EXPECT_EQ(rows[1][column("kind")], "payment");
  EXPECT_EQ(rows[1][column("frequency")], "monthly");
  EXPECT_EQ(rows[1][column("donor_name")], "'=HYPERLINK(\"http://evil\",\"x\")");
  EXPECT_EQ(rows[2][column("kind")], "refund");
  EXPECT_EQ(rows[2][column("amount")], "-1000");
  EXPECT_EQ(rows[3][column("method")], "bank_transfer");
  EXPECT_EQ(rows[3][column("donor_name")], "Doe, \"Jo\"");
  EXPECT_EQ(rows[3][column("note")], "'+1 line\nbreak");
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), header.size());
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (row[i].empty() || i == column("amount") || i == column("amount_major")) continue;
      EXPECT_EQ(std::string("=+-@\t\r").find(row[i][0]), std::string::npos) << row[i];
    }
  }
}

TEST_F(Exports, DonorsCsvListsLapsedDonors) {
  database_->execute(
      "INSERT INTO campaigns (slug, title, currency, goal, starts_at, ends_at) VALUES "
      "('eoy-2025', 'Last year', 'usd', 100000, '2025-11-15', '2025-12-31T23:59:59Z')");
  insert_entry("offline_gift", 800, "2025-12-02T12:00:00Z", "@ben@example.org", "", "", "eoy-2025");
  insert_entry("offline_gift", 500, "2025-12-02T12:00:00Z", "cat@example.org", "", "", "eoy-2025");
  insert_entry("offline_gift", 500, "2026-11-20T12:00:00Z", "cat@example.org", "", "");
  const auto reply = staff_get("/v1/reports/campaigns/eoy-2026/donors.csv", viewer_token_);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto rows = parse_csv(reply.body);
  ASSERT_EQ(rows.size(), 2u) << reply.body;
  EXPECT_EQ(rows[0][0], "donor_email");
  EXPECT_EQ(rows[1][0], "'@ben@example.org");
  EXPECT_EQ(rows[1][3], "800");
}

TEST_F(Exports, HundredThousandRowsStreamInBoundedMemory) {
  constexpr long long kRows = 100000;
  database_->execute(
      "INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, donor_name, offline_method, note, "
      "occurred_at) SELECT c.id, 'offline_gift', 100 + n % 5000, 'usd', 'donor' || n || '@example.org', "
      "'Donor number ' || n, 'check', 'a note long enough to make each row about as wide as a real one', "
      "timestamptz '2026-11-15' + (n % 40) * interval '1 day' FROM campaigns c, generate_series(1, " +
      std::to_string(kRows) + ") n WHERE c.slug = 'eoy-2026'");
  // Warm up: the first report and export allocate what any request would.
  ASSERT_EQ(staff_get("/v1/reports/campaigns/eoy-2026/gifts.csv?from=2026-11-15&to=2026-11-15", viewer_token_).status,
            200);
  const pid_t pid = service_->pid();
  const long long rss_before = proc_status_kib(pid, "VmRSS");
  ASSERT_GT(rss_before, 0);

  // 18 MiB through a TSan build on a loaded machine took over the usual 15 s once
  // (no complete reply): this test bounds memory, not time, so it waits longer.
  HttpConnection connection(port());
  connection.send_raw("GET /v1/reports/campaigns/eoy-2026/gifts.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Connection: close\r\nAuthorization: Bearer " +
                      viewer_token_ + "\r\n\r\n");
  const auto maybe_reply = connection.read_reply(std::chrono::minutes(3));
  ASSERT_TRUE(maybe_reply) << "no complete reply to the 100k-row export in 3 minutes";
  const auto& reply = *maybe_reply;
  ASSERT_EQ(reply.status, 200);
  const long long peak_after = proc_status_kib(pid, "VmHWM");
  const auto rows = parse_csv(reply.body);
  EXPECT_EQ(static_cast<long long>(rows.size()), kRows + 1);
  const long long growth_kib = peak_after - rss_before;
  std::cout << "[ figures  ] 100k-row gifts.csv: " << reply.body.size() / 1024 << " KiB sent; service RSS "
            << rss_before / 1024 << " MiB before, peak " << peak_after / 1024 << " MiB; growth "
            << growth_kib / 1024 << " MiB\n";
  RecordProperty("csv_bytes", static_cast<int>(reply.body.size()));
  RecordProperty("peak_rss_growth_kib", static_cast<int>(growth_kib));
  // ASan's quarantine holds on to freed memory, so the bound is checked in the plain build.
  if (!kSanitizedBuild) {
    EXPECT_LT(growth_kib, 32 * 1024) << "peak RSS grew by " << growth_kib << " KiB";
  }
}
