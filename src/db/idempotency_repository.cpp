#include "pledged/db/idempotency_repository.hpp"

#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kClaimNew = "idempotency_claim_new";
constexpr const char* kLockExisting = "idempotency_lock_existing";
constexpr const char* kRestartExpired = "idempotency_restart_expired";
constexpr const char* kResume = "idempotency_resume";
constexpr const char* kComplete = "idempotency_complete";
constexpr const char* kRelease = "idempotency_release";

// Longer than any one request can run (Stripe's whole budget is seconds), so a lock
// only lapses when the process holding it died.
#define PLEDGED_IDEMPOTENCY_LOCK "now() + interval '2 minutes'"

}  // namespace

std::vector<PreparedStatement> IdempotencyRepository::completion_statements() {
  return {{kComplete,
           "UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_body = $4, "
           "locked_until = NULL, expires_at = now() + interval '24 hours' WHERE scope = $1 AND key = $2"}};
}

std::vector<PreparedStatement> IdempotencyRepository::statements() {
  auto all = completion_statements();
  const std::vector<PreparedStatement> own{
      {kClaimNew,
       "INSERT INTO idempotency_keys (scope, key, request_hash, state, resource_id, locked_until) "
       "VALUES ($1, $2, $3, 'in_progress', $4, " PLEDGED_IDEMPOTENCY_LOCK ") "
       "ON CONFLICT (scope, key) DO NOTHING RETURNING resource_id"},
      {kLockExisting,
       "SELECT request_hash, state, coalesce(response_status, 0), coalesce(response_body, ''), "
       "coalesce(resource_id, ''), coalesce(locked_until <= now(), true), expires_at <= now() "
       "FROM idempotency_keys WHERE scope = $1 AND key = $2 FOR UPDATE"},
      {kRestartExpired,
       "UPDATE idempotency_keys SET request_hash = $3, state = 'in_progress', resource_id = $4, "
       "response_status = NULL, response_body = NULL, created_at = now(), "
       "locked_until = " PLEDGED_IDEMPOTENCY_LOCK ", expires_at = now() + interval '24 hours' "
       "WHERE scope = $1 AND key = $2"},
      {kResume,
       "UPDATE idempotency_keys SET locked_until = " PLEDGED_IDEMPOTENCY_LOCK " WHERE scope = $1 AND key = $2"},
      {kRelease,
       "UPDATE idempotency_keys SET locked_until = now() WHERE scope = $1 AND key = $2 AND state = 'in_progress'"},
  };
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

Result<IdempotencyClaim> IdempotencyRepository::claim(const IdempotencyScope& scope,
                                                      const std::string& new_resource_id) {
  return pool_.transact([&](Tx& tx) {
    IdempotencyClaim claim;
    const auto inserted = tx.exec_prepared(kClaimNew, scope.scope, scope.key, scope.request_hash, new_resource_id);
    if (!inserted.empty()) {
      claim.resource_id = new_resource_id;
      return claim;
    }
    // The key exists: decide under its row lock, so two repeats cannot both resume.
    const auto rows = tx.exec_prepared(kLockExisting, scope.scope, scope.key);
    if (rows.empty()) {
      claim.outcome = ClaimOutcome::in_progress;  // deleted between the two statements: let the client retry
      return claim;
    }
    const auto& row = rows[0];
    const bool expired = row[6].as<bool>();
    if (expired) {
      tx.exec_prepared(kRestartExpired, scope.scope, scope.key, scope.request_hash, new_resource_id);
      claim.resource_id = new_resource_id;
      return claim;
    }
    if (row[0].as<std::string>() != scope.request_hash) {
      claim.outcome = ClaimOutcome::mismatch;
    } else if (row[1].as<std::string>() == "completed") {
      claim.outcome = ClaimOutcome::replay;
      claim.response_status = row[2].as<int>();
      claim.response_body = row[3].as<std::string>();
    } else if (!row[5].as<bool>()) {
      claim.outcome = ClaimOutcome::in_progress;
    } else {
      tx.exec_prepared(kResume, scope.scope, scope.key);
      claim.resource_id = row[4].as<std::string>();
      if (claim.resource_id.empty()) claim.resource_id = new_resource_id;
    }
    return claim;
  });
}

Status IdempotencyRepository::complete(const IdempotencyScope& scope, int status, const std::string& body) {
  return pool_.transact([&](Tx& tx) { complete_in(tx, scope, status, body); }, Retry::if_broken);
}

void IdempotencyRepository::complete_in(Tx& tx, const IdempotencyScope& scope, int status, const std::string& body) {
  tx.exec_prepared(kComplete, scope.scope, scope.key, status, body);
}

Status check_idempotency_key(const std::optional<std::string>& key, bool required) {
  if (!key) {
    if (!required) return Status::success();
    auto error = make_error(ErrorCode::bad_request, "this route needs an Idempotency-Key header (1 to 255 characters)");
    error.api_code = "idempotency_key_required";
    return error;
  }
  if (key->empty() || key->size() > kMaxIdempotencyKeyLength) {
    return make_error(ErrorCode::bad_request, "Idempotency-Key must be 1 to 255 characters");
  }
  return Status::success();
}

Error idempotency_refusal(ClaimOutcome outcome) {
  if (outcome == ClaimOutcome::mismatch) {
    auto error =
        make_error(ErrorCode::validation_failed, "this Idempotency-Key was already used with a different request body");
    error.api_code = "idempotency_key_reused";
    return error;
  }
  auto error = make_error(ErrorCode::conflict, "a request with this Idempotency-Key is still being processed");
  error.api_code = "idempotency_key_in_use";
  return error;
}

Status IdempotencyRepository::release(const IdempotencyScope& scope) {
  return pool_.transact([&](Tx& tx) { tx.exec_prepared(kRelease, scope.scope, scope.key); }, Retry::if_broken);
}

}  // namespace pledged
