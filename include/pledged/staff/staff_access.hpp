#pragma once
// Staff tokens: signing in with one (the staff routes' gate) and issuing, listing and
// revoking them (the command line). A token is shown once when issued; only its
// SHA-256 is stored or compared. No HTTP here.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/staff_token_repository.hpp"
#include "pledged/domain/audit.hpp"
#include "pledged/domain/staff_token.hpp"

namespace pledged {

class StaffAccess {
 public:
  explicit StaffAccess(StaffTokenRepository& tokens) : tokens_(tokens) {}

  // Who holds this token, or nullopt for an unknown, revoked or expired one (all alike).
  Result<std::optional<StaffIdentity>> sign_in(std::string_view token);

  // A new random token (returned once, never stored); conflict when the name is taken,
  // validation_failed for a name that is not 1-100 printable ASCII characters. It expires
  // `lifetime` after it is stored (parse_token_lifetime), or never without one.
  Result<std::string> issue_token(const std::string& name, StaffRole role, const AuditActor& actor,
                                  std::optional<std::chrono::seconds> lifetime = std::nullopt);
  Result<std::vector<StaffTokenInfo>> list_tokens();
  // not_found when there is no live token of that name.
  Status revoke_token(const std::string& name, const AuditActor& actor);

 private:
  StaffTokenRepository& tokens_;
};

}  // namespace pledged
