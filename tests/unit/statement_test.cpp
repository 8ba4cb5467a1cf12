// A donor's year-end statement: its year, totals and CSV row (pure rules, no I/O).
#include "pledged/domain/statement.hpp"

#include <gtest/gtest.h>

using namespace pledged;

TEST(Statement, AYearIsFourDigitsFrom2000To2999) {
  EXPECT_EQ(*parse_statement_year("2026"), 2026);
  for (const char* bad : {"26", "1999", "3000", "2026 ", "+2026", "20x6", ""}) {
    const auto year = parse_statement_year(bad);
    ASSERT_FALSE(year) << bad;
    EXPECT_EQ(year.error().code, ErrorCode::validation_failed);
    EXPECT_EQ(year.error().fields.count("year"), 1u);
  }
}

TEST(Statement, TotalsNetRefundsPerCurrencyAndOnlyGiftsCountAsGifts) {
  DonorStatement statement{2026, "ana@example.org", "Ana", {}};
  statement.lines = {{"2026-02-03", "Spring", "payment", 2500, "usd"},
                     {"2026-05-01", "Spring", "offline_gift", 1500, "usd"},
                     {"2026-06-01", "Summer", "payment", 3000, "eur"},
                     {"2026-11-25", "Spring", "refund", -1000, "usd"}};
  EXPECT_EQ(statement_totals(statement), (std::vector<CurrencyTotal>{{"eur", 3000}, {"usd", 3000}}));
  EXPECT_EQ(statement_gifts(statement), 3);
  EXPECT_EQ(totals_text(statement_totals(statement)), "30.00 EUR, 30.00 USD");
}

TEST(Statement, TheCsvRowHasAColumnPairPerCurrencyAndNoFormula) {
  std::string csv;
  append_statement_csv_header(csv, {"eur", "usd"});
  append_statement_csv_row(csv, {"=cmd@example.org", "Ana, \"A\"", 2, {{"usd", 7000}}}, {"eur", "usd"});
  EXPECT_EQ(csv,
            "donor_email,donor_name,gifts,total_eur,total_eur_major,total_usd,total_usd_major\r\n"
            "'=cmd@example.org,\"Ana, \"\"A\"\"\",2,0,0.00,7000,70.00\r\n");
}
