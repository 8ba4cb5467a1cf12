#pragma once
// Matching gifts: a sponsor's promise to match gifts in a window up to a cap, the
// checks on what an admin asks for, and what the banner shows of it. What a match
// earned comes from the ledger (migration 0011, match_allocations); here it is a value.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/domain/campaign.hpp"
#include "pledged/domain/money.hpp"

namespace pledged {

// Which payments a match counts: one-time gifts, a monthly pledge's first installment, or all.
enum class MatchScope { once, first_monthly, all };
const char* to_string(MatchScope scope);

struct Match {
  std::string id;  // mt_…
  std::int64_t campaign_id = 0;
  std::string sponsor;
  std::int64_t ratio = 100;  // percent of a gift that is matched
  Money cap;
  std::optional<std::int64_t> per_gift_cap;  // minor units, in the cap's currency
  Timestamp starts_at;                       // both included, as a campaign's
  Timestamp ends_at;
  MatchScope applies_to = MatchScope::all;
};

// A match with what the ledger says it earned (never more than its cap).
struct MatchStanding {
  Match match;
  std::int64_t earned = 0;

  std::int64_t remaining() const;
  // Inside its window with room left: the banner's "your gift is doubled" is true now.
  bool active_at(Timestamp now) const;
};

// POST /v1/admin/campaigns/{slug}/matches as sent. Absent currency: the campaign's;
// absent window: the campaign's; absent applies_to: all.
struct MatchFields {
  std::string sponsor;
  std::optional<std::int64_t> ratio;
  std::optional<std::int64_t> cap;
  std::optional<std::int64_t> per_gift_cap;
  std::string currency;
  std::string starts_at;
  std::string ends_at;
  std::string applies_to;
};
// All invalid fields at once. The id is left empty for the caller to assign.
Result<Match> validate_new_match(const MatchFields& fields, const Campaign& campaign);

// PATCH /v1/admin/matches/{id}: only ends_at and cap change.
struct MatchPatch {
  std::optional<std::string> ends_at;
  std::optional<std::int64_t> cap;
};
Result<Match> apply_match_patch(const Match& current, const MatchPatch& patch, const Campaign& campaign);

// What the banner shows of the campaign's matches.
struct MatchOffer {
  std::string sponsor;
  std::int64_t ratio = 0;
  std::int64_t remaining = 0;
  friend bool operator==(const MatchOffer& a, const MatchOffer& b) {
    return a.sponsor == b.sponsor && a.ratio == b.ratio && a.remaining == b.remaining;
  }
};

// Matches add, each within its own cap.
std::int64_t total_matched(const std::vector<MatchStanding>& standings);
// The first created of the matches active at `now` (standings in creation order); nullopt when none is.
std::optional<MatchOffer> banner_match(const std::vector<MatchStanding>& standings, Timestamp now);

}  // namespace pledged
