#pragma once
// /healthz and /readyz on the public listener; /metrics on the operations one.
#include "pledged/core/metrics.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/operations/readiness.hpp"

namespace pledged {

struct OperationsDeps {
  Readiness& readiness;
};
void add_operations_routes(RouteTable& routes, OperationsDeps deps);

// The operations listener's table (PLEDGED_METRICS_LISTEN): /metrics, and /healthz for
// a probe of that port. Donation, refund and auth-failure counts are not for the public.
void add_metrics_routes(RouteTable& routes, Metrics& metrics);

}  // namespace pledged
