#include "stripe_pledge_repository.hpp"

#include <algorithm>

namespace pledged::webhooks {
namespace {

// Strongest first: the pledge id itself, then an id this pledge's earlier events
// carried, then the ids stored at checkout. Never the customer (API.md, "Webhooks").
// The set_config promises, for this transaction, that the webhook path announces any
// money it writes after its commit (ProgressAnnouncer): the ledger trigger's own
// NOTIFY would make every event's commit wait for PostgreSQL's one notify lock
// (migration 0003). Said here because every applying transaction runs this first, so
// it costs no round trip of its own.
constexpr const char* kFind = "stripe_pledge_find";
constexpr const char* kFindSql =
    "SELECT p.id, p.campaign_id, p.frequency, p.currency, p.status, lower(p.donor_email), p.charged, "
    "  set_config('pledged.notify_after_commit', 'on', true) "
    "FROM pledges p JOIN ("
    "  SELECT id AS pledge_id, 1 AS strength FROM pledges WHERE id = ANY($1::text[]) "
    "  UNION ALL SELECT pledge_id, 2 FROM stripe_links WHERE stripe_id = ANY($2::text[]) "
    "  UNION ALL SELECT id, 3 FROM pledges WHERE checkout_session_id = ANY($2::text[]) "
    "    OR stripe_payment_intent_id = ANY($2::text[]) OR stripe_subscription_id = ANY($2::text[])"
    ") found ON found.pledge_id = p.id "
    "ORDER BY found.strength LIMIT 1 FOR UPDATE OF p";

// One statement, one round trip: the links ($2, sorted), then the pledge's own Stripe
// id columns, each only when empty and not already another pledge's (they are
// unique), and its new status when $6 names one. One UPDATE, since two parts of a
// statement cannot both update the same row.
constexpr const char* kRecordFacts = "stripe_pledge_record_facts";
constexpr const char* kRecordFactsSql =
    "WITH links AS ("
    "  INSERT INTO stripe_links (stripe_id, pledge_id) SELECT unnest($2::text[]), $1 ON CONFLICT DO NOTHING) "
    "UPDATE pledges p SET "
    "  stripe_payment_intent_id = coalesce(p.stripe_payment_intent_id, (SELECT $3::text WHERE $3::text <> '' "
    "    AND NOT EXISTS (SELECT 1 FROM pledges q WHERE q.stripe_payment_intent_id = $3::text))), "
    "  stripe_subscription_id = coalesce(p.stripe_subscription_id, (SELECT $4::text WHERE $4::text <> '' "
    "    AND NOT EXISTS (SELECT 1 FROM pledges q WHERE q.stripe_subscription_id = $4::text))), "
    "  stripe_customer_id = coalesce(p.stripe_customer_id, NULLIF($5::text, '')), "
    "  status = coalesce(NULLIF($6::text, ''), p.status), updated_at = now() "
    "WHERE p.id = $1 AND ($6::text <> '' OR (p.stripe_payment_intent_id IS NULL AND $3::text <> '') "
    "  OR (p.stripe_subscription_id IS NULL AND $4::text <> '') OR (p.stripe_customer_id IS NULL AND $5::text <> ''))";

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

std::vector<PreparedStatement> StripePledgeRepository::statements() {
  return {{kFind, kFindSql}, {kRecordFacts, kRecordFactsSql}, {kRecordSubscription, kRecordSubscriptionSql}};
}

std::optional<StripePledge> StripePledgeRepository::find_for_update(Tx& tx, const PledgeReferences& refs) {
  const auto rows = tx.exec_prepared(kFind, postgres_text_array(refs.pledge_ids), postgres_text_array(refs.stripe_ids));
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  StripePledge pledge;
  pledge.facts.id = row[0].as<std::string>();
  pledge.campaign_id = row[1].as<std::int64_t>();
  pledge.facts.monthly = row[2].as<std::string>() == "monthly";
  pledge.currency = row[3].as<std::string>();
  pledge.facts.status = parse_pledge_status(row[4].as<std::string>()).value_or(PledgeStatus::pending);
  pledge.donor_key = row[5].as<std::string>();
  pledge.charged = row[6].as<std::int64_t>();
  return pledge;
}

void StripePledgeRepository::record_facts(Tx& tx, const std::string& pledge_id, const PledgeReferences& refs,
                                          const PledgeStripeIds& ids, std::optional<PledgeStatus> advance_to) {
  std::vector<std::string> links = refs.stripe_ids;
  if (links.empty() && ids.payment_intent.empty() && ids.subscription.empty() && ids.customer.empty() && !advance_to) {
    return;
  }
  // A fixed order keeps two transactions from taking the same keys crosswise.
  std::sort(links.begin(), links.end());
  tx.exec_prepared(kRecordFacts, pledge_id, postgres_text_array(links), ids.payment_intent, ids.subscription,
                   ids.customer, advance_to ? std::string(to_string(*advance_to)) : std::string());
}

void StripePledgeRepository::record_subscription(Tx& tx, const std::string& pledge_id, const SubscriptionState& state,
                                                 std::int64_t event_created, const std::string& event_id) {
  tx.exec_prepared(kRecordSubscription, pledge_id, state.amount, state.cancel_at_period_end, state.period_end,
                   event_created, event_id);
}

}  // namespace pledged::webhooks
