#pragma once
// Billing Portal sessions through Stripe's API (POST /v1/billing_portal/sessions) for the
// donor's "Manage" button.
#include "pledged/domain/billing_portal.hpp"
#include "pledged/stripe/stripe_client.hpp"

namespace pledged::stripe {

class StripeBillingPortal final : public BillingPortalGateway {
 public:
  explicit StripeBillingPortal(StripeClient& client) : client_(client) {}
  Result<std::string> portal_session_url(const std::string& customer_id, const std::string& return_url) override;

 private:
  StripeClient& client_;
};

}  // namespace pledged::stripe
