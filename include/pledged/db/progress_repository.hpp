#pragma once
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/domain/campaign.hpp"
#include "pledged/domain/progress.hpp"

namespace pledged {

struct CampaignWithTotals {
  Campaign campaign;
  CampaignTotals totals;
  // The latest change to the campaign or its ledger, as the database recorded it: the
  // same on every instance, so all of them send the same body and ETag.
  Timestamp last_change;
};

// Reads every campaign with its sums over the ledger, in one statement.
class ProgressRepository {
 public:
  explicit ProgressRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  Result<std::vector<CampaignWithTotals>> load_all();

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
