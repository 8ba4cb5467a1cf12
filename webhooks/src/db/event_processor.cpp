#include "pledged/webhooks/event_processor.hpp"

#include <algorithm>

#include "event_applier.hpp"
#include "event_batch.hpp"
#include "pledged/db/sql.hpp"
#include "progress_announcer.hpp"
#include "stripe_effect_repository.hpp"
#include "stripe_ledger_repository.hpp"
#include "stripe_pledge_repository.hpp"
#include "stripe_refund_repository.hpp"
#include "webhook_event_repository.hpp"

namespace pledged::webhooks {
namespace {

// A deadlock or a lost connection is worth a prompt second try before Stripe's
// own (much later) redelivery: the work is idempotent by the event's id.
constexpr int kAttempts = 3;

// At most one banner NOTIFY per interval from this process (ProgressAnnouncer): well
// inside the banner's 2 s, and one NOTIFY for a whole burst of events.
constexpr std::chrono::milliseconds kAnnounceInterval{200};

// Batches: at most this many at once, each on its own connection, and at most this
// many events in one (one statement's arrays; a few hundred kilobytes of bodies).
constexpr int kBatchesAtOnce = 2;
constexpr std::size_t kEventsPerBatch = 64;

std::vector<std::string> select_ids(ConnectionPool& pool, const std::function<std::vector<std::string>(Tx&)>& query) {
  auto ids = pool.transact(query, Retry::if_broken);
  return ids ? *ids : std::vector<std::string>{};
}

}  // namespace

struct EventProcessor::Delivery {
  const StripeEvent* event;
  std::string_view raw_payload;
  EventSource source;
  Result<ApplyResult> result = make_error(ErrorCode::unavailable, "not attempted");
};

EventProcessor::EventProcessor(ConnectionPool& pool, bool live_key)
    : pool_(pool),
      live_key_(live_key),
      batches_(std::make_unique<BatchCombiner<Delivery>>(
          kBatchesAtOnce, kEventsPerBatch,
          [this](const std::vector<Delivery*>& deliveries) { store_and_apply_batch(deliveries); })),
      announcer_(std::make_unique<ProgressAnnouncer>(pool, kAnnounceInterval)) {}

EventProcessor::~EventProcessor() = default;

const char* to_string(EventOutcome outcome) {
  switch (outcome) {
    case EventOutcome::applied: return "applied";
    case EventOutcome::ignored: return "ignored";
    case EventOutcome::waiting: return "waiting";
    case EventOutcome::failed: return "failed";
    case EventOutcome::duplicate: return "duplicate";
  }
  return "failed";
}

std::vector<PreparedStatement> EventProcessor::statements() {
  std::vector<PreparedStatement> all;
  for (auto list : {WebhookEventRepository::statements(), StripePledgeRepository::statements(),
                    StripeLedgerRepository::statements(), StripeRefundRepository::statements(),
                    StripeEffectRepository::statements()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  return all;
}

void EventProcessor::store_and_apply_batch(const std::vector<Delivery*>& deliveries) {
  std::vector<BatchedEvent> events;
  for (const auto* delivery : deliveries) events.push_back({delivery->event, delivery->raw_payload, delivery->source});
  const auto results = pool_.transact(
      [&](Tx& tx) {
        auto applied = webhooks::store_and_apply_batch(tx, events, live_key_);
        if (std::any_of(applied.begin(), applied.end(), [](const auto& r) { return r.moved_money; })) {
          tx.after_commit([this](pqxx::connection&) { announcer_->changed(); });
        }
        return applied;
      },
      Retry::if_broken);
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    deliveries[i]->result = results ? Result<ApplyResult>((*results)[i]) : Result<ApplyResult>(results.error());
  }
}

Result<ApplyResult> EventProcessor::store_and_apply_alone(const StripeEvent& event, std::string_view raw_payload,
                                                          EventSource source) {
  Result<ApplyResult> result = make_error(ErrorCode::unavailable, "not attempted");
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    result = store_and_apply(event, raw_payload, source);
    // A conflict or a lost connection may pass at once; a wait that timed out would
    // only multiply the time Stripe waits for its answer (it redelivers after a 5xx).
    if (result || result.error().code != ErrorCode::unavailable || result.error().waited_out) break;
  }
  return result;
}

Result<ApplyResult> EventProcessor::store_and_apply(const StripeEvent& event, std::string_view raw_payload,
                                                    EventSource source) {
  return pool_.transact(
      [&](Tx& tx) {
        ApplyResult result;
        if (auto outcome = outcome_without_pledge(event, live_key_)) {
          if (!WebhookEventRepository::insert(tx, event, raw_payload, source, EventOutcome::applied, "")) {
            return ApplyResult{EventOutcome::duplicate, "", "", "", false, false};
          }
          result = *outcome;
        } else {
          // The event's row and its pledge in one round trip (the usual case: applied).
          const auto refs = pledge_references(event.object);
          const auto pledge = WebhookEventRepository::insert_and_find_pledge(tx, event, raw_payload, source, refs);
          if (!pledge) return ApplyResult{EventOutcome::duplicate, "", "", "", false, false};
          result = apply_to_pledge(tx, event, refs, *pledge);
        }
        if (result.outcome != EventOutcome::applied) {
          WebhookEventRepository::mark(tx, event.id, result.outcome, result.error, result.awaits, false, result.final);
        }
        if (result.moved_money) tx.after_commit([this](pqxx::connection&) { announcer_->changed(); });
        return result;
      },
      Retry::if_broken);
}

Status EventProcessor::store_failed(const StripeEvent& event, std::string_view raw_payload, EventSource source,
                                    const std::string& error) {
  return pool_.transact(
      [&](Tx& tx) { WebhookEventRepository::insert(tx, event, raw_payload, source, EventOutcome::failed, error); },
      Retry::if_broken);
}

Result<EventOutcome> EventProcessor::receive(const StripeEvent& event, std::string_view raw_payload,
                                             EventSource source) {
  Delivery delivery{&event, raw_payload, source};
  // A batch waits for its connection at most the pool's timeout; so does an event
  // that waits for a batch to take it (both batches stuck behind a lock, say).
  if (!batches_->submit(delivery, std::chrono::steady_clock::now() + pool_.wait_timeout())) {
    auto error = make_error(ErrorCode::unavailable, "no batch took the event within the pool timeout");
    error.waited_out = true;
    return error;
  }
  Result<ApplyResult> result = std::move(delivery.result);
  // The batch did not commit (one event's error aborts them all, as may a deadlock or
  // a lost connection): each of its events again on its own, unless the database could
  // not be reached in time, which a second try would only make Stripe wait for twice.
  if (!result && !(result.error().code == ErrorCode::unavailable && result.error().waited_out)) {
    result = store_and_apply_alone(event, raw_payload, source);
  }
  if (!result) {
    if (result.error().code != ErrorCode::internal) return result.error();
    // Applying raised an error a prompt retry will not cure (a constraint, a bug):
    // keep the event, flagged failed, so it is neither lost nor redelivered by
    // Stripe forever; the periodic pass tries it again.
    if (auto stored = store_failed(event, raw_payload, source, result.error().message); !stored) {
      return stored.error();
    }
    return EventOutcome::failed;
  }
  if (result->outcome == EventOutcome::waiting) {
    waiting_known_.store(true);
    // What it waits for may have committed while this event was in flight: the
    // other transaction's retry could not see this one yet, so look once more.
    for (const auto& pledge_id : retry_events({event.id})) retry_awaiting(pledge_id);
  } else if (result->outcome == EventOutcome::applied && waiting_known_.load()) {
    retry_awaiting(result->pledge_id);
  }
  return result->outcome;
}

void EventProcessor::retry_awaiting(const std::string& pledge_id) {
  // A retried event can teach the pledge new ids (an invoice's payment intent, say),
  // which other waiting events may be waiting for: repeat until nothing moves.
  for (int round = 0; round < 8; ++round) {
    const auto ids =
        select_ids(pool_, [&](Tx& tx) { return WebhookEventRepository::ids_awaiting_pledge(tx, pledge_id); });
    if (ids.empty() || retry_events(ids).empty()) return;
  }
}

std::vector<std::string> EventProcessor::retry_events(const std::vector<std::string>& ids) {
  std::vector<std::string> applied_to;
  for (const auto& id : ids) {
    auto result = pool_.transact(
        [&](Tx& tx) {
          const auto payload = WebhookEventRepository::lock_waiting(tx, id);
          if (!payload)
            return ApplyResult{EventOutcome::duplicate, "", "", "", false, false};  // someone applied it meanwhile
          auto event = parse_stripe_event(*payload);
          if (!event) {
            WebhookEventRepository::mark(tx, id, EventOutcome::failed, "stored payload is not an event", "", true);
            return ApplyResult{EventOutcome::failed, "", "", "", false, false};
          }
          auto applied_now = apply_event(tx, *event, live_key_);
          WebhookEventRepository::mark(tx, id, applied_now.outcome, applied_now.error, applied_now.awaits, true,
                                       applied_now.final);
          if (applied_now.moved_money) tx.after_commit([this](pqxx::connection&) { announcer_->changed(); });
          return applied_now;
        },
        Retry::if_broken);
    if (result && result->outcome == EventOutcome::applied) applied_to.push_back(result->pledge_id);
  }
  return applied_to;
}

void EventProcessor::apply_stored(const std::string& event_id) {
  for (const auto& pledge_id : retry_events({event_id})) retry_awaiting(pledge_id);
}

Result<int> EventProcessor::retry_waiting(int limit, bool ignore_backoff) {
  auto ids = pool_.transact([&](Tx& tx) { return WebhookEventRepository::retryable_ids(tx, limit, ignore_backoff); },
                            Retry::if_broken);
  if (!ids) return ids.error();
  if (ids->empty()) {
    // Nothing due; with the backoff respected there may still be some not due yet.
    if (ignore_backoff ||
        select_ids(pool_, [](Tx& tx) { return WebhookEventRepository::retryable_ids(tx, 1, true); }).empty()) {
      waiting_known_.store(false);
    }
    return 0;
  }
  waiting_known_.store(true);
  return static_cast<int>(retry_events(*ids).size());
}

}  // namespace pledged::webhooks
