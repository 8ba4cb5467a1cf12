#include "pledged/app/service.hpp"

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <string_view>

#include "pledged/config/stripe_safety.hpp"
#include "pledged/core/metrics.hpp"
#include "pledged/core/worker_pool.hpp"
#include "pledged/db/admin_repository.hpp"
#include "pledged/db/campaign_repository.hpp"
#include "pledged/db/donor_repository.hpp"
#include "pledged/db/change_listener.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/db/email_outbox_repository.hpp"
#include "pledged/db/idempotency_repository.hpp"
#include "pledged/db/match_repository.hpp"
#include "pledged/db/migration.hpp"
#include "pledged/db/pledge_repository.hpp"
#include "pledged/db/progress_repository.hpp"
#include "pledged/db/refund_repository.hpp"
#include "pledged/db/report_repository.hpp"
#include "pledged/db/staff_token_repository.hpp"
#include "pledged/db/statement_repository.hpp"
#include "pledged/db/unmatched_event_repository.hpp"
#include "pledged/db/webhook_health_repository.hpp"
#include "pledged/email/outbox_sender.hpp"
#include "pledged/http/http_service.hpp"
#include "pledged/progress/pledge_progress.hpp"
#include "pledged/progress/progress_cache.hpp"
#include "pledged/stripe/stripe_billing_portal.hpp"
#include "pledged/stripe/stripe_client.hpp"
#include "pledged/stripe/stripe_refund_gateway.hpp"
#include "pledged/webhooks/event_processor.hpp"
#include "pledged/webhooks/waiting_event_retrier.hpp"

