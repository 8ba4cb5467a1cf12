#include "pledged/stripe/stripe_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <thread>

namespace pledged::stripe {
namespace {

std::once_flag curl_initialised;

struct Reply {
  long status = 0;
  std::string body;
  std::optional<bool> should_retry;
};

std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<Reply*>(user)->body.append(data, size * count);
  return size * count;
}

std::string lowercase(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::size_t collect_header(char* data, std::size_t size, std::size_t count, void* user) {
  const std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos && lowercase(line.substr(0, colon)) == "stripe-should-retry") {
    auto value = lowercase(line.substr(colon + 1));
    value.erase(0, value.find_first_not_of(" \t"));
    static_cast<Reply*>(user)->should_retry = value.rfind("true", 0) == 0;
  }
  return size * count;
}

double random_jitter() {
  thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace

StripeError parse_stripe_error(int http_status, std::string_view body) {
  StripeError error;
  error.kind = StripeErrorKind::api;
  error.http_status = http_status;
  const auto parsed = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    const auto& e = parsed["error"];
    auto text = [&e](const char* key) {
      const auto found = e.find(key);
      return found != e.end() && found->is_string() ? found->get<std::string>() : std::string();
    };
    error.type = text("type");
    error.code = text("code");
    error.message = text("message");
    error.param = text("param");
  }
  if (error.type.empty()) {
    error.type = "api_error";
    if (error.message.empty()) error.message = "HTTP " + std::to_string(http_status) + " without an error object";
  }
  return error;
}

Error to_error(const StripeError& error) {
  const bool transient = error.kind == StripeErrorKind::network || error.http_status >= 500 ||
                         error.http_status == 429 || error.http_status == 409;
  // Stripe's sentence can quote what we sent (an email address), so it stays out of
  // the message, which ends up in logs; type, code and parameter name are enough.
  const std::string detail = error.kind == StripeErrorKind::network
                                 ? "Stripe unreachable: " + error.message
                                 : "Stripe " + std::to_string(error.http_status) + " " + error.type +
                                       (error.code.empty() ? "" : "/" + error.code) +
                                       (error.param.empty() ? "" : " on " + error.param);
  return make_error(transient ? ErrorCode::unavailable : ErrorCode::internal,
                    detail + " (after " + std::to_string(error.attempts) + " attempts)");
}

StripeClient::StripeClient(StripeClientOptions options, Metrics* metrics)
    : options_(std::move(options)), metrics_(metrics) {
  std::call_once(curl_initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

StripeClient::~StripeClient() {
  for (void* handle : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* StripeClient::lease_handle() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_handles_.empty()) {
      void* handle = idle_handles_.back();
      idle_handles_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void StripeClient::return_handle(void* handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_handles_.push_back(handle);
}

void StripeClient::count(const char* outcome) {
  if (metrics_ == nullptr) return;
  metrics_->increment("pledged_stripe_calls_total", "Stripe API attempts by outcome.",
                      std::string("outcome=\"") + outcome + "\"");
}

StripeResult StripeClient::post(const std::string& path, const nlohmann::json& params,
                                const std::string& idempotency_key, AfterServerError after_server_error) {
  return call("POST", options_.api_base + path, encode_form(params), idempotency_key, after_server_error);
}

StripeResult StripeClient::get(const std::string& path, const std::vector<FormField>& query) {
  const std::string encoded = encode_form(query);
  return call("GET", options_.api_base + path + (encoded.empty() ? "" : "?" + encoded), "", "", AfterServerError::stop);
}

StripeResult StripeClient::call(const char* method, const std::string& url, const std::string& body,
                                const std::string& idempotency_key, AfterServerError after_server_error) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options_.total_timeout;
  const std::string authorization = "Authorization: Bearer " + options_.secret_key;
  const std::string version = std::string("Stripe-Version: ") + kStripeApiVersion;
  std::string idempotency = "Idempotency-Key: " + idempotency_key;
  int keys_used = 1;

  StripeResult result;
  for (int attempt = 1;; ++attempt) {
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Reply reply;
    auto* curl = static_cast<CURL*>(lease_handle());
    curl_easy_reset(curl);  // keeps the handle's open connections for reuse
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, authorization.c_str());
    headers = curl_slist_append(headers, version.c_str());
    headers = curl_slist_append(headers, "Accept: application/json");
    if (!idempotency_key.empty()) headers = curl_slist_append(headers, idempotency.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(remaining.count(), 1)));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "pledged/0.1");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply);
    if (std::string(method) == "POST") {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    const CURLcode code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_slist_free_all(headers);
    return_handle(curl);

    AttemptOutcome outcome;
    outcome.network_error = code != CURLE_OK;
    outcome.http_status = static_cast<int>(reply.status);
    outcome.stripe_should_retry = reply.should_retry;
    if (!outcome.network_error && reply.status >= 200 && reply.status < 300) {
      auto parsed = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_object()) {
        count("ok");
        result.object = std::move(parsed);
        return result;
      }
      outcome.network_error = true;  // a truncated or garbled body: treat like a dropped connection
    }
    if (outcome.network_error) {
      result.error = StripeError{};
      result.error.message = code != CURLE_OK ? curl_easy_strerror(code) : "unreadable response body";
      count("network_error");
    } else {
      result.error = parse_stripe_error(static_cast<int>(reply.status), reply.body);
      count(reply.status >= 500 ? "server_error" : "client_error");
    }
    result.error.attempts = attempt;

    if (attempt > options_.max_retries || !should_retry(outcome)) return result;
    if (!idempotency_key.empty() && answer_is_saved_under_key(outcome)) {
      if (after_server_error == AfterServerError::stop) return result;
      idempotency = "Idempotency-Key: " + idempotency_key + "-r" + std::to_string(++keys_used);
    }
    const auto wait = backoff_delay(options_.backoff, attempt, random_jitter());
    if (Clock::now() + wait >= deadline) return result;
    count("retried");
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace pledged::stripe
