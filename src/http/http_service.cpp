#include "pledged/http/http_service.hpp"

#include "admin_routes.hpp"
#include "donor_routes.hpp"
#include "operations_routes.hpp"
#include "page_routes.hpp"
#include "pledge_progress_routes.hpp"
#include "pledge_routes.hpp"
#include "pledged/core/rate_limiter.hpp"
#include "pledged/http/http_server.hpp"
#include "pledged/http/staff_gate.hpp"
#include "progress_routes.hpp"
#include "report_routes.hpp"
#include "statement_routes.hpp"
#include "unmatched_event_routes.hpp"
#include "webhook_routes.hpp"

namespace pledged {
namespace {

// Where the donor's Manage button ends: Stripe's Billing Portal, or the stand-in's own
// portal pages when the Stripe base is a local stand-in.
std::string billing_portal_origin(const std::string& stripe_api_base) {
  if (stripe_api_base == "https://api.stripe.com") return "https://billing.stripe.com";
  const auto scheme_end = stripe_api_base.find("://");
  const auto path = scheme_end == std::string::npos ? std::string::npos : stripe_api_base.find('/', scheme_end + 3);
  return path == std::string::npos ? stripe_api_base : stripe_api_base.substr(0, path);
}

RouteTable all_routes(const Config& config, const HttpUseCases& use, const HttpRuntime& run,
                      RateLimiter& pledge_rate_limiter, StaffGate& staff_gate) {
  RouteTable routes;
  add_operations_routes(routes, OperationsDeps{use.readiness});
  add_progress_routes(routes, use.progress, config);
  add_page_routes(routes, use.progress, config);
  add_pledge_routes(routes, PledgeDeps{use.pledges, pledge_rate_limiter, run.checkout_workers, config.trusted_proxies});
  add_pledge_progress_routes(routes, use.pledge_progress, run.workers);
  add_webhook_routes(
      routes, WebhookDeps{run.workers, use.events, run.metrics, config.webhook_secrets, config.webhook_tolerance});
  add_report_routes(routes, staff_gate, ReportDeps{use.reports, use.webhook_health, use.email_health});
  add_admin_routes(routes, staff_gate, AdminDeps{use.admin, use.refunds, use.matches});
  add_statement_routes(routes, staff_gate, use.statements);
  add_unmatched_event_routes(routes, staff_gate, use.unmatched_events);
  add_donor_routes(routes, DonorDeps{use.donors, run.workers, config.trusted_proxies, config.public_url,
                                     billing_portal_origin(config.stripe_api_base)});
  return routes;
}

RouteTable metrics_routes(Metrics& metrics) {
  RouteTable routes;
  add_metrics_routes(routes, metrics);
  return routes;
}

}  // namespace

struct HttpService::Impl {
  Impl(const Config& config, const HttpUseCases& use, const HttpRuntime& run)
      : pledge_rate_limiter(config.pledge_rate_per_minute),
        staff_gate(use.staff, run.workers, run.metrics, config.staff_auth_failures_per_minute, config.trusted_proxies),
        server(config.listen, config.http_threads, all_routes(config, use, run, pledge_rate_limiter, staff_gate),
               run.context),
        metrics_server(config.metrics_listen, 1, metrics_routes(run.metrics), run.context) {}

  RateLimiter pledge_rate_limiter;
  StaffGate staff_gate;
  HttpServer server;
  HttpServer metrics_server;  // PLEDGED_METRICS_LISTEN: never the public listener
};

HttpService::HttpService(const Config& config, HttpUseCases use_cases, HttpRuntime runtime)
    : impl_(std::make_unique<Impl>(config, use_cases, runtime)) {}

HttpService::~HttpService() = default;

void HttpService::start() {
  impl_->metrics_server.start();
  impl_->server.start();
}
std::uint16_t HttpService::port() const { return impl_->server.port(); }
std::uint16_t HttpService::metrics_port() const { return impl_->metrics_server.port(); }
bool HttpService::drain(std::chrono::milliseconds grace) { return impl_->server.drain(grace); }
void HttpService::shutdown() {
  impl_->server.shutdown();
  impl_->metrics_server.shutdown();
}

}  // namespace pledged
