#pragma once
// A small Stripe API client over libcurl: form-encoded requests, Bearer auth, a
// pinned API version, idempotency keys, timeouts and retries with backoff. Blocking
// by design: it runs on the worker pool, never on a reactor thread.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pledged/core/metrics.hpp"
#include "pledged/core/result.hpp"
#include "pledged/stripe/form_encoding.hpp"
#include "pledged/stripe/retry_policy.hpp"

namespace pledged::stripe {

// The API version every request pins, so Stripe's object shapes do not change under us.
inline constexpr const char* kStripeApiVersion = "2025-03-31.basil";

struct StripeClientOptions {
  std::string api_base = "https://api.stripe.com";
  std::string secret_key;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000};  // the whole call: every attempt and every wait
  int max_retries = 2;
  BackoffPolicy backoff;
};

enum class StripeErrorKind { network, api };

// Stripe's error object ({"error": {"type", "code", "message", "param"}}), or a
// network failure when no answer came.
struct StripeError {
  StripeErrorKind kind = StripeErrorKind::network;
  int http_status = 0;
  std::string type;     // api_error, card_error, idempotency_error, invalid_request_error, ...
  std::string code;     // e.g. parameter_invalid_empty
  std::string message;  // Stripe's sentence (may quote what we sent: never log it), or libcurl's
  std::string param;    // the offending parameter, when Stripe names one
  int attempts = 0;
};

struct StripeResult {
  std::optional<nlohmann::json> object;
  StripeError error;
  bool ok() const { return object.has_value(); }
};

// Stripe's error JSON as a typed error; a body that is not one still gives type api_error.
StripeError parse_stripe_error(int http_status, std::string_view body);

// What the rest of pledged acts on: unreachable, timing out, 5xx and 429 are
// ErrorCode::unavailable (try later); anything else Stripe refuses is internal.
Error to_error(const StripeError& error);

// What a POST may do after Stripe answered 5xx, an answer Stripe keeps under the key
// (answer_is_saved_under_key). Money moves (refunds) stop: that key's outcome is
// Stripe's to tell, and a new key could move the money twice. Creating an object that
// costs nothing until used (a Checkout Session) retries under a new key.
enum class AfterServerError { stop, retry_with_new_key };

class StripeClient {
 public:
  StripeClient(StripeClientOptions options, Metrics* metrics);
  ~StripeClient();
  StripeClient(const StripeClient&) = delete;
  StripeClient& operator=(const StripeClient&) = delete;

  // `idempotency_key` makes our own retries safe: Stripe answers a repeat with the first
  // result. A retry after a 5xx uses `idempotency_key` + "-r2", "-r3", ... when allowed.
  StripeResult post(const std::string& path, const nlohmann::json& params, const std::string& idempotency_key,
                    AfterServerError after_server_error = AfterServerError::stop);
  StripeResult get(const std::string& path, const std::vector<FormField>& query = {});

 private:
  StripeResult call(const char* method, const std::string& url, const std::string& body,
                    const std::string& idempotency_key, AfterServerError after_server_error);
  void* lease_handle();
  void return_handle(void* handle);
  void count(const char* outcome);

  StripeClientOptions options_;
  Metrics* metrics_;
  std::mutex mutex_;
  std::vector<void*> idle_handles_;  // CURL*, kept so connections are reused
};

}  // namespace pledged::stripe
