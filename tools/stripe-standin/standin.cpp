#include "standin.hpp"

#include "standin_helpers.hpp"

#include <chrono>
#include <ctime>
#include <thread>

#include "pledged/core/crypto.hpp"
#include "pledged/stripe/form_encoding.hpp"
#include "pledged/stripe/stripe_client.hpp"

namespace standin {
namespace {

using nlohmann::json;

// metadata[pledge_id]=x and line_items[0][price_data][currency]=usd, as nested objects
// (array indices stay object keys "0", "1", ...; values stay strings).
json nest(const std::vector<pledged::stripe::FormField>& fields) {
  json root = json::object();
  for (const auto& [key, value] : fields) {
    std::vector<std::string> path;
    const auto bracket = key.find('[');
    path.push_back(key.substr(0, bracket));
    for (auto open = bracket; open != std::string::npos; open = key.find('[', open + 1)) {
      const auto close = key.find(']', open);
      if (close == std::string::npos) break;
      path.push_back(key.substr(open + 1, close - open - 1));
    }
    json* node = &root;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      if (!(*node)[path[i]].is_object()) (*node)[path[i]] = json::object();
      node = &(*node)[path[i]];
    }
    (*node)[path.back()] = value;
  }
  return root;
}

json query_params(const std::string& query) {
  std::vector<pledged::stripe::FormField> fields;
  pledged::stripe::decode_form(query, fields);
  json flat = json::object();
  for (const auto& [key, value] : fields) flat[key] = value;
  return flat;
}

std::optional<ApiMode> parse_mode(const std::string& name) {
  if (name == "normal") return ApiMode::normal;
  if (name == "server_error") return ApiMode::server_error;
  if (name == "hang") return ApiMode::hang;
  if (name == "reset") return ApiMode::reset;
  return std::nullopt;
}

}  // namespace

Response Standin::handle(const Request& request) {
  if (request.path.rfind("/_standin/", 0) == 0) return control(request);
  if (request.path.rfind("/checkout/", 0) == 0) {
    std::string rest = request.path.substr(std::string("/checkout/").size());
    const auto slash = rest.find('/');
    const std::string id = rest.substr(0, slash);
    if (slash == std::string::npos && request.method == "GET") return checkout_page(id);
    const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (request.method == "POST" && (action == "pay" || action == "decline")) return checkout_action(id, action == "pay");
    return Response{404, "text/plain", "not found\n", {}};
  }
  if (request.path.rfind("/portal/", 0) == 0) return portal(request);
  if (request.path.rfind("/v1/", 0) == 0) return api(request);
  if (request.path == "/" || request.path == "/healthz") {
    return Response{200, "text/plain", "pledged's local Stripe stand-in (test/demo only)\n", {}};
  }
  return Response{404, "text/plain", "not found\n", {}};
}

