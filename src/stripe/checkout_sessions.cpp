#include "pledged/stripe/checkout_sessions.hpp"

#include "pledged/core/crypto.hpp"

namespace pledged::stripe {

nlohmann::json checkout_session_params(const CheckoutRequest& request) {
  const nlohmann::json metadata = {{"pledge_id", request.pledge_id}, {"campaign", request.campaign_slug}};
  nlohmann::json price_data = {{"currency", request.currency},
                               {"unit_amount", request.amount},
                               {"product_data", {{"name", request.campaign_title}}}};
  nlohmann::json params = {
      {"client_reference_id", request.pledge_id},
      {"customer_email", request.email},
      {"metadata", metadata},
      // The thank-you page and the donation form (which shows "nothing was charged").
      {"success_url", request.public_url + "/donate/" + request.campaign_slug + "/thanks?pledge=" + request.pledge_id +
                          "&session_id={CHECKOUT_SESSION_ID}"},
      {"cancel_url", request.public_url + "/donate/" + request.campaign_slug + "?pledge=" + request.pledge_id +
                         "&cancelled=1"},
  };
  if (request.monthly) {
    price_data["recurring"] = {{"interval", "month"}};
    params["mode"] = "subscription";
    params["subscription_data"] = {{"metadata", metadata}};
  } else {
    params["mode"] = "payment";
    params["submit_type"] = "donate";
    params["payment_intent_data"] = {{"metadata", metadata}};
  }
  params["line_items"] = nlohmann::json::array({{{"quantity", 1}, {"price_data", price_data}}});
  return params;
}

std::string checkout_idempotency_key(const std::string& pledge_id) {
  return "pledged-checkout-" + pledge_id + "-" + random_base62(12);
}

Result<CheckoutSession> create_checkout_session(StripeClient& client, const CheckoutRequest& request) {
  auto created = client.post("/v1/checkout/sessions", checkout_session_params(request),
                             checkout_idempotency_key(request.pledge_id), AfterServerError::retry_with_new_key);
  if (!created.ok()) return to_error(created.error);
  const auto& session = *created.object;
  if (!session.contains("id") || !session["id"].is_string() || !session.contains("url") || !session["url"].is_string()) {
    return make_error(ErrorCode::internal, "Stripe returned a checkout session without id or url");
  }
  return CheckoutSession{session["id"].get<std::string>(), session["url"].get<std::string>()};
}

}  // namespace pledged::stripe
