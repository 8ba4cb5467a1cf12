// The stand-in's subscriptions and Billing Portal (issue 17): what Stripe's portal lets a
// donor do with a monthly gift (change the amount, cancel at the period's end, resume),
// each sent to pledged as customer.subscription.updated, and a monthly charge on demand
// (the portal page's button, or POST /_standin/subscriptions/{id}/bill), so the whole
// loop runs offline. TEST/DEMO ONLY, like the rest of the stand-in.
#include <cstdlib>

#include "pledged/stripe/form_encoding.hpp"
#include "standin.hpp"
#include "standin_helpers.hpp"

namespace standin {
namespace {

constexpr long long kMonthSeconds = 30LL * 24 * 3600;

std::string price_text(long long amount, const std::string& currency) {
  return std::to_string(amount / 100) + "." + (amount % 100 < 10 ? "0" : "") + std::to_string(amount % 100) + " " +
         currency;
}

// "12.50" → 1250; -1 when it is not an amount of at least 1.00.
long long parse_major_amount(const std::string& text) {
  const auto dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  std::string cents = dot == std::string::npos ? "00" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 6 || cents.size() > 2) return -1;
  if (cents.size() == 1) cents += "0";
  if (cents.empty()) cents = "00";
  for (const char c : whole + cents) {
    if (c < '0' || c > '9') return -1;
  }
  const long long amount = std::atoll(whole.c_str()) * 100 + std::atoll(cents.c_str());
  return amount >= 100 ? amount : -1;
}

}  // namespace

json Standin::subscription_object(const json& record) const {
  const long long amount = record["amount"].get<long long>();
  const bool ending = record["cancel_at_period_end"].get<bool>();
  return json{{"id", record["id"]},
              {"object", "subscription"},
              {"customer", record["customer"]},
              {"status", record["status"]},
              {"cancel_at_period_end", ending},
              {"cancel_at", ending ? record["period_end"] : json(nullptr)},
              {"canceled_at", record["status"] == "canceled" ? record["period_end"] : json(nullptr)},
              {"currency", record["currency"]},
              {"created", record["created"]},
              {"livemode", false},
              {"metadata", record["metadata"]},
              {"latest_invoice", record["latest_invoice"]},
              {"items",
               {{"object", "list"},
                {"has_more", false},
                {"data", json::array({json{{"id", record["item_id"]},
                                           {"object", "subscription_item"},
                                           {"quantity", 1},
                                           {"current_period_start", record["period_start"]},
                                           {"current_period_end", record["period_end"]},
                                           {"price",
                                            {{"id", record["price_id"]},
                                             {"object", "price"},
                                             {"type", "recurring"},
                                             {"unit_amount", amount},
                                             {"currency", record["currency"]},
                                             {"recurring", {{"interval", "month"}, {"interval_count", 1}}}}}}})}}}};
}

json& Standin::add_subscription_event(const std::string& type, const json& record) {
  // Two portal changes within one second must still reach pledged in a known order
  // (pledged keeps the latest by `created`): the stand-in's subscription events never
  // share a second.
  json& event = add_event(type, subscription_object(record));
  last_subscription_event_ = std::max(last_subscription_event_ + 1, event["created"].get<long long>());
  event["created"] = last_subscription_event_;
  return event;
}

json Standin::paid_invoice(json& record, const std::string& billing_reason, const json& email) {
  const long long now = now_seconds();
  const long long amount = record["amount"].get<long long>();
  const std::string invoice = new_id("in_");
  const std::string intent = new_id("pi_");
  const std::string charge_id = new_id("ch_");
  record["latest_invoice"] = invoice;
  charges_[intent] = json{{"id", charge_id},
                          {"object", "charge"},
                          {"amount", amount},
                          {"amount_captured", amount},
                          {"amount_refunded", 0},
                          {"captured", true},
                          {"created", now},
                          {"currency", record["currency"]},
                          {"customer", record["customer"]},
                          {"disputed", false},
                          {"livemode", false},
                          {"metadata", json::object()},
                          {"paid", true},
                          {"payment_intent", intent},
                          {"refunded", false},
                          {"status", "succeeded"}};
  const json metadata = record["metadata"];
  const json period_start = record["period_start"];
  const json period_end = record["period_end"];
  return json{{"id", invoice},
              {"object", "invoice"},
              {"amount_due", amount},
              {"amount_paid", amount},
              {"amount_remaining", 0},
              {"billing_reason", billing_reason},
              {"created", now},
              {"currency", record["currency"]},
              {"customer", record["customer"]},
              {"customer_email", email},
              {"livemode", false},
              {"metadata", json::object()},
              {"status", "paid"},
              {"period_start", period_start},
              {"period_end", period_end},
              // Older API versions put these at the top level; newer ones under parent / payments.
              {"subscription", record["id"]},
              {"payment_intent", intent},
              {"charge", charge_id},
              {"parent",
               {{"type", "subscription_details"},
                {"quote_details", nullptr},
                {"subscription_details", {{"metadata", metadata}, {"subscription", record["id"]}}}}},
              {"lines",
               {{"object", "list"},
                {"has_more", false},
                {"data", json::array({json{{"id", new_id("il_")},
                                           {"object", "line_item"},
                                           {"amount", amount},
                                           {"currency", record["currency"]},
                                           {"metadata", metadata},
                                           {"period", {{"start", period_start}, {"end", period_end}}}}})}}}};
}

