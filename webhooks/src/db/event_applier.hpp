#pragma once
// Applies one stored event inside the caller's transaction.
#include <optional>
#include <string>
#include <variant>

#include "pledged/db/sql.hpp"
#include "pledged/webhooks/event_processor.hpp"
#include "stripe_effect_repository.hpp"
#include "stripe_pledge_repository.hpp"

namespace pledged::webhooks {

struct ApplyResult {
  EventOutcome outcome;
  std::string error;         // why it waits or failed; for the events table, never for a client
  std::string pledge_id;     // the pledge it applied to
  std::string awaits;        // for a waiting event: the ids that would find its pledge (text[] literal)
  bool moved_money = false;  // the ledger changed: announce it after commit
  bool final = false;        // a failure no retry can cure (a forged amount, another mode): not retried
};

// `live_key`: whether the configured Stripe key is a live one; an event of the other
// mode never applies.
ApplyResult apply_event(Tx& tx, const StripeEvent& event, bool live_key);

// The two halves of apply_event, for a caller that finds the pledge its own way
// (EventProcessor: in the statement that stores the event). First what an event
// becomes without its pledge (no handler: ignored; the other mode: failed), nullopt
// when it needs one; then the event applied to the pledge its references found, locked
// FOR UPDATE in this transaction (none: it waits).
std::optional<ApplyResult> outcome_without_pledge(const StripeEvent& event, bool live_key);
ApplyResult apply_to_pledge(Tx& tx, const StripeEvent& event, const PledgeReferences& refs,
                            const std::optional<StripePledge>& pledge);

// apply_to_pledge in three steps, for a batch that writes many events' effects in one
// statement (EventBatch): the effect computed and checked, not yet written…
struct PlannedEffect {
  EventEffect effect;
  StripeEffectWrite write;
};
// …or what the event is without being written (waiting: no pledge; failed: its money
// cannot be written faithfully);
std::variant<ApplyResult, PlannedEffect> plan_effect(const StripeEvent& event, const PledgeReferences& refs,
                                                     const std::optional<StripePledge>& pledge);
// then, once `planned.write` is written (StripeEffectRepository), the rest of it: the
// subscription's state, the refunds and the email that waits for them.
ApplyResult finish_effect(Tx& tx, const StripeEvent& event, const StripePledge& pledge, const PlannedEffect& planned);

}  // namespace pledged::webhooks