Response Standin::control(const Request& request) {
  if (request.path == "/_standin/requests" && request.method == "GET") {
    std::lock_guard<std::mutex> lock(mutex_);
    return json_reply(200, json(requests_));
  }
  if (request.path == "/_standin/events" && request.method == "GET") {
    std::lock_guard<std::mutex> lock(mutex_);
    return json_reply(200, json(events_));
  }
  if (request.path == "/_standin/deliveries" && request.method == "GET") {
    std::lock_guard<std::mutex> lock(mutex_);
    json out = json::array();
    for (const auto& d : deliveries_) out.push_back({{"event", d.event_id}, {"status", d.status}, {"error", d.error}});
    return json_reply(200, out);
  }
  if (request.path == "/_standin/faults" && request.method == "POST") {
    // {"latency_ms": 300, "fail": [{"status": 500}, {"status": 429, "should_retry": true}],
    //  "mode": "normal" | "server_error" | "hang" | "reset"}  (mode: every call until changed)
    const auto body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) return json_reply(400, json{{"error", "expected a JSON object"}});
    if (body.contains("mode")) {
      const auto mode = body["mode"].is_string() ? parse_mode(body["mode"].get<std::string>()) : std::nullopt;
      if (!mode) return json_reply(400, json{{"error", "mode must be normal, server_error, hang or reset"}});
      mode_ = *mode;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (body.contains("latency_ms")) latency_ms_ = body["latency_ms"].get<int>();
    if (body.contains("webhook_url")) options_.webhook_url = body["webhook_url"].get<std::string>();
    if (body.contains("webhook_secret")) options_.webhook_secret = body["webhook_secret"].get<std::string>();
    if (body.contains("fail")) {
      faults_.clear();
      for (const auto& item : body["fail"]) {
        Fault fault;
        fault.status = item.value("status", 500);
        if (item.contains("should_retry")) fault.should_retry = item["should_retry"].get<bool>();
        faults_.push_back(fault);
      }
    }
    return json_reply(200, json{{"latency_ms", latency_ms_.load()}, {"queued_failures", faults_.size()}});
  }
  // POST /_standin/subscriptions/{sub_id}/bill: the next month's installment now.
  const std::string subscriptions = "/_standin/subscriptions/";
  if (request.method == "POST" && request.path.rfind(subscriptions, 0) == 0 && request.path.size() > 5 &&
      request.path.substr(request.path.size() - 5) == "/bill") {
    return control_bill(request.path.substr(subscriptions.size(), request.path.size() - subscriptions.size() - 5));
  }
  if (request.path == "/_standin/reset" && request.method == "POST") {
    std::lock_guard<std::mutex> lock(mutex_);
    faults_.clear();
    requests_.clear();
    latency_ms_ = options_.latency_ms;
    mode_ = ApiMode::normal;
    return json_reply(200, json{{"reset", true}});
  }
  return json_reply(404, json{{"error", "unknown control route"}});
}

Response Standin::api(const Request& request) {
  std::vector<pledged::stripe::FormField> fields;
  const bool decoded = pledged::stripe::decode_form(request.method == "GET" ? request.query : request.body, fields);
  json flat = json::object();
  for (const auto& [key, value] : fields) flat[key] = value;
  const std::string authorization = request.header("authorization");
  const std::string key = authorization.rfind("Bearer ", 0) == 0 ? authorization.substr(7) : "";
  const bool authorized = options_.api_key.empty() ? key.rfind("sk_test_", 0) == 0 : key == options_.api_key;

  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(json{{"method", request.method},
                             {"path", request.path},
                             {"query", request.query},
                             {"content_type", request.header("content-type")},
                             {"stripe_version", request.header("stripe-version")},
                             {"idempotency_key", request.header("idempotency-key")},
                             {"authorized", authorized},
                             {"raw_body", request.body},
                             {"params", flat}});
  }
  switch (mode_.load()) {
    case ApiMode::normal:
    case ApiMode::server_error: break;
    case ApiMode::hang: return Response{0, "", "", {}, ConnectionFault::hang};
    case ApiMode::reset: return Response{0, "", "", {}, ConnectionFault::reset};
  }
  if (!authorized) {
    return stripe_error(401, "invalid_request_error", "Invalid API Key provided (the stand-in expects its own key).");
  }
  if (!decoded) return stripe_error(400, "invalid_request_error", "Malformed percent-encoding in the request.");
  if (request.method == "POST" && request.header("content-type").rfind("application/x-www-form-urlencoded", 0) != 0) {
    return stripe_error(400, "invalid_request_error", "Send parameters as application/x-www-form-urlencoded.");
  }

  // Stripe's idempotency rules: the first answer of a request that started executing
  // is saved under its key, 5xx included, and every repeat gets it again; a repeat
  // with other parameters is a 400; a repeat while the first still runs is a 409.
  // Neither of those, nor a 429, is saved.
  const std::string idempotency_key = request.method == "POST" ? request.header("idempotency-key") : "";
  const std::string request_hash = pledged::sha256_hex(request.method + " " + request.path + "\n" + request.body);
  if (!idempotency_key.empty()) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = idempotent_.find(idempotency_key);
    if (found != idempotent_.end()) {
      if (found->second.request_hash != request_hash) {
        return stripe_error(400, "idempotency_error",
                            "Keys for idempotent requests can only be used with the same parameters they were first "
                            "used with.");
      }
      auto replay = found->second.response;
      replay.headers.emplace_back("Idempotent-Replayed", "true");
      return replay;
    }
    if (!executing_.insert(idempotency_key).second) {
      return stripe_error(409, "idempotency_error",
                          "There is currently another in-progress request using this Idempotency-Key (that probably "
                          "means you submitted twice, and the other request is still going through). Please try "
                          "again later.");
    }
  }
  auto [response, saved] = execute(request, fields);
  if (!idempotency_key.empty()) {
    std::lock_guard<std::mutex> lock(mutex_);
    executing_.erase(idempotency_key);
    if (saved) idempotent_.emplace(idempotency_key, Stored{request_hash, response});
  }
  response.headers.emplace_back("Request-Id", new_id("req_", 14));
  return response;
}

