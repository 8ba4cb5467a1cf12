#include "storm_histories.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "stripe_objects.hpp"

namespace pledged::testing::storm {
namespace {

using nlohmann::json;

constexpr long long kStart = 1795000000;  // 2026-11-18, inside the demo campaign

std::mt19937_64 seeded(std::uint64_t seed, int index) {
  std::seed_seq sequence{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                         static_cast<std::uint32_t>(index)};
  return std::mt19937_64(sequence);
}

// Builds one history: the world's operations in time order, each emitting the events
// Stripe sends for it, and what the world keeps (world_net, for the pledge's own money).
class WorldBuilder {
 public:
  WorldBuilder(std::uint64_t seed, int index) : random_(seeded(seed, index)) {}

  StormHistory build() {
    refund_events_ = chance(80);
    history_.pledge.monthly = chance(40);
    history_.pledge.amount = between(500, 50000);
    if (chance(30)) history_.pledge.fee = default_covered_fee(history_.pledge.amount);  // cover_fee
    if (history_.pledge.monthly) {
      monthly_gift();
    } else {
      one_time_gift();
    }
    if (chance(40)) foreign_money();
    forgeries();
    deliver_shuffled();
    return std::move(history_);
  }

 private:
  bool chance(int percent) { return std::uniform_int_distribution<int>(0, 99)(random_) < percent; }
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(random_);
  }

  StormEvent& emit(Kind kind, const std::string& type, const std::string& object) {
    StormEvent event;
    event.number = static_cast<int>(events_.size());
    event.kind = kind;
    event.type = type;
    event.object = object;
    events_.push_back(event);
    return events_.back();
  }

  void one_time_gift() {
    const auto amount = history_.pledge.charged();
    const int path = static_cast<int>(between(0, 99));
    auto& session = emit(path < 70 ? Kind::checkout_paid : Kind::checkout_unpaid, "checkout.session.completed", "cs");
    session.intent = "pi_once";
    session.amount = amount;
    session.names_pledge = true;
    if (path >= 85) {  // a bank debit that fails: never money
      auto& failed = emit(Kind::checkout_async_failed, "checkout.session.async_payment_failed", "cs");
      failed.intent = "pi_once";
      failed.names_pledge = true;
      auto& intent = emit(Kind::intent_failed, "payment_intent.payment_failed", "pi_once");
      intent.amount = amount;
      intent.names_pledge = true;
      return;
    }
    if (path >= 70) {  // a bank debit that clears
      auto& cleared = emit(Kind::checkout_paid, "checkout.session.async_payment_succeeded", "cs");
      cleared.intent = "pi_once";
      cleared.amount = amount;
      cleared.names_pledge = true;
    }
    auto& intent = emit(Kind::intent_succeeded, "payment_intent.succeeded", "pi_once");
    intent.charge = "ch_once";
    intent.amount = amount;
    intent.names_pledge = true;
    payment_kept(amount, "ch_once", "pi_once", true);
  }

  void monthly_gift() {
    auto& session = emit(Kind::checkout_subscription, "checkout.session.completed", "cs");
    session.subscription = "sub_gift";
    session.amount = history_.pledge.charged();
    session.names_pledge = true;
    const int installments = static_cast<int>(between(1, 4));
    for (int k = 1; k <= installments; ++k) {
      // The donor may change the amount in the Billing Portal: it counts as billed.
      const auto amount = chance(20) ? history_.pledge.charged() + 100 * k : history_.pledge.charged();
      installment("in_" + std::to_string(k), "sub_gift", amount, true);
    }
    if (chance(30)) {
      auto& ended = emit(Kind::subscription_deleted, "customer.subscription.deleted", "sub_gift");
      ended.names_pledge = true;
    }
  }

  // An invoice of API 2025-03-31+: it names its subscription, its invoice_payment names the
  // invoice's payment intent, and the installment's refunds and disputes name that intent.
  void installment(const std::string& invoice, const std::string& subscription, std::int64_t amount, bool own) {
    auto& paid = emit(Kind::invoice_paid, "invoice.paid", invoice);
    paid.subscription = subscription;
    paid.amount = amount;
    auto& payment = emit(Kind::invoice_payment_paid, "invoice_payment.paid", "inpay_" + invoice);
    payment.invoice = invoice;
    payment.intent = "pi_" + invoice;
    payment_kept(amount, "ch_" + invoice, "pi_" + invoice, own);
  }

