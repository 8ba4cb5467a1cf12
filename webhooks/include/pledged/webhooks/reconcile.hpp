#pragma once
// `pledged reconcile`: walks Stripe's event list and feeds every event that never
// arrived through exactly the webhook's code path (EventProcessor::receive). How
// pages are fetched is the caller's (stripe::fetch_event_page in the CLI, fixtures in tests).
#include <functional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/stripe/event_page.hpp"
#include "pledged/stripe/retry_policy.hpp"
#include "pledged/webhooks/event_processor.hpp"

namespace pledged::webhooks {

using pledged::EventPage;

// Fetches the page after the event id `starting_after` ("" for the first page).
using EventPageFetcher = std::function<Result<EventPage>(const std::string& starting_after)>;

struct ReconcileReport {
  int seen = 0;
  int already_present = 0;
  int applied = 0;  // newly stored and applied (or stored, for types we only keep)
  int waiting = 0;  // newly stored, pledge not known yet
  int failed = 0;   // not stored (unreadable, or the database refused), or stored as failed
};

// A page that Stripe refuses for now (429, 5xx, unreachable: ErrorCode::unavailable,
// after the client's own retries) is asked again after a backoff, a bounded number
// of times: a busy minute at Stripe should not end a 30-day run.
struct ReconcileOptions {
  int page_attempts = 6;  // per page, the first one included
  stripe::BackoffPolicy backoff{std::chrono::milliseconds(500), std::chrono::milliseconds(8000)};
};

// Stops at the first page that cannot be fetched in `options.page_attempts`, or that
// the cursor cannot get past (no event of it has an id), with an error; whatever was
// applied before that stays applied, and running again is always safe. An event that
// cannot be read is counted as failed and paged past by its id.
Result<ReconcileReport> reconcile_events(EventProcessor& processor, const EventPageFetcher& fetch_page,
                                         const ReconcileOptions& options = {});

}  // namespace pledged::webhooks