Standin::Executed Standin::execute(const Request& request, const std::vector<pledged::stripe::FormField>& fields) {
  if (const int latency = latency_ms_.load(); latency > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(latency));
  std::optional<Fault> fault;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!faults_.empty()) {
      fault = faults_.front();
      faults_.pop_front();
    }
  }
  if (mode_.load() == ApiMode::server_error) {
    return {stripe_error(500, "api_error", "Injected failure from the stand-in (server_error mode)."), true};
  }
  if (fault) {
    auto response = stripe_error(fault->status, fault->status == 429 ? "invalid_request_error" : "api_error",
                                 "Injected failure from the stand-in.", "", fault->status == 429 ? "rate_limit" : "");
    if (fault->should_retry)
      response.headers.emplace_back("Stripe-Should-Retry", *fault->should_retry ? "true" : "false");
    // A 5xx comes from a request that started executing, unless Stripe says a retry is safe.
    return {response, fault->status >= 500 && fault->should_retry != true};
  }

  const json params = nest(fields);
  Response response;
  const std::string sessions = "/v1/checkout/sessions";
  if (request.method == "POST" && request.path == sessions) {
    response = create_session(params);
  } else if (request.path.rfind(sessions + "/", 0) == 0) {
    std::string id = request.path.substr(sessions.size() + 1);
    const bool expire = id.size() > 7 && id.substr(id.size() - 7) == "/expire";
    if (expire) id.resize(id.size() - 7);
    if (expire && request.method == "POST") {
      response = expire_session(id);
    } else if (!expire && request.method == "GET") {
      std::lock_guard<std::mutex> lock(mutex_);
      const auto found = sessions_.find(id);
      response = found == sessions_.end()
                     ? stripe_error(404, "invalid_request_error", "No such checkout.session: '" + id + "'", "id",
                                    "resource_missing")
                     : json_reply(200, found->second);
    } else {
      response = stripe_error(405, "invalid_request_error", "Unsupported method.");
    }
  } else if (request.method == "POST" && request.path == "/v1/billing_portal/sessions") {
    response = create_portal_session(params);
  } else if (request.method == "POST" && request.path == "/v1/refunds") {
    response = create_refund(params);
  } else if (request.method == "GET" && request.path == "/v1/events") {
    response = list_events(request);
  } else {
    response = stripe_error(404, "invalid_request_error",
                            "Unrecognized request URL (" + request.method + ": " + request.path +
                                "). The stand-in implements only the calls pledged makes.");
  }
  // What Stripe refuses before executing (invalid parameters) is not saved; the rest is.
  return {response, response.status != 400};
}

