#include "pledged/db/unmatched_event_repository.hpp"

#include <sstream>

#include "audit_trail.hpp"
#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kCount = "unmatched_events_count";
constexpr const char* kList = "unmatched_events_list";
constexpr const char* kLockStatus = "unmatched_events_lock_status";
constexpr const char* kRequeue = "unmatched_events_requeue";
constexpr const char* kStatus = "unmatched_events_status";

std::vector<std::string> split_ids(const std::string& joined) {
  std::vector<std::string> ids;
  std::istringstream in(joined);
  for (std::string id; std::getline(in, id, ',');) {
    if (!id.empty()) ids.push_back(id);
  }
  return ids;
}

}  // namespace

std::vector<PreparedStatement> UnmatchedEventRepository::statements() {
  auto all = audit_statements();
  all.push_back({kCount, "SELECT count(*) FROM webhook_events WHERE status = 'unmatched'"});
  all.push_back({kList,
                 "SELECT id, type, livemode, extract(epoch FROM stripe_created)::bigint, "
                 "  extract(epoch FROM received_at)::bigint, attempts, coalesce(array_to_string(awaits, ','), '') "
                 "FROM webhook_events WHERE status = 'unmatched' ORDER BY received_at DESC, id LIMIT $1"});
  all.push_back({kLockStatus, "SELECT status FROM webhook_events WHERE id = $1 FOR UPDATE"});
  // Due now; the 72 hours still count from its arrival, so an event that still finds
  // no pledge is unmatched again after this one attempt.
  all.push_back({kRequeue,
                 "UPDATE webhook_events SET status = 'waiting', next_attempt_at = now(), last_error = NULL "
                 "WHERE id = $1"});
  all.push_back({kStatus, "SELECT status FROM webhook_events WHERE id = $1"});
  return all;
}

Result<UnmatchedEvents> UnmatchedEventRepository::list(int limit) {
  return pool_.transact(
      [limit](Tx& tx) {
        UnmatchedEvents found;
        found.count = tx.exec_prepared1(kCount)[0].as<std::int64_t>();
        for (const auto& row : tx.exec_prepared(kList, limit)) {
          found.events.push_back(UnmatchedEvent{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>(),
                                                Timestamp(std::chrono::seconds(row[3].as<std::int64_t>())),
                                                Timestamp(std::chrono::seconds(row[4].as<std::int64_t>())),
                                                row[5].as<int>(), split_ids(row[6].as<std::string>())});
        }
        return found;
      },
      Retry::if_broken, TxMode::read_only);
}

Status UnmatchedEventRepository::requeue(const std::string& event_id, const AuditActor& actor) {
  auto before = pool_.transact([&](Tx& tx) {
    const auto rows = tx.exec_prepared(kLockStatus, event_id);
    if (rows.empty()) return std::string();
    auto status = rows[0][0].as<std::string>();
    if (status != "unmatched" && status != "failed") return status;
    tx.exec_prepared(kRequeue, event_id);
    append_audit(tx, actor, "webhook_event.reapply", event_id, R"({"status": ")" + status + R"("})",
                 R"({"status": "waiting"})");
    return std::string("requeued");
  });
  if (!before) return before.error();
  if (before->empty()) return make_error(ErrorCode::not_found, "no such webhook event");
  if (*before != "requeued") {
    return make_error(ErrorCode::conflict,
                      "only an unmatched or failed event is applied again (it is " + *before + ")");
  }
  return {};
}

Result<std::string> UnmatchedEventRepository::status_of(const std::string& event_id) {
  return pool_.transact(
      [&](Tx& tx) {
        const auto rows = tx.exec_prepared(kStatus, event_id);
        return rows.empty() ? std::string() : rows[0][0].as<std::string>();
      },
      Retry::if_broken, TxMode::read_only);
}

}  // namespace pledged
