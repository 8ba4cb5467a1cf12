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
