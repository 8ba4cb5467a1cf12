#pragma once
// Idempotency-Key records (IETF "Idempotency-Key HTTP header" draft, as Stripe does
// it): the first request claims the key with a hash of its body; a repeat gets the
// stored response, a different body is refused, and a repeat while the first runs
// is told to wait. A claim that failed or was interrupted (its lock lapsed) can be
// resumed by a repeat, which continues with the same resource id.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"

namespace pledged {

enum class ClaimOutcome {
  claimed,      // ours: go ahead with `resource_id` (new, or resumed from an earlier attempt)
  replay,       // finished before: answer `response_status` / `response_body`
  mismatch,     // the key was used with a different body
  in_progress,  // another request holds the key right now
};

struct IdempotencyClaim {
  ClaimOutcome outcome = ClaimOutcome::claimed;
  std::string resource_id;
  int response_status = 0;
  std::string response_body;
};

struct IdempotencyScope {
  std::string scope;         // e.g. "pledges"
  std::string key;           // the client's Idempotency-Key
  std::string request_hash;  // SHA-256 of the request body
};

// The Idempotency-Key header's length rule (API.md): 1 to 255 characters.
inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;

// bad_request for an empty or over-long key; when `required`, also for none
// (API code idempotency_key_required).
Status check_idempotency_key(const std::optional<std::string>& key, bool required);

// The API's answer to a key that was not claimed: 422 idempotency_key_reused for a
// different body, 409 idempotency_key_in_use while the first request runs.
Error idempotency_refusal(ClaimOutcome outcome);

class IdempotencyRepository {
 public:
  explicit IdempotencyRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  // `new_resource_id` is used when the key is new (or its record expired).
  Result<IdempotencyClaim> claim(const IdempotencyScope& scope, const std::string& new_resource_id);
  // Stores the response for replay; keeps it for 24 hours.
  Status complete(const IdempotencyScope& scope, int status, const std::string& body);
  // Lets a repeat resume at once (after a failure that is worth retrying).
  Status release(const IdempotencyScope& scope);
  // complete(), inside the transaction that made the resource, so that the resource
  // and the key's kept answer commit together (a crash between them cannot let a
  // repeat make the resource twice).
  // Its statement is in completion_statements(), for the repositories that call it.
  static void complete_in(Tx& tx, const IdempotencyScope& scope, int status, const std::string& body);
  static std::vector<PreparedStatement> completion_statements();

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
