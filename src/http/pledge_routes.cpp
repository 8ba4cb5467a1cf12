// POST /v1/pledges: cheap checks on the reactor thread, everything that waits
// (PostgreSQL, Stripe) on the worker pool.
#include "pledge_routes.hpp"
#include "pledged/http/client_ip.hpp"
#include "pledged/http/worker_dispatch.hpp"

namespace pledged {

using Pistache::Http::Method;

namespace {

// Pistache parses Content-Type into a typed header (it is not among the raw ones).
bool is_json(const RouteRequest& request) {
  const auto content_type = request.http().headers().tryGet<Pistache::Http::Header::ContentType>();
  return content_type && content_type->mime() == MIME(Application, Json);
}

}  // namespace

void add_pledge_routes(RouteTable& routes, PledgeDeps deps) {
  routes.add(Method::Post, "/v1/pledges", [deps](const RouteRequest& request, ExchangePtr exchange) {
    if (request.body().size() > kMaxPledgeBodyBytes) {
      exchange->send_error(make_error(ErrorCode::payload_too_large, "the body is larger than 16 KiB"));
      return;
    }
    if (!is_json(request)) {
      exchange->send_error(make_error(ErrorCode::unsupported_media_type, "send the pledge as application/json"));
      return;
    }
    const std::string ip = client_ip(request, deps.trusted_proxies);
    if (const int wait = deps.rate_limiter.acquire(limit_key(ip)); wait > 0) {
      auto error = make_error(ErrorCode::rate_limited, "too many pledges from this address; please wait");
      error.retry_after_seconds = wait;
      exchange->send_error(error);
      return;
    }
    PledgeCall call{request.body(), request.header("Idempotency-Key"), ip};
    answer_on_worker(deps.workers, exchange, [deps, call = std::move(call)]() -> Result<HttpResponse> {
      auto started = deps.pledges.create(call, now_utc());
      if (!started) return started.error();
      auto response = json_response(201, public_pledge_json(started->pledge));
      if (started->replayed) response.with_header("Idempotent-Replayed", "true");
      return response;
    });
  });
}

}  // namespace pledged
