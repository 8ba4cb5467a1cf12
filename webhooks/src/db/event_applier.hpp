#pragma once
// Applies one stored event inside the caller's transaction.
#include <string>

#include "pledged/db/sql.hpp"

#include "pledged/webhooks/event_processor.hpp"

namespace pledged::webhooks {

struct ApplyResult {
  EventOutcome outcome;
  std::string error;      // why it waits or failed; for the events table, never for a client
  std::string pledge_id;  // the pledge it applied to
  std::string awaits;     // for a waiting event: the ids that would find its pledge (text[] literal)
  bool moved_money = false;  // the ledger changed: announce it after commit
  bool final = false;        // a failure no retry can cure (a forged amount, another mode): not retried
};

// `live_key`: whether the configured Stripe key is a live one; an event of the other
// mode never applies.
ApplyResult apply_event(Tx& tx, const StripeEvent& event, bool live_key);

}  // namespace pledged::webhooks