Response Standin::create_session(const json& params) {
  const std::string mode = text_at(params, {"mode"});
  if (mode != "payment" && mode != "subscription") {
    return stripe_error(400, "invalid_request_error", "Invalid mode: must be payment or subscription", "mode");
  }
  for (const char* required : {"success_url", "cancel_url"}) {
    if (text_at(params, {required}).empty()) {
      return stripe_error(400, "invalid_request_error", std::string("Missing required param: ") + required + ".",
                          required);
    }
  }
  const json line = params.contains("line_items") ? params["line_items"].value("0", json::object()) : json::object();
  const std::string currency = text_at(line, {"price_data", "currency"});
  const std::string unit_amount = text_at(line, {"price_data", "unit_amount"});
  if (currency.empty() || unit_amount.empty() || unit_amount.find_first_not_of("0123456789") != std::string::npos) {
    return stripe_error(400, "invalid_request_error", "line_items[0][price_data] needs currency and unit_amount.",
                        "line_items[0][price_data]");
  }
  if (mode == "subscription" && text_at(line, {"price_data", "recurring", "interval"}).empty()) {
    return stripe_error(400, "invalid_request_error",
                        "A subscription needs a recurring price: line_items[0][price_data][recurring][interval].",
                        "line_items[0][price_data][recurring]");
  }
  const long long amount = std::stoll(unit_amount) * std::stoll(text_at(line, {"quantity"}).empty() ? "1" : text_at(line, {"quantity"}));
  const std::string id = new_id("cs_test_a1", 56);
  const long long created = now_seconds();
  auto text_or_null = [&](const char* key) -> json {
    const auto value = text_at(params, {key});
    return value.empty() ? json(nullptr) : json(value);
  };
  json session = {
      {"id", id},
      {"object", "checkout.session"},
      {"amount_subtotal", amount},
      {"amount_total", amount},
      {"cancel_url", params["cancel_url"]},
      {"success_url", params["success_url"]},
      {"client_reference_id", text_or_null("client_reference_id")},
      {"created", created},
      {"currency", currency},
      {"customer", nullptr},
      {"customer_details", nullptr},
      {"customer_email", text_or_null("customer_email")},
      {"expires_at", created + 24 * 3600},
      {"invoice", nullptr},
      {"livemode", false},
      {"metadata", params.value("metadata", json::object())},
      {"mode", mode},
      {"payment_intent", nullptr},
      {"payment_status", "unpaid"},
      {"status", "open"},
      {"submit_type", text_or_null("submit_type")},
      {"subscription", nullptr},
      {"url", options_.public_base + "/checkout/" + id},
      // Not part of Stripe's object: what the stand-in needs to complete the payment later.
      {"_standin", {{"product_name", text_at(line, {"price_data", "product_data", "name"})},
                    {"payment_intent_metadata", params.contains("payment_intent_data")
                                                    ? params["payment_intent_data"].value("metadata", json::object())
                                                    : json::object()},
                    {"subscription_metadata", params.contains("subscription_data")
                                                  ? params["subscription_data"].value("metadata", json::object())
                                                  : json::object()}}},
  };
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_[id] = session;
  session.erase("_standin");
  return json_reply(200, session);
}

Response Standin::expire_session(const std::string& id) {
  std::vector<json> events;
  json session;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = sessions_.find(id);
    if (found == sessions_.end()) {
      return stripe_error(404, "invalid_request_error", "No such checkout.session: '" + id + "'", "id", "resource_missing");
    }
    if (found->second["status"] != "open") {
      return stripe_error(400, "invalid_request_error", "Only open Checkout Sessions can be expired.");
    }
    found->second["status"] = "expired";
    session = found->second;
    session.erase("_standin");
    events.push_back(add_event("checkout.session.expired", session));
  }
  deliver(events);
  return json_reply(200, session);
}

Response Standin::create_refund(const json& params) {
  std::vector<json> events;
  json refund;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string intent = text_at(params, {"payment_intent"});
    const std::string charge_id = text_at(params, {"charge"});
    if (intent.empty()) {
      for (const auto& [pi, charge] : charges_) {
        if (charge["id"] == charge_id) intent = pi;
      }
    }
    const auto found = charges_.find(intent);
    if (found == charges_.end()) {
      return stripe_error(404, "invalid_request_error", "No such payment_intent or charge.", "payment_intent",
                          "resource_missing");
    }
    json& charge = found->second;
    const long long remaining = charge["amount"].get<long long>() - charge["amount_refunded"].get<long long>();
    const std::string amount_text = text_at(params, {"amount"});
    const long long amount = amount_text.empty() ? remaining : std::stoll(amount_text);
    if (amount <= 0 || amount > remaining) {
      return stripe_error(400, "invalid_request_error", "Refund amount is greater than the unrefunded amount.",
                          "amount", "amount_too_large");
    }
    charge["amount_refunded"] = charge["amount_refunded"].get<long long>() + amount;
    charge["refunded"] = charge["amount_refunded"] == charge["amount"];
    refund = {{"id", new_id("re_")},
              {"object", "refund"},
              {"amount", amount},
              {"charge", charge["id"]},
              {"created", now_seconds()},
              {"currency", charge["currency"]},
              {"metadata", params.value("metadata", json::object())},
              {"payment_intent", intent},
              {"reason", text_at(params, {"reason"}).empty() ? json(nullptr) : json(text_at(params, {"reason"}))},
              {"status", "succeeded"}};
    events.push_back(add_event("refund.created", refund));
    events.push_back(add_event("charge.refunded", charge));
  }
  deliver(events);
  return json_reply(200, refund);
}

