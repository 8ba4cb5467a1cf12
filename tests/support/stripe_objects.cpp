#include "stripe_objects.hpp"

namespace pledged::testing {

using nlohmann::json;

json subscription_checkout(const HistoryPledge& p, const std::string& customer, const std::string& sub) {
  json s = stripe_template("checkout.session");
  s["id"] = p.checkout_session_id;
  s["client_reference_id"] = p.id;
  s["metadata"] = {{"pledge_id", p.id}};
  s["mode"] = "subscription";
  s["payment_status"] = "paid";
  s["status"] = "complete";
  s["amount_total"] = p.amount;
  s["currency"] = "usd";
  s["customer"] = customer;
  s["payment_intent"] = nullptr;
  s["subscription"] = sub;
  return s;
}

json one_time_checkout(const HistoryPledge& p, std::int64_t amount_total, const std::string& intent,
                       const std::string& customer) {
  json s = subscription_checkout(p, customer, "");
  s["mode"] = "payment";
  s["amount_total"] = amount_total;
  s["payment_intent"] = intent;
  s["subscription"] = nullptr;
  return s;
}

// An invoice of API version 2025-03-31 or later: no charge, no payment intent.
json invoice(const std::string& id, const std::string& customer, const std::string& subscription, std::int64_t amount) {
  json i = stripe_template("invoice");
  i["id"] = id;
  i["amount_due"] = amount;
  i["amount_paid"] = amount;
  i["amount_remaining"] = 0;
  i["currency"] = "usd";
  i["customer"] = customer;
  i["status"] = "paid";
  i["metadata"] = json::object();
  i.erase("subscription");
  i.erase("payments");
  i["parent"] = subscription.empty()
                    ? json(nullptr)
                    : json{{"type", "subscription_details"},
                           {"subscription_details", {{"subscription", subscription}, {"metadata", nullptr}}}};
  return i;
}

json invoice_payment(const std::string& invoice_id, const std::string& intent) {
  return {{"id", "inpay_" + invoice_id},
          {"object", "invoice_payment"},
          {"invoice", invoice_id},
          {"amount_paid", nullptr},
          {"currency", "usd"},
          {"status", "paid"},
          {"payment", {{"type", "payment_intent"}, {"payment_intent", intent}}}};
}

json charge(const std::string& id, const std::string& customer, const std::string& intent, std::int64_t amount,
            std::int64_t refunded) {
  json c = stripe_template("charge");
  c["id"] = id;
  c["amount"] = amount;
  c["amount_captured"] = amount;
  c["amount_refunded"] = refunded;
  c["refunded"] = refunded >= amount;
  c["currency"] = "usd";
  c["customer"] = customer;
  c["payment_intent"] = intent;
  c["metadata"] = json::object();
  c.erase("refunds");
  return c;
}

json dispute(const std::string& id, const std::string& charge_id, const std::string& intent, std::int64_t amount,
             const std::string& status) {
  json d = stripe_template("dispute");
  d["id"] = id;
  d["amount"] = amount;
  d["currency"] = "usd";
  d["charge"] = charge_id;
  d["payment_intent"] = intent;
  d["status"] = status;
  return d;
}

json refund(const std::string& id, const std::string& charge_id, const std::string& intent, std::int64_t amount,
            long long created, const std::string& status) {
  return {
      {"id", id},          {"object", "refund"}, {"charge", charge_id}, {"payment_intent", intent},  {"amount", amount},
      {"currency", "usd"}, {"created", created}, {"status", status},    {"metadata", json::object()}};
}

json payment_intent(const std::string& id, const std::string& pledge_id, std::int64_t amount,
                    const std::string& status) {
  json intent = stripe_template("payment_intent");
  intent["id"] = id;
  intent["amount"] = amount;
  intent["amount_received"] = status == "succeeded" ? amount : 0;
  intent["currency"] = "usd";
  intent["status"] = status;
  intent["metadata"] = pledge_id.empty() ? json::object() : json{{"pledge_id", pledge_id}};
  intent.erase("invoice");
  return intent;
}

json canceled_subscription(const std::string& id, const std::string& customer, const std::string& pledge_id) {
  json subscription = stripe_template("subscription");
  subscription["id"] = id;
  subscription["customer"] = customer;
  subscription["status"] = "canceled";
  subscription["metadata"] = pledge_id.empty() ? json::object() : json{{"pledge_id", pledge_id}};
  return subscription;
}

}  // namespace pledged::testing
