#pragma once
// Admin writes. Each one appends its audit_log row (who, what, from where, the row
// before and after as JSON) in the same transaction as the change itself.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/db/idempotency_repository.hpp"
#include "pledged/domain/admin_changes.hpp"
#include "pledged/domain/audit.hpp"

namespace pledged {

class AdminRepository {
 public:
  explicit AdminRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  // ErrorCode::conflict when the slug is taken.
  Result<Campaign> create_campaign(const Campaign& campaign, const AuditActor& actor);

  // Locks the campaign, lets `change` compute its new state from the current one
  // (an Error from it is returned as is), writes it. not_found for an unknown slug.
  using CampaignChange = std::function<Result<Campaign>(const Campaign&)>;
  Result<Campaign> update_campaign(const std::string& slug, const CampaignChange& change, const AuditActor& actor);

  // The Idempotency-Key a gift was claimed under, and its answer to keep (from the new id).
  struct KeptGiftAnswer {
    IdempotencyScope scope;
    int status = 0;
    std::function<std::string(std::int64_t id)> body;
  };
  // Returns the new ledger entry's id. With `kept`, the key's answer commits with the
  // gift: a repeat finds that answer, never a gift to record again.
  Result<std::int64_t> record_offline_gift(const Campaign& campaign, const OfflineGift& gift, const AuditActor& actor,
                                           const KeptGiftAnswer* kept = nullptr);

  // Newest first; `before_id` pages backwards (0 for the newest).
  Result<std::vector<AuditRecord>> audit_log(int limit, std::int64_t before_id);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
