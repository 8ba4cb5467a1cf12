#include "pledged/webhooks/reconcile.hpp"

namespace pledged::webhooks {

Result<ReconcileReport> reconcile_events(EventProcessor& processor, const EventPageFetcher& fetch_page) {
  ReconcileReport report;
  std::string starting_after;
  for (;;) {
    auto page = fetch_page(starting_after);
    if (!page) return page.error();
    for (const auto& raw : page->events) {
      ++report.seen;
      auto event = parse_stripe_event(raw);
      if (!event) {
        ++report.failed;
        continue;
      }
      starting_after = event->id;
      const auto outcome = processor.receive(*event, raw, EventSource::reconcile);
      if (!outcome) {
        ++report.failed;
        continue;
      }
      switch (*outcome) {
        case EventOutcome::duplicate: ++report.already_present; break;
        case EventOutcome::applied:
        case EventOutcome::ignored: ++report.applied; break;
        case EventOutcome::waiting: ++report.waiting; break;
        case EventOutcome::failed: ++report.failed; break;
      }
    }
    if (!page->has_more || page->events.empty()) break;
  }
  // Events stored as waiting by earlier runs or webhooks may be resolvable now.
  (void)processor.retry_waiting(1000, /*ignore_backoff=*/true);
  return report;
}

}  // namespace pledged::webhooks
