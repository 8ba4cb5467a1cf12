#pragma once
// Who does an admin action, and from where: written next to the action, in the same
// transaction, to the append-only audit_log.
#include <cstdint>
#include <optional>
#include <string>

#include "pledged/core/time.hpp"

namespace pledged {

struct AuditActor {
  std::string name;       // the staff token's name ("cli" for the command line)
  std::string client_ip;  // empty when not over HTTP
};

struct AuditRecord {
  std::int64_t id = 0;
  Timestamp at;
  std::string actor;
  std::string action;
  std::string target;
  std::string client_ip;
  std::string before_json;  // "" when there was nothing before
  std::string after_json;   // "" when nothing is left after
};

}  // namespace pledged
