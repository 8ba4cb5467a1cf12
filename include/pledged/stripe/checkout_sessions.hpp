#pragma once
// Stripe Checkout Sessions for pledges: the exact parameters we send, kept apart
// from the transport so a unit test can read them.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "pledged/stripe/stripe_client.hpp"

namespace pledged::stripe {

struct CheckoutRequest {
  std::string pledge_id;
  std::string campaign_slug;
  std::string campaign_title;
  std::int64_t amount = 0;  // minor units
  std::string currency;
  bool monthly = false;
  std::string email;
  std::string public_url;  // PLEDGED_PUBLIC_URL, no trailing slash
};

struct CheckoutSession {
  std::string id;
  std::string url;
};

// One-time: mode=payment with submit_type=donate; monthly: mode=subscription with a
// monthly recurring price. The pledge id travels in client_reference_id and in the
// metadata of the session and of its payment intent or subscription.
nlohmann::json checkout_session_params(const CheckoutRequest& request);

// The Stripe key of one attempt to start the pledge's checkout: the pledge id and a
// new random part per attempt. Stripe keeps a 5xx under its key for 24 h, so a key
// fixed per pledge would answer every "try again" with that 5xx; an attempt's own
// timeouts retry under its key (Stripe then answers with what the first call made),
// and an orphan session from an attempt cut off costs nothing (it expires unpaid).
std::string checkout_idempotency_key(const std::string& pledge_id);

// ErrorCode::unavailable when Stripe cannot be reached or keeps failing. A 5xx is
// retried (within the client's budget) under a new key.
Result<CheckoutSession> create_checkout_session(StripeClient& client, const CheckoutRequest& request);

}  // namespace pledged::stripe