  // A succeeded charge: maybe refunds, maybe a dispute. Only the pledge's own charges
  // change world_net; foreign ones are the same customer's other business.
  void payment_kept(std::int64_t amount, const std::string& charge, const std::string& intent, bool own) {
    if (own) history_.world_net += amount;
    std::int64_t remaining = amount, cumulative = 0;
    const int refunds = chance(35) ? static_cast<int>(between(1, 3)) : 0;
    for (int j = 1; j <= refunds && remaining > 0; ++j) {
      const auto refunded = (j == refunds && chance(30)) ? remaining : between(1, remaining);
      const std::string id = "re_" + charge + "_" + std::to_string(j);
      // An endpoint not subscribed to refund events sees only the charge's cumulative
      // amount, so its refunds are ones that succeed (a failure would go unseen).
      const bool itemised = refund_events_;
      const int fate = itemised ? static_cast<int>(between(0, 99)) : 0;  // <60 kept, <85 fails, else canceled
      cumulative += refunded;
      auto& on_charge = emit(Kind::charge_refunded, "charge.refunded", charge);
      on_charge.intent = intent;
      on_charge.amount = cumulative;
      on_charge.charge_amount = amount;
      if (itemised) {
        const bool pending = fate >= 60 || chance(50);
        refund_event(id, "refund.created", pending ? "pending" : "succeeded", charge, intent, refunded);
        if (fate < 60 && pending) refund_event(id, "refund.updated", "succeeded", charge, intent, refunded);
      }
      if (fate >= 60) {  // given back: Stripe's cumulative amount drops again
        const bool failed = fate < 85;
        if (!failed || chance(70))
          refund_event(id, "charge.refund.updated", failed ? "failed" : "canceled", charge, intent, refunded);
        if (failed) refund_event(id, "refund.failed", "failed", charge, intent, refunded);
        if (!failed && chance(50)) refund_event(id, "refund.updated", "canceled", charge, intent, refunded);
        cumulative -= refunded;
      } else {
        remaining -= refunded;
        if (own) history_.world_net -= refunded;
      }
    }
    if (remaining > 0 && chance(15)) dispute("dp_" + charge, charge, intent, remaining, own);
  }

  void refund_event(const std::string& id, const std::string& type, const std::string& status,
                    const std::string& charge, const std::string& intent, std::int64_t amount) {
    auto& refund = emit(Kind::refund, type, id);
    refund.charge = charge;
    refund.intent = intent;
    refund.amount = amount;
    refund.status = status;
  }

  void dispute(const std::string& id, const std::string& charge, const std::string& intent, std::int64_t amount,
               bool own) {
    const auto step = [&](const std::string& type, const std::string& status) {
      auto& event = emit(Kind::dispute, type, id);
      event.charge = charge;
      event.intent = intent;
      event.amount = amount;
      event.status = status;
    };
    const int outcome = static_cast<int>(between(0, 99));
    if (outcome < 15) {  // an inquiry, closed in the donor's favour without funds moving
      step("charge.dispute.created", "warning_needs_response");
      step("charge.dispute.closed", "won");
      return;
    }
    step("charge.dispute.created", "needs_response");
    step("charge.dispute.funds_withdrawn", "needs_response");
    if (outcome < 55) {  // lost
      step("charge.dispute.closed", "lost");
      if (own) history_.world_net -= amount;
      return;
    }
    if (outcome < 70) step("charge.dispute.closed", "lost");  // lost, then won on appeal
    step("charge.dispute.funds_reinstated", "won");
    step("charge.dispute.closed", "won");
  }

  // The same customer's other business on the same Stripe account: a one-time charge,
  // an invoice (a gala ticket) and another subscription. None of it is the campaign's.
  void foreign_money() {
    const auto amount = between(500, 90000);
    auto& intent = emit(Kind::intent_succeeded, "payment_intent.succeeded", "pi_foreign");
    intent.charge = "ch_foreign";
    intent.amount = amount;
    payment_kept(amount, "ch_foreign", "pi_foreign", false);
    if (chance(50)) installment("in_foreign", chance(50) ? "sub_foreign" : "", between(500, 90000), false);
    if (chance(30)) emit(Kind::subscription_deleted, "customer.subscription.deleted", "sub_foreign");
  }

  // A forged copy of a one-time payment (another amount), and any own event sent in the
  // other mode: new event ids, stored as failed, never counted.
  void forgeries() {
    std::vector<StormEvent> payments, own;
    for (const auto& event : events_) {
      if (event.object.find("foreign") != std::string::npos) continue;
      own.push_back(event);
      if (event.kind == Kind::checkout_paid || event.kind == Kind::intent_succeeded) payments.push_back(event);
    }
    if (!payments.empty() && chance(15)) {
      StormEvent forged = payments[between(0, static_cast<std::int64_t>(payments.size()) - 1)];
      forged.number = static_cast<int>(events_.size());
      forged.amount = chance(50) ? 9999999999LL : forged.amount + between(-forged.amount + 1, 1000);
      // A covered gift paid without its fee: the gift alone is not what its Checkout charged.
      if (history_.pledge.fee > 0 && chance(50)) forged.amount = history_.pledge.amount;
      if (forged.amount == history_.pledge.charged()) ++forged.amount;
      events_.push_back(forged);
    }
    if (!own.empty() && chance(10)) {
      StormEvent other_mode = own[between(0, static_cast<std::int64_t>(own.size()) - 1)];
      other_mode.number = static_cast<int>(events_.size());
      other_mode.livemode = true;
      events_.push_back(other_mode);
    }
  }

