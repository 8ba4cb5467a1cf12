#include "pledged/domain/progress.hpp"

#include <limits>
#include <tuple>

namespace pledged {
namespace {
__extension__ typedef __int128 Int128;  // GCC and Clang both have it; ISO C++ does not
}  // namespace

bool operator==(const Progress& a, const Progress& b) {
  auto fields = [](const Progress& p) {
    return std::tie(p.campaign, p.title, p.currency, p.goal, p.raised, p.percent_hundredths, p.donors, p.gifts,
                    p.starts_at, p.ends_at, p.status, p.matched, p.match);
  };
  return fields(a) == fields(b);
}

std::int64_t percent_hundredths(std::int64_t raised, std::int64_t goal) {
  if (goal <= 0) return 0;
  // raised * 10000 can exceed int64 for large amounts; __int128 cannot overflow here.
  const Int128 scaled = static_cast<Int128>(raised) * 10000;
  const Int128 half = goal / 2;
  const Int128 rounded = scaled >= 0 ? (scaled + half) / goal : (scaled - half) / goal;
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  if (rounded > max) return max;
  if (rounded < -max) return -max;
  return static_cast<std::int64_t>(rounded);
}

Progress compute_progress(const Campaign& campaign, const CampaignTotals& totals, Timestamp now,
                          const std::vector<MatchStanding>& matches) {
  Progress progress;
  progress.campaign = campaign.slug;
  progress.title = campaign.title;
  progress.currency = campaign.goal.currency();
  progress.goal = campaign.goal.minor_units();
  progress.raised = totals.raised;
  progress.matched = total_matched(matches);
  progress.match = banner_match(matches, now);
  progress.percent_hundredths = percent_hundredths(totals.raised + progress.matched, progress.goal);
  progress.donors = totals.donors;
  progress.gifts = totals.gifts;
  progress.starts_at = campaign.starts_at;
  progress.ends_at = campaign.ends_at;
  progress.status = campaign.status_at(now);
  return progress;
}

}  // namespace pledged
