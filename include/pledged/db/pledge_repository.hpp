#pragma once
// Pledges as stored. Status changes driven by Stripe's events live with the webhook
// module; this repository only creates pledges and records their Checkout Session.
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/domain/pledge.hpp"

namespace pledged {

// A pledge as the public may see it (never its donor) and whether its money is in the
// ledger yet: a status can say paid while a monthly gift's first invoice is on its way.
struct PledgeStanding {
  Pledge pledge;  // id, campaign_slug, amount, currency, frequency, status
  bool counted = false;
};

class PledgeRepository {
 public:
  explicit PledgeRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  // Stores the pledge as `pending`; a pledge with the same id already stored (a
  // resumed Idempotency-Key) is left as it is.
  Status insert(const NewPledge& pledge);
  Result<std::optional<Pledge>> find_by_id(const std::string& id);
  Result<std::optional<PledgeStanding>> find_standing(const std::string& id);
  // Records the session and (for a pledge that had not started) makes it pending again.
  Status attach_checkout_session(const std::string& id, const std::string& session_id, const std::string& url);
  // Stripe could not be reached: the pledge stays, marked as never started.
  Status mark_not_started(const std::string& id);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
