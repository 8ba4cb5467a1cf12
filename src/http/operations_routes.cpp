// /healthz and /readyz on the public listener; /metrics on the operations one.
#include "operations_routes.hpp"

namespace pledged {

using Pistache::Http::Method;

void add_operations_routes(RouteTable& routes, OperationsDeps deps) {
  routes.add(Method::Get, "/healthz", [](const RouteRequest&, ExchangePtr exchange) {
    exchange->send(json_response(200, std::string(R"({"status":"ok"})")));
  });

  // Answered on the reactor from the last probe's state (Readiness): no database
  // round trip and no worker per hit, so a flood cannot make readiness fail.
  routes.add(Method::Get, "/readyz", [deps](const RouteRequest&, ExchangePtr exchange) {
    if (exchange->context().draining.load())
      return exchange->send_error(make_error(ErrorCode::unavailable, "draining"));
    if (auto ready = deps.readiness.check(); !ready) return exchange->send_error(ready.error());
    exchange->send(json_response(200, std::string(R"({"status":"ready"})")));
  });
}

void add_metrics_routes(RouteTable& routes, Metrics& metrics) {
  routes.add(Method::Get, "/metrics", [&metrics](const RouteRequest&, ExchangePtr exchange) {
    exchange->send(HttpResponse{200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8", {}});
  });
  routes.add(Method::Get, "/healthz", [](const RouteRequest&, ExchangePtr exchange) {
    exchange->send(json_response(200, std::string(R"({"status":"ok"})")));
  });
}

}  // namespace pledged
