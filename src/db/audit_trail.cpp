#include "audit_trail.hpp"

namespace pledged {
namespace {

constexpr const char* kAppendAudit = "audit_append";

}  // namespace

std::vector<PreparedStatement> audit_statements() {
  return {{kAppendAudit,
           "INSERT INTO audit_log (actor, action, target, client_ip, before, after) "
           "VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, '')::inet, NULLIF($5, '')::jsonb, NULLIF($6, '')::jsonb)"}};
}

void append_audit(Tx& tx, const AuditActor& actor, const std::string& action, const std::string& target,
                  const std::string& before_json, const std::string& after_json) {
  tx.exec_prepared(kAppendAudit, actor.name, action, target, actor.client_ip, before_json, after_json);
}

}  // namespace pledged
