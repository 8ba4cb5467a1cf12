#include "pledged/domain/staff_token.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "pledged/core/crypto.hpp"

namespace pledged {
namespace {

constexpr std::string_view kTokenPrefix = "pst_";
constexpr std::size_t kTokenRandomLength = 40;
constexpr std::size_t kMaxNameLength = 100;
// Ten years: longer is a typo, or a token meant never to expire (then give no --expires).
constexpr std::chrono::seconds kMaxLifetime = std::chrono::hours(24 * 3650);

bool is_base62(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

}  // namespace

const char* to_string(StaffRole role) { return role == StaffRole::admin ? "admin" : "viewer"; }

std::optional<StaffRole> parse_staff_role(std::string_view text) {
  if (text == "viewer") return StaffRole::viewer;
  if (text == "admin") return StaffRole::admin;
  return std::nullopt;
}

std::string new_staff_token() { return std::string(kTokenPrefix) + random_base62(kTokenRandomLength); }

std::string staff_token_hash(std::string_view token) { return sha256_hex(token); }

std::optional<std::string> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
  }
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.size() != kTokenPrefix.size() + kTokenRandomLength || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return std::nullopt;
  }
  if (!std::all_of(token.begin() + static_cast<std::ptrdiff_t>(kTokenPrefix.size()), token.end(), is_base62)) {
    return std::nullopt;
  }
  return std::string(token);
}

bool is_valid_token_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || name.front() == ' ' || name.back() == ' ') return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::optional<std::chrono::seconds> parse_token_lifetime(std::string_view text) {
  if (text.size() < 2 || text.size() > 8) return std::nullopt;  // 8 characters cannot overflow below
  std::chrono::seconds unit{0};
  switch (text.back()) {
    case 'h': unit = std::chrono::hours(1); break;
    case 'd': unit = std::chrono::hours(24); break;
    case 'w': unit = std::chrono::hours(24 * 7); break;
    default: return std::nullopt;
  }
  const auto digits = text.substr(0, text.size() - 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  std::int64_t count = 0;
  for (const char c : digits) count = count * 10 + (c - '0');
  const auto lifetime = unit * count;
  if (count == 0 || lifetime > kMaxLifetime) return std::nullopt;
  return lifetime;
}

}  // namespace pledged
