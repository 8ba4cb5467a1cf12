#pragma once
// The one code path every Stripe event takes, from the webhook route and from
// `pledged reconcile` alike: store it (unique id), apply it, commit, in one
// transaction, which the events that arrive together share (webhooks/src/db/
// event_batch.hpp; an error in one takes each of them alone again). An event whose
// pledge is not known yet is stored as waiting and applied later by retry_waiting(),
// never dropped and never applied twice.
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pledged/core/batch_combiner.hpp"
#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/webhooks/stripe_event.hpp"

namespace pledged::webhooks {

struct ApplyResult;
class ProgressAnnouncer;

enum class EventSource { webhook, reconcile };

enum class EventOutcome {
  applied,    // its effect is in the database
  ignored,    // a type we only store
  waiting,    // stored; its pledge is not known yet
  failed,     // stored; applying it raised an error (retried), or it must never count (not retried)
  duplicate,  // stored before: nothing done
};
const char* to_string(EventOutcome outcome);

class EventProcessor {
 public:
  // `live_key`: the configured Stripe key is a live one (sk_live_/rk_live_); events of
  // the other mode are stored as failed and never count.
  explicit EventProcessor(ConnectionPool& pool, bool live_key = false);
  // Sends the banner's last pending NOTIFY, if any.
  ~EventProcessor();
  EventProcessor(const EventProcessor&) = delete;
  EventProcessor& operator=(const EventProcessor&) = delete;
  static std::vector<PreparedStatement> statements();

  // Returns only after the event is durably recorded; an error means it is not
  // (the webhook answers 5xx so that Stripe delivers it again).
  Result<EventOutcome> receive(const StripeEvent& event, std::string_view raw_payload, EventSource source);

  // Applies stored waiting (and failed) events whose time has come, or all of them
  // with `ignore_backoff`. Returns how many were applied now.
  Result<int> retry_waiting(int limit, bool ignore_backoff);

  // Applies one stored event that is waiting or failed now, at once (an admin's
  // request to apply an unmatched event again, after requeueing it).
  void apply_stored(const std::string& event_id);

 private:
  struct Delivery;  // one receive() call's event, and its batch's result
  // Stores and applies a batch of deliveries in one transaction (event_batch.hpp).
  void store_and_apply_batch(const std::vector<Delivery*>& deliveries);
  Result<ApplyResult> store_and_apply_alone(const StripeEvent& event, std::string_view raw_payload, EventSource source);
  Result<ApplyResult> store_and_apply(const StripeEvent& event, std::string_view raw_payload, EventSource source);
  // Retries the given waiting events; returns the pledges of those applied now.
  std::vector<std::string> retry_events(const std::vector<std::string>& ids);
  void retry_awaiting(const std::string& pledge_id);
  Status store_failed(const StripeEvent& event, std::string_view raw_payload, EventSource source,
                      const std::string& error);

  ConnectionPool& pool_;
  const bool live_key_;
  // Set while this process knows of waiting events, so that an applied event
  // retries them at once (the event it waited for may be this one).
  std::atomic<bool> waiting_known_{true};
  // Events that arrive together are stored and applied together.
  std::unique_ptr<BatchCombiner<Delivery>> batches_;
  // Coalesces the banner's NOTIFY after committed money; last, so it goes first.
  std::unique_ptr<ProgressAnnouncer> announcer_;
};

}  // namespace pledged::webhooks
