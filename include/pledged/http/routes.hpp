#pragma once
// Each function adds one area's routes to the table. Handlers are thin: they read
// the request, call one function of the layer below, and answer.
#include "pledged/config/config.hpp"
#include "pledged/core/metrics.hpp"
#include "pledged/core/worker_pool.hpp"
#include "pledged/db/admin_repository.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/core/rate_limiter.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/pledges/pledge_service.hpp"
#include "pledged/progress/progress_cache.hpp"
#include "pledged/webhooks/event_processor.hpp"
#include "pledged/db/webhook_health_repository.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/http/staff_gate.hpp"
#include "pledged/progress/progress_cache.hpp"
#include "pledged/refunds/pledge_refunds.hpp"
#include "pledged/reports/campaign_reports.hpp"

namespace pledged {

struct OperationsDeps {
  ConnectionPool& pool;
  WorkerPool& workers;
  Metrics& metrics;
  int schema_version;
};
void add_operations_routes(RouteTable& routes, OperationsDeps deps);

void add_progress_routes(RouteTable& routes, const ProgressCache& cache, const Config& config);

void add_page_routes(RouteTable& routes, const ProgressCache& cache, const Config& config);
struct PledgeDeps {
  PledgeService& pledges;
  RateLimiter& rate_limiter;
  WorkerPool& workers;
  const TrustedProxies& trusted_proxies;
};
void add_pledge_routes(RouteTable& routes, PledgeDeps deps);
struct WebhookDeps {
  WorkerPool& workers;
  webhooks::EventProcessor& processor;
  Metrics& metrics;
  std::vector<std::string> webhook_secrets;  // none: every event is refused
  std::chrono::seconds tolerance;
};
void add_webhook_routes(RouteTable& routes, WebhookDeps deps);

// Staff routes: every one goes through the gate (bearer token, role, throttling).
struct StaffDeps {
  CampaignReports& reports;
  WebhookHealthRepository& webhook_health;
  CampaignRepository& campaigns;
  AdminRepository& admin;
  PledgeRefunds& refunds;
};
void add_report_routes(RouteTable& routes, StaffGate& gate, StaffDeps deps);
void add_admin_routes(RouteTable& routes, StaffGate& gate, StaffDeps deps);

}  // namespace pledged
