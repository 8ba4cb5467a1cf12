#pragma once
// /healthz, /readyz and /metrics.
#include "pledged/core/metrics.hpp"
#include "pledged/core/worker_pool.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/operations/readiness.hpp"

namespace pledged {

struct OperationsDeps {
  Readiness& readiness;
  WorkerPool& workers;
  Metrics& metrics;
};
void add_operations_routes(RouteTable& routes, OperationsDeps deps);

}  // namespace pledged
