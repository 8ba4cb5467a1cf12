#include "stripe_history.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "pledged/core/crypto.hpp"
#include "pledged/webhooks/stripe_signature.hpp"

namespace pledged::testing {
namespace {

using nlohmann::json;

const json& templates() {
  static const json loaded = [] {
    std::ifstream in(std::string(PLEDGED_TEST_FIXTURES_DIR) + "/stripe/objects.json");
    if (!in) throw std::runtime_error("cannot read tests/fixtures/stripe/objects.json");
    return json::parse(in);
  }();
  return loaded;
}

constexpr long long kStart = 1795000000;  // 2026-11-18, inside the demo campaign

// Builds the events of one pledge; `emit` appends an event and keeps ids unique.
class PledgeEvents {
 public:
  PledgeEvents(const HistoryPledge& pledge, int index, std::vector<std::string>& out)
      : pledge_(pledge), index_(index), out_(out), suffix_(std::to_string(index)) {}

  void emit(const std::string& type, const json& object) {
    const auto id = "evt_" + pledge_.id.substr(3) + "_" + std::to_string(sequence_++);
    out_.push_back(stripe_event(id, type, object, kStart + index_ * 100 + sequence_));
  }

  json session(const std::string& mode, const std::string& payment_status) const {
    json s = stripe_template("checkout.session");
    s["id"] = pledge_.checkout_session_id;
    s["client_reference_id"] = pledge_.id;
    s["metadata"] = {{"pledge_id", pledge_.id}};
    s["mode"] = mode;
    s["payment_status"] = payment_status;
    s["status"] = "complete";
    s["amount_total"] = pledge_.amount;
    s["amount_subtotal"] = pledge_.amount;
    s["currency"] = "usd";
    s["customer"] = customer();
    s["payment_intent"] = mode == "payment" ? json(payment_intent_id()) : json(nullptr);
    s["subscription"] = mode == "subscription" ? json(subscription_id()) : json(nullptr);
    return s;
  }

  json intent(const std::string& status) const {
    json p = stripe_template("payment_intent");
    p["id"] = payment_intent_id();
    p["amount"] = pledge_.amount;
    p["amount_received"] = status == "succeeded" ? pledge_.amount : 0;
    p["currency"] = "usd";
    p["status"] = status;
    p["customer"] = customer();
    p["latest_charge"] = charge_id();
    p["metadata"] = {{"pledge_id", pledge_.id}};
    return p;
  }

  // Charges carry no pledge metadata: they are found through their payment intent.
  json charge(const std::string& id, const std::string& intent_id, std::int64_t amount, std::int64_t refunded) const {
    json c = stripe_template("charge");
    c["id"] = id;
    c["amount"] = amount;
    c["amount_captured"] = amount;
    c["amount_refunded"] = refunded;
    c["refunded"] = refunded >= amount;
    c["currency"] = "usd";
    c["customer"] = nullptr;
    c["payment_intent"] = intent_id;
    c["metadata"] = json::object();
    return c;
  }

  // Disputes name only the charge, which the payment intent's latest_charge links.
  json dispute(const std::string& status) const {
    json d = stripe_template("dispute");
    d["id"] = "dp_" + suffix_;
    d["amount"] = pledge_.amount;
    d["currency"] = "usd";
    d["charge"] = charge_id();
    d["payment_intent"] = nullptr;
    d["status"] = status;
    return d;
  }

