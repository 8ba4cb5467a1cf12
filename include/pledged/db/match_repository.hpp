#pragma once
// Matching gifts: the sponsors' promises (migration 0011) with what each earned, read
// from the ledger. Each write appends its audit_log row in the same transaction.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/db/idempotency_repository.hpp"
#include "pledged/domain/audit.hpp"
#include "pledged/domain/campaign.hpp"
#include "pledged/domain/match.hpp"

namespace pledged {

class MatchRepository {
 public:
  explicit MatchRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  // The Idempotency-Key a match was claimed under, and the answer to keep for it.
  struct KeptAnswer {
    IdempotencyScope scope;
    int status = 0;
    std::function<std::string(const MatchStanding&)> body;
  };
  // Writes `match` (its id set by the caller); with `kept`, the key's answer commits with it.
  Result<MatchStanding> create(const std::string& campaign_slug, const Match& match, const AuditActor& actor,
                               const KeptAnswer* kept = nullptr);

  // The campaign's matches in creation order, with what each earned.
  Result<std::vector<MatchStanding>> list(std::int64_t campaign_id);

  // Locks the match, lets `change` compute its new state from it and its campaign (an
  // Error from it is returned as is), writes it. not_found for an unknown id.
  using MatchChange = std::function<Result<Match>(const Match&, const Campaign&)>;
  Result<MatchStanding> update(const std::string& id, const MatchChange& change, const AuditActor& actor);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
