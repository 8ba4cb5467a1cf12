#pragma once
// The one thing donor self-service needs from Stripe: a Billing Portal session for the
// donor's customer, where Stripe (never pledged) changes the card, the amount, or
// cancels. The libcurl Stripe client implements it.
#include <string>

#include "pledged/core/result.hpp"

namespace pledged {

class BillingPortalGateway {
 public:
  virtual ~BillingPortalGateway() = default;
  // The session's URL (short-lived, Stripe's); `return_url` is where its "back" link goes.
  // unavailable when Stripe cannot be reached.
  virtual Result<std::string> portal_session_url(const std::string& customer_id, const std::string& return_url) = 0;
};

}  // namespace pledged
