#include "pledged/reports/campaign_reports.hpp"

#include "pledged/domain/report_export.hpp"

namespace pledged {
namespace {

// Pieces of about this size go to the client: large enough for few syscalls, small
// enough that memory stays flat however many rows there are.
constexpr std::size_t kCsvPieceBytes = 64 * 1024;

// Collects CSV text and hands it to the sink in pieces of about kCsvPieceBytes.
class CsvPieces {
 public:
  explicit CsvPieces(const CampaignReports::CsvSink& sink) : sink_(sink) {}
  std::string& buffer() { return piece_; }
  bool flush_if_full() { return piece_.size() < kCsvPieceBytes || flush(); }
  bool flush() {
    open_ = open_ && (piece_.empty() || sink_(piece_));
    piece_.clear();
    return open_;
  }

 private:
  const CampaignReports::CsvSink& sink_;
  std::string piece_;
  bool open_ = true;
};

}  // namespace

Result<ExportRequest> CampaignReports::prepare_export(const ReportQuery& query) {
  auto campaign = campaigns_.find_by_slug(query.slug);
  if (!campaign) return campaign.error();
  if (!*campaign) return make_error(ErrorCode::not_found, "no campaign with that slug");
  const std::string zone = query.time_zone.value_or("UTC");
  bool zone_known = false;
  if (looks_like_time_zone(zone)) {  // only plausible names reach the database
    auto exists = reports_.time_zone_exists(zone);
    if (!exists) return exists.error();
    zone_known = *exists;
  }
  auto days = reports_.campaign_days(**campaign, zone_known ? zone : "UTC");
  if (!days) return days.error();
  auto range = parse_report_range(query.from, query.to, query.time_zone, days->first, days->second);
  if (zone_known && range) return ExportRequest{**campaign, *range};
  Error error = range ? Error{ErrorCode::validation_failed, "the report's query has invalid fields", {}} : range.error();
  if (!zone_known && !error.fields.count("tz")) {
    error.fields["tz"] = "is not a time zone PostgreSQL knows (use an IANA name such as America/New_York)";
  }
  return error;
}

Result<CampaignReportView> CampaignReports::report(const ReportQuery& query, Timestamp now) {
  auto request = prepare_export(query);
  if (!request) return request.error();
  auto figures = reports_.campaign_report(request->campaign, request->range, now);
  if (!figures) return figures.error();
  CampaignReportView view{*figures, {}, "", now};
  const auto pace_from = std::min(now, request->campaign.ends_at);
  view.pace = project_pace(figures->raised, figures->goal, figures->net_last_7_days, pace_from,
                           request->campaign.ends_at);
  if (view.pace.goal_reached_at) {
    auto day = reports_.local_date(*view.pace.goal_reached_at, request->range.time_zone);
    if (!day) return day.error();
    view.goal_reached_on = *day;
  }
  return view;
}

Status CampaignReports::write_gifts_csv(const ExportRequest& request, const CsvSink& sink) {
  CsvPieces out(sink);
  append_gift_csv_header(out.buffer());
  auto streamed = reports_.for_each_gift(request.campaign, request.range, [&](const std::vector<GiftExportRow>& rows) {
    for (const auto& row : rows) {
      append_gift_csv_row(out.buffer(), row);
      if (!out.flush_if_full()) return false;
    }
    return true;
  });
  if (!streamed) return streamed;
  out.flush();
  return Status::success();
}

Status CampaignReports::write_lapsed_donors_csv(const ExportRequest& request, const CsvSink& sink) {
  CsvPieces out(sink);
  append_lapsed_donor_csv_header(out.buffer());
  auto streamed = reports_.for_each_lapsed_donor(request.campaign, [&](const std::vector<DonorLine>& donors) {
    for (const auto& donor : donors) {
      append_lapsed_donor_csv_row(out.buffer(), donor);
      if (!out.flush_if_full()) return false;
    }
    return true;
  });
  if (!streamed) return streamed;
  out.flush();
  return Status::success();
}

}  // namespace pledged
