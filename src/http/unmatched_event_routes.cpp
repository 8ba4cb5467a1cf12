#include "unmatched_event_routes.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace pledged {

using nlohmann::json;
using Pistache::Http::Method;

namespace {

constexpr int kDefaultPage = 100;
constexpr int kMaxPage = 1000;

Result<HttpResponse> list_unmatched(UnmatchedEventsReview& review, const StaffCall& call) {
  int limit = kDefaultPage;
  try {
    if (auto text = call.query_value("limit")) limit = std::clamp(std::stoi(*text), 1, kMaxPage);
  } catch (const std::exception&) {
    Error error{ErrorCode::validation_failed, "the query has invalid fields", {}};
    error.fields["limit"] = "must be an integer";
    return error;
  }
  auto found = review.list(limit);
  if (!found) return found.error();
  json events = json::array();
  for (const auto& event : found->events) {
    events.push_back({{"id", event.id},
                      {"type", event.type},
                      {"livemode", event.livemode},
                      {"created", format_rfc3339(event.stripe_created)},
                      {"received_at", format_rfc3339(event.received_at)},
                      {"attempts", event.attempts},
                      {"awaits", event.awaits}});
  }
  return json_response(200, json{{"count", found->count}, {"events", std::move(events)}})
      .with_header("Cache-Control", "no-store");
}

Result<HttpResponse> reapply(UnmatchedEventsReview& review, const StaffCall& call) {
  const auto id = call.param("id");
  auto status = review.reapply(id, call.actor());
  if (!status) return status.error();
  return json_response(200, json{{"id", id}, {"status", *status}}).with_header("Cache-Control", "no-store");
}

}  // namespace

void add_unmatched_event_routes(RouteTable& routes, StaffGate& gate, UnmatchedEventsReview& review) {
  routes.add(Method::Get, "/v1/reports/webhooks/unmatched",
             gate.guard(StaffRole::viewer, [&review](const StaffCall& call) { return list_unmatched(review, call); }));
  routes.add(Method::Post, "/v1/admin/webhooks/events/:id/reapply",
             gate.guard(StaffRole::admin, [&review](const StaffCall& call) { return reapply(review, call); }));
}

}  // namespace pledged
