#pragma once
// The local Stripe stand-in's state and routes: the subset of Stripe's API that
// pledged calls, a hosted checkout page per session, signed event delivery, and a
// control API (/_standin/...) for tests to inject latency and failures and to read
// what was received. TEST/DEMO ONLY: it moves no money and is never used when a
// real STRIPE_SECRET_KEY is configured.
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pledged/stripe/form_encoding.hpp"
#include "tiny_http.hpp"
#include "webhook_sender.hpp"

namespace standin {

struct StandinOptions {
  std::string api_key;         // the Bearer key to accept; empty: any sk_test_ key
  std::string public_base;     // where the hosted checkout pages are, e.g. http://127.0.0.1:12111
  std::string webhook_url;     // where events go; empty: kept, not delivered
  std::string webhook_secret;  // whsec_... used to sign them
  int latency_ms = 0;          // added before every API answer
};

// One injected answer for the next API call instead of the real one.
struct Fault {
  int status = 500;
  std::optional<bool> should_retry;  // the Stripe-Should-Retry header, when set
};

// What every API call does until the tests change it (POST /_standin/faults {"mode": ...}).
enum class ApiMode { normal, server_error, hang, reset };

class Standin {
 public:
  explicit Standin(StandinOptions options) : options_(std::move(options)), latency_ms_(options_.latency_ms) {}
  Response handle(const Request& request);

 private:
  Response control(const Request& request);
  Response api(const Request& request);
  // The call itself, after the idempotency checks; `saved`: kept under the request's key.
  struct Executed {
    Response response;
    bool saved = false;
  };
  Executed execute(const Request& request, const std::vector<pledged::stripe::FormField>& fields);
  Response create_session(const nlohmann::json& params);
  Response expire_session(const std::string& id);
  Response create_refund(const nlohmann::json& params);
  Response list_events(const Request& request);
  Response checkout_page(const std::string& id);
  Response checkout_action(const std::string& id, bool pay);

  nlohmann::json& add_event(const std::string& type, const nlohmann::json& object);  // needs mutex_ held

  // Subscriptions and the Billing Portal (billing_portal.cpp); the first four need mutex_ held.
  nlohmann::json subscription_object(const nlohmann::json& record) const;
  nlohmann::json& add_subscription_event(const std::string& type, const nlohmann::json& record);
  nlohmann::json paid_invoice(nlohmann::json& record, const std::string& billing_reason, const nlohmann::json& email);
  std::vector<nlohmann::json> start_subscription(const nlohmann::json& session, const std::string& customer);
  std::vector<nlohmann::json> bill_next_month(const std::string& subscription_id);
  Response create_portal_session(const nlohmann::json& params);
  Response portal(const Request& request);
  Response portal_page(const std::string& session_id);
  Response portal_action(const std::string& session_id, const std::string& subscription_id, const std::string& action,
                         const std::string& body);
  Response control_bill(const std::string& subscription_id);
  void deliver(const std::vector<nlohmann::json>& events);

  StandinOptions options_;
  std::atomic<int> latency_ms_;
  std::atomic<ApiMode> mode_{ApiMode::normal};
  std::mutex mutex_;
  std::deque<Fault> faults_;
  std::vector<nlohmann::json> requests_;
  std::map<std::string, nlohmann::json> sessions_;
  std::map<std::string, nlohmann::json> charges_;  // by payment intent id
  struct Stored {
    std::string request_hash;
    Response response;
  };
  std::map<std::string, Stored> idempotent_;
  std::set<std::string> executing_;     // keys of requests running now
  std::vector<nlohmann::json> events_;  // oldest first
  std::vector<Delivery> deliveries_;
  std::map<std::string, nlohmann::json> subscriptions_;    // by sub_ id: the stand-in's own record
  std::map<std::string, nlohmann::json> portal_sessions_;  // by bps_ id
  long long last_subscription_event_ = 0;
};

}  // namespace standin
