#pragma once
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/connection_pool.hpp"

namespace pledged {

struct WebhookTypeHealth {
  std::string type;
  Timestamp last_received_at;
  std::int64_t received_24h = 0;
  std::int64_t failed_24h = 0;
};

// What staff need to see that Stripe's events are arriving and being applied.
struct WebhookHealth {
  std::vector<WebhookTypeHealth> by_type;
  std::optional<Timestamp> last_received_at;
  std::int64_t received_24h = 0;
  std::int64_t failed_24h = 0;     // received in the last 24 h and still failed
  std::int64_t waiting = 0;        // stored, waiting for something they refer to
  std::int64_t failed = 0;         // failed, whenever received
  std::int64_t unmatched = 0;      // no pledge found within 72 hours: no longer retried
  std::optional<Timestamp> oldest_waiting_at;
};

class WebhookHealthRepository {
 public:
  explicit WebhookHealthRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();
  Result<WebhookHealth> load();

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
