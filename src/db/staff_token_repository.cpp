#include "pledged/db/staff_token_repository.hpp"

#include "audit_trail.hpp"
#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kInsertToken = "staff_token_insert";
constexpr const char* kListTokens = "staff_token_list";
constexpr const char* kRevokeToken = "staff_token_revoke";
constexpr const char* kFindToken = "staff_token_find";
constexpr const char* kTouchToken = "staff_token_touch";

// What the audit log keeps of a token: never its hash.
#define PLEDGED_TOKEN_AUDIT_JSON \
  "jsonb_build_object('name', name, 'role', role, 'expires_at', expires_at, 'revoked_at', revoked_at)::text"

std::optional<Timestamp> optional_time(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return Timestamp(std::chrono::seconds(field.as<std::int64_t>()));
}

}  // namespace

std::vector<PreparedStatement> StaffTokenRepository::statements() {
  auto all = audit_statements();
  const std::vector<PreparedStatement> own{
      {kInsertToken,
       "INSERT INTO staff_tokens (name, role, token_hash, expires_at) "
       "VALUES ($1, $2, $3, CASE WHEN $4 THEN now() + $5::bigint * interval '1 second' END) "
       "ON CONFLICT (name) DO NOTHING RETURNING " PLEDGED_TOKEN_AUDIT_JSON},
      {kListTokens,
       "SELECT name, role, extract(epoch FROM created_at)::bigint, extract(epoch FROM last_used_at)::bigint, "
       "extract(epoch FROM revoked_at)::bigint, extract(epoch FROM expires_at)::bigint, expires_at <= now() "
       "FROM staff_tokens ORDER BY name"},
      {kRevokeToken,
       "UPDATE staff_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL "
       "RETURNING " PLEDGED_TOKEN_AUDIT_JSON},
      {kFindToken,
       "SELECT id, name, role, last_used_at IS NULL OR last_used_at < now() - interval '60 seconds' "
       "FROM staff_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())"},
      {kTouchToken, "UPDATE staff_tokens SET last_used_at = now() WHERE id = $1"},
  };
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

Status StaffTokenRepository::create(const std::string& name, StaffRole role, const std::string& token_hash,
                                    const AuditActor& actor, std::optional<std::chrono::seconds> lifetime) {
  auto created = pool_.transact([&](Tx& tx) {
    const auto rows = tx.exec_prepared(kInsertToken, name, to_string(role), token_hash, lifetime.has_value(),
                                       static_cast<std::int64_t>(lifetime.value_or(std::chrono::seconds(0)).count()));
    if (rows.empty()) return false;
    append_audit(tx, actor, "token.create", name, "", rows[0][0].as<std::string>());
    return true;
  });
  if (!created) return created.error();
  if (!*created) return make_error(ErrorCode::conflict, "a token named " + name + " already exists");
  return Status::success();
}

Result<std::vector<StaffTokenInfo>> StaffTokenRepository::list() {
  return pool_.transact(
      [](Tx& tx) {
        std::vector<StaffTokenInfo> tokens;
        for (const auto& row : tx.exec_prepared(kListTokens)) {
          tokens.push_back(StaffTokenInfo{
              row[0].as<std::string>(), parse_staff_role(row[1].as<std::string>()).value_or(StaffRole::viewer),
              Timestamp(std::chrono::seconds(row[2].as<std::int64_t>())), optional_time(row[3]), optional_time(row[4]),
              optional_time(row[5]), !row[6].is_null() && row[6].as<bool>()});
        }
        return tokens;
      },
      Retry::if_broken, TxMode::read_only);
}

Status StaffTokenRepository::revoke(const std::string& name, const AuditActor& actor) {
  auto revoked = pool_.transact([&](Tx& tx) {
    const auto rows = tx.exec_prepared(kRevokeToken, name);
    if (rows.empty()) return false;
    append_audit(tx, actor, "token.revoke", name, "", rows[0][0].as<std::string>());
    return true;
  });
  if (!revoked) return revoked.error();
  if (!*revoked) return make_error(ErrorCode::not_found, "no live token named " + name);
  return Status::success();
}

Result<std::optional<StaffIdentity>> StaffTokenRepository::authenticate(const std::string& token_hash) {
  return pool_.transact(
      [&](Tx& tx) -> std::optional<StaffIdentity> {
        const auto rows = tx.exec_prepared(kFindToken, token_hash);
        if (rows.empty()) return std::nullopt;
        const auto role = parse_staff_role(rows[0][2].as<std::string>());
        if (!role) return std::nullopt;
        if (rows[0][3].as<bool>()) {
          tx.exec_prepared(kTouchToken, rows[0][0].as<std::int64_t>());
        }
        return StaffIdentity{rows[0][1].as<std::string>(), *role};
      },
      Retry::if_broken);
}

}  // namespace pledged
