#include "pledged/webhooks/stripe_event.hpp"

namespace pledged::webhooks {

bool live_stripe_key(std::string_view secret_key) {
  return secret_key.rfind("sk_live_", 0) == 0 || secret_key.rfind("rk_live_", 0) == 0;
}

Result<StripeEvent> parse_stripe_event(std::string_view raw_body) {
  const auto not_an_event = make_error(ErrorCode::bad_request, "body is not a Stripe event");
  auto json = nlohmann::json::parse(raw_body.begin(), raw_body.end(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return not_an_event;
  const auto id = json.find("id");
  const auto type = json.find("type");
  const auto created = json.find("created");
  const auto data = json.find("data");
  if (id == json.end() || !id->is_string() || id->get_ref<const std::string&>().rfind("evt_", 0) != 0 ||
      type == json.end() || !type->is_string() || type->get_ref<const std::string&>().empty() ||
      created == json.end() || !created->is_number_integer() || data == json.end() || !data->is_object()) {
    return not_an_event;
  }
  const auto object = data->find("object");
  if (object == data->end() || !object->is_object()) return not_an_event;

  StripeEvent event;
  event.id = id->get<std::string>();
  event.type = type->get<std::string>();
  if (const auto version = json.find("api_version"); version != json.end() && version->is_string()) {
    event.api_version = version->get<std::string>();
  }
  if (const auto live = json.find("livemode"); live != json.end() && live->is_boolean()) {
    event.livemode = live->get<bool>();
  }
  event.created = Timestamp(std::chrono::seconds(created->get<std::int64_t>()));
  event.object = std::move(*object);
  return event;
}

}  // namespace pledged::webhooks
