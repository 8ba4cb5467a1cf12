#pragma once
// Pledges as Stripe's events see them: found through any id an event carries, and
// moved forward under a row lock so that concurrent events serialise per pledge.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pledged/db/sql.hpp"
#include "pledged/webhooks/event_handlers.hpp"

namespace pledged::webhooks {

struct StripePledge {
  PledgeFacts facts;
  std::int64_t campaign_id = 0;
  std::string currency;
  std::int64_t charged = 0;  // what its Checkout charges, the covered fee included (each month, if monthly)
  std::string donor_key;     // lower-cased email
};

class StripePledgeRepository {
 public:
  static std::vector<PreparedStatement> statements();

  // The pledge the references lead to (strongest reference first), locked FOR UPDATE.
  // Also promises, for this transaction, to announce its money after commit (migration
  // 0014's pledged_lock_stripe_pledge).
  static std::optional<StripePledge> find_for_update(Tx& tx, const PledgeReferences& refs);
  // The pledges with these ids, locked FOR UPDATE in the order of their ids (so two
  // transactions that lock some of the same never wait for each other crosswise).
  static std::vector<StripePledge> lock_all(Tx& tx, const std::vector<std::string>& pledge_ids);
  // That statement's SQL, reading the references from the given parameters, with
  // `condition` ("WHERE …" or "") for a caller that runs it inside a statement of its own.
  static std::string find_for_update_sql(int pledge_ids_param, int stripe_ids_param, const std::string& condition);
  // A pledge from that statement's columns, starting at column `first`.
  static StripePledge pledge_from_row(const pqxx::row& row, int first);
  // The subscription's state, unless the pledge already holds that of a later event
  // (Stripe's `created`, then the event id): any order of the same events ends the same.
  static void record_subscription(Tx& tx, const std::string& pledge_id, const SubscriptionState& state,
                                  std::int64_t event_created, const std::string& event_id);
};

// A PostgreSQL text[] literal; ids are Stripe's, but quote them anyway.
std::string postgres_text_array(const std::vector<std::string>& values);

}  // namespace pledged::webhooks
