#pragma once
// The HTTP side of `pledged serve`: every route wired to the one use case it calls,
// served by Pistache. Pistache stays behind this header, so the app layer that
// builds the service never sees it.
#include <chrono>
#include <cstdint>
#include <memory>

#include "pledged/admin/campaign_admin.hpp"
#include "pledged/admin/match_admin.hpp"
#include "pledged/config/config.hpp"
#include "pledged/core/metrics.hpp"
#include "pledged/core/worker_pool.hpp"
#include "pledged/donors/donor_self_service.hpp"
#include "pledged/http/server_context.hpp"
#include "pledged/operations/email_outbox_health.hpp"
#include "pledged/operations/readiness.hpp"
#include "pledged/operations/unmatched_events_review.hpp"
#include "pledged/operations/webhook_health.hpp"
#include "pledged/pledges/pledge_service.hpp"
#include "pledged/progress/pledge_progress.hpp"
#include "pledged/progress/progress_cache.hpp"
#include "pledged/refunds/pledge_refunds.hpp"
#include "pledged/reports/campaign_reports.hpp"
#include "pledged/staff/staff_access.hpp"
#include "pledged/statements/year_statements.hpp"
#include "pledged/webhooks/event_processor.hpp"

namespace pledged {

// What the routes call.
struct HttpUseCases {
  Readiness& readiness;
  const ProgressCache& progress;
  PledgeService& pledges;
  PledgeProgress& pledge_progress;
  webhooks::EventProcessor& events;
  StaffAccess& staff;
  CampaignReports& reports;
  WebhookHealthCheck& webhook_health;
  EmailOutboxHealthCheck& email_health;
  CampaignAdmin& admin;
  PledgeRefunds& refunds;
  UnmatchedEventsReview& unmatched_events;
  YearStatements& statements;
  MatchAdmin& matches;
  DonorSelfService& donors;
};

// Where the routes run: blocking work (database, Stripe) goes to a worker pool, never
// to Pistache's reactor threads; pledges wait on Stripe on workers of their own.
struct HttpRuntime {
  WorkerPool& workers;
  WorkerPool& checkout_workers;
  Metrics& metrics;
  ServerContext& context;
};

class HttpService {
 public:
  HttpService(const Config& config, HttpUseCases use_cases, HttpRuntime runtime);
  ~HttpService();
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  // Binds both listeners (public, then operations) and starts their reactor threads;
  // throws std::runtime_error if either cannot bind.
  void start();
  std::uint16_t port() const;
  std::uint16_t metrics_port() const;  // the operations listener's (/metrics)
  // See HttpServer::drain: false if the grace ran out with requests in flight.
  bool drain(std::chrono::milliseconds grace);
  void shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pledged
