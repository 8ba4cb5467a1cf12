#pragma once
// Staff reports for one campaign: checks the question (campaign, days, time zone),
// reads the figures from the ledger, adds the pace projection, and writes the CSV
// exports a page at a time. No HTTP here.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pledged/db/campaign_repository.hpp"
#include "pledged/db/report_repository.hpp"

namespace pledged {

struct ReportQuery {
  std::string slug;
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> time_zone;
};

struct CampaignReportView {
  CampaignReport figures;
  PaceProjection pace;
  std::string goal_reached_on;  // the pace's goal date in the report's zone, "" when never
  Timestamp as_of;
};

// An export that passed its checks and is ready to stream.
struct ExportRequest {
  Campaign campaign;
  ReportRange range;
};

class CampaignReports {
 public:
  CampaignReports(CampaignRepository& campaigns, ReportRepository& reports) : campaigns_(campaigns), reports_(reports) {}

  // not_found for an unknown campaign; validation_failed (with fields) for bad from/to/tz.
  Result<CampaignReportView> report(const ReportQuery& query, Timestamp now);
  Result<ExportRequest> prepare_export(const ReportQuery& query);

  // Writes the CSV (header first) to `sink` in pieces; stops when the sink returns false.
  using CsvSink = std::function<bool(std::string_view)>;
  Status write_gifts_csv(const ExportRequest& request, const CsvSink& sink);
  Status write_lapsed_donors_csv(const ExportRequest& request, const CsvSink& sink);

 private:
  CampaignRepository& campaigns_;
  ReportRepository& reports_;
};

}  // namespace pledged
