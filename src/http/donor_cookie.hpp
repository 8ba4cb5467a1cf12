#pragma once
// The donor's session cookie (API.md, "Donors"): HttpOnly, SameSite=Strict, Secure when
// the public URL is https, 30 minutes; its value is the session's secret id, which the
// database keeps only hashed.
#include <chrono>
#include <string>

#include "pledged/http/route_table.hpp"

namespace pledged {

inline constexpr const char* kDonorCookie = "pledged_donor";

// The cookie's value in the request, "" when it has none.
std::string donor_cookie_value(const RouteRequest& request);
// Set-Cookie for a new session, and the one that removes it (sign out, expired).
std::string donor_cookie_header(const std::string& session_id, std::chrono::seconds lifetime, bool secure);
std::string cleared_donor_cookie_header(bool secure);

}  // namespace pledged
