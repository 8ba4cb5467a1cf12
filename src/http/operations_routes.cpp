// /healthz and /readyz on the public listener; /metrics on the operations one.
#include "operations_routes.hpp"
#include "pledged/http/worker_dispatch.hpp"

namespace pledged {

using Pistache::Http::Method;

void add_operations_routes(RouteTable& routes, OperationsDeps deps) {
  routes.add(Method::Get, "/healthz", [](const RouteRequest&, ExchangePtr exchange) {
    exchange->send(json_response(200, std::string(R"({"status":"ok"})")));
  });

  routes.add(Method::Get, "/readyz", [deps](const RouteRequest&, ExchangePtr exchange) {
    answer_on_worker(deps.workers, exchange, [deps, exchange]() -> Result<HttpResponse> {
      if (exchange->context().draining.load()) return make_error(ErrorCode::unavailable, "draining");
      if (auto ready = deps.readiness.check(); !ready) return ready.error();
      return json_response(200, std::string(R"({"status":"ready"})"));
    });
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
