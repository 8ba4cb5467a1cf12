#pragma once
// One page of Stripe's event list (GET /v1/events), as `pledged reconcile` walks it.
// It lives in stripe/ because the Stripe client fills it; webhooks/ consumes it.
#include <string>
#include <vector>

namespace pledged {

struct EventPage {
  std::vector<std::string> events;  // each event's JSON, as Stripe listed it
  bool has_more = false;
};

}  // namespace pledged
