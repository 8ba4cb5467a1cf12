#include "event_applier.hpp"

#include <algorithm>

#include "pledged/webhooks/event_handlers.hpp"
#include "stripe_effect_repository.hpp"
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

bool has_refunds(const EventEffect& effect) { return !effect.refunds.empty() || effect.charge_refunds.has_value(); }

}  // namespace

std::optional<ApplyResult> outcome_without_pledge(const StripeEvent& event, bool live_key) {
  if (find_event_handler(event.type) == nullptr) return ApplyResult{EventOutcome::ignored, "", "", "", false, false};
  if (auto problem = mode_problem(event.livemode, live_key))
    return ApplyResult{EventOutcome::failed, *problem, "", "", false, true};
  return std::nullopt;
}

ApplyResult apply_event(Tx& tx, const StripeEvent& event, bool live_key) {
  if (auto outcome = outcome_without_pledge(event, live_key)) return *outcome;
  const auto refs = pledge_references(event.object);
  return apply_to_pledge(tx, event, refs, StripePledgeRepository::find_for_update(tx, refs));
}

std::variant<ApplyResult, PlannedEffect> plan_effect(const StripeEvent& event, const PledgeReferences& refs,
                                                     const std::optional<StripePledge>& pledge) {
  const EventHandler handler = find_event_handler(event.type);
  if (!pledge) {
    std::vector<std::string> awaits = refs.pledge_ids;
    awaits.insert(awaits.end(), refs.stripe_ids.begin(), refs.stripe_ids.end());
    return ApplyResult{EventOutcome::waiting, "pledge not known yet", "", postgres_text_array(awaits), false, false};
  }

  PlannedEffect planned;
  planned.effect = handler(event.object, pledge->facts);
  const EventEffect& effect = planned.effect;
  // Keep an event whose money cannot be written faithfully, flagged, for a person; no
  // retry changes the answer.
  auto problem = effect_problem(effect, pledge->currency);
  if (!problem) problem = payment_amount_problem(effect, pledge->facts, pledge->charged);
  if (problem) return ApplyResult{EventOutcome::failed, *problem, "", "", false, true};
  StripeEffectWrite& write = planned.write;
  write.links = refs.stripe_ids;
  write.ids = pledge_stripe_ids(event.object, pledge->facts);
  if (effect.advance_to && can_advance(pledge->facts.status, *effect.advance_to)) write.advance_to = effect.advance_to;
  write.movements = effect.movements;
  // Refunds settle ledger rows the notice then sums, so their email waits for them.
  write.queue_email = effect.moves_money() && !has_refunds(effect);
  return planned;
}

ApplyResult finish_effect(Tx& tx, const StripeEvent& event, const StripePledge& pledge, const PlannedEffect& planned) {
  const EventEffect& effect = planned.effect;
  if (effect.subscription) {
    StripePledgeRepository::record_subscription(tx, pledge.facts.id, *effect.subscription,
                                                event.created.time_since_epoch().count(), event.id);
  }
  if (has_refunds(effect)) {
    record_refunds(tx, pledge, effect, event);
    if (effect.moves_money()) {
      StripeEffectWrite email_only;
      email_only.queue_email = true;
      StripeEffectRepository::write(tx, pledge, email_only, event);
    }
  }
  return {EventOutcome::applied, "", pledge.facts.id, "", effect.moves_money(), false};
}

ApplyResult apply_to_pledge(Tx& tx, const StripeEvent& event, const PledgeReferences& refs,
                            const std::optional<StripePledge>& pledge) {
  auto planned = plan_effect(event, refs, pledge);
  if (auto* settled = std::get_if<ApplyResult>(&planned)) return *settled;
  const auto& effect = std::get<PlannedEffect>(planned);
  StripeEffectRepository::write(tx, *pledge, effect.write, event);
  return finish_effect(tx, event, *pledge, effect);
}

}  // namespace pledged::webhooks
