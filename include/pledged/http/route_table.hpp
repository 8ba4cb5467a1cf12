#pragma once
// The service's routes, installed into Pistache's router with every HTTP method
// registered on every path: an unsupported method gets the API's 405 (with Allow),
// and Pistache 0.0.5's router never inserts into its shared map from a reactor
// thread (it does, racily, for a method that has no route at all).
#include <pistache/router.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "pledged/http/exchange.hpp"

namespace pledged {

using RouteHandler = std::function<void(const Pistache::Rest::Request&, ExchangePtr)>;

class RouteTable {
 public:
  void add(Pistache::Http::Method method, const std::string& pattern, RouteHandler handler);
  void install(Pistache::Rest::Router& router, ServerContext& context) const;

 private:
  std::map<std::string, std::map<Pistache::Http::Method, RouteHandler>> routes_;  // pattern -> method -> handler
};

// Builds the Exchange for a matched request; used by the route table and the 404 path.
ExchangePtr open_exchange(Pistache::Http::ResponseWriter writer, std::string route,
                          Pistache::Http::Method method, ServerContext& context);

// The request id and start time of the request being routed on this thread.
struct RoutingState {
  std::string request_id;
  std::chrono::steady_clock::time_point started;
};
RoutingState& current_routing_state();

const char* method_name(Pistache::Http::Method method);

}  // namespace pledged
