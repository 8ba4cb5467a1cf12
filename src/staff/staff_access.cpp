#include "pledged/staff/staff_access.hpp"

namespace pledged {

Result<std::optional<StaffIdentity>> StaffAccess::sign_in(std::string_view token) {
  return tokens_.authenticate(staff_token_hash(token));
}

Result<std::string> StaffAccess::issue_token(const std::string& name, StaffRole role, const AuditActor& actor,
                                             std::optional<std::chrono::seconds> lifetime) {
  if (!is_valid_token_name(name)) {
    Error error{ErrorCode::validation_failed, "the token name is invalid", {}};
    error.fields["name"] = "must be 1-100 printable ASCII characters";
    return error;
  }
  auto token = new_staff_token();
  if (auto created = tokens_.create(name, role, staff_token_hash(token), actor, lifetime); !created)
    return created.error();
  return token;
}

Result<std::vector<StaffTokenInfo>> StaffAccess::list_tokens() { return tokens_.list(); }

Status StaffAccess::revoke_token(const std::string& name, const AuditActor& actor) {
  return tokens_.revoke(name, actor);
}

}  // namespace pledged
