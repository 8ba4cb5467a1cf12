#include "pledged/http/route_table.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace pledged {

using Pistache::Http::Method;

namespace {

HttpResponse method_not_allowed(const std::string& allow) {
  nlohmann::json body;
  body["error"]["code"] = "method_not_allowed";
  body["error"]["message"] = "this route accepts " + allow;
  auto response = json_response(405, body);
  response.with_header("Allow", allow);
  return response;
}

// Splits "/v1/campaigns/x/progress" into {"v1", "campaigns", "x", "progress"}.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.empty() || path.front() != '/') return parts;
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

ExchangePtr open_exchange(Pistache::Http::ResponseWriter writer, std::string route, Method method,
                          ServerContext& context) {
  const auto& state = current_routing_state();
  return std::make_shared<Exchange>(std::move(writer),
                                    RequestInfo{state.request_id, method_name(method), std::move(route), state.started},
                                    context);
}

// pledged's paths are plain ASCII segments ([a-z0-9._-] slugs and ids): any
// percent-encoding, dot segment or empty segment is another spelling of some path,
// which a cache in front (nginx keys on the decoded, normalised $uri) would file
// under the canonical path's key. Such a request is 404 before any route sees it.
bool is_canonical_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.find('%') != std::string_view::npos) return false;
  if (path.size() > 1 && path.find("//") != std::string_view::npos) return false;
  for (const auto part : split_path(path)) {
    if (part == "." || part == "..") return false;
  }
  return true;
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

std::string RouteRequest::param(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return {};
}

std::optional<std::string> RouteRequest::header(const std::string& name) const {
  const auto raw = http_.headers().tryGetRaw(name);
  if (!raw) return std::nullopt;
  return raw->value();
}

void RouteTable::add(Method method, const std::string& pattern, RouteHandler handler) {
  auto route = std::find_if(routes_.begin(), routes_.end(), [&](const Route& r) { return r.pattern == pattern; });
  if (route == routes_.end()) {
    Route fresh;
    fresh.pattern = pattern;
    for (const auto part : split_path(pattern)) {
      Segment segment;
      if (!part.empty() && part.front() == ':') {
        const auto dot = part.find('.');
        segment.param = std::string(part.substr(1, dot == std::string_view::npos ? std::string_view::npos : dot - 1));
        if (dot != std::string_view::npos) segment.suffix = std::string(part.substr(dot));
      } else {
        segment.literal = std::string(part);
      }
      fresh.segments.push_back(std::move(segment));
    }
    routes_.push_back(std::move(fresh));
    route = std::prev(routes_.end());
  }
  route->handlers[method] = std::move(handler);
  // Literal segments beat ":name.ext", which beats ":name", so /embed/:slug.js wins over
  // /embed/:slug whatever order the routes were added in.
  std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
    return specificity(a) > specificity(b);
  });
  route = std::find_if(routes_.begin(), routes_.end(), [&](const Route& r) { return r.pattern == pattern; });
  route->allow.clear();
  for (const auto& entry : route->handlers) {
    route->allow += (route->allow.empty() ? "" : ", ") + std::string(method_name(entry.first));
  }
}

int RouteTable::specificity(const Route& route) {
  int score = 0;
  for (const auto& segment : route.segments) score += segment.param.empty() ? 2 : (segment.suffix.empty() ? 0 : 1);
  return score;
}

std::optional<std::vector<std::pair<std::string, std::string>>> RouteTable::match(const Route& route,
                                                                                std::string_view path) {
  const auto parts = split_path(path);
  if (parts.size() != route.segments.size()) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> params;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& segment = route.segments[i];
    const auto part = parts[i];
    if (segment.param.empty()) {
      if (part != segment.literal) return std::nullopt;
      continue;
    }
    if (part.size() <= segment.suffix.size()) return std::nullopt;
    if (part.substr(part.size() - segment.suffix.size()) != segment.suffix) return std::nullopt;
    params.emplace_back(segment.param, std::string(part.substr(0, part.size() - segment.suffix.size())));
  }
  return params;
}

RouteTable::Match RouteTable::find(Method method, std::string_view path) const {
  for (const auto& route : routes_) {
    auto params = match(route, path);
    if (!params) continue;
    const auto handler = route.handlers.find(method);
    return Match{&route.pattern, std::move(*params), handler == route.handlers.end() ? nullptr : &handler->second,
                 &route.allow};
  }
  return {};
}

void RouteTable::dispatch(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter writer,
                          ServerContext& context) const {
  const Method method = request.method();
  if (!is_canonical_path(request.resource())) {
    open_exchange(std::move(writer), "unmatched", method, context)
        ->send(error_response(make_error(ErrorCode::not_found, "no such route (the path is not in canonical form)")));
    return;
  }
  auto found = find(method, request.resource());
  if (found.pattern == nullptr) {
    open_exchange(std::move(writer), "unmatched", method, context)
        ->send(error_response(make_error(ErrorCode::not_found, "no such route")));
    return;
  }
  auto exchange = open_exchange(std::move(writer), *found.pattern, method, context);
  if (found.handler == nullptr) {
    exchange->send(method_not_allowed(*found.allow));
    return;
  }
  try {
    (*found.handler)(RouteRequest(request, std::move(found.params)), exchange);
  } catch (const std::exception& e) {
    exchange->send_error(make_error(ErrorCode::internal, e.what()));
  }
}

}  // namespace pledged
