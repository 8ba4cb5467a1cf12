#pragma once
// A donor's statement of one calendar year (UTC): every ledger movement of the donor in
// that year, a gift or a refund netted against the gifts, and the net total per
// currency. The same statement is the PDF staff send and the one a donor downloads.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"

namespace pledged {

struct StatementLine {
  std::string date;  // YYYY-MM-DD, UTC
  std::string campaign;
  std::string kind;         // the ledger's: payment, offline_gift, refund, refund_reversal, dispute_...
  std::int64_t amount = 0;  // minor units; negative for a refund or a lost dispute
  std::string currency;
};

struct CurrencyTotal {
  std::string currency;
  std::int64_t amount = 0;  // minor units, net of refunds and disputes
  friend bool operator==(const CurrencyTotal& a, const CurrencyTotal& b) {
    return a.currency == b.currency && a.amount == b.amount;
  }
};

struct DonorStatement {
  int year = 0;
  std::string email;                 // the ledger's donor key (lower case)
  std::string name;                  // the latest name the donor gave, "" when none
  std::vector<StatementLine> lines;  // oldest first
};

// One row of the year's statements CSV: a donor and their totals.
struct StatementDonorTotals {
  std::string email;
  std::string name;
  std::int64_t gifts = 0;             // payments and offline gifts (refunds are no gifts)
  std::vector<CurrencyTotal> totals;  // by currency code
};

// A year as a path gives it: four digits, 2000 to 2999 (validation_failed otherwise).
Result<int> parse_statement_year(const std::string& text);

// Net per currency, by currency code.
std::vector<CurrencyTotal> statement_totals(const DonorStatement& statement);
// The gifts among the lines.
std::int64_t statement_gifts(const DonorStatement& statement);
// What a line is, as the statement names it ("Gift", "Refund", ...).
std::string statement_line_label(const std::string& kind);
// "125.00 USD, 30.00 EUR"; "0.00" style amounts for a currency whose gifts were refunded.
std::string totals_text(const std::vector<CurrencyTotal>& totals);
// "statement-2026.pdf"
std::string statement_file_name(int year);

// The CSV of a year's statements: one row per donor; per currency of the year, its total
// in minor units and in major units (total_usd, total_usd_major).
void append_statement_csv_header(std::string& out, const std::vector<std::string>& currencies);
void append_statement_csv_row(std::string& out, const StatementDonorTotals& donor,
                              const std::vector<std::string>& currencies);

}  // namespace pledged