Response Standin::list_events(const Request& request) {
  const json query = query_params(request.query);
  long long created_gte = 0;
  if (query.contains("created[gte]")) created_gte = std::stoll(query["created[gte]"].get<std::string>());
  if (query.contains("created")) created_gte = std::stoll(query["created"].get<std::string>());
  int limit = query.contains("limit") ? std::stoi(query["limit"].get<std::string>()) : 10;
  if (limit < 1 || limit > 100) return stripe_error(400, "invalid_request_error", "limit must be 1 to 100", "limit");
  const std::string starting_after = query.value("starting_after", "");

  std::lock_guard<std::mutex> lock(mutex_);
  // Stripe lists newest first; starting_after pages toward older events.
  std::vector<const json*> matching;
  for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
    if ((*it)["created"].get<long long>() >= created_gte) matching.push_back(&*it);
  }
  std::size_t start = 0;
  if (!starting_after.empty()) {
    while (start < matching.size() && (*matching[start])["id"] != starting_after) ++start;
    if (start == matching.size()) {
      return stripe_error(400, "invalid_request_error", "starting_after names an unknown event", "starting_after");
    }
    ++start;
  }
  json data = json::array();
  for (std::size_t i = start; i < matching.size() && data.size() < static_cast<std::size_t>(limit); ++i) {
    data.push_back(*matching[i]);
  }
  const bool has_more = start + data.size() < matching.size();
  return json_reply(200, json{{"object", "list"}, {"url", "/v1/events"}, {"has_more", has_more}, {"data", data}});
}

json& Standin::add_event(const std::string& type, const json& object) {
  events_.push_back(json{{"id", new_id("evt_test_")},
                         {"object", "event"},
                         {"api_version", pledged::stripe::kStripeApiVersion},
                         {"created", now_seconds()},
                         {"data", {{"object", object}}},
                         {"livemode", false},
                         {"pending_webhooks", options_.webhook_url.empty() ? 0 : 1},
                         {"request", {{"id", nullptr}, {"idempotency_key", nullptr}}},
                         {"type", type}});
  return events_.back();
}

void Standin::deliver(const std::vector<json>& events) {
  std::string url;
  std::string secret;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    url = options_.webhook_url;
    secret = options_.webhook_secret;
  }
  if (url.empty() || secret.empty()) return;
  for (const auto& event : events) {
    auto delivery = deliver_event(url, secret, event["id"], event.dump());
    std::lock_guard<std::mutex> lock(mutex_);
    deliveries_.push_back(std::move(delivery));
  }
}

