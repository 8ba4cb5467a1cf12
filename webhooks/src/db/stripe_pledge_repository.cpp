#include "stripe_pledge_repository.hpp"

namespace pledged::webhooks {
namespace {

// Migration 0014's pledged_lock_stripe_pledge says how the references rank and why it
// also promises, for the transaction, to announce the money after commit.
constexpr const char* kFind = "stripe_pledge_find";
// :ids and :stripe_ids stand for the parameters the caller names (find_for_update_sql).
constexpr const char* kFindSql =
    "SELECT id, campaign_id, frequency, currency, status, donor_key, charged "
    "FROM pledged_lock_stripe_pledge(:ids::text[], :stripe_ids::text[]) ";

constexpr const char* kLockAll = "stripe_pledge_lock_all";
constexpr const char* kLockAllSql =
    "SELECT id, campaign_id, frequency, currency, status, lower(donor_email), charged "
    "FROM pledges WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE";

void replace_all(std::string& text, const std::string& token, const std::string& by) {
  for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at + by.size())) {
    text.replace(at, token.size(), by);
  }
}

constexpr const char* kRecordSubscription = "stripe_pledge_record_subscription";
constexpr const char* kRecordSubscriptionSql =
    "UPDATE pledges SET subscription_amount = $2, subscription_cancel_at_end = $3, "
    "  subscription_period_end = CASE WHEN $4::bigint > 0 THEN to_timestamp($4::bigint) END, "
    "  subscription_event_created = $5, subscription_event_id = $6, updated_at = now() "
    "WHERE id = $1 AND (subscription_event_created IS NULL "
    "  OR (subscription_event_created, subscription_event_id) < ($5::bigint, $6::text))";

}  // namespace

std::string postgres_text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string StripePledgeRepository::find_for_update_sql(int pledge_ids_param, int stripe_ids_param,
                                                        const std::string& condition) {
  std::string sql = std::string(kFindSql) + condition;
  replace_all(sql, ":stripe_ids", "$" + std::to_string(stripe_ids_param));
  replace_all(sql, ":ids", "$" + std::to_string(pledge_ids_param));
  return sql;
}

std::vector<PreparedStatement> StripePledgeRepository::statements() {
  static const std::string find = find_for_update_sql(1, 2, "");
  return {{kFind, find.c_str()}, {kLockAll, kLockAllSql}, {kRecordSubscription, kRecordSubscriptionSql}};
}

std::optional<StripePledge> StripePledgeRepository::find_for_update(Tx& tx, const PledgeReferences& refs) {
  const auto rows = tx.exec_prepared(kFind, postgres_text_array(refs.pledge_ids), postgres_text_array(refs.stripe_ids));
  if (rows.empty()) return std::nullopt;
  return pledge_from_row(rows[0], 0);
}

std::vector<StripePledge> StripePledgeRepository::lock_all(Tx& tx, const std::vector<std::string>& pledge_ids) {
  std::vector<StripePledge> pledges;
  for (const auto& row : tx.exec_prepared(kLockAll, postgres_text_array(pledge_ids))) {
    pledges.push_back(pledge_from_row(row, 0));
  }
  return pledges;
}

StripePledge StripePledgeRepository::pledge_from_row(const pqxx::row& row, int first) {
  StripePledge pledge;
  pledge.facts.id = row[first].as<std::string>();
  pledge.campaign_id = row[first + 1].as<std::int64_t>();
  pledge.facts.monthly = row[first + 2].as<std::string>() == "monthly";
  pledge.currency = row[first + 3].as<std::string>();
  pledge.facts.status = parse_pledge_status(row[first + 4].as<std::string>()).value_or(PledgeStatus::pending);
  pledge.donor_key = row[first + 5].as<std::string>();
  pledge.charged = row[first + 6].as<std::int64_t>();
  return pledge;
}

void StripePledgeRepository::record_subscription(Tx& tx, const std::string& pledge_id, const SubscriptionState& state,
                                                 std::int64_t event_created, const std::string& event_id) {
  tx.exec_prepared(kRecordSubscription, pledge_id, state.amount, state.cancel_at_period_end, state.period_end,
                   event_created, event_id);
}

}  // namespace pledged::webhooks
