#include "pledged/db/match_repository.hpp"

#include "audit_trail.hpp"
#include "campaign_row.hpp"
#include "match_row.hpp"
#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kInsert = "match_insert";
constexpr const char* kLock = "match_lock";
constexpr const char* kUpdate = "match_update";
constexpr const char* kCampaignMatches = "match_campaign_standings";

// A match as the audit log keeps it.
#define PLEDGED_MATCH_JSON "(to_jsonb(m) - 'position')::text"

}  // namespace

std::vector<PreparedStatement> MatchRepository::statements() {
  auto all = audit_statements();
  const std::vector<PreparedStatement> own{
      {kInsert,
       "INSERT INTO matches AS m (id, campaign_id, sponsor, ratio, cap, per_gift_cap, currency, starts_at, ends_at, "
       "  applies_to) "
       "VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0), $7, to_timestamp($8::bigint), to_timestamp($9::bigint), $10) "
       "RETURNING " PLEDGED_MATCH_JSON},
      {kLock, "SELECT " PLEDGED_MATCH_COLUMNS ", " PLEDGED_MATCH_JSON ", " PLEDGED_CAMPAIGN_COLUMNS
              " FROM matches m JOIN campaigns c ON c.id = m.campaign_id WHERE m.id = $1 FOR UPDATE OF m"},
      {kUpdate,
       "UPDATE matches AS m SET cap = $2, ends_at = to_timestamp($3::bigint), updated_at = now() WHERE m.id = $1 "
       "RETURNING " PLEDGED_MATCH_JSON},
      {kCampaignMatches, PLEDGED_CAMPAIGN_MATCH_STANDINGS_SQL},
  };
  all.insert(all.end(), own.begin(), own.end());
  for (const auto& statement : IdempotencyRepository::completion_statements()) all.push_back(statement);
  return all;
}

namespace {

std::vector<MatchStanding> standings_in(Tx& tx, std::int64_t campaign_id) {
  std::vector<MatchStanding> standings;
  for (const auto& row : tx.exec_prepared(kCampaignMatches, campaign_id)) {
    standings.push_back(match_standing_from_row(row));
  }
  return standings;
}

MatchStanding standing_of(Tx& tx, const Match& match) {
  for (auto& standing : standings_in(tx, match.campaign_id)) {
    if (standing.match.id == match.id) return standing;
  }
  throw std::runtime_error("a match just written is missing");
}

}  // namespace

Result<MatchStanding> MatchRepository::create(const std::string& campaign_slug, const Match& match,
                                              const AuditActor& actor, const KeptAnswer* kept) {
  return pool_.transact([&](Tx& tx) {
    const auto row = tx.exec_prepared1(kInsert, match.id, match.campaign_id, match.sponsor, match.ratio,
                                       match.cap.minor_units(), match.per_gift_cap.value_or(0), match.cap.currency(),
                                       match.starts_at.time_since_epoch().count(),
                                       match.ends_at.time_since_epoch().count(), to_string(match.applies_to));
    append_audit(tx, actor, "match.create", campaign_slug + "#" + match.id, "", row[0].as<std::string>());
    auto standing = standing_of(tx, match);
    if (kept != nullptr) IdempotencyRepository::complete_in(tx, kept->scope, kept->status, kept->body(standing));
    return standing;
  });
}

Result<std::vector<MatchStanding>> MatchRepository::list(std::int64_t campaign_id) {
  return pool_.transact([&](Tx& tx) { return standings_in(tx, campaign_id); }, Retry::if_broken, TxMode::read_only);
}

Result<MatchStanding> MatchRepository::update(const std::string& id, const MatchChange& change,
                                              const AuditActor& actor) {
  std::optional<Error> refused;  // why the change was not made, when it was not
  auto updated = pool_.transact([&](Tx& tx) {
    const auto current = tx.exec_prepared(kLock, id);
    if (current.empty()) {
      refused = make_error(ErrorCode::not_found, "no match with that id");
      return std::optional<MatchStanding>();
    }
    const auto campaign = campaign_from_row(current[0], kMatchColumnCount + 1);
    auto next = change(match_from_row(current[0]), campaign);
    if (!next) {
      refused = next.error();
      return std::optional<MatchStanding>();
    }
    const auto row = tx.exec_prepared1(kUpdate, id, next->cap.minor_units(), next->ends_at.time_since_epoch().count());
    append_audit(tx, actor, "match.update", campaign.slug + "#" + id, current[0][kMatchColumnCount].as<std::string>(),
                 row[0].as<std::string>());
    return std::optional<MatchStanding>(standing_of(tx, *next));
  });
  if (!updated) return updated.error();
  if (refused) return *refused;
  return **updated;
}

}  // namespace pledged