namespace pledged {
namespace {

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

std::vector<PreparedStatement> all_statements() {
  std::vector<PreparedStatement> all;
  for (auto list :
       {CampaignRepository::statements(), ProgressRepository::statements(), PledgeRepository::statements(),
        IdempotencyRepository::statements(), webhooks::EventProcessor::statements(), StaffTokenRepository::statements(),
        ReportRepository::statements(), WebhookHealthRepository::statements(), AdminRepository::statements(),
        RefundRepository::statements(), UnmatchedEventRepository::statements(), EmailOutboxRepository::statements(),
        StatementRepository::statements(),
        MatchRepository::statements(), DonorRepository::statements()}) {
    for (const auto& statement : list) {
      // Repositories that share a statement (the audit log's) list it each.
      const auto same = [&](const PreparedStatement& s) { return std::string_view(s.name) == statement.name; };
      if (std::none_of(all.begin(), all.end(), same)) all.push_back(statement);
    }
  }
  return all;
}

// One worker pool's gauges: `prefix` + "s", "s_busy", "_queue_depth", "_rejected_total",
// "_queue_wait_seconds_total" (pledged_workers..., pledged_checkout_workers...).
void append_worker_gauges(std::string& out, const std::string& prefix, const std::string& whose,
                          const WorkerStats& work) {
  append_gauge(out, prefix + "s", whose + " worker threads.", work.threads);
  append_gauge(out, prefix + "s_busy", whose + " worker threads running a job.", work.busy);
  append_gauge(out, prefix + "_queue_depth", whose + " jobs waiting for a worker.", static_cast<double>(work.queued));
  append_gauge(out, prefix + "_rejected_total", whose + " jobs refused because the queue was full.",
               static_cast<double>(work.rejected));
  append_gauge(out, prefix + "_queue_wait_seconds_total", whose + " jobs' time spent queued.",
               work.queue_wait_seconds_total);
}

void export_runtime_gauges(Metrics& metrics, ConnectionPool& pool, WorkerPool& workers, WorkerPool& checkout_workers,
                           ProgressCache& cache, ChangeListener& listener) {
  metrics.add_gauges([&](std::string& out) {
    const auto db = pool.stats();
    append_gauge(out, "pledged_db_pool_size", "Configured maximum database connections.", db.size);
    append_gauge(out, "pledged_db_pool_open", "Database connections open.", db.open);
    append_gauge(out, "pledged_db_pool_in_use", "Database connections leased right now.", db.in_use);
    append_gauge(out, "pledged_db_pool_waits_total", "Leases that waited for a free connection.",
                 static_cast<double>(db.waits));
    append_gauge(out, "pledged_db_pool_timeouts_total", "Leases that gave up waiting.", static_cast<double>(db.timeouts));
    append_gauge(out, "pledged_db_pool_broken_total", "Connections discarded as broken.", static_cast<double>(db.broken));
    append_worker_gauges(out, "pledged_worker", "General", workers.stats());
    // Pledges wait on Stripe on workers of their own: busy == threads for long means
    // Stripe is slow or pledges outrun PLEDGED_CHECKOUT_WORKERS.
    append_worker_gauges(out, "pledged_checkout_worker", "Checkout (POST /v1/pledges)", checkout_workers.stats());
    append_gauge(out, "pledged_progress_campaigns", "Campaigns in the banner snapshot.", static_cast<double>(cache.size()));
    append_gauge(out, "pledged_progress_refreshes_total", "Successful banner snapshot refreshes.",
                 static_cast<double>(cache.refreshes()));
    append_gauge(out, "pledged_progress_listener_connected", "1 while LISTEN for money changes is connected.",
                 listener.connected() ? 1 : 0);
  });
}

// Every idle keep-alive connection holds a descriptor; the usual soft limit of 1024
// would cap the banner at about a thousand open connections.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

void block_shutdown_signals() {
  const sigset_t set = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int run_service(const Config& config, Logger& log) {
  raise_open_file_limit();
  Metrics metrics;
  ConnectionPool pool(
      PoolOptions{config.database_url, config.db_pool_size, config.db_pool_timeout, config.db_statement_timeout},
      all_statements());
  if (auto warm = pool.warm_up(); !warm) {
    if (warm.error().code != ErrorCode::unavailable) {
      // A statement that does not prepare is a bug or a schema that is too old:
      // refuse to start rather than fail at the first donor.
      log.event("error", "cannot prepare statements: " + warm.error().message +
                             " (is the schema migrated? run `pledged migrate`)");
      return 1;
    }
    log.event("warn", "database unreachable at start; serving the banner once it answers");
  }

  WorkerPool workers(config.worker_threads, static_cast<std::size_t>(config.worker_queue));
  WorkerPool checkout_workers(config.checkout_workers, static_cast<std::size_t>(config.worker_queue));
  ProgressRepository progress_repository(pool);
  ProgressCache cache([&] { return progress_repository.load_all(); }, now_utc);
  if (auto loaded = cache.refresh(); !loaded) log.event("warn", "banner snapshot not loaded yet");
  ChangeListener listener(config.database_url, "pledged_progress", config.progress_refresh, [&] {
    if (auto refreshed = cache.refresh(); !refreshed) {
      log.event("warn", "banner snapshot refresh failed: " + refreshed.error().message);
    }
  });
  listener.start();
  export_runtime_gauges(metrics, pool, workers, checkout_workers, cache, listener);

  ServerContext context{log, metrics, config.access_log};
  // Which Stripe this instance talks to, so a test key in production (or a live one in
  // staging) shows in the first lines of the log. Never the key itself.
  log.event("info", "stripe",
            {{"mode", json_quoted(stripe_mode(config))}, {"base", json_quoted(config.stripe_api_base)}});
  std::unique_ptr<stripe::StripeClient> stripe_client;
  if (config.stripe_secret_key) {
    stripe::StripeClientOptions stripe_options;
    stripe_options.api_base = config.stripe_api_base;
    stripe_options.secret_key = *config.stripe_secret_key;
    stripe_options.total_timeout = config.stripe_timeout;
    stripe_options.max_retries = config.stripe_retries;
    stripe_client = std::make_unique<stripe::StripeClient>(stripe_options, &metrics);
  } else {
    log.event("warn", "STRIPE_SECRET_KEY is not set: pledges are saved but online checkout answers 503");
  }

  // Repositories, then the use cases the routes call.
  CampaignRepository campaign_repository(pool);
  PledgeRepository pledge_repository(pool);
  IdempotencyRepository idempotency_repository(pool);
  StaffTokenRepository staff_tokens(pool);
  ReportRepository report_repository(pool);
  WebhookHealthRepository webhook_events(pool);
  AdminRepository admin_repository(pool);
  RefundRepository refund_repository(pool);
  UnmatchedEventRepository unmatched_event_repository(pool);
  MatchRepository match_repository(pool);

  Readiness readiness(config.database_url, latest_schema_version());
  std::optional<FeeRule> cover_fee;
  if (config.cover_fee) cover_fee = FeeRule{config.cover_fee->percent_basis_points, config.cover_fee->fixed};
  PledgeService pledge_service(PledgeService::Deps{campaign_repository, pledge_repository, idempotency_repository,
                                                   stripe_client.get(), config.public_url, log, cover_fee});
  webhooks::EventProcessor event_processor(pool, webhooks::live_stripe_key(config.stripe_secret_key.value_or("")));
  webhooks::WaitingEventRetrier waiting_retrier(event_processor, std::chrono::seconds(1));
  waiting_retrier.start();
  EmailOutboxRepository email_outbox(pool);
  const Organisation organisation{config.org_name, config.org_tax_id, config.org_address};
  std::unique_ptr<email::OutboxSender> email_sender;
  if (config.smtp_url) {
    email_sender = std::make_unique<email::OutboxSender>(
        email_outbox, email::smtp_options_for_lease(*config.smtp_url, config.email_lease), config.email_lease,
        email::Organisation{organisation, config.mail_from}, log, metrics);
    email_sender->start();
  } else {
    log.event("warn", "PLEDGED_SMTP_URL is not set: donor emails wait in the outbox, unsent");
  }
  StaffAccess staff(staff_tokens);
  CampaignReports reports(campaign_repository, report_repository);
  WebhookHealthCheck webhook_health(webhook_events);
  EmailOutboxHealthCheck email_health(email_outbox);
  CampaignAdmin admin(admin_repository, campaign_repository, idempotency_repository);
  MatchAdmin matches(match_repository, campaign_repository, idempotency_repository);
  // Without a Stripe key, refunds answer 503 (nothing to refund through).
  std::unique_ptr<stripe::StripeRefundGateway> refund_gateway;
  if (stripe_client) refund_gateway = std::make_unique<stripe::StripeRefundGateway>(*stripe_client);
  PledgeRefunds refunds(refund_repository, idempotency_repository, refund_gateway.get());
  UnmatchedEventsReview unmatched_events(unmatched_event_repository, event_processor);
  StatementRepository statement_repository(pool);
  YearStatements statements(statement_repository, organisation);
  DonorRepository donor_repository(pool);
  std::unique_ptr<stripe::StripeBillingPortal> billing_portal;
  if (stripe_client) billing_portal = std::make_unique<stripe::StripeBillingPortal>(*stripe_client);
  DonorSelfService donors(DonorSelfService::Deps{donor_repository, statements, billing_portal.get(), config.public_url});

  PledgeProgress pledge_progress(pledge_repository, progress_repository, cache);

  HttpService server(config,
                     HttpUseCases{readiness, cache, pledge_service, pledge_progress, event_processor, staff, reports,
                                  webhook_health, email_health, admin, refunds, unmatched_events, statements, matches,
                                  donors},
                     HttpRuntime{workers, checkout_workers, metrics, context});
  try {
    server.start();
  } catch (const std::exception& e) {
    log.event("error", std::string("cannot listen: ") + e.what(),
              {{"listen", json_quoted(config.listen.host + ":" + std::to_string(config.listen.port))},
               {"metrics_listen",
                json_quoted(config.metrics_listen.host + ":" + std::to_string(config.metrics_listen.port))}});
    return 1;
  }
  // Logged before "listening", which tests and operators wait for.
  log.event("info", "metrics listening",
            {{"host", json_quoted(config.metrics_listen.host)}, {"port", std::to_string(server.metrics_port())}});
  log.event("info", "listening", {{"host", json_quoted(config.listen.host)}, {"port", std::to_string(server.port())}});

  const sigset_t signals = shutdown_signals();
  int received = 0;
  sigwait(&signals, &received);
  log.event("info", "shutting down", {{"signal", json_quoted(received == SIGTERM ? "SIGTERM" : "SIGINT")}});

  const bool drained = server.drain(config.shutdown_grace);
  if (!drained) log.event("warn", "grace period over with requests still in flight");
  server.shutdown();
  checkout_workers.stop();
  workers.stop();
  waiting_retrier.stop();
  if (email_sender) email_sender->stop();
  listener.stop();
  log.event("info", "stopped");
  return 0;
}

}  // namespace pledged
