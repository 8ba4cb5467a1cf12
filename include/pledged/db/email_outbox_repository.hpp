#pragma once
// The donor-email outbox (migration 0009): rows queued in the transaction that moves
// the money, claimed and settled by the sender loop of every instance.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/connection_pool.hpp"

namespace pledged {

class Tx;

// One claimed email: what it tells of, copied in when it was queued.
struct OutboxEmail {
  std::int64_t id = 0;
  std::string kind;  // receipt | refund_notice | statement
  std::string recipient;
  std::string donor_name;  // "" when not given
  std::string campaign_title;
  std::int64_t amount = 0;  // minor units, > 0 (a refund notice's: refunded so far)
  std::string currency;
  Timestamp occurred_at;
  Timestamp created_at;         // with id, the stable Message-ID
  int attempts = 0;             // this claim included
  std::string summary;          // a statement's totals ("125.00 USD"), "" otherwise
  std::string attachment;       // a statement's PDF bytes, "" when none
  std::string attachment_name;  // "statement-2026.pdf", "" when none
};

struct OutboxCounts {
  std::int64_t queued = 0;
  std::int64_t sent = 0;
  std::int64_t failed = 0;
};

// A try that failed, as staff see it: no address, no body.
struct OutboxFailure {
  Timestamp at;
  std::string kind;
  std::string status;  // queued (tried again later) or failed (given up)
  std::string error;   // the error's class, as the sender wrote it ("smtp: Timeout was reached")
};

struct OutboxHealth {
  OutboxCounts counts;
  std::optional<Timestamp> oldest_queued_at;
  std::vector<OutboxFailure> last_failures;  // newest first, at most 10
};

class EmailOutboxRepository {
 public:
  explicit EmailOutboxRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  // (A Stripe event's receipt or refund notice is queued with its money by migration
  // 0014's pledged_write_stripe_effect: webhooks/src/db/stripe_effect_repository.cpp.)
  // In the transaction that recorded an offline gift: its receipt, when it has an email.
  static void queue_offline_gift(Tx& tx, std::int64_t ledger_entry_id);

  // Claims up to `limit` due rows (FOR UPDATE SKIP LOCKED) for `lease`: no other
  // sender takes them before it ends, and if this one dies they are due again then.
  Result<std::vector<OutboxEmail>> claim(int limit, std::chrono::seconds lease);
  Status mark_sent(std::int64_t id);
  // A failed try: due again after `retry_in`, or `failed` for good once the row is a
  // day old (or when `permanent`). `error` is for staff: never an address or a body.
  Status mark_attempt_failed(std::int64_t id, const std::string& error, std::chrono::seconds retry_in, bool permanent);
  Result<OutboxCounts> counts();
  Result<OutboxHealth> health();

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
