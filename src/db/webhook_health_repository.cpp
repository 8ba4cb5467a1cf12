#include "pledged/db/webhook_health_repository.hpp"

#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kHealthByType = "webhook_health_by_type";
constexpr const char* kHealthTotals = "webhook_health_totals";

std::optional<Timestamp> optional_time(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return Timestamp(std::chrono::seconds(field.as<std::int64_t>()));
}

}  // namespace

std::vector<PreparedStatement> WebhookHealthRepository::statements() {
  return {
      {kHealthByType,
       "SELECT type, extract(epoch FROM max(received_at))::bigint, "
       "  count(*) FILTER (WHERE received_at > now() - interval '24 hours'), "
       "  count(*) FILTER (WHERE received_at > now() - interval '24 hours' AND status = 'failed') "
       "FROM webhook_events GROUP BY type ORDER BY type"},
      {kHealthTotals,
       "SELECT extract(epoch FROM max(received_at))::bigint, "
       "  count(*) FILTER (WHERE received_at > now() - interval '24 hours'), "
       "  count(*) FILTER (WHERE received_at > now() - interval '24 hours' AND status = 'failed'), "
       "  count(*) FILTER (WHERE status = 'waiting'), count(*) FILTER (WHERE status = 'failed'), "
       "  extract(epoch FROM min(received_at) FILTER (WHERE status = 'waiting'))::bigint, "
       "  count(*) FILTER (WHERE status = 'unmatched') "
       "FROM webhook_events"},
  };
}

Result<WebhookHealth> WebhookHealthRepository::load() {
  return pool_.transact(
      [](Tx& tx) {
        WebhookHealth health;
        for (const auto& row : tx.exec_prepared(kHealthByType)) {
          health.by_type.push_back(WebhookTypeHealth{row[0].as<std::string>(),
                                                     Timestamp(std::chrono::seconds(row[1].as<std::int64_t>())),
                                                     row[2].as<std::int64_t>(), row[3].as<std::int64_t>()});
        }
        const auto totals = tx.exec_prepared1(kHealthTotals);
        health.last_received_at = optional_time(totals[0]);
        health.received_24h = totals[1].as<std::int64_t>();
        health.failed_24h = totals[2].as<std::int64_t>();
        health.waiting = totals[3].as<std::int64_t>();
        health.failed = totals[4].as<std::int64_t>();
        health.oldest_waiting_at = optional_time(totals[5]);
        health.unmatched = totals[6].as<std::int64_t>();
        return health;
      },
      Retry::if_broken, TxMode::read_only);
}

}  // namespace pledged
