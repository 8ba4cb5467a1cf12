#pragma once
// Reports are SQL over the ledger (through the staff_ledger view), with calendar
// days computed by PostgreSQL in the asked time zone.
#include <functional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/domain/campaign.hpp"
#include "pledged/domain/report.hpp"

namespace pledged {

class ReportRepository {
 public:
  explicit ReportRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  Result<bool> time_zone_exists(const std::string& name);
  // The campaign's first and last calendar day in `time_zone`.
  Result<std::pair<std::string, std::string>> campaign_days(const Campaign& campaign, const std::string& time_zone);
  // Every figure of the report, all read in one snapshot. `now` anchors the last 7 days.
  Result<CampaignReport> campaign_report(const Campaign& campaign, const ReportRange& range, Timestamp now);
  Result<std::string> local_date(Timestamp at, const std::string& time_zone);

  // Hands the rows to `batch` a page at a time (bounded memory), in one snapshot.
  // `batch` returns false to stop (the client went away).
  using GiftBatch = std::function<bool(const std::vector<GiftExportRow>&)>;
  using DonorBatch = std::function<bool(const std::vector<DonorLine>&)>;
  Status for_each_gift(const Campaign& campaign, const ReportRange& range, const GiftBatch& batch);
  Status for_each_lapsed_donor(const Campaign& campaign, const DonorBatch& batch);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
