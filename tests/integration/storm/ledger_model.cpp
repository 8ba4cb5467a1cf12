#include "ledger_model.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace pledged::testing::storm {
namespace {

// "A one-time payment whose amount differs from what its Checkout charged, and any event
// whose livemode differs from the key's mode, are stored as failed; they never count."
// A failed event teaches nothing either: it is not the pledge's.
bool is_failed(const ModelPledge& pledge, const StormEvent& event) {
  if (event.livemode) return true;
  const bool one_time_payment = event.kind == Kind::checkout_paid || event.kind == Kind::intent_succeeded;
  return one_time_payment && !pledge.monthly && event.amount != pledge.charged();
}

std::vector<std::string> named_objects(const StormEvent& event) {
  std::vector<std::string> named;
  for (const auto* id : {&event.object, &event.intent, &event.charge, &event.invoice, &event.subscription}) {
    if (!id->empty()) named.push_back(*id);
  }
  return named;
}

// "An event belongs to a pledge only through the pledge's id or a Stripe object that
// pledged created or learned for that pledge": it created the Checkout Session, and learns
// every object an event of the pledge names. Never the customer. Learned links chain (an
// invoice teaches its invoice_payment's payment intent, which its refunds name), in any order.
std::vector<const StormEvent*> pledges_events(const ModelPledge& pledge, const std::vector<const StormEvent*>& events) {
  std::set<std::string> known{"cs"};
  std::vector<const StormEvent*> matched;
  std::vector<bool> taken(events.size(), false);
  for (bool learned = true; learned;) {
    learned = false;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const auto& event = *events[i];
      if (taken[i] || is_failed(pledge, event)) continue;
      const auto named = named_objects(event);
      const bool belongs = event.names_pledge || std::any_of(named.begin(), named.end(), [&](const std::string& id) {
                             return known.count(id) > 0;
                           });
      if (!belongs) continue;
      taken[i] = true;
      matched.push_back(&event);
      for (const auto& id : named) learned |= known.insert(id).second;
    }
  }
  return matched;
}

struct RefundFacts {
  std::int64_t amount = 0;
  bool failed = false;
};

struct ChargeRefunds {
  std::int64_t largest_cumulative = 0;          // charge.refunded's amount_refunded only grows in what we saw
  std::map<std::string, RefundFacts> itemised;  // refund id → its amount, and whether it failed or was canceled
};

// What a charge's refunds take away: every refund we know by itself unless it failed or was
// canceled ("gives the money back to the total"), plus what the largest cumulative amount names
// beyond the refunds we know (refunds whose own events we never got, which Stripe counts).
std::int64_t refunded(const ChargeRefunds& charge) {
  std::int64_t known = 0, kept = 0;
  for (const auto& [id, refund] : charge.itemised) {
    known += refund.amount;
    if (!refund.failed) kept += refund.amount;
  }
  return kept + std::max<std::int64_t>(0, charge.largest_cumulative - known);
}

struct DisputeFacts {
  std::int64_t amount = 0;
  bool withdrawn = false;   // funds_withdrawn, or a verdict (lost, or won: both imply the funds went)
  bool reinstated = false;  // funds_reinstated, or a won verdict
};

// Repeats of an event are the event: each number once, the pledge's events only.
std::vector<const StormEvent*> distinct_events(const ModelPledge& pledge, const std::vector<StormEvent>& events) {
  std::set<int> seen;
  std::vector<const StormEvent*> distinct;
  for (const auto& event : events) {
    if (seen.insert(event.number).second) distinct.push_back(&event);
  }
  return pledges_events(pledge, distinct);
}

// One payment per intent (one-time) or invoice (monthly), at its amount.
std::map<std::string, std::int64_t> payments_of(const ModelPledge& pledge,
                                                const std::vector<const StormEvent*>& events) {
  std::map<std::string, std::int64_t> payments;
  for (const StormEvent* event : events) {
    if (event->kind == Kind::checkout_paid && !pledge.monthly) {
      payments.emplace(event->intent.empty() ? event->object : event->intent, event->amount);
    } else if (event->kind == Kind::intent_succeeded && !pledge.monthly) {
      payments.emplace(event->object, event->amount);
    } else if (event->kind == Kind::invoice_paid && pledge.monthly) {
      payments.emplace(event->object, event->amount);
    }
  }
  return payments;
}

}  // namespace

std::int64_t default_covered_fee(std::int64_t amount) {
  // round(c × 2.9 / 100) with a half rounded up, in exact tenths of a cent: c × 29 / 1000.
  const auto left = [](std::int64_t c) { return c - (c * 29 + 500) / 1000 - 30; };
  std::int64_t charged = amount;
  while (left(charged) < amount) ++charged;
  return charged - amount;
}

std::int64_t pledge_fees_covered(const ModelPledge& pledge, const std::vector<StormEvent>& events) {
  std::int64_t fees = 0;
  for (const auto& [key, amount] : payments_of(pledge, distinct_events(pledge, events))) {
    if (amount == pledge.charged()) fees += pledge.fee;
  }
  return fees;
}

std::int64_t pledge_net(const ModelPledge& pledge, const std::vector<StormEvent>& events) {
  const auto own = distinct_events(pledge, events);
  const auto payments = payments_of(pledge, own);
  std::map<std::string, ChargeRefunds> charges;
  std::map<std::string, DisputeFacts> disputes;
  for (const StormEvent* event : own) {
    switch (event->kind) {
      case Kind::charge_refunded: {
        auto& charge = charges[event->object];
        charge.largest_cumulative = std::max(charge.largest_cumulative, event->amount);
        break;
      }
      case Kind::refund: {
        auto& refund = charges[event->charge].itemised[event->object];
        refund.amount = event->amount;
        refund.failed |= event->status == "failed" || event->status == "canceled";
        break;
      }
      case Kind::dispute: {
        auto& dispute = disputes[event->object];
        dispute.amount = event->amount;
        const bool verdict = event->type == "charge.dispute.closed";
        dispute.withdrawn |= event->type == "charge.dispute.funds_withdrawn" ||
                             (verdict && (event->status == "lost" || event->status == "won"));
        dispute.reinstated |= event->type == "charge.dispute.funds_reinstated" || (verdict && event->status == "won");
        break;
      }
      default: break;  // no money: status changes and links only
    }
  }

  std::int64_t net = 0;
  for (const auto& [key, amount] : payments) net += amount;
  for (const auto& [id, charge] : charges) net -= refunded(charge);
  for (const auto& [id, dispute] : disputes) {
    if (dispute.withdrawn) net -= dispute.amount;
    if (dispute.reinstated) net += dispute.amount;
  }
  return net;
}

std::int64_t pledge_match_earned(const ModelPledge& pledge, const std::vector<StormEvent>& events,
                                 const ModelMatch& match) {
  const auto payments = payments_of(pledge, distinct_events(pledge, events));
  std::int64_t gross = 0;
  for (const auto& [key, amount] : payments) gross += amount;
  if (gross <= 0) return 0;
  const std::int64_t kept_total = std::clamp<std::int64_t>(pledge_net(pledge, events), 0, gross);
  std::int64_t earned = 0;
  for (const auto& [key, amount] : payments) {
    const std::int64_t kept = amount * kept_total / gross;  // both below 10^10 here: no overflow
    earned += std::min(kept * match.ratio / 100, match.per_gift_cap);
  }
  return earned;
}

}  // namespace pledged::testing::storm
