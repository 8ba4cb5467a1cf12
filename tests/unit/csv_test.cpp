#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "pledged/core/csv.hpp"
#include "pledged/domain/report_export.hpp"

using namespace pledged;
using pledged::testing::parse_csv;


TEST(Csv, PlainTextIsLeftAlone) {
  EXPECT_EQ(csv_text("Ana"), "Ana");
  EXPECT_EQ(csv_text(""), "");
  EXPECT_EQ(csv_text("José Müller 東京"), "José Müller 東京");
}

TEST(Csv, QuotesCommasQuotesAndLineBreaks) {
  EXPECT_EQ(csv_text("Doe, Jane"), "\"Doe, Jane\"");
  EXPECT_EQ(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_text("line\nbreak"), "\"line\nbreak\"");
}

TEST(Csv, CellsThatSpreadsheetsWouldRunAsFormulasAreNeutralised) {
  EXPECT_EQ(csv_text("=1+1"), "'=1+1");
  EXPECT_EQ(csv_text("+1"), "'+1");
  EXPECT_EQ(csv_text("-1"), "'-1");
  EXPECT_EQ(csv_text("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_text("\tx"), "'\tx");
  EXPECT_EQ(csv_text("\rx"), "\"'\rx\"");
  EXPECT_EQ(csv_text("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  EXPECT_EQ(csv_text("a=b"), "a=b") << "only the first character matters";
}

TEST(Csv, RoundTripsThroughAnIndependentParser) {
  const std::vector<std::string> nasty{"=cmd|' /C calc'!A0", "plain", "with, comma", "with \"quotes\"",
                                       "multi\r\nline",       "",      "-5",          "@me",
                                       "\ttabbed",            "Zoë",   "+49 30 123",  "trailing space "};
  std::string out;
  for (const auto& value : nasty) append_csv_row(out, {csv_text(value), csv_number(-2500), csv_text(value)});
  const auto rows = parse_csv(out);
  ASSERT_EQ(rows.size(), nasty.size());
  for (std::size_t i = 0; i < nasty.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 3u);
    const bool neutralised = !nasty[i].empty() && std::string("=+-@\t\r").find(nasty[i][0]) != std::string::npos;
    EXPECT_EQ(rows[i][0], neutralised ? "'" + nasty[i] : nasty[i]);
    EXPECT_EQ(rows[i][1], "-2500") << "numbers we format stay numbers";
    EXPECT_EQ(rows[i][0], rows[i][2]);
    for (const auto& cell : {rows[i][0], rows[i][2]}) {
      if (!cell.empty()) {
        EXPECT_EQ(std::string("=+-@\t\r").find(cell[0]), std::string::npos) << cell;
      }
    }
  }
}

TEST(Csv, GiftExportHasAHeaderAndOneRowPerEntry) {
  std::string out;
  append_gift_csv_header(out);
  GiftExportRow row;
  row.id = 7;
  row.occurred_at = Timestamp(std::chrono::seconds(1798761600));  // 2027-01-01T00:00:00Z
  row.local_date = "2026-12-31";
  row.kind = "refund";
  row.amount = -1250;
  row.currency = "usd";
  row.frequency = "once";
  row.method = "stripe";
  row.donor_name = "=EVIL()";
  row.donor_email = "ana@example.org";
  row.note = "a, b";
  append_gift_csv_row(out, row);
  const auto rows = parse_csv(out);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(rows[0].size(), rows[1].size());
  EXPECT_EQ(rows[0][0], "entry_id");
  EXPECT_EQ(rows[1][0], "7");
  EXPECT_EQ(rows[1][1], "2027-01-01T00:00:00Z");
  EXPECT_EQ(rows[1][2], "2026-12-31");
  EXPECT_EQ(rows[1][4], "-1250");
  EXPECT_EQ(rows[1][5], "-12.50");
  EXPECT_EQ(rows[1][10], "'=EVIL()");
  EXPECT_EQ(rows[1][14], "a, b");
}
