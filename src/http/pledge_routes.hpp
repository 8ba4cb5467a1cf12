#pragma once
// POST /v1/pledges: size, type and rate checks on the reactor, the rest on a worker.
#include "pledged/core/rate_limiter.hpp"
#include "pledged/core/trusted_proxies.hpp"
#include "pledged/core/worker_pool.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/pledges/pledge_service.hpp"

namespace pledged {

struct PledgeDeps {
  PledgeService& pledges;
  RateLimiter& rate_limiter;
  WorkerPool& workers;
  const TrustedProxies& trusted_proxies;
};
void add_pledge_routes(RouteTable& routes, PledgeDeps deps);

}  // namespace pledged
