#pragma once
// What an applied event writes: the one place an event's money reaches the ledger.
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/time.hpp"
#include "pledged/db/sql.hpp"
#include "pledged/webhooks/event_handlers.hpp"
#include "pledged/webhooks/stripe_event.hpp"
#include "stripe_pledge_repository.hpp"

namespace pledged::webhooks {

// An event's writes to its pledge, computed from the pledge locked earlier in the
// same transaction (StripePledgeRepository::find_for_update).
struct StripeEffectWrite {
  std::vector<std::string> links;  // every Stripe id of the event's object leads to this pledge from now on
  PledgeStripeIds ids;             // the pledge's own Stripe id columns, filled where still empty
  std::optional<PledgeStatus> advance_to;
  std::vector<LedgerMovement> movements;
  bool queue_email = false;  // the donor's receipt or refund notice, committed with the money
};

// One event's writes to its pledge, for a batch of them.
struct PledgeEffectWrite {
  const StripePledge* pledge;
  const StripeEffectWrite* write;
  const StripeEvent* event;
};

class StripeEffectRepository {
 public:
  static std::vector<PreparedStatement> statements();

  // One round trip for all of them: migration 0015's pledged_write_stripe_effects,
  // which says what each part does. At most one event per pledge (each was computed
  // from its pledge as locked before any of them was written). Movements settle
  // repeats (smallest signed amount, earliest time), so the result does not depend on
  // the order of events.
  static void write_all(Tx& tx, const std::vector<PledgeEffectWrite>& writes);
  static void write(Tx& tx, const StripePledge& pledge, const StripeEffectWrite& write, const StripeEvent& event) {
    write_all(tx, {{&pledge, &write, &event}});
  }
};

}  // namespace pledged::webhooks
