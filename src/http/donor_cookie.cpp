#include "donor_cookie.hpp"

namespace pledged {

std::string donor_cookie_value(const RouteRequest& request) {
  const auto& cookies = request.http().cookies();
  if (!cookies.has(kDonorCookie)) return {};
  return cookies.get(kDonorCookie).value;
}

std::string donor_cookie_header(const std::string& session_id, std::chrono::seconds lifetime, bool secure) {
  const auto seconds = lifetime.count();
  return std::string(kDonorCookie) + "=" + session_id +
         "; Path=/; Max-Age=" + std::to_string(seconds > 0 ? seconds : 0) + "; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

std::string cleared_donor_cookie_header(bool secure) {
  return std::string(kDonorCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

}  // namespace pledged
