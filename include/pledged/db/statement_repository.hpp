#pragma once
// Year-end statements read from the ledger (by donor key, calendar year in UTC), and
// their emails queued in the outbox (migration 0010): one per donor and year.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/domain/audit.hpp"
#include "pledged/domain/statement.hpp"

namespace pledged {

class StatementRepository {
 public:
  explicit StatementRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  // The donor's movements of the year; nullopt when the donor made no gift that year.
  Result<std::optional<DonorStatement>> donor_statement(const std::string& donor_key, int year);

  // Every donor of the year with their totals, a page at a time, in one snapshot:
  // `currencies` first (every currency of the year), then the donors by email.
  using DonorTotalsBatch = std::function<bool(const std::vector<StatementDonorTotals>&)>;
  Status for_each_donor_totals(int year, const std::function<void(const std::vector<std::string>&)>& currencies,
                               const DonorTotalsBatch& batch);

  // The PDF of a statement, or the error that stopped it.
  using Render = std::function<Result<std::string>(const DonorStatement&)>;
  // In one transaction: for every donor of the year who has no statement email yet,
  // renders the statement and queues its email with the PDF attached; writes the audit
  // row; returns how many were queued. A second call queues none (the outbox's key).
  Result<std::int64_t> queue_statement_emails(int year, const Render& render, const AuditActor& actor);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
