#pragma once
// The one door to every staff route: reads `Authorization: Bearer`, throttles
// clients that keep failing, looks the token up on a worker thread, checks the role,
// and only then runs the route's job. 401 for a missing, unknown or revoked token,
// 403 for a viewer on an admin route, 429 with Retry-After after repeated failures.
#include <map>
#include <optional>
#include <string>

#include "pledged/core/metrics.hpp"
#include "pledged/core/trusted_proxies.hpp"
#include "pledged/core/worker_pool.hpp"
#include "pledged/domain/failure_throttle.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/staff/staff_access.hpp"

namespace pledged {

// Everything a staff job may read, copied off the request (which does not outlive
// the reactor's callback) before the job moves to a worker.
struct StaffCall {
  StaffIdentity who;
  std::string client_ip;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> query;  // percent-decoded
  std::string body;
  std::optional<std::string> content_type;
  std::optional<std::string> idempotency_key;  // the Idempotency-Key header, for routes that take one
  ExchangePtr exchange;  // for jobs that stream their answer themselves

  std::string param(const std::string& name) const;
  std::optional<std::string> query_value(const std::string& name) const;
  AuditActor actor() const { return AuditActor{who.name, client_ip}; }
};

// A job returns its response; a job that streamed through `exchange` returns any
// response, which is then ignored (an Exchange answers once).
using StaffJob = std::function<Result<HttpResponse>(const StaffCall&)>;

class StaffGate {
 public:
  // `failures_per_minute` wrong tokens from one client address (see client_ip), then 429 for the rest of the minute.
  StaffGate(StaffAccess& staff, WorkerPool& workers, Metrics& metrics, int failures_per_minute,
            const TrustedProxies& trusted_proxies);

  RouteHandler guard(StaffRole required, StaffJob job);

 private:
  void refuse(const char* reason, const ExchangePtr& exchange);

  StaffAccess& staff_;
  WorkerPool& workers_;
  Metrics& metrics_;
  FailureThrottle throttle_;
  const TrustedProxies& trusted_proxies_;
};

std::string percent_decode(std::string_view text);

}  // namespace pledged
