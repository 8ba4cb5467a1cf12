#include "webhook_event_repository.hpp"

#include <nlohmann/json.hpp>

#include "stripe_pledge_repository.hpp"

namespace pledged::webhooks {
namespace {

constexpr const char* kInsert = "webhook_event_insert";
constexpr const char* kInsertAndFind = "webhook_event_insert_and_find";
#define PLEDGED_INSERT_EVENT_SQL                                                                                     \
  "INSERT INTO webhook_events (id, type, api_version, livemode, stripe_created, payload, raw_body, source, status, " \
  "  last_error, applied_at, next_attempt_at) "                                                                      \
  "VALUES ($1, $2, NULLIF($3, ''), $4, to_timestamp($5), $6::jsonb, $10, $7, $8::text, NULLIF($9, ''), "             \
  "  CASE WHEN $8::text IN ('applied', 'ignored') THEN now() END, "                                                  \
  "  CASE WHEN $8::text IN ('waiting', 'failed') THEN now() + interval '1 second' END) "                             \
  "ON CONFLICT (id) DO NOTHING"
constexpr const char* kInsertSql = PLEDGED_INSERT_EVENT_SQL " RETURNING 1";

// The event's row, then its pledge locked, in one round trip. The pledge's lookup is
// gated on the insert (a one-time filter the executor evaluates before it scans, and
// so before it locks): like two statements in this order, a second copy of the event
// waits on the first copy's row and never holds the pledge it would wait for.
const std::string& insert_and_find_sql() {
  static const std::string sql =
      "WITH inserted AS (" PLEDGED_INSERT_EVENT_SQL
      " RETURNING 1) "
      "SELECT (SELECT count(*) FROM inserted), found.* FROM (SELECT 1) one LEFT JOIN LATERAL (" +
      StripePledgeRepository::find_for_update_sql(11, 12, "WHERE EXISTS (SELECT 1 FROM inserted)") + ") found ON true";
  return sql;
}

// The insert above for a batch: the events' columns as arrays, one row each. The
// pledges are looked up for the rows inserted now only (a duplicate's references are
// the first copy's business), by the ranking pledged_lock_stripe_pledge uses.
constexpr const char* kInsertAll = "webhook_event_insert_all";
constexpr const char* kInsertAllSql =
    "WITH inserted AS ("
    "  INSERT INTO webhook_events (id, type, api_version, livemode, stripe_created, payload, raw_body, source, "
    "    status, applied_at) "
    "  SELECT u.id, u.type, NULLIF(u.api_version, ''), u.livemode, to_timestamp(u.created), u.payload::jsonb, "
    "    u.raw_body, u.source, 'applied', now() "
    "  FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::bigint[], $6::text[], $7::text[], "
    "    $8::text[]) WITH ORDINALITY AS u (id, type, api_version, livemode, created, payload, raw_body, source, ord) "
    "  ORDER BY u.ord "
    "  ON CONFLICT (id) DO NOTHING RETURNING id) "
    "SELECT r.ord, CASE WHEN r.needs THEN coalesce(pledged_find_stripe_pledge(r.pledge_ids::text[], "
    "  r.stripe_ids::text[]), '') ELSE '' END "
    "FROM unnest($1::text[], $9::boolean[], $10::text[], $11::text[]) WITH ORDINALITY "
    "  AS r (id, needs, pledge_ids, stripe_ids, ord) "
    "WHERE r.id IN (SELECT id FROM inserted)";

// Waiting events are retried at once when a later event applies; this backoff only
// paces the periodic pass (1 s, 2 s, 4 s … at most 5 minutes). A final failure ($6)
// is never due again: 'infinity'. An event still waiting 72 hours after it arrived
// becomes `unmatched`: terminal, never due again, applied only on an admin's request.
constexpr const char* kMark = "webhook_event_mark";
constexpr const char* kMarkSql =
    "UPDATE webhook_events SET "
    "  status = CASE WHEN $2::text = 'waiting' AND received_at < now() - interval '72 hours' THEN 'unmatched' "
    "    ELSE $2::text END, "
    "  last_error = NULLIF($3, ''), "
    "  attempts = attempts + $4::integer, "
    "  applied_at = CASE WHEN $2::text IN ('applied', 'ignored') THEN now() END, "
    "  awaits = CASE WHEN $2::text = 'waiting' THEN $5::text[] END, "
    "  next_attempt_at = CASE WHEN $6::boolean THEN 'infinity'::timestamptz "
    "    WHEN $2::text = 'waiting' AND received_at < now() - interval '72 hours' THEN NULL "
    "    WHEN $2::text IN ('waiting', 'failed') "
    "    THEN now() + make_interval(secs => least(300, power(2, least(attempts, 10)))) END "
    "WHERE id = $1";

constexpr const char* kRetryable = "webhook_event_retryable";
constexpr const char* kRetryableSql =
    "SELECT id FROM webhook_events WHERE status IN ('waiting', 'failed') "
    "  AND next_attempt_at IS DISTINCT FROM 'infinity' "
    "  AND ($2::boolean OR next_attempt_at IS NULL OR next_attempt_at <= now()) "
    "ORDER BY received_at, id LIMIT $1";

// A plain FOR UPDATE (not SKIP LOCKED): a retry that finds the row busy waits, then
// sees the other's result, so no retry is lost to a race with one in flight.
constexpr const char* kAwaitingPledge = "webhook_event_awaiting_pledge";
constexpr const char* kAwaitingPledgeSql =
    "SELECT id FROM webhook_events WHERE status = 'waiting' AND awaits && ("
    "  SELECT ARRAY[p.id] || ARRAY(SELECT stripe_id FROM stripe_links WHERE pledge_id = p.id) "
    "    || array_remove(ARRAY[p.checkout_session_id, p.stripe_payment_intent_id, p.stripe_subscription_id], NULL) "
    "  FROM pledges p WHERE p.id = $1) "
    "ORDER BY received_at, id LIMIT 1000";

constexpr const char* kLockWaiting = "webhook_event_lock_waiting";
constexpr const char* kLockWaitingSql =
    "SELECT coalesce(raw_body, payload::text) FROM webhook_events "
    "WHERE id = $1 AND status IN ('waiting', 'failed') FOR UPDATE";

// Replaces each U+0000 in the strings and keys of `value` by U+FFFD.
nlohmann::json without_nul(const nlohmann::json& value) {
  const auto clean = [](const std::string& text) {
    std::string out;
    for (const char c : text) {
      if (c == '\0') {
        out += "\xEF\xBF\xBD";
      } else {
        out += c;
      }
    }
    return out;
  };
  if (value.is_string()) return clean(value.get<std::string>());
  if (value.is_array()) {
    auto out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(without_nul(item));
    return out;
  }
  if (value.is_object()) {
    auto out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[clean(key)] = without_nul(item);
    return out;
  }
  return value;
}

// What jsonb accepts of the body: the body itself, unless it escapes U+0000.
std::string jsonb_payload(std::string_view raw_body) {
  if (raw_body.find("\\u0000") == std::string_view::npos) return std::string(raw_body);
  return without_nul(nlohmann::json::parse(raw_body.begin(), raw_body.end())).dump();
}

long long created_seconds(const StripeEvent& event) {
  return static_cast<long long>(event.created.time_since_epoch().count());
}

const char* source_name(EventSource source) { return source == EventSource::webhook ? "webhook" : "reconcile"; }

}  // namespace

std::vector<PreparedStatement> WebhookEventRepository::statements() {
  return {{kInsert, kInsertSql},
          {kInsertAndFind, insert_and_find_sql().c_str()},
          {kMark, kMarkSql},
          {kInsertAll, kInsertAllSql},
          {kRetryable, kRetryableSql},
          {kAwaitingPledge, kAwaitingPledgeSql},
          {kLockWaiting, kLockWaitingSql}};
}

bool WebhookEventRepository::insert(Tx& tx, const StripeEvent& event, std::string_view raw_payload, EventSource source,
                                    EventOutcome outcome, const std::string& error) {
  const auto rows = tx.exec_prepared(kInsert, event.id, event.type, event.api_version, event.livemode,
                                     created_seconds(event), jsonb_payload(raw_payload), source_name(source),
                                     to_string(outcome), error, std::string(raw_payload));
  return !rows.empty();
}

std::optional<std::optional<StripePledge>> WebhookEventRepository::insert_and_find_pledge(
    Tx& tx, const StripeEvent& event, std::string_view raw_payload, EventSource source, const PledgeReferences& refs) {
  const auto row = tx.exec_prepared1(kInsertAndFind, event.id, event.type, event.api_version, event.livemode,
                                     created_seconds(event), jsonb_payload(raw_payload), source_name(source),
                                     to_string(EventOutcome::applied), std::string(), std::string(raw_payload),
                                     postgres_text_array(refs.pledge_ids), postgres_text_array(refs.stripe_ids));
  if (row[0].as<std::int64_t>() == 0) return std::nullopt;
  if (row[1].is_null()) return std::optional<StripePledge>{};
  return std::optional<StripePledge>{StripePledgeRepository::pledge_from_row(row, 1)};
}

std::vector<std::optional<std::string>> WebhookEventRepository::insert_all_and_find_pledges(
    Tx& tx, const std::vector<NewEvent>& events) {
  std::vector<std::string> ids, types, api_versions, payloads, raw_bodies, sources, pledge_ids, stripe_ids;
  std::vector<std::string> livemodes, created, needs;
  for (const auto& [event, raw_payload, source, refs] : events) {
    ids.push_back(event->id);
    types.push_back(event->type);
    api_versions.push_back(event->api_version);
    livemodes.emplace_back(event->livemode ? "t" : "f");
    created.push_back(std::to_string(created_seconds(*event)));
    payloads.push_back(jsonb_payload(raw_payload));
    raw_bodies.emplace_back(raw_payload);
    sources.emplace_back(source_name(source));
    needs.emplace_back(refs != nullptr ? "t" : "f");
    pledge_ids.push_back(postgres_text_array(refs != nullptr ? refs->pledge_ids : std::vector<std::string>{}));
    stripe_ids.push_back(postgres_text_array(refs != nullptr ? refs->stripe_ids : std::vector<std::string>{}));
  }
  const auto rows =
      tx.exec_prepared(kInsertAll, postgres_text_array(ids), postgres_text_array(types),
                       postgres_text_array(api_versions), postgres_text_array(livemodes), postgres_text_array(created),
                       postgres_text_array(payloads), postgres_text_array(raw_bodies), postgres_text_array(sources),
                       postgres_text_array(needs), postgres_text_array(pledge_ids), postgres_text_array(stripe_ids));
  std::vector<std::optional<std::string>> found(events.size());
  for (const auto& row : rows) found.at(row[0].as<std::size_t>() - 1) = row[1].as<std::string>();
  return found;
}

void WebhookEventRepository::mark(Tx& tx, const std::string& event_id, EventOutcome outcome, const std::string& error,
                                  const std::string& awaits, bool count_attempt, bool final) {
  tx.exec_prepared(kMark, event_id, to_string(outcome), error, count_attempt ? 1 : 0,
                   awaits.empty() ? std::string("{}") : awaits, final);
}

std::vector<std::string> WebhookEventRepository::retryable_ids(Tx& tx, int limit, bool ignore_backoff) {
  std::vector<std::string> ids;
  for (const auto& row : tx.exec_prepared(kRetryable, limit, ignore_backoff)) ids.push_back(row[0].as<std::string>());
  return ids;
}

std::vector<std::string> WebhookEventRepository::ids_awaiting_pledge(Tx& tx, const std::string& pledge_id) {
  std::vector<std::string> ids;
  for (const auto& row : tx.exec_prepared(kAwaitingPledge, pledge_id)) ids.push_back(row[0].as<std::string>());
  return ids;
}

std::optional<std::string> WebhookEventRepository::lock_waiting(Tx& tx, const std::string& event_id) {
  const auto rows = tx.exec_prepared(kLockWaiting, event_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

}  // namespace pledged::webhooks
