#pragma once
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/domain/campaign.hpp"
#include "pledged/domain/match.hpp"
#include "pledged/domain/progress.hpp"

namespace pledged {

struct CampaignWithTotals {
  Campaign campaign;
  CampaignTotals totals;
  // The latest change to the campaign or its ledger, as the database recorded it: the
  // same on every instance, so all of them send the same body and ETag.
  Timestamp last_change;
  std::vector<MatchStanding> matches;  // in creation order, with what each earned
};

// Reads campaigns with their sums over the ledger, each in one statement.
class ProgressRepository {
 public:
  explicit ProgressRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  Result<std::vector<CampaignWithTotals>> load_all();
  // One campaign as the database has it now (nullopt for an unknown slug): for a figure
  // that must include a gift the in-memory snapshot may not have caught up with yet.
  Result<std::optional<CampaignWithTotals>> load_one(const std::string& slug);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