  // Three shapes of invoice: current API with the subscription's metadata, current
  // API without it, and the older top-level `subscription` field.
  json invoice(int number, const std::string& shape, bool paid) const {
    json i = stripe_template("invoice");
    i["id"] = "in_" + suffix_ + "_" + std::to_string(number);
    i["amount_due"] = pledge_.amount;
    i["amount_paid"] = paid ? pledge_.amount : 0;
    i["amount_remaining"] = paid ? 0 : pledge_.amount;
    i["currency"] = "usd";
    i["customer"] = customer();
    i["status"] = paid ? "paid" : "open";
    i["billing_reason"] = number == 1 ? "subscription_create" : "subscription_cycle";
    i["metadata"] = json::object();
    if (shape == "old") {
      i["parent"] = nullptr;
      i["subscription"] = subscription_id();
      i["payment_intent"] = "pi_" + suffix_ + "_inv" + std::to_string(number);
      i["charge"] = "ch_" + suffix_ + "_inv" + std::to_string(number);
    } else {
      json details = {{"subscription", subscription_id()}, {"metadata", nullptr}};
      if (shape == "with_metadata") details["metadata"] = {{"pledge_id", pledge_.id}};
      i["parent"] = {{"type", "subscription_details"}, {"quote_details", nullptr}, {"subscription_details", details}};
      i.erase("subscription");
    }
    return i;
  }

  json subscription() const {
    json s = stripe_template("subscription");
    s["id"] = subscription_id();
    s["customer"] = customer();
    s["status"] = "canceled";
    s["metadata"] = json::object();
    return s;
  }

  std::string payment_intent_id() const { return "pi_" + suffix_; }
  std::string charge_id() const { return "ch_" + suffix_; }
  std::string subscription_id() const { return "sub_" + suffix_; }
  std::string customer() const { return "cus_" + suffix_; }

