#pragma once
// Idempotency-Key records (IETF "Idempotency-Key HTTP header" draft, as Stripe does
// it): the first request claims the key with a hash of its body; a repeat gets the
// stored response, a different body is refused, and a repeat while the first runs
// is told to wait. A claim that failed or was interrupted (its lock lapsed) can be
// resumed by a repeat, which continues with the same resource id.
#include <chrono>
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

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
