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

  // The webhook path's announcement that money changed, sent after the commits it
  // covers, coalesced by ProgressAnnouncer. The ledger trigger's own NOTIFY stays
  // silent in the webhook transactions (StripePledgeRepository::find_for_update
  // promises this announcement instead; migration 0003). If the process dies before
  // it, every banner's periodic reload still picks the money up.
  static void announce_progress(Tx& tx);
};

}  // namespace pledged::webhooks
