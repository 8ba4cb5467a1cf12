#pragma once
// The banner's numbers: what the progress route shows for one campaign.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/time.hpp"
#include "pledged/domain/campaign.hpp"
#include "pledged/domain/match.hpp"

namespace pledged {

// Sums over the ledger for one campaign, in the campaign's currency.
struct CampaignTotals {
  std::int64_t raised = 0;  // minor units received and kept
  std::int64_t donors = 0;  // distinct donors with money counted
  std::int64_t gifts = 0;   // counted money movements that brought money in
};

struct Progress {
  std::string campaign;  // slug
  std::string title;
  std::string currency;
  std::int64_t goal = 0;
  std::int64_t raised = 0;
  std::int64_t percent_hundredths = 0;  // 2469 means 24.69 %
  std::int64_t donors = 0;
  std::int64_t gifts = 0;
  Timestamp starts_at;
  Timestamp ends_at;
  CampaignStatus status = CampaignStatus::scheduled;
  std::int64_t matched = 0;         // what the campaign's matches earned (they add, each within its cap)
  std::optional<MatchOffer> match;  // the match the banner shows, while one is active

  friend bool operator==(const Progress& a, const Progress& b);
  friend bool operator!=(const Progress& a, const Progress& b) { return !(a == b); }
};

// raised / goal x 100 in hundredths of a percent, rounded half away from zero.
// Exact integer arithmetic: no float ever touches the money.
std::int64_t percent_hundredths(std::int64_t raised, std::int64_t goal);

// percent counts raised + matched against the goal; `matches` in creation order.
Progress compute_progress(const Campaign& campaign, const CampaignTotals& totals, Timestamp now,
                          const std::vector<MatchStanding>& matches = {});

}  // namespace pledged