Response Standin::checkout_page(const std::string& id) {
  json session;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = sessions_.find(id);
    if (found == sessions_.end()) return Response{404, "text/plain", "no such checkout session\n", {}};
    session = found->second;
  }
  const long long amount = session["amount_total"].get<long long>();
  const std::string price = std::to_string(amount / 100) + "." + (amount % 100 < 10 ? "0" : "") +
                            std::to_string(amount % 100) + " " + session["currency"].get<std::string>();
  const bool monthly = session["mode"] == "subscription";
  const bool open = session["status"] == "open";
  std::string html =
      "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width'>"
      "<title>Checkout (local Stripe stand-in)</title>"
      "<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}"
      ".warn{background:#fff3cd;padding:.5rem 1rem;border-radius:.5rem}button{font-size:1.1rem;padding:.6rem 1.2rem;"
      "margin:.3rem}</style>"
      "<p class=warn><strong>Local Stripe stand-in: test/demo only.</strong> No card is charged and no money moves.</p>"
      "<h1>" + html_escape(session["_standin"]["product_name"].get<std::string>()) + "</h1>"
      "<p>Gift: <strong>" + html_escape(price) + (monthly ? " every month" : "") + "</strong></p>"
      "<p>Email: " + html_escape(session["customer_email"].is_string() ? session["customer_email"].get<std::string>() : "") +
      "</p>";
  if (open) {
    html += "<form method=post action='/checkout/" + html_escape(id) + "/pay'><button>Pay</button></form>"
            "<form method=post action='/checkout/" + html_escape(id) + "/decline'><button>Decline</button></form>";
  } else {
    html += "<p>This session is " + html_escape(session["status"].get<std::string>()) + ".</p>";
  }
  return Response{200, "text/html; charset=utf-8", html + "</html>\n", {}};
}

Response Standin::checkout_action(const std::string& id, bool pay) {
  std::vector<json> events;
  std::string location;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = sessions_.find(id);
    if (found == sessions_.end()) return Response{404, "text/plain", "no such checkout session\n", {}};
    json& session = found->second;
    if (!pay) return redirect(session["cancel_url"].get<std::string>());
    std::string success = session["success_url"].get<std::string>();
    if (const auto at = success.find("{CHECKOUT_SESSION_ID}"); at != std::string::npos) {
      success.replace(at, std::string("{CHECKOUT_SESSION_ID}").size(), id);
    }
    if (session["status"] != "open") return redirect(success);

    const long long now = now_seconds();
    const long long amount = session["amount_total"].get<long long>();
    const std::string intent = new_id("pi_");
    const std::string charge_id = new_id("ch_");
    const std::string customer = new_id("cus_", 14);
    const json email = session["customer_email"];
    const bool monthly = session["mode"] == "subscription";
    const json metadata = monthly ? session["_standin"]["subscription_metadata"]
                                  : session["_standin"]["payment_intent_metadata"];
    session["status"] = "complete";
    session["payment_status"] = "paid";
    session["customer"] = customer;
    session["customer_details"] = {{"email", email}, {"name", nullptr}};
    json charge = {{"id", charge_id},       {"object", "charge"},     {"amount", amount},
                   {"amount_captured", amount}, {"amount_refunded", 0}, {"captured", true},
                   {"created", now},        {"currency", session["currency"]}, {"customer", customer},
                   {"billing_details", {{"email", email}, {"name", nullptr}}},
                   {"disputed", false},     {"livemode", false},      {"metadata", metadata},
                   {"paid", true},          {"payment_intent", intent}, {"refunded", false},
                   {"status", "succeeded"}};
    json public_session = session;
    public_session.erase("_standin");
    if (!monthly) {
      session["payment_intent"] = intent;
      public_session["payment_intent"] = intent;
      events.push_back(add_event("checkout.session.completed", public_session));
      events.push_back(add_event("payment_intent.succeeded",
                                 json{{"id", intent}, {"object", "payment_intent"}, {"amount", amount},
                                      {"amount_received", amount}, {"created", now}, {"currency", session["currency"]},
                                      {"customer", customer}, {"latest_charge", charge_id}, {"livemode", false},
                                      {"metadata", metadata}, {"status", "succeeded"}}));
      events.push_back(add_event("charge.succeeded", charge));
    } else {
      // The subscription, its first invoice and that invoice's charge (billing_portal.cpp).
      auto started = start_subscription(session, customer);
      const std::string subscription = started.front()["data"]["object"]["id"];
      const std::string invoice = started.back()["data"]["object"]["id"];
      session["subscription"] = subscription;
      session["invoice"] = invoice;
      public_session["subscription"] = subscription;
      public_session["invoice"] = invoice;
      events.push_back(add_event("checkout.session.completed", public_session));
      events.insert(events.end(), started.begin(), started.end());
    }
    if (!monthly) charges_[intent] = charge;
    location = success;
  }
  deliver(events);
  return redirect(location);
}

}  // namespace standin
