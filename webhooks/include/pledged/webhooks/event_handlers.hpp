#pragma once
// What each Stripe event type means for a pledge and for the ledger, as pure
// functions: no SQL, no HTTP. The applier finds the pledge, asks the handler for
// the event's effect, and writes it. Every effect is idempotent and commutative
// (statuses only move forward, ledger rows are keyed by the Stripe object that
// moved the money, a cumulative refund keeps the largest value seen), which is what
// makes any order and any number of repeats end in the same state.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pledged/domain/pledge_status.hpp"

namespace pledged::webhooks {

enum class LedgerKind { payment, refund, dispute_withdrawal, dispute_reinstatement };
const char* to_string(LedgerKind kind);

// Money that moved, signed as in ledger_entries (refunds and withdrawals negative).
struct LedgerMovement {
  LedgerKind kind;
  std::string stripe_object_id;  // the unique key: pi_/in_/ch_/dp_ ...
  std::int64_t amount;
  std::string currency;
};

// What the handler needs to know about the pledge an event belongs to.
struct PledgeFacts {
  std::string id;
  bool monthly = false;
  PledgeStatus status = PledgeStatus::pending;
};

// One refund Stripe names (re_…): counted from its own date; once it failed or was
// canceled it gives its money back (API.md, "Webhooks").
struct RefundItem {
  std::string refund_id;
  std::string charge_id;
  std::int64_t amount = 0;
  std::string currency;
  std::int64_t created = 0;  // Unix seconds: when the refund happened
  bool failed = false;       // status failed or canceled
};

// A charge's cumulative amount_refunded (charge.refunded): counts what no refund item
// explains, so the same money is never counted from both.
struct ChargeRefunds {
  std::string charge_id;
  std::int64_t amount_refunded = 0;
  std::string currency;
};

// A monthly gift's subscription as customer.subscription.created/updated tells it (what
// the donor changed in the Billing Portal): what it bills each month, whether it ends at
// the period's end, and when the period ends. The latest event's state wins.
struct SubscriptionState {
  std::int64_t amount = 0;  // per month: every item's unit_amount × quantity
  std::string currency;
  bool cancel_at_period_end = false;
  std::int64_t period_end = 0;  // Unix seconds; 0 when the object does not say
};

struct EventEffect {
  std::optional<PledgeStatus> advance_to;
  std::optional<SubscriptionState> subscription;
  std::vector<LedgerMovement> movements;
  std::vector<RefundItem> refunds;
  std::optional<ChargeRefunds> charge_refunds;

  bool moves_money() const { return !movements.empty() || !refunds.empty() || charge_refunds.has_value(); }
};

using EventHandler = EventEffect (*)(const nlohmann::json& object, const PledgeFacts& pledge);

// The handler for a type, or nullptr for a type that is stored and acknowledged only.
EventHandler find_event_handler(std::string_view type);

// Why an effect must not be written to a pledge kept in `pledge_currency`, or nullopt
// when it may. Never a silent sum across currencies, and never a movement without the
// Stripe object that keys it: ledger rows are unique by (kind, object id), so two
// keyless movements would merge into one and money would vanish from the totals.
std::optional<std::string> effect_problem(const EventEffect& effect, std::string_view pledge_currency);

// Why a payment must not count for a one-time pledge whose Checkout charged `charged`,
// or nullopt when it may: a one-time payment of any other amount was not created by
// pledged (a forged or mistaken event). A monthly gift's installments count at what
// the subscription bills (the donor may change the amount in the Billing Portal).
std::optional<std::string> payment_amount_problem(const EventEffect& effect, const PledgeFacts& pledge,
                                                  std::int64_t charged);

// Why an event must not apply at all, or nullopt: its `livemode` differs from the
// mode of the configured key (a test event sent to a live service, or the reverse).
std::optional<std::string> mode_problem(bool event_livemode, bool live_key);

// Everything in a Stripe object that can lead to its pledge, strongest first. Only ids
// pledged created or learned for a pledge: never the customer, who may also pay for
// things that are not the campaign's (a gala ticket, another campaign's gift).
struct PledgeReferences {
  std::vector<std::string> pledge_ids;  // metadata.pledge_id, client_reference_id
  // The object's own id, payment intent, subscription, invoice, charge, and an
  // invoice payment's payment intent or charge.
  std::vector<std::string> stripe_ids;
};
PledgeReferences pledge_references(const nlohmann::json& object);

// Stripe ids to store on the pledge's own columns, when the event reveals them (the
// customer is kept for the donor's Billing Portal, never to find a pledge).
struct PledgeStripeIds {
  std::string payment_intent;
  std::string subscription;
  std::string customer;
};
PledgeStripeIds pledge_stripe_ids(const nlohmann::json& object, const PledgeFacts& pledge);

}  // namespace pledged::webhooks
