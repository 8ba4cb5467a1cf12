#include "event_applier.hpp"

#include <algorithm>

#include "pledged/db/email_outbox_repository.hpp"
#include "pledged/webhooks/event_handlers.hpp"

#include "stripe_ledger_repository.hpp"
#include "stripe_pledge_repository.hpp"
#include "stripe_refund_repository.hpp"

namespace pledged::webhooks {
namespace {

void record_refunds(Tx& tx, const StripePledge& pledge, const EventEffect& effect, const StripeEvent& event) {
  const std::int64_t seen_at = event.created.time_since_epoch().count();
  std::vector<std::string> charges;
  for (const auto& refund : effect.refunds) {
    StripeRefundRepository::record(tx, pledge, refund, seen_at);
    charges.push_back(refund.charge_id);
  }
  if (effect.charge_refunds) {
    StripeRefundRepository::record(tx, pledge, *effect.charge_refunds, seen_at);
    charges.push_back(effect.charge_refunds->charge_id);
  }
  std::sort(charges.begin(), charges.end());
  charges.erase(std::unique(charges.begin(), charges.end()), charges.end());
  for (const auto& charge : charges) StripeRefundRepository::settle_ledger(tx, charge, event.id);
}

}  // namespace

ApplyResult apply_event(Tx& tx, const StripeEvent& event, bool live_key) {
  const EventHandler handler = find_event_handler(event.type);
  if (handler == nullptr) return {EventOutcome::ignored, "", "", "", false, false};
  if (auto problem = mode_problem(event.livemode, live_key))
    return {EventOutcome::failed, *problem, "", "", false, true};

  const auto refs = pledge_references(event.object);
  const auto pledge = StripePledgeRepository::find_for_update(tx, refs);
  if (!pledge) {
    std::vector<std::string> awaits = refs.pledge_ids;
    awaits.insert(awaits.end(), refs.stripe_ids.begin(), refs.stripe_ids.end());
    return {EventOutcome::waiting, "pledge not known yet", "", postgres_text_array(awaits), false, false};
  }

  const EventEffect effect = handler(event.object, pledge->facts);
  // Keep an event whose money cannot be written faithfully, flagged, for a person; no
  // retry changes the answer.
  auto problem = effect_problem(effect, pledge->currency);
  if (!problem) problem = payment_amount_problem(effect, pledge->facts, pledge->charged);
  if (problem) return {EventOutcome::failed, *problem, "", "", false, true};
  std::optional<PledgeStatus> advance_to;
  if (effect.advance_to && can_advance(pledge->facts.status, *effect.advance_to)) advance_to = effect.advance_to;
  StripePledgeRepository::record_facts(tx, pledge->facts.id, refs, pledge_stripe_ids(event.object, pledge->facts),
                                       advance_to);
  if (effect.subscription) {
    StripePledgeRepository::record_subscription(tx, pledge->facts.id, *effect.subscription,
                                                event.created.time_since_epoch().count(), event.id);
  }
  // The money: the one place an event's ledger movements are written.
  for (const auto& movement : effect.movements) {
    StripeLedgerRepository::record(tx, *pledge, movement, event.id, event.created);
  }
  record_refunds(tx, *pledge, effect, event);
  // The donor's receipt or refund notice, committed with the money or not at all.
  if (effect.moves_money()) EmailOutboxRepository::queue_for_event(tx, pledge->facts.id, event.id);
  return {EventOutcome::applied, "", pledge->facts.id, "", effect.moves_money(), false};
}

}  // namespace pledged::webhooks
