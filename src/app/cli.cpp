#include "pledged/app/cli.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <optional>

#include "pledged/admin/campaign_admin.hpp"
#include "pledged/app/service.hpp"
#include "pledged/config/config.hpp"
#include "pledged/core/log.hpp"
#include "pledged/db/admin_repository.hpp"
#include "pledged/db/campaign_repository.hpp"
#include "pledged/db/migration.hpp"
#include "pledged/db/staff_token_repository.hpp"
#include "pledged/db/unmatched_event_repository.hpp"
#include "pledged/operations/unmatched_events_review.hpp"
#include "pledged/staff/staff_access.hpp"
#include "pledged/stripe/event_page.hpp"
#include "pledged/stripe/stripe_client.hpp"
#include "pledged/webhooks/event_processor.hpp"
#include "pledged/webhooks/reconcile.hpp"

namespace pledged {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int fail(const std::string& line) {
  std::cerr << "pledged: " << line << "\n";
  return kExitFailure;
}

Result<Config> config_from_environment() { return load_config(process_environment()); }

int run_migrate(const Config& config) {
  auto report = migrate(config.database_url, embedded_migrations());
  if (!report) return fail("migrate: " + report.error().message);
  if (report->applied.empty()) {
    std::cout << "schema is up to date (version " << latest_schema_version() << ")\n";
  }
  for (const auto& name : report->applied) std::cout << "applied " << name << "\n";
  return 0;
}

ConnectionPool cli_pool(const Config& config, std::vector<PreparedStatement> statements) {
  return ConnectionPool(PoolOptions{config.database_url, 1, std::chrono::milliseconds(5000)}, std::move(statements));
}

template <typename... Lists>
std::vector<PreparedStatement> statements_of(Lists... lists) {
  std::vector<PreparedStatement> all;
  (all.insert(all.end(), lists.begin(), lists.end()), ...);
  return all;
}

const AuditActor kCliActor{"cli", ""};

int run_campaign_create(const Config& config, const CampaignDraft& draft) {
  auto pool = cli_pool(config, statements_of(CampaignRepository::statements(), AdminRepository::statements()));
  CampaignRepository campaigns(pool);
  AdminRepository admin_repository(pool);
  IdempotencyRepository idempotency(pool);  // `campaign create` takes no Idempotency-Key
  CampaignAdmin admin(admin_repository, campaigns, idempotency);
  // The same audited create as POST /v1/admin/campaigns; checked before the database is reached.
  auto created = admin.create_campaign(draft, kCliActor);
  if (!created && created.error().code == ErrorCode::validation_failed) {
    std::string line = created.error().message;
    for (const auto& [field, problem] : created.error().fields) line += "; --" + field + " " + problem;
    std::cerr << "pledged: " << line << "\n";
    return kExitUsage;
  }
  if (!created) return fail("campaign create: " + created.error().message);
  std::cout << "created campaign " << created->slug << " (" << created->title << "), goal "
            << created->goal.to_major_string() << " " << created->goal.currency() << ", "
            << format_rfc3339(created->starts_at) << " to " << format_rfc3339(created->ends_at) << "\n";
  return 0;
}

// Stripe keeps events for 30 days, so that is how far back a default run looks.
constexpr auto kReconcileWindow = std::chrono::hours(24 * 30);

int run_reconcile(const Config& config, const std::string& since) {
  if (!config.stripe_secret_key) return fail("reconcile: STRIPE_SECRET_KEY is not set");
  Timestamp created_since = now_utc() - std::chrono::duration_cast<std::chrono::seconds>(kReconcileWindow);
  if (!since.empty()) {
    const auto parsed = parse_date(since);
    if (!parsed) {
      std::cerr << "pledged: reconcile: --since must be a date like 2026-11-01\n";
      return kExitUsage;
    }
    created_since = *parsed;
  }
  ConnectionPool pool(PoolOptions{config.database_url, 2, std::chrono::milliseconds(5000)},
                      webhooks::EventProcessor::statements());
  webhooks::EventProcessor processor(pool, webhooks::live_stripe_key(config.stripe_secret_key.value_or("")));
  // The same client, version, timeouts and retries as checkout and refunds.
  stripe::StripeClientOptions stripe_options;
  stripe_options.api_base = config.stripe_api_base;
  stripe_options.secret_key = *config.stripe_secret_key;
  stripe_options.total_timeout = config.stripe_timeout;
  stripe_options.max_retries = config.stripe_retries;
  Metrics metrics;  // counted as the service counts them; a one-shot command exports none
  stripe::StripeClient stripe_client(stripe_options, &metrics);
  webhooks::ReconcileOptions reconcile_options;
  reconcile_options.page_attempts = config.reconcile_page_attempts;
  const auto report = webhooks::reconcile_events(
      processor,
      [&](const std::string& starting_after) {
        return stripe::fetch_event_page(stripe_client, created_since, starting_after);
      },
      reconcile_options);
  if (!report) return fail("reconcile: " + report.error().message);
  std::cout << "seen " << report->seen << ", already present " << report->already_present << ", applied "
            << report->applied << ", waiting " << report->waiting << ", failed " << report->failed << "\n";
  return report->failed == 0 ? 0 : kExitFailure;
}

// The same review as the staff routes; the event is applied in this process, through
// the one code path every event takes.
int run_webhooks(const Config& config, const std::string& reapply_id) {
  auto pool =
      cli_pool(config, statements_of(webhooks::EventProcessor::statements(), UnmatchedEventRepository::statements()));
  webhooks::EventProcessor processor(pool, webhooks::live_stripe_key(config.stripe_secret_key.value_or("")));
  UnmatchedEventRepository events(pool);
  UnmatchedEventsReview review(events, processor);
  if (!reapply_id.empty()) {
    auto status = review.reapply(reapply_id, kCliActor);
    if (!status) return fail("webhooks reapply: " + status.error().message);
    std::cout << reapply_id << " " << *status << "\n";
    return *status == "applied" || *status == "ignored" ? 0 : kExitFailure;
  }
  auto found = review.list(1000);
  if (!found) return fail("webhooks unmatched: " + found.error().message);
  std::cout << "id\ttype\treceived_at\tattempts\n";
  for (const auto& event : found->events) {
    std::cout << event.id << "\t" << event.type << "\t" << format_rfc3339(event.received_at) << "\t" << event.attempts
              << "\n";
  }
  std::cerr << found->count << " unmatched event(s)\n";
  return 0;
}

int run_token_create(const Config& config, const std::string& name, const std::string& role_text,
                     const std::optional<std::string>& expires) {
  const auto role = parse_staff_role(role_text);
  if (!role) return std::cerr << "pledged: --role must be viewer or admin\n", kExitUsage;
  std::optional<std::chrono::seconds> lifetime;
  if (expires) {
    lifetime = parse_token_lifetime(*expires);
    if (!lifetime) {
      return std::cerr << "pledged: --expires must be a whole number of hours, days or weeks, e.g. 12h, 90d or 2w "
                          "(at most 3650d)\n",
             kExitUsage;
    }
  }
  auto pool = cli_pool(config, StaffTokenRepository::statements());
  StaffTokenRepository tokens(pool);
  StaffAccess staff(tokens);
  auto token = staff.issue_token(name, *role, kCliActor, lifetime);
  if (!token && token.error().code == ErrorCode::validation_failed) {
    return std::cerr << "pledged: --name must be 1-100 printable ASCII characters\n", kExitUsage;
  }
  if (!token) return fail("token create: " + token.error().message);
  // The only time the token exists outside the staff member's hands: on this stdout.
  std::cout << *token << "\n";
  std::cerr << "created " << to_string(*role) << " token " << name << (expires ? ", expiring in " + *expires : "")
            << "; it is shown once, only its SHA-256 is stored\n";
  return 0;
}

int run_token_list(const Config& config) {
  auto pool = cli_pool(config, StaffTokenRepository::statements());
  StaffTokenRepository tokens(pool);
  auto all = StaffAccess(tokens).list_tokens();
  if (!all) return fail("token list: " + all.error().message);
  const auto time_or_dash = [](const std::optional<Timestamp>& t) { return t ? format_rfc3339(*t) : std::string("-"); };
  // The state is the database's verdict: what the staff gate would do with the token now.
  const auto state = [](const StaffTokenInfo& t) { return t.revoked_at ? "revoked" : t.expired ? "expired" : "live"; };
  std::cout << "name\trole\tcreated_at\tlast_used_at\trevoked_at\texpires_at\tstate\n";
  for (const auto& token : *all) {
    std::cout << token.name << "\t" << to_string(token.role) << "\t" << format_rfc3339(token.created_at) << "\t"
              << time_or_dash(token.last_used_at) << "\t" << time_or_dash(token.revoked_at) << "\t"
              << time_or_dash(token.expires_at) << "\t" << state(token) << "\n";
  }
  return 0;
}

int run_token_revoke(const Config& config, const std::string& name) {
  auto pool = cli_pool(config, StaffTokenRepository::statements());
  StaffTokenRepository tokens(pool);
  if (auto revoked = StaffAccess(tokens).revoke_token(name, kCliActor); !revoked)
    return fail("token revoke: " + revoked.error().message);
  std::cout << "revoked token " << name << "\n";
  return 0;
}

int run_serve(const Config& config, bool migrate_first) {
  // Before any thread exists, so that every thread inherits the mask.
  block_shutdown_signals();
  Logger log;
  if (migrate_first) {
    auto report = migrate(config.database_url, embedded_migrations());
    if (!report) {
      log.event("error", "migrate: " + report.error().message);
      return kExitFailure;
    }
    for (const auto& name : report->applied) log.event("info", "applied migration", {{"name", json_quoted(name)}});
  }
  return run_service(config, log);
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"pledged: donations and fundraising campaigns", "pledged"};
  app.require_subcommand(1);

