#pragma once
// Money movements from Stripe into ledger_entries, one row per (kind, Stripe object).
#include <string>
#include <vector>

#include "pledged/core/time.hpp"
#include "pledged/db/sql.hpp"
#include "pledged/webhooks/event_handlers.hpp"

#include "stripe_pledge_repository.hpp"

namespace pledged::webhooks {

class StripeLedgerRepository {
 public:
  static std::vector<PreparedStatement> statements();

  // Inserts the movement, or settles a repeat of it: the row keeps the smallest
  // signed amount (a cumulative refund's largest value; the same payment twice is
  // one row) and the earliest time, so the result does not depend on the order.
  static void record(Tx& tx, const StripePledge& pledge, const LedgerMovement& movement, const std::string& event_id,
                     Timestamp occurred_at);

  // The ledger trigger's NOTIFY would serialise this transaction's commit with every
  // other's (migration 0003); promise to announce the change after commit instead.
  static void announce_after_commit(Tx& tx);
  // The promised announcement: a NOTIFY in a transaction of its own, which writes no
  // WAL and so commits at once. If the process dies before it, the banner's periodic
  // reload still picks the money up.
  static void announce_progress(pqxx::connection& connection) noexcept;
};

}  // namespace pledged::webhooks
