#pragma once
// Stripe events that never found their pledge within 72 hours (`unmatched`), for staff:
// the list, and putting one back in the queue on an admin's request, audited.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/domain/audit.hpp"

namespace pledged {

struct UnmatchedEvent {
  std::string id;
  std::string type;
  bool livemode = false;
  Timestamp stripe_created;
  Timestamp received_at;
  int attempts = 0;
  std::vector<std::string> awaits;  // the Stripe ids that would have found its pledge
};

struct UnmatchedEvents {
  std::int64_t count = 0;
  std::vector<UnmatchedEvent> events;  // newest first, at most the limit asked for
};

class UnmatchedEventRepository {
 public:
  explicit UnmatchedEventRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  Result<UnmatchedEvents> list(int limit);
  // Makes an unmatched (or failed) event waiting again, due now, and writes the audit
  // row in the same transaction. not_found for an unknown id; conflict for an event in
  // any other state (applied, ignored, already waiting).
  Status requeue(const std::string& event_id, const AuditActor& actor);
  // The event's status now ("" when there is no such event).
  Result<std::string> status_of(const std::string& event_id);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
