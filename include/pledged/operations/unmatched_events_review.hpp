#pragma once
// Stripe events that never found their pledge within 72 hours: staff see them (count
// and list), and an admin may have one applied again once its pledge exists (a pledge
// restored, an id linked by hand). Audited; no HTTP here.
#include <string>

#include "pledged/core/result.hpp"
#include "pledged/db/unmatched_event_repository.hpp"
#include "pledged/webhooks/event_processor.hpp"

namespace pledged {

class UnmatchedEventsReview {
 public:
  UnmatchedEventsReview(UnmatchedEventRepository& events, webhooks::EventProcessor& processor)
      : events_(events), processor_(processor) {}

  Result<UnmatchedEvents> list(int limit) { return events_.list(limit); }

  // Requeues the event (unmatched or failed) and applies it at once through the one
  // code path every event takes. Returns its status afterwards: `applied`, or
  // `unmatched` again when its pledge is still unknown.
  Result<std::string> reapply(const std::string& event_id, const AuditActor& actor) {
    if (auto requeued = events_.requeue(event_id, actor); !requeued) return requeued.error();
    processor_.apply_stored(event_id);
    return events_.status_of(event_id);
  }

 private:
  UnmatchedEventRepository& events_;
  webhooks::EventProcessor& processor_;
};

}  // namespace pledged
