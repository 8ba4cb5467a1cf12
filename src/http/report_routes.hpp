#pragma once
// Staff reports (viewer role): campaign figures, CSV exports, webhook and email health.
#include "pledged/http/route_table.hpp"
#include "pledged/http/staff_gate.hpp"
#include "pledged/operations/email_outbox_health.hpp"
#include "pledged/operations/webhook_health.hpp"
#include "pledged/reports/campaign_reports.hpp"

namespace pledged {

struct ReportDeps {
  CampaignReports& reports;
  WebhookHealthCheck& webhook_health;
  EmailOutboxHealthCheck& email_health;
};
void add_report_routes(RouteTable& routes, StaffGate& gate, ReportDeps deps);

}  // namespace pledged
