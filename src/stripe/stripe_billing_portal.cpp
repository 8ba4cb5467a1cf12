#include "pledged/stripe/stripe_billing_portal.hpp"

#include "pledged/core/crypto.hpp"

namespace pledged::stripe {

Result<std::string> StripeBillingPortal::portal_session_url(const std::string& customer_id,
                                                            const std::string& return_url) {
  // A portal session moves no money and costs nothing unused: each press of "Manage" is
  // a new one, and a 5xx may be retried under a new key.
  const auto session =
      client_.post("/v1/billing_portal/sessions", nlohmann::json{{"customer", customer_id}, {"return_url", return_url}},
                   "pledged-portal-" + random_base62(20), AfterServerError::retry_with_new_key);
  if (!session.ok()) return to_error(session.error);
  const auto& object = *session.object;
  if (!object.contains("url") || !object["url"].is_string()) {
    return make_error(ErrorCode::internal, "Stripe returned a billing portal session without url");
  }
  return object["url"].get<std::string>();
}

}  // namespace pledged::stripe
