#pragma once
// Matching gifts, as admins set them up: create a sponsor's match on a campaign, list
// them with what each earned, change a match's end or cap. Each change is checked
// here (domain/match.hpp) and written with its audit_log row (MatchRepository). No HTTP.
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/campaign_repository.hpp"
#include "pledged/db/idempotency_repository.hpp"
#include "pledged/db/match_repository.hpp"
#include "pledged/domain/audit.hpp"
#include "pledged/domain/match.hpp"

namespace pledged {

// A match as the admin routes answer it (also kept for Idempotency-Key replays).
std::string match_json(const MatchStanding& standing, const std::string& campaign_slug, Timestamp now);

struct MatchCreateCall {
  std::string slug;
  MatchFields input;
  std::optional<std::string> idempotency_key;  // optional, with the pledge route's rules
  std::string body;                            // the raw request body, hashed for the key
  AuditActor actor;
  UnreadableFields unreadable;
};

// The answer's body (match_json), and whether it is the first answer to the same key again.
struct MatchAnswer {
  std::string body;
  bool replayed = false;
};

struct CampaignMatches {
  std::string campaign_slug;
  std::vector<MatchStanding> matches;  // creation order
};

class MatchAdmin {
 public:
  MatchAdmin(MatchRepository& matches, CampaignRepository& campaigns, IdempotencyRepository& idempotency)
      : matches_(matches), campaigns_(campaigns), idempotency_(idempotency) {}

  // not_found for an unknown slug; validation_failed with every invalid field; the key's
  // refusals as on the offline-gift route.
  Result<MatchAnswer> create(const MatchCreateCall& call, Timestamp now);
  Result<CampaignMatches> list(const std::string& slug);
  // not_found for an unknown id; only ends_at and cap change.
  Result<CampaignMatches> update(const std::string& id, const MatchPatch& patch, const AuditActor& actor,
                                 const UnreadableFields& unreadable = {});

 private:
  MatchRepository& matches_;
  CampaignRepository& campaigns_;
  IdempotencyRepository& idempotency_;
};

}  // namespace pledged
