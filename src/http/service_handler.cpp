#include "pledged/http/service_handler.hpp"

#include <algorithm>
#include <atomic>
#include <sstream>

#include "pledged/core/crypto.hpp"
#include "pledged/http/route_table.hpp"

namespace pledged {

using namespace Pistache;

namespace {

constexpr std::size_t kMaxClientRequestIdLength = 128;

bool is_plain_request_id(const std::string& id) {
  return !id.empty() && id.size() <= kMaxClientRequestIdLength && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':';
  });
}

// Unique without a trip to the random generator per request: a random prefix per
// thread and a counter.
std::string new_request_id() {
  thread_local const std::string prefix = "req_" + random_base62(12);
  thread_local std::uint64_t counter = 0;
  return prefix + std::to_string(++counter);
}

}  // namespace

std::size_t request_header_bytes(const Http::Request& request) {
  std::size_t total = 0;
  for (const auto& [name, raw] : request.headers().rawList()) total += name.size() + raw.value().size() + 4;
  if (total > kMaxHeaderBytes) return total;
  std::ostringstream typed;
  for (const auto& header : request.headers().list()) {
    typed << header->name() << ": ";
    header->write(typed);
    typed << "\r\n";
  }
  return total + static_cast<std::size_t>(typed.tellp());
}

void apply_default_keep_alive(const Http::Request& request, Http::ResponseWriter& response) {
  if (request.version() != Http::Version::Http11) return;
  if (request.headers().has<Http::Header::Connection>()) return;
  response.headers().remove<Http::Header::Connection>();
  response.headers().add<Http::Header::Connection>(Http::ConnectionControl::KeepAlive);
}

std::string request_id_for(const Http::Request& request) {
  if (const auto sent = request.headers().tryGetRaw("X-Request-Id")) {
    if (is_plain_request_id(sent->value())) return sent->value();
  }
  return new_request_id();
}

void ServiceHandler::onRequest(const Http::Request& request, Http::ResponseWriter response) {
  auto& state = current_routing_state();
  state.started = std::chrono::steady_clock::now();
  state.request_id = request_id_for(request);
  apply_default_keep_alive(request, response);
  if (request_header_bytes(request) > kMaxHeaderBytes) {
    Exchange(std::move(response), RequestInfo{state.request_id, method_name(request.method()), "unmatched", state.started},
             *context_)
        .send(error_response(make_error(ErrorCode::header_too_large, "request headers are too large")));
    return;
  }
  state.on_reactor = true;
  routes_->dispatch(request, std::move(response), *context_);
  state.on_reactor = false;
}

}  // namespace pledged
