#include "pledged/statements/year_statements.hpp"

#include <algorithm>
#include <cctype>

#include "pledged/pdf/statement_pdf.hpp"

namespace pledged {
namespace {

// Pieces of about this size go to the client (as the campaign exports do).
constexpr std::size_t kCsvPieceBytes = 64 * 1024;

// The ledger keys donors by their email in lower case.
std::string donor_key(std::string email) {
  std::transform(email.begin(), email.end(), email.begin(), [](unsigned char c) { return std::tolower(c); });
  return email;
}

}  // namespace

Result<std::optional<DonorStatement>> YearStatements::donor_statement(const std::string& email, int year) {
  return statements_.donor_statement(donor_key(email), year);
}

Result<std::optional<std::string>> YearStatements::donor_statement_pdf(const std::string& email, int year) {
  auto statement = donor_statement(email, year);
  if (!statement) return statement.error();
  if (!*statement) return std::optional<std::string>();
  auto pdf = render_statement_pdf(**statement, organisation_);
  if (!pdf) return pdf.error();
  return std::optional<std::string>(std::move(*pdf));
}

Status YearStatements::write_csv(int year, const CsvSink& sink) {
  std::string piece;
  bool open = true;
  std::vector<std::string> currencies;
  auto streamed = statements_.for_each_donor_totals(
      year,
      [&](const std::vector<std::string>& codes) {
        currencies = codes;
        append_statement_csv_header(piece, currencies);
      },
      [&](const std::vector<StatementDonorTotals>& donors) {
        for (const auto& donor : donors) {
          append_statement_csv_row(piece, donor, currencies);
          if (piece.size() >= kCsvPieceBytes) {
            open = sink(piece);
            piece.clear();
            if (!open) return false;
          }
        }
        return true;
      });
  if (!streamed) return streamed;
  if (open && !piece.empty()) sink(piece);
  return Status::success();
}

Result<std::int64_t> YearStatements::send_year(int year, const AuditActor& actor) {
  return statements_.queue_statement_emails(
      year, [this](const DonorStatement& statement) { return render_statement_pdf(statement, organisation_); }, actor);
}

}  // namespace pledged
