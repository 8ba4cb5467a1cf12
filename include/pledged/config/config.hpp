#pragma once
// Everything the service reads from its environment, checked once at start-up.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/trusted_proxies.hpp"

namespace pledged {

// PLEDGED_COVER_FEE, `PERCENT%+FIXED`: the percentage in basis points (2.9% = 290, at
// most two decimals, never a float), the fixed part in minor units.
struct CoverFeeSetting {
  std::int64_t percent_basis_points = 0;
  std::int64_t fixed = 0;
};

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// Each field is filled by one line of the table in src/config/config.cpp, which names
// its variable, its default and its bounds; load_config is the only way to get one.
struct Config {
  std::string database_url;                      // PLEDGED_DATABASE_URL (required)
  ListenAddress listen;                          // PLEDGED_LISTEN
  ListenAddress metrics_listen;                  // PLEDGED_METRICS_LISTEN: /metrics, never the public listener
  std::string public_url;                        // PLEDGED_PUBLIC_URL, no trailing slash
  std::vector<std::string> allowed_origins;      // PLEDGED_ALLOWED_ORIGINS (default: public URL's origin)
  std::optional<std::string> stripe_secret_key;  // STRIPE_SECRET_KEY
  std::vector<std::string> webhook_secrets;      // STRIPE_WEBHOOK_SECRET, comma-separated
  std::string stripe_api_base;                   // STRIPE_API_BASE
  std::chrono::seconds webhook_tolerance{};      // PLEDGED_WEBHOOK_TOLERANCE
  int pledge_rate_per_minute = 0;                // PLEDGED_PLEDGE_RATE, 0 = off
  TrustedProxies trusted_proxies;                // PLEDGED_TRUSTED_PROXIES (default: nobody)
  // PLEDGED_SMTP_URL: smtp:// or smtps://, credentials allowed (a secret: never logged).
  // Unset: donor emails wait in the outbox.
  std::optional<std::string> smtp_url;
  // PLEDGED_EMAIL_LEASE_SECONDS: how long a claimed email is the claiming instance's; an
  // instance killed mid-send leaves it to another once this ends. One SMTP try may take
  // half of it (at most 30 s), so a live sender always ends its try within the lease.
  std::chrono::seconds email_lease{};
  std::string mail_from;    // PLEDGED_MAIL_FROM, `Name <address>` (default: org name <donations@localhost>)
  std::string org_name;     // PLEDGED_ORG_NAME, as receipts name the organisation
  std::string org_tax_id;   // PLEDGED_ORG_TAX_ID, "" when none
  std::string org_address;  // PLEDGED_ORG_ADDRESS, "" when none
  std::optional<CoverFeeSetting> cover_fee;  // PLEDGED_COVER_FEE; nullopt when `off`

  // Sizing, beyond the contract's table; defaults suit a 2-core machine.
  int http_threads = 0;    // PLEDGED_HTTP_THREADS: Pistache reactor threads
  int worker_threads = 0;  // PLEDGED_WORKERS: threads for database and Stripe work
  int worker_queue = 0;    // PLEDGED_WORKER_QUEUE: jobs waiting before 503
  // PLEDGED_CHECKOUT_WORKERS: threads of their own for POST /v1/pledges, whose Stripe
  // call may take the whole Stripe timeout; a slow or hanging Stripe then fills only
  // these, and webhooks, staff routes and /readyz keep the general workers.
  int checkout_workers = 0;
  int db_pool_size = 0;                         // PLEDGED_DB_POOL: connections per instance
  std::chrono::milliseconds db_pool_timeout{};  // PLEDGED_DB_POOL_TIMEOUT_MS
  // PLEDGED_DB_STATEMENT_TIMEOUT_MS: the longest one statement may run or wait for a
  // lock (statement_timeout and lock_timeout), so a blocked query answers 503, never hangs.
  std::chrono::milliseconds db_statement_timeout{};
  std::chrono::milliseconds progress_refresh{};  // PLEDGED_PROGRESS_REFRESH_MS: safety-net reload
  std::chrono::seconds shutdown_grace{};         // PLEDGED_SHUTDOWN_GRACE: finish in-flight work
  std::chrono::milliseconds stripe_timeout{};    // PLEDGED_STRIPE_TIMEOUT_MS: one Stripe call, all included
  int stripe_retries = 0;                        // PLEDGED_STRIPE_RETRIES: retries after the first attempt
  int reconcile_page_attempts = 0;               // PLEDGED_RECONCILE_PAGE_ATTEMPTS: per page, the first included
  bool access_log = false;                       // PLEDGED_ACCESS_LOG: on, or off to silence request lines
  int staff_auth_failures_per_minute = 0;        // PLEDGED_STAFF_AUTH_FAILURES: then 429 for that client
};

// Reads one variable; nullopt when unset. Injected so tests need no real environment.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_environment();

// On failure the error message is one line that names the variable and never
// repeats a secret's value.
Result<Config> load_config(const EnvLookup& env);

}  // namespace pledged
