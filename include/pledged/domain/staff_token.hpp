#pragma once
// Staff bearer tokens. A token is shown once when it is created; only its SHA-256
// is stored, so a copy of the database gives no one a working token.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pledged {

enum class StaffRole { viewer, admin };
const char* to_string(StaffRole role);
std::optional<StaffRole> parse_staff_role(std::string_view text);

// An admin may do everything a viewer may.
inline bool role_allows(StaffRole held, StaffRole required) {
  return held == StaffRole::admin || required == StaffRole::viewer;
}

struct StaffIdentity {
  std::string name;
  StaffRole role = StaffRole::viewer;
};

// "pst_" + 40 base62 characters (~238 bits) from the CSPRNG.
std::string new_staff_token();
std::string staff_token_hash(std::string_view token);

// The token of an "Authorization: Bearer <token>" header value; nullopt when the
// header is not a bearer credential or the token cannot be one of ours.
std::optional<std::string> bearer_token(std::string_view authorization);

// Token names are for people and logs: 1-100 printable ASCII characters, no spaces at the ends.
bool is_valid_token_name(std::string_view name);

// How long a token lives, from `token create --expires`: a whole number of hours,
// days or weeks ("12h", "90d", "2w"), from 1 hour to 3650 days. nullopt for anything
// else (no unit, zero, a sign, a fraction, longer than ten years).
std::optional<std::chrono::seconds> parse_token_lifetime(std::string_view text);

}  // namespace pledged
