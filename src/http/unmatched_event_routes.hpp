#pragma once
// Stripe events that never found their pledge: the list (viewer) and applying one
// again (admin, audited).
#include "pledged/http/route_table.hpp"
#include "pledged/http/staff_gate.hpp"
#include "pledged/operations/unmatched_events_review.hpp"

namespace pledged {

void add_unmatched_event_routes(RouteTable& routes, StaffGate& gate, UnmatchedEventsReview& review);

}  // namespace pledged
