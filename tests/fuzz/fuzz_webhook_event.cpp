// libFuzzer target: a webhook body as Stripe would sign it, through the parser and
// every event handler, down to the plan the applier would write (status and ledger
// movements). The database part is left out; everything it is told to write is
// checked here: signs per ledger kind, amounts taken from the object, keys present,
// one currency, the frequency rules that keep a gift from counting twice.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "pledged/webhooks/event_handlers.hpp"
#include "pledged/webhooks/stripe_event.hpp"
#include "property.hpp"

namespace {

using pledged::fuzz::require;

using nlohmann::json;
using namespace pledged;
using namespace pledged::webhooks;

// Every type with a handler; a name that loses its handler fails here.
constexpr const char* kHandledTypes[] = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
    "charge.dispute.closed",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "invoice_payment.paid",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "refund.failed",
};

bool equal(const EventEffect& a, const EventEffect& b) {
  if (a.advance_to != b.advance_to || a.movements.size() != b.movements.size()) return false;
  for (std::size_t i = 0; i < a.movements.size(); ++i) {
    const auto& x = a.movements[i];
    const auto& y = b.movements[i];
    if (x.kind != y.kind || x.stripe_object_id != y.stripe_object_id || x.amount != y.amount ||
        x.currency != y.currency) {
      return false;
    }
  }
  return true;
}

// A movement's magnitude is one of the object's own positive integer amounts.
bool amount_comes_from(const json& object, std::int64_t amount) {
  for (const char* key : {"amount_total", "amount_paid", "amount_received", "amount_refunded", "amount"}) {
    const auto found = object.find(key);
    if (found == object.end() || !found->is_number_integer()) continue;
    if (found->is_number_unsigned() && found->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) continue;
    const auto value = found->get<std::int64_t>();
    if (value > 0 && (value == amount || value == -amount)) return true;
  }
  return false;
}

void check_movement(const LedgerMovement& movement, const json& object) {
  switch (movement.kind) {
    case LedgerKind::payment:
    case LedgerKind::dispute_reinstatement: require(movement.amount > 0); break;
    case LedgerKind::refund:
    case LedgerKind::dispute_withdrawal: require(movement.amount < 0); break;
  }
  require(amount_comes_from(object, movement.amount));
  const auto currency = object.find("currency");
  const std::string expected = currency != object.end() && currency->is_string() ? currency->get<std::string>() : "";
  require(movement.currency == expected);
}

void check_effect(const std::string& type, const EventEffect& effect, const json& object, const PledgeFacts& pledge) {
  require(effect.movements.size() <= 2);
  for (const auto& movement : effect.movements) check_movement(movement, object);
  // A monthly gift counts its invoices, a one-time gift its payment: never both.
  if (type == "invoice.paid" && !pledge.monthly) require(effect.movements.empty() && !effect.advance_to);
  if (type == "payment_intent.succeeded" && pledge.monthly) require(effect.movements.empty() && !effect.advance_to);
  if (effect.advance_to == PledgeStatus::refunded) require(!pledge.monthly);
  if (effect.advance_to == PledgeStatus::canceled) require(pledge.monthly);
  // Only these event families move money, and each only its own kind of it.
  for (const auto& movement : effect.movements) {
    if (movement.kind == LedgerKind::refund) require(type == "charge.refunded");
    if (movement.kind == LedgerKind::dispute_withdrawal || movement.kind == LedgerKind::dispute_reinstatement) {
      require(type.rfind("charge.dispute.", 0) == 0);
    }
    if (movement.kind == LedgerKind::payment) require(type.rfind("charge.", 0) != 0);
  }
  // Refunds come from refund objects and charges only, each keyed by its own id.
  for (const auto& refund : effect.refunds) {
    require(refund.amount > 0 && refund.refund_id.rfind("re_", 0) == 0 && !refund.charge_id.empty());
  }
  if (effect.charge_refunds) require(type == "charge.refunded" && effect.charge_refunds->amount_refunded > 0);
  // A subscription's state comes only from its own events, for monthly gifts, and bills something.
  if (effect.subscription) {
    require(type == "customer.subscription.created" || type == "customer.subscription.updated");
    require(pledge.monthly && effect.subscription->amount > 0);
  }
  // What the applier refuses is exactly money without a key or in another currency.
  for (const char* currency : {"usd", ""}) {
    bool fine = true;
    for (const auto& movement : effect.movements) {
      fine = fine && !movement.stripe_object_id.empty() && movement.currency == currency;
    }
    for (const auto& refund : effect.refunds) fine = fine && refund.currency == currency;
    if (effect.charge_refunds) {
      fine = fine && !effect.charge_refunds->charge_id.empty() && effect.charge_refunds->currency == currency;
    }
    require(effect_problem(effect, currency).has_value() != fine);
  }
}

void check_references(const json& object) {
  const auto refs = pledge_references(object);
  for (const auto* list : {&refs.pledge_ids, &refs.stripe_ids}) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      require(!(*list)[i].empty());
      for (std::size_t j = 0; j < i; ++j) require((*list)[i] != (*list)[j]);
    }
  }
  // A customer id never leads to a pledge.
  if (const auto customer = object.find("customer"); customer != object.end() && customer->is_string()) {
    for (const auto& id : refs.stripe_ids) require(id != customer->get<std::string>());
  }
  for (const bool monthly : {false, true}) {
    const auto ids = pledge_stripe_ids(object, PledgeFacts{"pl_fuzz", monthly, PledgeStatus::pending});
    // A monthly gift is linked by its subscription, a one-time gift by its payment intent.
    require(monthly ? ids.payment_intent.empty() : ids.subscription.empty());
  }
}

void check_handlers(const StripeEvent& event) {
  for (const char* type : kHandledTypes) require(find_event_handler(type) != nullptr);
  for (const char* type : kHandledTypes) {
    const EventHandler handler = find_event_handler(type);
    for (const bool monthly : {false, true}) {
      for (const auto status : {PledgeStatus::pending, PledgeStatus::paid, PledgeStatus::active}) {
        const PledgeFacts pledge{"pl_fuzz", monthly, status};
        const auto effect = handler(event.object, pledge);
        check_effect(type, effect, event.object, pledge);
        require(equal(effect, handler(event.object, pledge)));  // a pure function: redelivery plans the same
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const auto event = parse_stripe_event(body);
  if (!event) return 0;
  require(event->id.rfind("evt_", 0) == 0 && !event->type.empty() && event->object.is_object());

  // The event is a function of the JSON value, not of its spelling: the same value
  // written out again parses to the same event.
  const auto again = parse_stripe_event(json::parse(body).dump());
  require(again.ok() && again->id == event->id && again->type == event->type &&
          again->api_version == event->api_version && again->livemode == event->livemode &&
          again->created == event->created && again->object == event->object);

  check_references(event->object);
  check_handlers(*event);
  return 0;
}
