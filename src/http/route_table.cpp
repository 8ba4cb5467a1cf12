#include "pledged/http/route_table.hpp"

#include <nlohmann/json.hpp>

namespace pledged {

using Pistache::Http::Method;

namespace {

constexpr Method kAllMethods[] = {Method::Options, Method::Get,   Method::Post,  Method::Head,   Method::Put,
                                  Method::Patch,   Method::Delete, Method::Trace, Method::Connect};

HttpResponse method_not_allowed(const std::string& allow) {
  nlohmann::json body;
  body["error"]["code"] = "method_not_allowed";
  body["error"]["message"] = "this route accepts " + allow;
  auto response = json_response(405, body);
  response.with_header("Allow", allow);
  return response;
}

}  // namespace

const char* method_name(Method method) {
  switch (method) {
    case Method::Options: return "OPTIONS";
    case Method::Get: return "GET";
    case Method::Post: return "POST";
    case Method::Head: return "HEAD";
    case Method::Put: return "PUT";
    case Method::Patch: return "PATCH";
    case Method::Delete: return "DELETE";
    case Method::Trace: return "TRACE";
    case Method::Connect: return "CONNECT";
  }
  return "OTHER";
}

RoutingState& current_routing_state() {
  thread_local RoutingState state;
  return state;
}

ExchangePtr open_exchange(Pistache::Http::ResponseWriter writer, std::string route, Method method,
                          ServerContext& context) {
  const auto& state = current_routing_state();
  return std::make_shared<Exchange>(std::move(writer),
                                    RequestInfo{state.request_id, method_name(method), std::move(route), state.started},
                                    context);
}

void RouteTable::add(Method method, const std::string& pattern, RouteHandler handler) {
  routes_[pattern][method] = std::move(handler);
}

void RouteTable::install(Pistache::Rest::Router& router, ServerContext& context) const {
  for (const auto& [pattern, handlers] : routes_) {
    std::string allow;
    for (const auto& entry : handlers) allow += (allow.empty() ? "" : ", ") + std::string(method_name(entry.first));

    for (const Method method : kAllMethods) {
      const auto found = handlers.find(method);
      RouteHandler handler = found != handlers.end()
                                 ? found->second
                                 : RouteHandler([allow](const Pistache::Rest::Request&, ExchangePtr exchange) {
                                     exchange->send(method_not_allowed(allow));
                                   });
      router.addRoute(method, pattern,
                      [&context, pattern = pattern, method, handler](const Pistache::Rest::Request request,
                                                                     Pistache::Http::ResponseWriter writer) {
                        auto exchange = open_exchange(std::move(writer), pattern, method, context);
                        try {
                          handler(request, exchange);
                        } catch (const std::exception& e) {
                          exchange->send_error(make_error(ErrorCode::internal, e.what()));
                        }
                        return Pistache::Rest::Route::Result::Ok;
                      });
    }
  }
}

}  // namespace pledged
