#pragma once
// Private to src/db: appends one audit_log row inside the caller's transaction, so
// an admin action and its record commit or roll back together.
#include "pledged/db/sql.hpp"
#include "pledged/domain/audit.hpp"

namespace pledged {

std::vector<PreparedStatement> audit_statements();

// `before_json` / `after_json` are JSON texts ("" for none).
void append_audit(Tx& tx, const AuditActor& actor, const std::string& action, const std::string& target,
                  const std::string& before_json, const std::string& after_json);

}  // namespace pledged
