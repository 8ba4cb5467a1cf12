#pragma once
// Stripe's webhook signature: `Stripe-Signature: t=<unix time>,v1=<hex>[,v1=...][,v0=...]`,
// where v1 is HMAC-SHA256 over "<t>.<raw body>" keyed by the endpoint secret.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "pledged/core/result.hpp"

namespace pledged::webhooks {

struct SignatureCheck {
  std::string_view header;                  // the Stripe-Signature value
  std::string_view raw_body;                // the bytes as received, never re-serialised
  const std::vector<std::string>& secrets;  // every configured whsec_ secret (rotation)
  std::chrono::seconds tolerance;           // accepted distance from now, either direction
  std::chrono::system_clock::time_point now;
};

// Success when any v1 signature matches any secret and the timestamp is within
// the tolerance. Errors are ErrorCode::bad_request with a message safe to return.
Status verify_stripe_signature(const SignatureCheck& check);

// Lowercase hex HMAC-SHA256 of "<timestamp>.<body>": what Stripe sends as v1.
std::string stripe_v1_signature(std::string_view secret, long long timestamp, std::string_view body);

}  // namespace pledged::webhooks
