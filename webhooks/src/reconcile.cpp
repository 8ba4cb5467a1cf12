#include "pledged/webhooks/reconcile.hpp"

#include <nlohmann/json.hpp>
#include <random>
#include <thread>

namespace pledged::webhooks {
namespace {

// The id of an event that does not parse as one, when it has one: enough to page past it.
std::string readable_id(const std::string& raw) {
  const auto object = nlohmann::json::parse(raw, nullptr, false);
  if (!object.is_object()) return "";
  const auto id = object.find("id");
  return id != object.end() && id->is_string() ? id->get<std::string>() : "";
}

Result<EventPage> fetch_with_backoff(const EventPageFetcher& fetch_page, const std::string& starting_after,
                                     const ReconcileOptions& options) {
  std::mt19937 random{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    auto page = fetch_page(starting_after);
    if (page || page.error().code != ErrorCode::unavailable || attempt >= options.page_attempts) return page;
    const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(random);
    std::this_thread::sleep_for(stripe::backoff_delay(options.backoff, attempt, jitter));
  }
}

}  // namespace

Result<ReconcileReport> reconcile_events(EventProcessor& processor, const EventPageFetcher& fetch_page,
                                         const ReconcileOptions& options) {
  ReconcileReport report;
  std::string starting_after;
  for (;;) {
    auto page = fetch_with_backoff(fetch_page, starting_after, options);
    if (!page) return page.error();
    const std::string page_start = starting_after;
    for (const auto& raw : page->events) {
      ++report.seen;
      auto event = parse_stripe_event(raw);
      if (!event) {
        ++report.failed;
        // Stored nowhere: counted, and the run says so by its exit status.
        if (auto id = readable_id(raw); !id.empty()) starting_after = std::move(id);
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
    if (starting_after == page_start) {
      // Asking again would give the same page: stop instead of fetching it forever.
      return make_error(ErrorCode::internal, "reconcile: no event on a page of Stripe's list has an id to page past");
    }
  }
  // Events stored as waiting by earlier runs or webhooks may be resolvable now.
  (void)processor.retry_waiting(1000, /*ignore_backoff=*/true);
  return report;
}

}  // namespace pledged::webhooks