std::vector<json> Standin::start_subscription(const json& session, const std::string& customer) {
  const long long now = now_seconds();
  const std::string id = new_id("sub_");
  json record = {{"id", id},
                 {"customer", customer},
                 {"amount", session["amount_total"]},
                 {"currency", session["currency"]},
                 {"metadata", session["_standin"]["subscription_metadata"]},
                 {"status", "active"},
                 {"cancel_at_period_end", false},
                 {"created", now},
                 {"period_start", now},
                 {"period_end", now + kMonthSeconds},
                 {"item_id", new_id("si_")},
                 {"price_id", new_id("price_")},
                 {"latest_invoice", nullptr},
                 {"email", session["customer_email"]},
                 {"product_name", session["_standin"]["product_name"]}};
  std::vector<json> events;
  const json invoice = paid_invoice(record, "subscription_create", session["customer_email"]);
  events.push_back(add_subscription_event("customer.subscription.created", record));
  events.push_back(add_event("invoice.paid", invoice));
  subscriptions_[id] = record;
  return events;
}

std::vector<json> Standin::bill_next_month(const std::string& subscription_id) {
  const auto found = subscriptions_.find(subscription_id);
  if (found == subscriptions_.end() || found->second["status"] != "active") return {};
  json& record = found->second;
  std::vector<json> events;
  if (record["cancel_at_period_end"].get<bool>()) {
    // The period ended with a cancel scheduled: Stripe deletes the subscription.
    record["status"] = "canceled";
    events.push_back(add_subscription_event("customer.subscription.deleted", record));
    return events;
  }
  const long long start = record["period_end"].get<long long>();
  record["period_start"] = start;
  record["period_end"] = start + kMonthSeconds;
  const json invoice = paid_invoice(record, "subscription_cycle", record["email"]);
  events.push_back(add_subscription_event("customer.subscription.updated", record));
  events.push_back(add_event("invoice.paid", invoice));
  return events;
}

Response Standin::create_portal_session(const json& params) {
  const std::string customer = text_at(params, {"customer"});
  if (customer.empty())
    return stripe_error(400, "invalid_request_error", "Missing required param: customer.", "customer");
  std::lock_guard<std::mutex> lock(mutex_);
  bool known = false;
  for (const auto& [id, record] : subscriptions_) known = known || record["customer"] == customer;
  if (!known) {
    return stripe_error(400, "invalid_request_error", "No such customer: '" + customer + "'", "customer",
                        "resource_missing");
  }
  const std::string id = new_id("bps_");
  json session = {{"id", id},
                  {"object", "billing_portal.session"},
                  {"created", now_seconds()},
                  {"customer", customer},
                  {"livemode", false},
                  {"return_url", params.contains("return_url") ? params["return_url"] : json(nullptr)},
                  {"url", options_.public_base + "/portal/" + id}};
  portal_sessions_[id] = session;
  return json_reply(200, session);
}

Response Standin::portal(const Request& request) {
  // /portal/{session}, /portal/{session}/{subscription}/{amount|cancel|resume|bill}
  const std::string rest = request.path.substr(std::string("/portal/").size());
  const auto slash = rest.find('/');
  const std::string session_id = rest.substr(0, slash);
  if (slash == std::string::npos) {
    if (request.method != "GET") return Response{405, "text/plain", "method not allowed\n", {}};
    return portal_page(session_id);
  }
  const std::string tail = rest.substr(slash + 1);
  const auto second = tail.find('/');
  if (second == std::string::npos || request.method != "POST") return Response{404, "text/plain", "not found\n", {}};
  return portal_action(session_id, tail.substr(0, second), tail.substr(second + 1), request.body);
}

