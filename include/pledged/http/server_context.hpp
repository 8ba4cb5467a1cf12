#pragma once
// What every request's Exchange needs from the server around it.
#include <atomic>

#include "pledged/core/log.hpp"
#include "pledged/core/metrics.hpp"

namespace pledged {

struct ServerContext {
  Logger& log;
  Metrics& metrics;
  bool access_log = true;
  // Set on SIGTERM: /readyz answers 503, responses close their connections, and new
  // work for the worker pool is refused so that the drain can finish.
  std::atomic<bool> draining{false};
  // Requests admitted before draining began and not answered yet.
  std::atomic<int> in_flight{0};
};

}  // namespace pledged
