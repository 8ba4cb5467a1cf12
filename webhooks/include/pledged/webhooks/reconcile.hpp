#pragma once
// `pledged reconcile`: walks Stripe's event list and feeds every event that never
// arrived through exactly the webhook's code path (EventProcessor::receive). How
// pages are fetched is the caller's (stripe::fetch_event_page in the CLI, fixtures in tests).
#include <functional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/stripe/event_page.hpp"
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

// Stops at the first page that cannot be fetched (an error); whatever was applied
// before that stays applied, and running again is always safe.
Result<ReconcileReport> reconcile_events(EventProcessor& processor, const EventPageFetcher& fetch_page);

}  // namespace pledged::webhooks
