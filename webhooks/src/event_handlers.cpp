#include "pledged/webhooks/event_handlers.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>
#include <utility>

namespace pledged::webhooks {
namespace {

using nlohmann::json;

// The value at a path of keys, or nullptr when any step is missing or not an object.
const json* find_path(const json& object, std::initializer_list<const char*> path) {
  const json* at = &object;
  for (const char* key : path) {
    if (!at->is_object()) return nullptr;
    const auto found = at->find(key);
    if (found == at->end()) return nullptr;
    at = &*found;
  }
  return at;
}

// A string field, or the id of an expanded object in its place; "" otherwise.
std::string text_at(const json& object, std::initializer_list<const char*> path) {
  const json* value = find_path(object, path);
  if (value == nullptr) return {};
  if (value->is_string()) return value->get<std::string>();
  if (value->is_object()) {
    const auto id = value->find("id");
    if (id != value->end() && id->is_string()) return id->get<std::string>();
  }
  return {};
}

std::int64_t integer_at(const json& object, const char* key) {
  const json* value = find_path(object, {key});
  return value != nullptr && value->is_number_integer() ? value->get<std::int64_t>() : 0;
}

bool flag_at(const json& object, const char* key) {
  const json* value = find_path(object, {key});
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

// The subscription an invoice belongs to: parent.subscription_details.subscription in
// current API versions, a top-level `subscription` in older ones.
std::string invoice_subscription(const json& invoice) {
  auto current = text_at(invoice, {"parent", "subscription_details", "subscription"});
  return current.empty() ? text_at(invoice, {"subscription"}) : current;
}

EventEffect advance(PledgeStatus status) {
  EventEffect effect;
  effect.advance_to = status;
  return effect;
}

EventEffect moving(LedgerMovement movement) {
  EventEffect effect;
  effect.movements.push_back(std::move(movement));
  return effect;
}

// A one-time checkout that has its money: keyed by the payment intent, the same key
// payment_intent.succeeded uses, so the two events count once between them.
EventEffect paid_checkout(const json& session) {
  EventEffect effect = advance(PledgeStatus::paid);
  auto key = text_at(session, {"payment_intent"});
  if (key.empty()) key = text_at(session, {"id"});
  const auto amount = integer_at(session, "amount_total");
  if (amount > 0) effect.movements.push_back({LedgerKind::payment, key, amount, text_at(session, {"currency"})});
  return effect;
}

EventEffect checkout_completed(const json& session, const PledgeFacts&) {
  // Subscription checkouts: the money arrives as invoice.paid, never from the session.
  if (text_at(session, {"mode"}) == "subscription") return advance(PledgeStatus::active);
  const auto payment_status = text_at(session, {"payment_status"});
  if (payment_status == "paid" || payment_status == "no_payment_required") return paid_checkout(session);
  return advance(PledgeStatus::awaiting_payment);  // a bank debit: not money yet
}

EventEffect checkout_async_succeeded(const json& session, const PledgeFacts&) {
  if (text_at(session, {"mode"}) == "subscription") return advance(PledgeStatus::active);
  return paid_checkout(session);
}

EventEffect checkout_async_failed(const json&, const PledgeFacts&) { return advance(PledgeStatus::failed); }

EventEffect checkout_expired(const json&, const PledgeFacts&) { return advance(PledgeStatus::expired); }

EventEffect invoice_paid(const json& invoice, const PledgeFacts& pledge) {
  // A one-time gift's money comes from its payment intent; only monthly gifts count invoices.
  if (!pledge.monthly) return {};
  EventEffect effect = advance(PledgeStatus::active);
  const auto amount = integer_at(invoice, "amount_paid");
  if (amount > 0) {
    effect.movements.push_back({LedgerKind::payment, text_at(invoice, {"id"}), amount, text_at(invoice, {"currency"})});
  }
  return effect;
}

// Stripe retries a failed invoice on its own schedule; the gift stays as it is until
// the subscription is deleted.
EventEffect invoice_payment_failed(const json&, const PledgeFacts&) { return {}; }

EventEffect subscription_deleted(const json&, const PledgeFacts& pledge) {
  return pledge.monthly ? advance(PledgeStatus::canceled) : EventEffect{};
}

// Every item bills unit_amount × quantity each month (one item, quantity 1, as pledged's
// Checkout creates it; the portal may change either).
std::int64_t subscription_amount(const json& subscription) {
  const json* items = find_path(subscription, {"items", "data"});
  if (items == nullptr || !items->is_array()) return 0;
  std::int64_t amount = 0;
  for (const auto& item : *items) {
    const json* unit = find_path(item, {"price", "unit_amount"});
    const json* quantity = find_path(item, {"quantity"});
    if (unit == nullptr || !unit->is_number_integer()) return 0;
    const std::int64_t count = quantity != nullptr && quantity->is_number_integer() ? quantity->get<std::int64_t>() : 1;
    amount += unit->get<std::int64_t>() * count;
  }
  return amount;
}

std::string subscription_currency(const json& subscription) {
  auto currency = text_at(subscription, {"currency"});
  if (!currency.empty()) return currency;
  const json* items = find_path(subscription, {"items", "data"});
  if (items == nullptr || !items->is_array() || items->empty()) return {};
  return text_at((*items)[0], {"price", "currency"});
}

// From API version 2025-03-31 the period is the items' (current_period_end on each item);
// older versions have it on the subscription.
std::int64_t subscription_period_end(const json& subscription) {
  if (const json* items = find_path(subscription, {"items", "data"});
      items != nullptr && items->is_array() && !items->empty()) {
    if (const auto end = integer_at((*items)[0], "current_period_end"); end > 0) return end;
  }
  return integer_at(subscription, "current_period_end");
}

// customer.subscription.created / .updated: the amount, the scheduled end, the period.
// A portal cancel "at period end" keeps the gift active until Stripe deletes the
// subscription; a subscription already canceled ends the gift now.
EventEffect subscription_changed(const json& subscription, const PledgeFacts& pledge) {
  if (!pledge.monthly) return {};
  EventEffect effect;
  const auto status = text_at(subscription, {"status"});
  if (status == "canceled") effect.advance_to = PledgeStatus::canceled;
  SubscriptionState state;
  state.amount = subscription_amount(subscription);
  state.currency = subscription_currency(subscription);
  const json* cancel_at = find_path(subscription, {"cancel_at"});
  state.cancel_at_period_end =
      flag_at(subscription, "cancel_at_period_end") || (cancel_at != nullptr && cancel_at->is_number_integer());
  state.period_end = subscription_period_end(subscription);
  if (state.amount > 0) effect.subscription = state;
  return effect;
}

// A refund object, from refund.* / charge.refund.updated or a charge's refunds list.
std::optional<RefundItem> refund_item(const json& refund, const std::string& charge_id) {
  RefundItem item;
  item.refund_id = text_at(refund, {"id"});
  item.charge_id = charge_id.empty() ? text_at(refund, {"charge"}) : charge_id;
  item.amount = integer_at(refund, "amount");
  item.currency = text_at(refund, {"currency"});
  item.created = integer_at(refund, "created");
  const auto status = text_at(refund, {"status"});
  item.failed = status == "failed" || status == "canceled";
  if (item.refund_id.rfind("re_", 0) != 0 || item.charge_id.empty() || item.amount <= 0) return std::nullopt;
  return item;
}

EventEffect charge_refunded(const json& charge, const PledgeFacts& pledge) {
  EventEffect effect;
  const auto charge_id = text_at(charge, {"id"});
  // amount_refunded is cumulative: the largest value seen counts, less what the
  // itemised refunds already count, so a late or repeated event sets the same total.
  const auto refunded = integer_at(charge, "amount_refunded");
  if (refunded > 0) effect.charge_refunds = ChargeRefunds{charge_id, refunded, text_at(charge, {"currency"})};
  // Older API versions list the refunds on the charge: each counts from its own date.
  if (const json* listed = find_path(charge, {"refunds", "data"}); listed != nullptr && listed->is_array()) {
    for (const auto& refund : *listed) {
      if (auto item = refund_item(refund, charge_id)) effect.refunds.push_back(std::move(*item));
    }
  }
  if (!pledge.monthly && flag_at(charge, "refunded")) effect.advance_to = PledgeStatus::refunded;
  return effect;
}

// refund.created, refund.updated, refund.failed, charge.refund.updated: the refund's
// own amount, date and status.
EventEffect refund_changed(const json& refund, const PledgeFacts&) {
  EventEffect effect;
  if (auto item = refund_item(refund, "")) effect.refunds.push_back(std::move(*item));
  return effect;
}

LedgerMovement dispute_movement(const json& dispute, LedgerKind kind) {
  const auto amount = integer_at(dispute, "amount");
  return {kind, text_at(dispute, {"id"}), kind == LedgerKind::dispute_withdrawal ? -amount : amount,
          text_at(dispute, {"currency"})};
}

EventEffect dispute_created(const json&, const PledgeFacts&) { return {}; }  // money moves with funds_withdrawn

EventEffect dispute_funds_withdrawn(const json& dispute, const PledgeFacts&) {
  if (integer_at(dispute, "amount") <= 0) return {};
  return moving(dispute_movement(dispute, LedgerKind::dispute_withdrawal));
}

EventEffect dispute_funds_reinstated(const json& dispute, const PledgeFacts&) {
  if (integer_at(dispute, "amount") <= 0) return {};
  return moving(dispute_movement(dispute, LedgerKind::dispute_reinstatement));
}

// The closing verdict implies the movements even if a funds_* event never arrives:
// lost = withdrawn; won = withdrawn and reinstated (net zero, and also right when the
// funds were never withdrawn at all).
EventEffect dispute_closed(const json& dispute, const PledgeFacts&) {
  if (integer_at(dispute, "amount") <= 0) return {};
  const auto status = text_at(dispute, {"status"});
  EventEffect effect;
  if (status == "lost" || status == "won") {
    effect.movements.push_back(dispute_movement(dispute, LedgerKind::dispute_withdrawal));
  }
  if (status == "won") effect.movements.push_back(dispute_movement(dispute, LedgerKind::dispute_reinstatement));
  return effect;
}

EventEffect payment_intent_succeeded(const json& intent, const PledgeFacts& pledge) {
  // A subscription's payment intents belong to invoices, which count instead.
  if (pledge.monthly || !text_at(intent, {"invoice"}).empty()) return {};
  EventEffect effect = advance(PledgeStatus::paid);
  const auto amount = integer_at(intent, "amount_received");
  if (amount > 0) {
    effect.movements.push_back({LedgerKind::payment, text_at(intent, {"id"}), amount, text_at(intent, {"currency"})});
  }
  return effect;
}

// Moves no money (the invoice's invoice.paid counts it) but teaches the pledge the
// installment's payment intent or charge, through which its refunds and disputes come.
EventEffect invoice_payment_paid(const json&, const PledgeFacts&) { return {}; }

EventEffect payment_intent_failed(const json&, const PledgeFacts& pledge) {
  return pledge.monthly ? EventEffect{} : advance(PledgeStatus::failed);
}

constexpr std::array<std::pair<std::string_view, EventHandler>, 21> kHandlers{{
    {"checkout.session.completed", checkout_completed},
    {"checkout.session.async_payment_succeeded", checkout_async_succeeded},
    {"checkout.session.async_payment_failed", checkout_async_failed},
    {"checkout.session.expired", checkout_expired},
    {"invoice.paid", invoice_paid},
    {"invoice.payment_failed", invoice_payment_failed},
    {"invoice_payment.paid", invoice_payment_paid},
    {"customer.subscription.created", subscription_changed},
    {"customer.subscription.updated", subscription_changed},
    {"customer.subscription.deleted", subscription_deleted},
    {"charge.refunded", charge_refunded},
    {"charge.refund.updated", refund_changed},
    {"refund.created", refund_changed},
    {"refund.updated", refund_changed},
    {"refund.failed", refund_changed},
    {"charge.dispute.created", dispute_created},
    {"charge.dispute.funds_withdrawn", dispute_funds_withdrawn},
    {"charge.dispute.funds_reinstated", dispute_funds_reinstated},
    {"charge.dispute.closed", dispute_closed},
    {"payment_intent.succeeded", payment_intent_succeeded},
    {"payment_intent.payment_failed", payment_intent_failed},
}};

void add_unique(std::vector<std::string>& list, std::string value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

bool is_linkable_id(const std::string& id) {
  for (const char* prefix : {"cs_", "pi_", "in_", "ch_", "py_", "sub_", "inpay_"}) {
    if (id.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// The payment an invoice_payment carries: {"type": "payment_intent", "payment_intent": "pi_…"}
// or {"type": "charge", "charge": "ch_…"}.
void add_payment_ids(PledgeReferences& refs, const json& invoice_payment) {
  add_unique(refs.stripe_ids, text_at(invoice_payment, {"payment", "payment_intent"}));
  add_unique(refs.stripe_ids, text_at(invoice_payment, {"payment", "charge"}));
}

}  // namespace

const char* to_string(LedgerKind kind) {
  switch (kind) {
    case LedgerKind::payment: return "payment";
    case LedgerKind::refund: return "refund";
    case LedgerKind::dispute_withdrawal: return "dispute_withdrawal";
    case LedgerKind::dispute_reinstatement: return "dispute_reinstatement";
  }
  return "payment";
}

EventHandler find_event_handler(std::string_view type) {
  for (const auto& [name, handler] : kHandlers) {
    if (name == type) return handler;
  }
  return nullptr;
}

std::optional<std::string> effect_problem(const EventEffect& effect, std::string_view pledge_currency) {
  const std::string differs = "currency differs from the pledge's";
  for (const auto& movement : effect.movements) {
    if (movement.stripe_object_id.empty()) return "money movement without a Stripe object id";
    if (movement.currency != pledge_currency) return differs;
  }
  for (const auto& refund : effect.refunds) {
    if (refund.currency != pledge_currency) return differs;
  }
  if (effect.charge_refunds) {
    if (effect.charge_refunds->charge_id.empty()) return "money movement without a Stripe object id";
    if (effect.charge_refunds->currency != pledge_currency) return differs;
  }
  if (effect.subscription && effect.subscription->currency != pledge_currency) return differs;
  return std::nullopt;
}

std::optional<std::string> payment_amount_problem(const EventEffect& effect, const PledgeFacts& pledge,
                                                  std::int64_t charged) {
  if (pledge.monthly) return std::nullopt;
  for (const auto& movement : effect.movements) {
    if (movement.kind == LedgerKind::payment && movement.amount != charged) {
      return "amount " + std::to_string(movement.amount) + " differs from the " + std::to_string(charged) +
             " its Checkout charged";
    }
  }
  return std::nullopt;
}

std::optional<std::string> mode_problem(bool event_livemode, bool live_key) {
  if (event_livemode == live_key) return std::nullopt;
  return event_livemode ? "a live-mode event for a test-mode key" : "a test-mode event for a live-mode key";
}

PledgeReferences pledge_references(const json& object) {
  PledgeReferences refs;
  add_unique(refs.pledge_ids, text_at(object, {"metadata", "pledge_id"}));
  add_unique(refs.pledge_ids, text_at(object, {"client_reference_id"}));
  add_unique(refs.pledge_ids, text_at(object, {"parent", "subscription_details", "metadata", "pledge_id"}));
  add_unique(refs.pledge_ids, text_at(object, {"subscription_details", "metadata", "pledge_id"}));

  if (auto id = text_at(object, {"id"}); is_linkable_id(id)) add_unique(refs.stripe_ids, std::move(id));
  for (const char* key : {"payment_intent", "subscription", "invoice", "charge", "latest_charge"}) {
    add_unique(refs.stripe_ids, text_at(object, {key}));
  }
  add_unique(refs.stripe_ids, text_at(object, {"parent", "subscription_details", "subscription"}));
  // From API version 2025-03-31 an invoice names no charge or payment intent: its
  // payments do (an invoice_payment event's object, or an invoice's `payments` list).
  add_payment_ids(refs, object);
  if (const json* payments = find_path(object, {"payments", "data"}); payments != nullptr && payments->is_array()) {
    for (const auto& payment : *payments) add_payment_ids(refs, payment);
  }
  // Never the customer: the same customer also pays for things that are not this
  // campaign's gifts (API.md, "Webhooks").
  return refs;
}

PledgeStripeIds pledge_stripe_ids(const json& object, const PledgeFacts& pledge) {
  PledgeStripeIds ids;
  ids.customer = text_at(object, {"customer"});
  const auto kind = text_at(object, {"object"});
  if (pledge.monthly) {
    if (kind == "checkout.session") ids.subscription = text_at(object, {"subscription"});
    if (kind == "invoice") ids.subscription = invoice_subscription(object);
    if (kind == "subscription") ids.subscription = text_at(object, {"id"});
  } else {
    if (kind == "checkout.session" || kind == "charge") ids.payment_intent = text_at(object, {"payment_intent"});
    if (kind == "payment_intent") ids.payment_intent = text_at(object, {"id"});
  }
  return ids;
}

}  // namespace pledged::webhooks
