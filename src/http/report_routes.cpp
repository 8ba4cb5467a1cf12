// Staff reports (viewer role): the campaign report, its CSV exports, and the health
// of Stripe's webhooks. Each handler reads the query and calls one function below it.
#include <nlohmann/json.hpp>

#include "report_routes.hpp"

namespace pledged {

using nlohmann::json;
using Pistache::Http::Method;

namespace {

constexpr const char* kCsvContentType = "text/csv; charset=utf-8";

ReportQuery report_query(const StaffCall& call) {
  return ReportQuery{call.param("slug"), call.query_value("from"), call.query_value("to"), call.query_value("tz")};
}

json optional_time_json(const std::optional<Timestamp>& at) { return at ? json(format_rfc3339(*at)) : json(nullptr); }

json donors_json(const std::vector<DonorLine>& donors, bool with_email) {
  json list = json::array();
  for (const auto& donor : donors) {
    json line{{"name", donor.name}, {"gifts", donor.gifts}, {"amount", donor.amount},
              {"currency", donor.currency}, {"last_gift_at", format_rfc3339(donor.last_gift_at)}};
    if (with_email) line["email"] = donor.email;
    list.push_back(std::move(line));
  }
  return list;
}

json report_json(const CampaignReportView& view) {
  const auto& r = view.figures;
  json body{{"campaign", r.campaign},
            {"currency", r.currency},
            {"goal", r.goal},
            {"raised", r.raised},
            {"gross", r.gross},
            {"refunded", r.refunded},
            {"disputed", r.disputed},
            {"net", r.net},
            {"gifts", r.gifts},
            {"donors", r.donors},
            {"recurring_donors", r.recurring_donors},
            {"average_gift", average_gift(r.gross, r.gifts)},
            {"from", r.range.from},
            {"to", r.range.to},
            {"tz", r.range.time_zone},
            {"starts_at", format_rfc3339(r.starts_at)},
            {"ends_at", format_rfc3339(r.ends_at)},
            {"as_of", format_rfc3339(view.as_of)},
            {"net_before_range", r.net_before_range},
            {"fees_covered", r.fees_covered}};
  json days = json::array();
  for (const auto& day : r.by_day) {
    days.push_back({{"date", day.date}, {"gifts", day.gifts}, {"amount", day.amount}, {"net", day.net}});
  }
  body["by_day"] = std::move(days);
  body["by_frequency"] = {{"once", {{"gifts", r.once.gifts}, {"amount", r.once.amount}}},
                          {"monthly", {{"gifts", r.monthly.gifts}, {"amount", r.monthly.amount}}}};
  body["pace"] = {{"last_7_days", r.net_last_7_days},
                  {"per_day", view.pace.per_day},
                  {"expected_at_end", view.pace.expected_at_end},
                  {"goal_reached_on", view.goal_reached_on.empty() ? json(nullptr) : json(view.goal_reached_on)},
                  {"goal_reached_before_end", view.pace.goal_reached_before_end}};
  body["top_donors"] = donors_json(r.top_donors, false);
  body["lapsed_donors"] = donors_json(r.lapsed_donors, true);
  json recent = json::array();
  for (const auto& gift : r.recent_gifts) {
    recent.push_back({{"occurred_at", format_rfc3339(gift.occurred_at)}, {"kind", gift.kind}, {"amount", gift.amount},
                      {"frequency", gift.frequency}, {"name", gift.name}, {"method", gift.method}});
  }
  body["recent_gifts"] = std::move(recent);
  // Matching gifts: the whole campaign's, like raised; by_day covers the range.
  body["matched"] = total_matched(r.matches);
  json matches = json::array();
  for (const auto& standing : r.matches) {
    const auto& m = standing.match;
    json by_day = json::array();
    for (const auto& day : r.match_days) {
      if (day.match_id == m.id) by_day.push_back({{"date", day.date}, {"earned", day.earned}});
    }
    matches.push_back({{"id", m.id},
                       {"sponsor", m.sponsor},
                       {"ratio", m.ratio},
                       {"cap", m.cap.minor_units()},
                       {"per_gift_cap", m.per_gift_cap ? json(*m.per_gift_cap) : json(nullptr)},
                       {"starts_at", format_rfc3339(m.starts_at)},
                       {"ends_at", format_rfc3339(m.ends_at)},
                       {"applies_to", to_string(m.applies_to)},
                       {"earned", standing.earned},
                       {"remaining", standing.remaining()},
                       {"active", standing.active_at(view.as_of)},
                       {"by_day", std::move(by_day)}});
  }
  body["matches"] = std::move(matches);
  return body;
}

json webhook_health_json(const WebhookHealth& health) {
  json types = json::array();
  for (const auto& type : health.by_type) {
    types.push_back({{"type", type.type}, {"last_received_at", format_rfc3339(type.last_received_at)},
                     {"received_24h", type.received_24h}, {"failed_24h", type.failed_24h}});
  }
  return {{"last_received_at", optional_time_json(health.last_received_at)},
          {"received_24h", health.received_24h},
          {"failed_24h", health.failed_24h},
          {"waiting", health.waiting},
          {"failed", health.failed},
          {"unmatched", health.unmatched},
          {"oldest_waiting_at", optional_time_json(health.oldest_waiting_at)},
          {"by_type", std::move(types)}};
}

json email_health_json(const OutboxHealth& health) {
  json failures = json::array();
  for (const auto& failure : health.last_failures) {
    failures.push_back({{"at", format_rfc3339(failure.at)},
                        {"kind", failure.kind},
                        {"status", failure.status},
                        {"error", failure.error}});
  }
  return {{"queued", health.counts.queued},
          {"sent", health.counts.sent},
          {"failed", health.counts.failed},
          {"oldest_queued_at", optional_time_json(health.oldest_queued_at)},
          {"last_failures", std::move(failures)}};
}

using CsvWriter = Status (CampaignReports::*)(const ExportRequest&, const CampaignReports::CsvSink&);

StaffJob csv_export(CampaignReports& reports, CsvWriter write, const char* file_suffix) {
  return [&reports, write, file_suffix](const StaffCall& call) -> Result<HttpResponse> {
    auto request = reports.prepare_export(report_query(call));
    if (!request) return request.error();
    HttpResponse head{200, "", kCsvContentType, {}};
    head.with_header("Content-Disposition",
                     "attachment; filename=\"" + request->campaign.slug + "-" + file_suffix + ".csv\"")
        .with_header("Cache-Control", "no-store");
    call.exchange->stream(head, [&](const Exchange::ChunkWriter& chunk) { return (reports.*write)(*request, chunk); });
    return head;  // already streamed; the Exchange ignores a second answer
  };
}

}  // namespace

void add_report_routes(RouteTable& routes, StaffGate& gate, ReportDeps deps) {
  routes.add(Method::Get, "/v1/reports/campaigns/:slug",
             gate.guard(StaffRole::viewer, [deps](const StaffCall& call) -> Result<HttpResponse> {
               auto view = deps.reports.report(report_query(call), now_utc());
               if (!view) return view.error();
               return json_response(200, report_json(*view)).with_header("Cache-Control", "no-store");
             }));
  routes.add(Method::Get, "/v1/reports/campaigns/:slug/gifts.csv",
             gate.guard(StaffRole::viewer, csv_export(deps.reports, &CampaignReports::write_gifts_csv, "gifts")));
  routes.add(Method::Get, "/v1/reports/campaigns/:slug/donors.csv",
             gate.guard(StaffRole::viewer,
                        csv_export(deps.reports, &CampaignReports::write_lapsed_donors_csv, "lapsed-donors")));
  routes.add(Method::Get, "/v1/reports/webhooks/health",
             gate.guard(StaffRole::viewer, [deps](const StaffCall&) -> Result<HttpResponse> {
               auto health = deps.webhook_health.now();
               if (!health) return health.error();
               return json_response(200, webhook_health_json(*health)).with_header("Cache-Control", "no-store");
             }));
  routes.add(Method::Get, "/v1/reports/emails/health",
             gate.guard(StaffRole::viewer, [deps](const StaffCall&) -> Result<HttpResponse> {
               auto health = deps.email_health.now();
               if (!health) return health.error();
               return json_response(200, email_health_json(*health)).with_header("Cache-Control", "no-store");
             }));
}

}  // namespace pledged
