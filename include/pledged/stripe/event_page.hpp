#pragma once
// One page of Stripe's event list (GET /v1/events), as `pledged reconcile` walks it.
// It lives in stripe/ because the Stripe client fills it; webhooks/ consumes it.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"

namespace pledged {

struct EventPage {
  std::vector<std::string> events;  // each event's JSON, as Stripe listed it
  bool has_more = false;
};

namespace stripe {

class StripeClient;

// One /v1/events answer ({"object": "list", "data": [...], "has_more": ...}) as an
// EventPage; ErrorCode::unavailable when it is not a list.
Result<EventPage> parse_event_page(const nlohmann::json& list);

// The page of events created at or after `created_since` that follows the event id
// `starting_after` ("" for the first page), newest first, 100 at most. Through the
// one Stripe client: pinned Stripe-Version, PLEDGED_STRIPE_TIMEOUT_MS, retries on
// 429/5xx and the Stripe metrics, as checkout and refunds. ErrorCode::unavailable
// when Stripe cannot be reached or fails; internal when it refuses the request.
Result<EventPage> fetch_event_page(StripeClient& client, Timestamp created_since, const std::string& starting_after);

}  // namespace stripe
}  // namespace pledged
