#pragma once
// The storm test's reference model of the ledger: what one pledge's money must be after a
// set of Stripe events, written from API.md's counting rules ("Webhooks", "progress"),
// never from pledged's code. Events here are abstract (kind, object ids, amounts); the
// storm's renderer turns them into Stripe's JSON. Extending the model (matching gifts,
// covered fees: issue 18) means a new Kind, its money rule in pledge_net(), and its
// rendering in storm_histories.cpp.
#include <cstdint>
#include <string>
#include <vector>

namespace pledged::testing::storm {

enum class Kind {
  checkout_paid,          // checkout.session.completed (or async_payment_succeeded) of a one-time gift, paid
  checkout_unpaid,        // checkout.session.completed of a one-time bank debit, not money yet
  checkout_async_failed,  // checkout.session.async_payment_failed
  checkout_subscription,  // checkout.session.completed of a monthly gift (money comes with its invoices)
  intent_succeeded,       // payment_intent.succeeded of a one-time gift (or a foreign payment)
  intent_failed,          // payment_intent.payment_failed
  invoice_paid,           // invoice.paid: an installment (or a foreign invoice)
  invoice_payment_paid,   // invoice_payment.paid: names the invoice's payment intent (API 2025-03-31+)
  charge_refunded,        // charge.refunded: `amount` is the charge's cumulative amount_refunded
  refund,                 // refund.created / refund.updated / refund.failed / charge.refund.updated
  dispute,                // charge.dispute.created / funds_withdrawn / funds_reinstated / closed
  subscription_deleted,   // customer.subscription.deleted
};

// Object ids are abstract ("pi_once", "ch_in2", "re_1"), made unique per history when rendered.
struct StormEvent {
  int number = 0;  // the event's id within its history: a repeated delivery repeats the number
  Kind kind = Kind::checkout_paid;
  std::string type;                // Stripe's event type
  std::string object;              // the event object's own id (the pledge's Checkout Session is "cs")
  std::int64_t amount = 0;         // amount_total / amount_received / amount_paid / amount_refunded / refund / dispute
  std::int64_t charge_amount = 0;  // charge.refunded: the charge's amount
  std::string status;              // a refund's or a dispute's status
  bool names_pledge = false;       // carries the pledge id (metadata.pledge_id, client_reference_id)
  std::string intent, charge, invoice, subscription;  // other objects it names ("" none)
  bool livemode = false;                              // true: the other mode than the key's
};

struct ModelPledge {
  bool monthly = false;
  std::int64_t amount = 0;  // the gift
  std::int64_t fee = 0;     // the processing fee the donor chose to cover (cover_fee), else 0
  // What its Checkout charges, each month for a monthly gift: a one-time payment must equal it.
  std::int64_t charged() const { return amount + fee; }
};

// The pledge's net in the ledger (payments − refunds − disputes lost) after `events`
// were delivered in any order, any number of times each. A covered fee is part of the
// charged amount: the ledger counts what Stripe received (DESIGN.md).
std::int64_t pledge_net(const ModelPledge& pledge, const std::vector<StormEvent>& events);

// Of the pledge's payments (before refunds and disputes), what the donor added for fees: its
// fee for each counted payment of exactly what its Checkout charged (docs/counting.md).
std::int64_t pledge_fees_covered(const ModelPledge& pledge, const std::vector<StormEvent>& events);

// The fee that covering it adds to `amount` under PLEDGED_COVER_FEE's default, 2.9% + 30:
// API.md's words as a search, the smallest c with c − round(c × 2.9 / 100) − 30 ≥ amount.
std::int64_t default_covered_fee(std::int64_t amount);

// A matching gift over every payment of the campaign (API.md "Matching gifts", the rule
// docs/counting.md writes down): each kept payment earns min(⌊kept × ratio / 100⌋,
// per_gift_cap), where a pledge's refunds and lost disputes reduce its payments in
// proportion to their amounts (kept = ⌊amount × clamp(net, 0, gross) / gross⌋); the
// campaign's `matched` is min(cap, the sum).
struct ModelMatch {
  std::int64_t ratio = 100;
  std::int64_t per_gift_cap = 0;
  std::int64_t cap = 0;
};

// What the pledge's payments earned from `match`, before the campaign's cap.
std::int64_t pledge_match_earned(const ModelPledge& pledge, const std::vector<StormEvent>& events,
                                 const ModelMatch& match);

}  // namespace pledged::testing::storm
