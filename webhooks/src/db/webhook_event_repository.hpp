#pragma once
// The webhook_events table: each Stripe event once, with what became of it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pledged/db/sql.hpp"
#include "pledged/webhooks/event_processor.hpp"
#include "stripe_pledge_repository.hpp"

namespace pledged::webhooks {

// An event to store in a batch (insert_all_and_find_pledges).
struct NewEvent {
  const StripeEvent* event;
  std::string_view raw_payload;
  EventSource source;
  const PledgeReferences* refs;  // null: it needs no pledge
};

class WebhookEventRepository {
 public:
  static std::vector<PreparedStatement> statements();

  // Inserts the event as applied (the common case, so usually nothing more is
  // written); false when the id is already stored. A concurrent duplicate waits
  // here for the first delivery's transaction to finish.
  static bool insert(Tx& tx, const StripeEvent& event, std::string_view raw_payload, EventSource source,
                     EventOutcome outcome, const std::string& error);
  // The same insert, as applied, and in the same round trip the pledge the references
  // lead to, locked FOR UPDATE (StripePledgeRepository::find_for_update): nullopt when
  // the id is already stored; an empty pledge when no pledge is known by the references.
  static std::optional<std::optional<StripePledge>> insert_and_find_pledge(Tx& tx, const StripeEvent& event,
                                                                           std::string_view raw_payload,
                                                                           EventSource source,
                                                                           const PledgeReferences& refs);
  // The same insert for many events (distinct ids, sorted by id: two batches wait for
  // each other's duplicates in one order), as applied, and in the same round trip the
  // id of the pledge each one's references lead to (migration 0015's
  // pledged_find_stripe_pledge, not locked: StripePledgeRepository::lock_all locks them
  // all at once). Per event: nullopt when its id is already stored, else the pledge's
  // id ("" when none is known, or none is needed).
  static std::vector<std::optional<std::string>> insert_all_and_find_pledges(Tx& tx,
                                                                             const std::vector<NewEvent>& events);
  // Records what applying it did, when it is not `applied`.
  // `awaits` (a text[] literal): the ids a waiting event could be found through.
  // `final`: a failure no retry can cure, never retried on its own.
  static void mark(Tx& tx, const std::string& event_id, EventOutcome outcome, const std::string& error,
                   const std::string& awaits, bool count_attempt, bool final = false);

  static std::vector<std::string> retryable_ids(Tx& tx, int limit, bool ignore_backoff);
  // Waiting events that await any id this pledge is now known by.
  static std::vector<std::string> ids_awaiting_pledge(Tx& tx, const std::string& pledge_id);
  // Locks a still-waiting event and returns its payload; nullopt once someone applied it.
  static std::optional<std::string> lock_waiting(Tx& tx, const std::string& event_id);
};

}  // namespace pledged::webhooks
