#pragma once
// Money movements from Stripe into ledger_entries, one row per (kind, Stripe object).
#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "pledged/core/time.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/webhooks/event_handlers.hpp"

#include "stripe_pledge_repository.hpp"

namespace pledged::webhooks {

class StripeLedgerRepository {
 public:
  static std::vector<PreparedStatement> statements();

  // Inserts the movement, or settles a repeat of it: the row keeps the smallest
  // signed amount (a cumulative refund's largest value; the same payment twice is
  // one row) and the earliest time, so the result does not depend on the order.
  static void record(pqxx::work& tx, const StripePledge& pledge, const LedgerMovement& movement,
                     const std::string& event_id, Timestamp occurred_at);
};

}  // namespace pledged::webhooks
