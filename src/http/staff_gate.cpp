#include "pledged/http/staff_gate.hpp"

#include "pledged/http/client_ip.hpp"
#include "pledged/http/worker_dispatch.hpp"

namespace pledged {
namespace {

constexpr std::chrono::seconds kFailureWindow{60};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::map<std::string, std::string> decoded_query(const Pistache::Http::Request& http) {
  std::map<std::string, std::string> query;
  const auto& uri_query = http.query();
  for (auto it = uri_query.parameters_begin(); it != uri_query.parameters_end(); ++it) {
    query[percent_decode(it->first)] = percent_decode(it->second);
  }
  return query;
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    // '+' stays '+': query values here are dates and zones such as Etc/GMT+5, never form text.
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string StaffCall::param(const std::string& name) const {
  const auto found = params.find(name);
  return found == params.end() ? std::string() : found->second;
}

std::optional<std::string> StaffCall::query_value(const std::string& name) const {
  const auto found = query.find(name);
  if (found == query.end()) return std::nullopt;
  return found->second;
}

StaffGate::StaffGate(StaffAccess& staff, WorkerPool& workers, Metrics& metrics, int failures_per_minute,
                     const TrustedProxies& trusted_proxies)
    : staff_(staff),
      workers_(workers),
      metrics_(metrics),
      throttle_(failures_per_minute, kFailureWindow),
      trusted_proxies_(trusted_proxies) {}

// The attempt was counted when admitted (see guard); a refusal keeps it counted.
void StaffGate::refuse(const char* reason, const ExchangePtr& exchange) {
  metrics_.increment("pledged_staff_auth_failures_total", "Staff requests refused for their credentials.",
                     std::string("reason=\"") + reason + "\"");
  exchange->send_error(make_error(ErrorCode::unauthorized, "a valid staff token is required (Authorization: Bearer)"));
}

RouteHandler StaffGate::guard(StaffRole required, StaffJob job) {
  auto shared_job = std::make_shared<const StaffJob>(std::move(job));
  return [this, required, shared_job](const RouteRequest& request, ExchangePtr exchange) {
    StaffCall call;
    call.client_ip = client_ip(request, trusted_proxies_);
    // Counted here, on the reactor, before anything is dispatched: a burst from one
    // client gets at most the limit through to a token lookup.
    if (const auto wait = throttle_.admit(limit_key(call.client_ip), FailureThrottle::Clock::now()); wait > 0) {
      metrics_.increment("pledged_staff_auth_failures_total", "Staff requests refused for their credentials.",
                         "reason=\"throttled\"");
      auto response = error_response(make_error(ErrorCode::rate_limited, "too many failed sign-ins; wait and retry"));
      for (auto& [name, value] : response.headers) {
        if (name == "Retry-After") value = std::to_string(wait);
      }
      exchange->send(response);
      return;
    }
    const auto authorization = request.header("Authorization");
    auto token = authorization ? bearer_token(*authorization) : std::nullopt;
    if (!token) return refuse(authorization ? "malformed" : "missing", exchange);

    call.params = request.params();
    call.query = decoded_query(request.http());
    call.body = request.body();
    call.content_type = request.header("Content-Type");
    call.idempotency_key = request.header("Idempotency-Key");
    call.exchange = exchange;
    answer_on_worker(workers_, exchange,
                     [this, required, shared_job, token = std::move(*token),
                      call = std::move(call)]() mutable -> Result<HttpResponse> {
                       auto who = staff_.sign_in(token);
                       if (!who) {
                         throttle_.forgive(limit_key(call.client_ip));  // the database failed, not the client
                         return who.error();
                       }
                       if (!*who) {
                         refuse("unknown", call.exchange);
                         return make_error(ErrorCode::unauthorized, "unknown token");  // already answered
                       }
                       throttle_.forgive(limit_key(call.client_ip));
                       if (!role_allows((*who)->role, required)) {
                         return make_error(ErrorCode::forbidden, "this route needs an admin token");
                       }
                       call.who = **who;
                       auto response = (*shared_job)(call);
                       call.exchange.reset();
                       return response;
                     });
  };
}

}  // namespace pledged
