#pragma once
// GET /v1/events for `pledged reconcile`: one page of Stripe's event list.
#include <string>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/stripe/event_page.hpp"

namespace pledged {

struct EventListRequest {
  std::string api_base;    // STRIPE_API_BASE
  std::string secret_key;  // STRIPE_SECRET_KEY: sent, never logged
  Timestamp created_since;
  std::string starting_after;  // "" for the first page
};

// ErrorCode::unavailable when Stripe cannot be reached or does not answer 200.
Result<EventPage> fetch_event_page(const EventListRequest& request);

}  // namespace pledged
