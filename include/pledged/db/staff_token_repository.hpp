#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/domain/audit.hpp"
#include "pledged/domain/staff_token.hpp"

namespace pledged {

struct StaffTokenInfo {
  std::string name;
  StaffRole role = StaffRole::viewer;
  Timestamp created_at;
  std::optional<Timestamp> last_used_at;
  std::optional<Timestamp> revoked_at;
  std::optional<Timestamp> expires_at;
  bool expired = false;  // by the database's clock when listed
};

class StaffTokenRepository {
 public:
  explicit StaffTokenRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  // ErrorCode::conflict when the name is taken (revoked tokens keep their name). With a
  // lifetime the token expires that long after the database's now(); without, never.
  Status create(const std::string& name, StaffRole role, const std::string& token_hash, const AuditActor& actor,
                std::optional<std::chrono::seconds> lifetime = std::nullopt);
  Result<std::vector<StaffTokenInfo>> list();
  // ErrorCode::not_found when there is no live token of that name.
  Status revoke(const std::string& name, const AuditActor& actor);

  // The live token with this hash (neither revoked nor expired by the database's
  // clock), or nullopt. Records last use at most once a
  // minute per token, so a busy dashboard costs no write per request.
  Result<std::optional<StaffIdentity>> authenticate(const std::string& token_hash);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
