#pragma once
// Donors' year-end statements: the staff CSV of a year, each donor's statement (and its
// PDF) for a year, and the emails that send every donor of a year theirs, once. No HTTP
// here. A donor's own download (issue 17) calls donor_statement_pdf.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pledged/db/statement_repository.hpp"
#include "pledged/domain/organisation.hpp"

namespace pledged {

class YearStatements {
 public:
  YearStatements(StatementRepository& statements, Organisation organisation)
      : statements_(statements), organisation_(std::move(organisation)) {}

  // The donor's (by email, any case) statement of the year; nullopt when they gave nothing that year.
  Result<std::optional<DonorStatement>> donor_statement(const std::string& email, int year);
  // The same as a PDF.
  Result<std::optional<std::string>> donor_statement_pdf(const std::string& email, int year);

  // One row per donor of the year (header first), streamed to `sink` in pieces; stops
  // when the sink returns false.
  using CsvSink = std::function<bool(std::string_view)>;
  Status write_csv(int year, const CsvSink& sink);

  // Queues the statement email of every donor of the year who has none yet, audited;
  // how many were queued (0 on a repeat).
  Result<std::int64_t> send_year(int year, const AuditActor& actor);

 private:
  StatementRepository& statements_;
  Organisation organisation_;
};

}  // namespace pledged