  bool migrate_first = false;
  auto* serve = app.add_subcommand("serve", "Run the HTTP service");
  serve->add_flag("--migrate", migrate_first, "Apply pending migrations before serving");

  auto* migrate_command = app.add_subcommand("migrate", "Apply the SQL migrations, each exactly once");

  auto* campaign = app.add_subcommand("campaign", "Manage campaigns");
  campaign->require_subcommand(1);
  CampaignDraft draft;
  auto* create = campaign->add_subcommand("create", "Create a campaign");
  create->add_option("--slug", draft.slug, "URL name, e.g. eoy-2026")->required();
  create->add_option("--title", draft.title, "Title shown on the banner")->required();
  create->add_option("--goal", draft.goal_major, "Goal in major units, e.g. 50000.00")->required();
  create->add_option("--currency", draft.currency, "Lowercase ISO 4217 code, e.g. usd")->required();
  create->add_option("--starts", draft.starts, "First day (2026-11-15) or RFC 3339 time")->required();
  create->add_option("--ends", draft.ends, "Last day (2026-12-31) or RFC 3339 time")->required();

  std::string since;
  auto* reconcile = app.add_subcommand(
      "reconcile", "Apply every Stripe event of the last 30 days that never arrived, exactly as the webhook would");
  reconcile->add_option("--since", since, "Look back to this day (e.g. 2026-11-01) instead of 30 days");
  auto* webhooks_command = app.add_subcommand("webhooks", "Stripe events that never found their pledge");
  webhooks_command->require_subcommand(1);
  std::string reapply_id;
  auto* unmatched = webhooks_command->add_subcommand("unmatched", "List events unmatched after 72 hours");
  auto* reapply = webhooks_command->add_subcommand("reapply", "Apply an unmatched or failed event again (audited)");
  reapply->add_option("event", reapply_id, "The event's id, evt_...")->required();
  auto* token = app.add_subcommand("token", "Manage staff tokens for the reports and admin routes");
  token->require_subcommand(1);
  std::string token_name;
  std::string token_role;
  auto* token_create = token->add_subcommand("create", "Create a staff token and print it once");
  token_create->add_option("--name", token_name, "Who holds it, e.g. ana-finance")->required();
  token_create->add_option("--role", token_role, "viewer (reports) or admin (reports and changes)")->required();
  std::string token_expires;
  auto* expires_option = token_create->add_option(
      "--expires", token_expires, "Refuse the token this long after now: 12h, 90d, 2w (at most 3650d); default never");
  auto* token_list =
      token->add_subcommand("list",
                            "List staff tokens: role, created, last used, revoked, expiry, state (never the "
                            "tokens themselves)");
  auto* token_revoke = token->add_subcommand("revoke", "Revoke a staff token at once");
  token_revoke->add_option("name", token_name, "The token's name")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "pledged: " << e.what() << " (see --help)\n";
    return kExitUsage;
  }

  auto config = config_from_environment();
  if (!config) {
    std::cerr << "pledged: configuration: " << config.error().message << "\n";
    return kExitFailure;
  }
  if (serve->parsed()) return run_serve(*config, migrate_first);
  if (migrate_command->parsed()) return run_migrate(*config);
  if (create->parsed()) return run_campaign_create(*config, draft);
  if (reconcile->parsed()) return run_reconcile(*config, since);
  if (unmatched->parsed()) return run_webhooks(*config, "");
  if (reapply->parsed()) return run_webhooks(*config, reapply_id);
  if (token_create->parsed()) {
    // Given but empty is a bad value, not "no expiry".
    const auto expires = expires_option->count() > 0 ? std::optional<std::string>(token_expires) : std::nullopt;
    return run_token_create(*config, token_name, token_role, expires);
  }
  if (token_list->parsed()) return run_token_list(*config);
  if (token_revoke->parsed()) return run_token_revoke(*config, token_name);
  return kExitUsage;
}

}  // namespace pledged
