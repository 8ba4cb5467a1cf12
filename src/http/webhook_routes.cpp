// POST /v1/webhooks/stripe: verify on the raw bytes, parse, then store and apply
// on a worker; 200 only after the event is committed.
#include <nlohmann/json.hpp>

#include "pledged/http/worker_dispatch.hpp"
#include "pledged/webhooks/event_handlers.hpp"
#include "pledged/webhooks/stripe_signature.hpp"
#include "webhook_routes.hpp"

namespace pledged {

using Pistache::Http::Method;
using webhooks::EventOutcome;

namespace {

constexpr std::size_t kMaxWebhookBytes = 1024 * 1024;

// Known types by name; anything else under one label, so a stream of odd types
// cannot blow up the metric's cardinality.
std::string type_label(const std::string& type) {
  return webhooks::find_event_handler(type) != nullptr ? type : "other";
}

void count(Metrics& metrics, const std::string& type, const char* outcome) {
  metrics.increment("pledged_webhook_events_total", "Stripe webhook deliveries by event type and outcome.",
                    "type=\"" + type + "\",outcome=\"" + outcome + "\"");
}

Result<HttpResponse> receive_webhook(const WebhookDeps& deps, const std::string& body, const std::string& signature) {
  if (body.size() > kMaxWebhookBytes) {
    count(deps.metrics, "unknown", "too_large");
    return make_error(ErrorCode::payload_too_large, "webhook body over 1 MiB");
  }
  const auto verified = webhooks::verify_stripe_signature(
      {signature, body, deps.webhook_secrets, deps.tolerance, std::chrono::system_clock::now()});
  if (!verified) {
    count(deps.metrics, "unknown", "rejected");
    return verified.error();
  }
  auto event = webhooks::parse_stripe_event(body);
  if (!event) {
    count(deps.metrics, "unknown", "rejected");
    return event.error();
  }
  const auto outcome = deps.processor.receive(*event, body, webhooks::EventSource::webhook);
  if (!outcome) {
    count(deps.metrics, type_label(event->type), "not_stored");
    return outcome.error();  // 5xx: Stripe delivers it again
  }
  count(deps.metrics, type_label(event->type), to_string(*outcome));
  return json_response(200, nlohmann::json{{"received", true}, {"id", event->id}, {"outcome", to_string(*outcome)}});
}

}  // namespace

void add_webhook_routes(RouteTable& routes, WebhookDeps deps) {
  routes.add(Method::Post, "/v1/webhooks/stripe", [deps](const RouteRequest& request, ExchangePtr exchange) {
    // HMAC over up to 1 MiB and the database both happen on a worker, never here.
    answer_on_worker(deps.workers, exchange,
                     [deps, body = request.body(), signature = request.header("Stripe-Signature").value_or("")] {
                       return receive_webhook(deps, body, signature);
                     });
  });
}

}  // namespace pledged
