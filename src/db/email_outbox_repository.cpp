#include "pledged/db/email_outbox_repository.hpp"

#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kQueueOfflineGift = "email_outbox_queue_offline_gift";
constexpr const char* kClaim = "email_outbox_claim";
constexpr const char* kMarkSent = "email_outbox_mark_sent";
constexpr const char* kMarkFailed = "email_outbox_mark_failed";
constexpr const char* kCounts = "email_outbox_counts";
constexpr const char* kOldestQueued = "email_outbox_oldest_queued";
constexpr const char* kLastFailures = "email_outbox_last_failures";

#define PLEDGED_OUTBOX_COLUMNS \
  "(kind, movement, ledger_entry_id, recipient, donor_name, campaign_title, amount, currency, occurred_at)"

}  // namespace

std::vector<PreparedStatement> EmailOutboxRepository::statements() {
  return {
      {kQueueOfflineGift,
       "INSERT INTO email_outbox " PLEDGED_OUTBOX_COLUMNS
       " SELECT 'receipt', l.id::text, l.id, l.donor_key, coalesce(l.donor_name, ''), c.title, l.amount, "
       "  l.currency, l.occurred_at "
       "FROM ledger_entries l JOIN campaigns c ON c.id = l.campaign_id "
       "WHERE l.id = $1 AND l.donor_key LIKE '%_@_%' "
       "ON CONFLICT (movement, kind) DO NOTHING"},
      {kClaim,
       "UPDATE email_outbox o SET attempts = o.attempts + 1, "
       "  next_attempt_at = clock_timestamp() + make_interval(secs => $2::bigint) "
       "FROM (SELECT id FROM email_outbox WHERE status = 'queued' AND next_attempt_at <= clock_timestamp() "
       "      ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) due "
       "WHERE o.id = due.id "
       "RETURNING o.id, o.kind, o.recipient, o.donor_name, o.campaign_title, o.amount, o.currency, "
       "  extract(epoch FROM o.occurred_at)::bigint, extract(epoch FROM o.created_at)::bigint, o.attempts, "
       "  coalesce(o.summary, ''), o.attachment, coalesce(o.attachment_name, '')"},
      // A sign-in email's link (in summary) is kept only until it is sent or given up:
      // the token is stored hashed everywhere else. Past its 30 minutes it is useless,
      // so such an email is given up then rather than after a day.
      {kMarkSent,
       "UPDATE email_outbox SET status = 'sent', sent_at = clock_timestamp(), last_error = NULL, "
       "  summary = CASE WHEN kind = 'donor_link' THEN NULL ELSE summary END "
       "WHERE id = $1 AND status = 'queued'"},
      {kMarkFailed,
       "UPDATE email_outbox SET last_error = $2, last_error_at = clock_timestamp(), "
       "  status = CASE WHEN $4::boolean OR created_at < clock_timestamp() - interval '1 day' "
       "    OR (kind = 'donor_link' AND created_at < clock_timestamp() - interval '30 minutes') "
       "    THEN 'failed' ELSE 'queued' END, "
       "  summary = CASE WHEN kind = 'donor_link' AND ($4::boolean "
       "    OR created_at < clock_timestamp() - interval '30 minutes') THEN NULL ELSE summary END, "
       "  next_attempt_at = clock_timestamp() + make_interval(secs => $3::bigint) "
       "WHERE id = $1 AND status = 'queued'"},
      {kCounts,
       "SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'sent'), "
       "  count(*) FILTER (WHERE status = 'failed') FROM email_outbox"},
      {kOldestQueued, "SELECT extract(epoch FROM min(created_at))::bigint FROM email_outbox WHERE status = 'queued'"},
      {kLastFailures,
       "SELECT extract(epoch FROM last_error_at)::bigint, kind, status, last_error FROM email_outbox "
       "WHERE last_error_at IS NOT NULL ORDER BY last_error_at DESC, id DESC LIMIT 10"},
  };
}

void EmailOutboxRepository::queue_offline_gift(Tx& tx, std::int64_t ledger_entry_id) {
  tx.exec_prepared(kQueueOfflineGift, ledger_entry_id);
}

Result<std::vector<OutboxEmail>> EmailOutboxRepository::claim(int limit, std::chrono::seconds lease) {
  return pool_.transact([&](Tx& tx) {
    std::vector<OutboxEmail> claimed;
    for (const auto& row : tx.exec_prepared(kClaim, limit, static_cast<long long>(lease.count()))) {
      OutboxEmail email;
      email.id = row[0].as<std::int64_t>();
      email.kind = row[1].as<std::string>();
      email.recipient = row[2].as<std::string>();
      email.donor_name = row[3].as<std::string>();
      email.campaign_title = row[4].as<std::string>();
      email.amount = row[5].as<std::int64_t>();
      email.currency = row[6].as<std::string>();
      email.occurred_at = Timestamp(std::chrono::seconds(row[7].as<std::int64_t>()));
      email.created_at = Timestamp(std::chrono::seconds(row[8].as<std::int64_t>()));
      email.attempts = row[9].as<int>();
      email.summary = row[10].as<std::string>();
      if (!row[11].is_null()) email.attachment = pqxx::binarystring(row[11]).str();
      email.attachment_name = row[12].as<std::string>();
      claimed.push_back(std::move(email));
    }
    return claimed;
  });
}

Status EmailOutboxRepository::mark_sent(std::int64_t id) {
  return pool_.transact([&](Tx& tx) { tx.exec_prepared(kMarkSent, id); }, Retry::if_broken);
}

Status EmailOutboxRepository::mark_attempt_failed(std::int64_t id, const std::string& error,
                                                  std::chrono::seconds retry_in, bool permanent) {
  return pool_.transact(
      [&](Tx& tx) { tx.exec_prepared(kMarkFailed, id, error, static_cast<long long>(retry_in.count()), permanent); },
      Retry::if_broken);
}

namespace {

OutboxCounts read_counts(Tx& tx) {
  const auto row = tx.exec_prepared1(kCounts);
  return OutboxCounts{row[0].as<std::int64_t>(), row[1].as<std::int64_t>(), row[2].as<std::int64_t>()};
}

}  // namespace

Result<OutboxCounts> EmailOutboxRepository::counts() {
  return pool_.transact([](Tx& tx) { return read_counts(tx); }, Retry::if_broken, TxMode::read_only);
}

Result<OutboxHealth> EmailOutboxRepository::health() {
  return pool_.transact(
      [](Tx& tx) {
        OutboxHealth health;
        health.counts = read_counts(tx);
        const auto oldest = tx.exec_prepared1(kOldestQueued);
        if (!oldest[0].is_null())
          health.oldest_queued_at = Timestamp(std::chrono::seconds(oldest[0].as<std::int64_t>()));
        for (const auto& row : tx.exec_prepared(kLastFailures)) {
          health.last_failures.push_back(OutboxFailure{Timestamp(std::chrono::seconds(row[0].as<std::int64_t>())),
                                                       row[1].as<std::string>(), row[2].as<std::string>(),
                                                       row[3].as<std::string>()});
        }
        return health;
      },
      Retry::if_broken, TxMode::snapshot);
}

}  // namespace pledged
