#pragma once
// The service's routes and the matching of a request to one of them. Pistache's
// own router copies every request and response writer before dispatching and, in
// 0.0.5, inserts into a shared map from reactor threads for a method that has no
// route; matching our few fixed patterns here is cheaper and has no shared writes.
// A path that matches with the wrong method gets the API's 405 with Allow.
#include <pistache/http.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pledged/http/exchange.hpp"

namespace pledged {

// A matched request: Pistache's request plus the values of the pattern's parameters.
class RouteRequest {
 public:
  RouteRequest(const Pistache::Http::Request& http, std::vector<std::pair<std::string, std::string>> params)
      : http_(http), params_(std::move(params)) {}

  const Pistache::Http::Request& http() const { return http_; }
  // The value of ":name" in the pattern ("" if the pattern has no such parameter).
  std::string param(std::string_view name) const;
  std::optional<std::string> header(const std::string& name) const;
  std::map<std::string, std::string> params() const { return {params_.begin(), params_.end()}; }
  const std::string& body() const { return http_.body(); }

 private:
  const Pistache::Http::Request& http_;
  std::vector<std::pair<std::string, std::string>> params_;
};

using RouteHandler = std::function<void(const RouteRequest&, ExchangePtr)>;

class RouteTable {
 public:
  // Pattern segments are literals or ":name"; ":name.ext" matches a segment that
  // ends in ".ext" (e.g. /embed/:slug.js).
  void add(Pistache::Http::Method method, const std::string& pattern, RouteHandler handler);

  // Finds the route and runs its handler; answers 404 or 405 itself. A handler's
  // exception becomes the API's 500 (its text goes to the log, not the client).
  void dispatch(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter writer,
                ServerContext& context) const;

  // Where a request would go, without running anything (dispatch uses it; so does
  // the fuzzer of the request path). No pattern: 404; a pattern but no handler: 405.
  struct Match {
    const std::string* pattern = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    const RouteHandler* handler = nullptr;
    const std::string* allow = nullptr;  // the pattern's methods, for 405's Allow
  };
  Match find(Pistache::Http::Method method, std::string_view path) const;

 private:
  struct Segment {
    std::string literal;  // for a literal segment
    std::string param;    // for ":name" (empty for a literal)
    std::string suffix;   // ".ext" of ":name.ext"
  };
  struct Route {
    std::string pattern;
    std::vector<Segment> segments;
    std::map<Pistache::Http::Method, RouteHandler> handlers;
    std::string allow;  // "GET, OPTIONS"
  };

  static int specificity(const Route& route);
  static std::optional<std::vector<std::pair<std::string, std::string>>> match(const Route& route,
                                                                              std::string_view path);
  std::vector<Route> routes_;
};

// The request id and start time of the request being dispatched on this thread.
struct RoutingState {
  std::string request_id;
  std::chrono::steady_clock::time_point started;
  bool on_reactor = false;  // true while a reactor thread dispatches; never on workers
  // The dispatching reactor's transport: the one that writes this connection's bytes.
  Pistache::Tcp::Transport* transport = nullptr;
};
RoutingState& current_routing_state();

const char* method_name(Pistache::Http::Method method);

}  // namespace pledged
