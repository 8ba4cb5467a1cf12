#pragma once
// Stores and applies several Stripe events in one transaction: each event exactly as
// EventProcessor would alone (webhooks/src/db/event_applier.hpp), in a handful of
// statements for all of them instead of a transaction each. On a 2-core machine the
// database spent most of an event's time starting and finishing statements and
// transactions (docs/benchmarks.md, "Round four of the webhooks").
#include <string_view>
#include <vector>

#include "event_applier.hpp"
#include "pledged/db/sql.hpp"

namespace pledged::webhooks {

struct BatchedEvent {
  const StripeEvent* event;
  std::string_view raw_payload;
  EventSource source;
};

// One result per event, in the order given; any error aborts the whole transaction
// (the caller then takes each event on its own). The result is the same as applying
// the events one at a time, in the order of their ids: copies of one event after the
// first are duplicates; each pledge's first event is written with the others' in one
// statement, computed from the pledge as locked; a pledge's later events follow one
// by one, each seeing the writes before it.
std::vector<ApplyResult> store_and_apply_batch(Tx& tx, const std::vector<BatchedEvent>& events, bool live_key);

}  // namespace pledged::webhooks