Response Standin::portal_page(const std::string& session_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = portal_sessions_.find(session_id);
  if (found == portal_sessions_.end()) return Response{404, "text/plain", "no such billing portal session\n", {}};
  const json& session = found->second;
  std::string html =
      "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width'>"
      "<title>Manage your subscription (local Stripe stand-in)</title>"
      "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}"
      ".warn{background:#fff3cd;padding:.5rem 1rem;border-radius:.5rem}button{font-size:1rem;padding:.5rem 1rem;"
      "margin:.3rem 0}section{border:1px solid #ccc;border-radius:.5rem;padding:.5rem 1rem;margin:1rem 0}</style>"
      "<p class=warn><strong>Local Stripe stand-in: test/demo only.</strong> No card is charged and no money moves.</p>"
      "<h1>Your subscriptions</h1>";
  for (const auto& [id, record] : subscriptions_) {
    if (record["customer"] != session["customer"]) continue;
    const std::string base = "/portal/" + html_escape(session_id) + "/" + html_escape(id);
    const long long amount = record["amount"].get<long long>();
    const bool active = record["status"] == "active";
    const bool ending = record["cancel_at_period_end"].get<bool>();
    html += "<section class=subscription data-subscription='" + html_escape(id) + "'><h2>" +
            html_escape(record["product_name"].get<std::string>()) + "</h2><p>Amount: <strong class=amount>" +
            html_escape(price_text(amount, record["currency"].get<std::string>())) +
            "</strong> every month. Status: " + html_escape(record["status"].get<std::string>()) +
            (ending ? " (cancels at period end)" : "") + ".</p>";
    if (active) {
      html += "<form method=post action='" + base + "/amount'><label for='amount-" + html_escape(id) +
              "'>New monthly amount</label> <input id='amount-" + html_escape(id) +
              "' name=amount inputmode=decimal required> <button>Update amount</button></form>";
      html += ending ? "<form method=post action='" + base + "/resume'><button>Resume subscription</button></form>"
                     : "<form method=post action='" + base + "/cancel'><button>Cancel subscription</button></form>";
      html +=
          "<form method=post action='" + base + "/bill'><button>Charge the next month now (stand-in)</button></form>";
    }
    html += "</section>";
  }
  if (session["return_url"].is_string()) {
    html += "<p><a id=return href='" + html_escape(session["return_url"].get<std::string>()) +
            "'>Return to the site</a></p>";
  }
  return Response{200, "text/html; charset=utf-8", html + "</html>\n", {}};
}

Response Standin::portal_action(const std::string& session_id, const std::string& subscription_id,
                                const std::string& action, const std::string& body) {
  std::vector<json> events;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto session = portal_sessions_.find(session_id);
    const auto found = subscriptions_.find(subscription_id);
    if (session == portal_sessions_.end() || found == subscriptions_.end() ||
        found->second["customer"] != session->second["customer"]) {
      return Response{404, "text/plain", "no such subscription in this portal session\n", {}};
    }
    json& record = found->second;
    if (record["status"] != "active") return redirect("/portal/" + session_id);
    if (action == "amount") {
      std::vector<pledged::stripe::FormField> fields;
      pledged::stripe::decode_form(body, fields);
      const long long amount = parse_major_amount(pledged::form_value(fields, "amount"));
      if (amount < 0) return Response{400, "text/plain", "enter an amount of at least 1.00, like 12.50\n", {}};
      record["amount"] = amount;
      record["price_id"] = new_id("price_");  // Stripe makes a new price for a new amount
      events.push_back(add_subscription_event("customer.subscription.updated", record));
    } else if (action == "cancel" || action == "resume") {
      record["cancel_at_period_end"] = action == "cancel";
      events.push_back(add_subscription_event("customer.subscription.updated", record));
    } else if (action == "bill") {
      events = bill_next_month(subscription_id);
    } else {
      return Response{404, "text/plain", "not found\n", {}};
    }
  }
  deliver(events);
  return redirect("/portal/" + session_id);
}

Response Standin::control_bill(const std::string& subscription_id) {
  std::vector<json> events;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    events = bill_next_month(subscription_id);
  }
  if (events.empty()) return json_reply(404, json{{"error", "no active subscription with that id"}});
  deliver(events);
  json ids = json::array();
  for (const auto& event : events) ids.push_back(event["id"]);
  return json_reply(200, json{{"events", ids}});
}

}  // namespace standin
