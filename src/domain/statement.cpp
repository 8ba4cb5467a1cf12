#include "pledged/domain/statement.hpp"

#include <map>

#include "pledged/core/csv.hpp"
#include "pledged/domain/money.hpp"

namespace pledged {

Result<int> parse_statement_year(const std::string& text) {
  const bool digits = text.size() == 4 && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || text[0] != '2') {
    return Error{ErrorCode::validation_failed,
                 "the statement's year is invalid",
                 {{"year", "must be a year from 2000 to 2999"}}};
  }
  return std::stoi(text);
}

std::vector<CurrencyTotal> statement_totals(const DonorStatement& statement) {
  std::map<std::string, std::int64_t> by_currency;
  for (const auto& line : statement.lines) by_currency[line.currency] += line.amount;
  std::vector<CurrencyTotal> totals;
  for (const auto& [currency, amount] : by_currency) totals.push_back({currency, amount});
  return totals;
}

std::int64_t statement_gifts(const DonorStatement& statement) {
  std::int64_t gifts = 0;
  for (const auto& line : statement.lines) gifts += line.kind == "payment" || line.kind == "offline_gift" ? 1 : 0;
  return gifts;
}

std::string statement_line_label(const std::string& kind) {
  if (kind == "payment") return "Gift";
  if (kind == "offline_gift") return "Gift (offline)";
  if (kind == "refund") return "Refund";
  if (kind == "refund_reversal") return "Refund reversed";
  if (kind == "dispute_withdrawal") return "Disputed";
  if (kind == "dispute_reinstatement") return "Dispute reversed";
  return kind;
}

std::string totals_text(const std::vector<CurrencyTotal>& totals) {
  std::string text;
  for (const auto& total : totals) text += (text.empty() ? "" : ", ") + display_amount(total.amount, total.currency);
  return text;
}

std::string statement_file_name(int year) { return "statement-" + std::to_string(year) + ".pdf"; }

void append_statement_csv_header(std::string& out, const std::vector<std::string>& currencies) {
  std::vector<std::string> cells{"donor_email", "donor_name", "gifts"};
  for (const auto& currency : currencies) {
    cells.push_back(csv_text("total_" + currency));
    cells.push_back(csv_text("total_" + currency + "_major"));
  }
  append_csv_row(out, cells);
}

void append_statement_csv_row(std::string& out, const StatementDonorTotals& donor,
                              const std::vector<std::string>& currencies) {
  std::vector<std::string> cells{csv_text(donor.email), csv_text(donor.name), csv_number(donor.gifts)};
  for (const auto& currency : currencies) {
    std::int64_t amount = 0;
    for (const auto& total : donor.totals) amount = total.currency == currency ? total.amount : amount;
    auto money = Money::of(amount, currency);
    cells.push_back(csv_number(amount));
    cells.push_back(money ? money->to_major_string() : csv_number(amount));
  }
  append_csv_row(out, cells);
}

}  // namespace pledged