  // Every event once, about one in five again, in any order.
  void deliver_shuffled() {
    history_.deliveries = events_;
    for (const auto& event : events_) {
      if (chance(20)) history_.deliveries.push_back(event);
    }
    std::shuffle(history_.deliveries.begin(), history_.deliveries.end(), random_);
  }

  std::mt19937_64 random_;
  bool refund_events_ = true;  // the endpoint is subscribed to refund.* and charge.refund.updated
  std::vector<StormEvent> events_;
  StormHistory history_;
};

std::string unique(const std::string& id, const RenderedPledge& pledge) {
  if (id.empty()) return id;
  if (id == "cs") return pledge.pledge.checkout_session_id;
  return id + "_" + pledge.tag;
}

}  // namespace

StormHistory generate_history(std::uint64_t seed, int index) { return WorldBuilder(seed, index).build(); }

RenderedPledge render_pledge(const ModelPledge& pledge, const std::string& tag) {
  RenderedPledge rendered;
  rendered.tag = tag;
  rendered.customer = "cus_" + tag;
  rendered.pledge.id = new_pledge_id();
  rendered.pledge.frequency = pledge.monthly ? "monthly" : "once";
  rendered.pledge.amount = pledge.amount;
  rendered.pledge.fee = pledge.fee;
  rendered.pledge.checkout_session_id = "cs_test_" + tag;
  return rendered;
}

std::string render_event(const StormEvent& event, const RenderedPledge& pledge) {
  const auto id = [&](const std::string& abstract) { return unique(abstract, pledge); };
  const auto& customer = pledge.customer;
  json object;
  switch (event.kind) {
    case Kind::checkout_paid:
    case Kind::checkout_unpaid:
    case Kind::checkout_async_failed:
      object = one_time_checkout(pledge.pledge, event.amount > 0 ? event.amount : pledge.pledge.amount,
                                 id(event.intent), customer);
      object["payment_status"] = event.kind == Kind::checkout_paid ? "paid" : "unpaid";
      break;
    case Kind::checkout_subscription:
      object = subscription_checkout(pledge.pledge, customer, id(event.subscription));
      break;
    case Kind::intent_succeeded:
    case Kind::intent_failed:
      object = payment_intent(id(event.object), event.names_pledge ? pledge.pledge.id : "", event.amount,
                              event.kind == Kind::intent_succeeded ? "succeeded" : "requires_payment_method");
      object["customer"] = customer;
      object["latest_charge"] = event.charge.empty() ? json(nullptr) : json(id(event.charge));
      break;
    case Kind::invoice_paid: object = invoice(id(event.object), customer, id(event.subscription), event.amount); break;
    case Kind::invoice_payment_paid: object = invoice_payment(id(event.invoice), id(event.intent)); break;
    case Kind::charge_refunded:
      object = charge(id(event.object), customer, id(event.intent), event.charge_amount, event.amount);
      break;
    case Kind::refund:
      object = refund(id(event.object), id(event.charge), id(event.intent), event.amount, kStart + event.number,
                      event.status);
      break;
    case Kind::dispute:
      object = dispute(id(event.object), id(event.charge), id(event.intent), event.amount, event.status);
      break;
    case Kind::subscription_deleted:
      object = canceled_subscription(id(event.object), customer, event.names_pledge ? pledge.pledge.id : "");
      break;
  }
  auto raw = json::parse(stripe_event("evt_" + pledge.tag + "_" + std::to_string(event.number), event.type, object,
                                      kStart + event.number));
  raw["livemode"] = event.livemode;
  return raw.dump();
}

std::string describe(const StormEvent& event) {
  std::ostringstream line;
  line << "#" << event.number << " " << event.type << " " << event.object;
  if (event.amount != 0) line << " amount=" << event.amount;
  if (event.charge_amount != 0) line << " charge_amount=" << event.charge_amount;
  if (!event.status.empty()) line << " status=" << event.status;
  for (const auto& [name, value] : {std::pair<const char*, const std::string&>{"intent", event.intent},
                                    {"charge", event.charge},
                                    {"invoice", event.invoice},
                                    {"subscription", event.subscription}}) {
    if (!value.empty()) line << " " << name << "=" << value;
  }
  if (event.names_pledge) line << " names_pledge";
  if (event.livemode) line << " livemode";
  return line.str();
}

}  // namespace pledged::testing::storm
