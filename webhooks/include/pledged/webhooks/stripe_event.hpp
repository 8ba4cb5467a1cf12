#pragma once
// A Stripe event as received: parsed from the raw body only after its signature
// has been verified on those same bytes.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"

namespace pledged::webhooks {

struct StripeEvent {
  std::string id;           // evt_...
  std::string type;         // e.g. checkout.session.completed
  std::string api_version;  // may be empty
  bool livemode = false;
  Timestamp created;
  nlohmann::json object;    // data.object
};

// Whether events for this secret key are live ones (sk_live_, rk_live_). Without a key
// the service is in test mode: no live event can be its pledges' money.
bool live_stripe_key(std::string_view secret_key);

// ErrorCode::bad_request when the body is not JSON or not shaped like an event.
Result<StripeEvent> parse_stripe_event(std::string_view raw_body);

}  // namespace pledged::webhooks
