#pragma once
// What staff need to see that Stripe's events arrive and are applied (GET
// /v1/reports/webhooks). No HTTP here.
#include "pledged/core/result.hpp"
#include "pledged/db/webhook_health_repository.hpp"

namespace pledged {

class WebhookHealthCheck {
 public:
  explicit WebhookHealthCheck(WebhookHealthRepository& events) : events_(events) {}

  Result<WebhookHealth> now() { return events_.load(); }

 private:
  WebhookHealthRepository& events_;
};

}  // namespace pledged