 private:
  const HistoryPledge& pledge_;
  int index_;
  std::vector<std::string>& out_;
  std::string suffix_;
  int sequence_ = 0;
};

// One scenario per index mod 10; returns the money it leaves in the ledger.
std::int64_t add_scenario(HistoryPledge& pledge, int index, std::vector<std::string>& out) {
  PledgeEvents e(pledge, index, out);
  const auto a = pledge.amount;
  switch (index % 10) {
    case 0:  // card, paid
      e.emit("checkout.session.completed", e.session("payment", "paid"));
      e.emit("payment_intent.succeeded", e.intent("succeeded"));
      pledge.expected_status = "paid";
      return a;
    case 1:  // paid, refunded in two steps (cumulative amount_refunded)
      e.emit("checkout.session.completed", e.session("payment", "paid"));
      e.emit("payment_intent.succeeded", e.intent("succeeded"));
      e.emit("charge.refunded", e.charge(e.charge_id(), e.payment_intent_id(), a, a / 2));
      e.emit("charge.refunded", e.charge(e.charge_id(), e.payment_intent_id(), a, a));
      pledge.expected_status = "refunded";
      return 0;
    case 2:  // paid, partly refunded
      e.emit("checkout.session.completed", e.session("payment", "paid"));
      e.emit("charge.refunded", e.charge(e.charge_id(), e.payment_intent_id(), a, a / 3));
      e.emit("payment_intent.succeeded", e.intent("succeeded"));
      pledge.expected_status = "paid";
      return a - a / 3;
    case 3:  // bank debit that clears
      e.emit("checkout.session.completed", e.session("payment", "unpaid"));
      e.emit("checkout.session.async_payment_succeeded", e.session("payment", "paid"));
      e.emit("payment_intent.succeeded", e.intent("succeeded"));
      pledge.expected_status = "paid";
      return a;
    case 4:  // bank debit that fails
      e.emit("checkout.session.completed", e.session("payment", "unpaid"));
      e.emit("payment_intent.payment_failed", e.intent("requires_payment_method"));
      e.emit("checkout.session.async_payment_failed", e.session("payment", "unpaid"));
      pledge.expected_status = "failed";
      return 0;
    case 5:  // abandoned checkout
      e.emit("checkout.session.expired", e.session("payment", "unpaid"));
      pledge.expected_status = "expired";
      return 0;
    case 6:  // monthly: three invoices, a failed fourth, then canceled
      e.emit("checkout.session.completed", e.session("subscription", "paid"));
      e.emit("invoice.paid", e.invoice(1, "with_metadata", true));
      e.emit("invoice.paid", e.invoice(2, "without_metadata", true));
      e.emit("invoice.paid", e.invoice(3, "old", true));
      e.emit("invoice.payment_failed", e.invoice(4, "without_metadata", false));
      e.emit("customer.subscription.deleted", e.subscription());
      pledge.expected_status = "canceled";
      return 3 * a;
    case 7:  // dispute lost
      e.emit("checkout.session.completed", e.session("payment", "paid"));
      e.emit("payment_intent.succeeded", e.intent("succeeded"));
      e.emit("charge.dispute.created", e.dispute("needs_response"));
      e.emit("charge.dispute.funds_withdrawn", e.dispute("needs_response"));
      e.emit("charge.dispute.closed", e.dispute("lost"));
      pledge.expected_status = "paid";
      return 0;
    case 8:  // dispute won
      e.emit("checkout.session.completed", e.session("payment", "paid"));
      e.emit("payment_intent.succeeded", e.intent("succeeded"));
      e.emit("charge.dispute.created", e.dispute("needs_response"));
      e.emit("charge.dispute.funds_withdrawn", e.dispute("under_review"));
      e.emit("charge.dispute.funds_reinstated", e.dispute("won"));
      e.emit("charge.dispute.closed", e.dispute("won"));
      pledge.expected_status = "paid";
      return a;
    default:  // monthly, second installment refunded (found through the invoice's charge)
      e.emit("checkout.session.completed", e.session("subscription", "paid"));
      e.emit("invoice.paid", e.invoice(1, "old", true));
      e.emit("invoice.paid", e.invoice(2, "old", true));
      e.emit("charge.refunded", e.charge("ch_" + std::to_string(index) + "_inv2", "pi_" + std::to_string(index) + "_inv2", a, a));
      e.emit("customer.created", json{{"id", e.customer()}, {"object", "customer"}});
      pledge.expected_status = "active";
      return a;
  }
}

}  // namespace

json stripe_template(const std::string& kind) { return templates().at(kind); }

std::string stripe_event(const std::string& id, const std::string& type, const json& object, long long created) {
  json event = stripe_template("event");
  event["id"] = id;
  event["type"] = type;
  event["created"] = created;
  event["api_version"] = "2025-03-31.basil";
  event["livemode"] = false;
  event["data"] = {{"object", object}};
  return event.dump();
}

std::string new_pledge_id() { return "pl_" + random_base62(24); }

StripeHistory generate_history(int count) {
  StripeHistory history;
  for (int i = 0; i < count; ++i) {
    HistoryPledge pledge;
    pledge.id = new_pledge_id();
    pledge.frequency = (i % 10 == 6 || i % 10 == 9) ? "monthly" : "once";
    pledge.amount = 1000 + 37 * i;
    pledge.checkout_session_id = "cs_test_" + std::to_string(i) + "_" + random_base62(8);
    history.expected_raised += add_scenario(pledge, i, history.events);
    history.pledges.push_back(pledge);
  }
  return history;
}

void insert_pledges(const TestDatabase& database, const std::vector<HistoryPledge>& pledges) {
  std::ostringstream sql;
  sql << "INSERT INTO pledges (id, campaign_id, amount, currency, frequency, status, donor_email, "
         "checkout_session_id, fee) SELECT v.id, c.id, v.amount, 'usd', v.frequency, 'pending', v.email, v.session, "
         "v.fee "
         "FROM campaigns c, (VALUES ";
  for (std::size_t i = 0; i < pledges.size(); ++i) {
    const auto& p = pledges[i];
    sql << (i ? "," : "") << "('" << p.id << "'," << p.amount << ",'" << p.frequency << "','donor" << i
        << "@example.org','" << p.checkout_session_id << "'," << p.fee << ")";
  }
  sql << ") AS v(id, amount, frequency, email, session, fee) WHERE c.slug = 'eoy-2026'";
  database.execute(sql.str());
}

std::map<std::string, std::string> stripe_signature_headers(const std::string& body, long long timestamp,
                                                             const std::string& secret) {
  return {{"Content-Type", "application/json"},
          {"Stripe-Signature", "t=" + std::to_string(timestamp) +
                                   ",v1=" + webhooks::stripe_v1_signature(secret, timestamp, body)}};
}

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace pledged::testing
