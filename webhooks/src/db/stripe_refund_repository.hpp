#pragma once
// Refunds as Stripe names them (re_…) and charges' cumulative amount_refunded, and the
// ledger rows derived from both: each refund from its own date, a failed or canceled
// one given back from the day that was seen, and of a charge's cumulative amount only
// what no refund explains. Derived from the stored state, so any order of the events
// ends in the same rows.
#include <string>

#include "pledged/db/sql.hpp"
#include "pledged/webhooks/event_handlers.hpp"

#include "stripe_pledge_repository.hpp"

namespace pledged::webhooks {

class StripeRefundRepository {
 public:
  static std::vector<PreparedStatement> statements();

  // `seen_at` (Unix seconds): the event's time, for a failure and for a refund
  // without a date of its own.
  static void record(Tx& tx, const StripePledge& pledge, const RefundItem& refund, std::int64_t seen_at);
  static void record(Tx& tx, const StripePledge& pledge, const ChargeRefunds& charge, std::int64_t seen_at);
  // Rewrites the ledger rows of the charge's refunds from what is stored.
  static void settle_ledger(Tx& tx, const std::string& charge_id, const std::string& event_id);
};

}  // namespace pledged::webhooks
