#include "pledged/stripe/event_page.hpp"

#include <nlohmann/json.hpp>

#include "pledged/stripe/stripe_client.hpp"

namespace pledged::stripe {

Result<EventPage> parse_event_page(const nlohmann::json& list) {
  if (!list.is_object() || !list.contains("data") || !list["data"].is_array()) {
    return make_error(ErrorCode::unavailable, "Stripe's event list is not a list");
  }
  EventPage page;
  for (const auto& event : list["data"]) page.events.push_back(event.dump());
  const auto has_more = list.find("has_more");
  page.has_more = has_more != list.end() && has_more->is_boolean() && has_more->get<bool>();
  return page;
}

Result<EventPage> fetch_event_page(StripeClient& client, Timestamp created_since, const std::string& starting_after) {
  std::vector<FormField> query{{"limit", "100"},
                               {"created[gte]", std::to_string(created_since.time_since_epoch().count())}};
  if (!starting_after.empty()) query.emplace_back("starting_after", starting_after);
  const auto list = client.get("/v1/events", query);
  if (!list.ok()) return to_error(list.error);
  return parse_event_page(*list.object);
}

}  // namespace pledged::stripe
