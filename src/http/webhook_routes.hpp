#pragma once
// POST /v1/webhooks/stripe: the signature on the reactor, storing and applying on a worker.
#include <chrono>
#include <string>
#include <vector>

#include "pledged/core/metrics.hpp"
#include "pledged/core/worker_pool.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/webhooks/event_processor.hpp"

namespace pledged {

struct WebhookDeps {
  WorkerPool& workers;
  webhooks::EventProcessor& processor;
  Metrics& metrics;
  std::vector<std::string> webhook_secrets;  // none: every event is refused
  std::chrono::seconds tolerance;
};
void add_webhook_routes(RouteTable& routes, WebhookDeps deps);

}  // namespace pledged
