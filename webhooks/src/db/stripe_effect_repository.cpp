#include "stripe_effect_repository.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace pledged::webhooks {
namespace {

constexpr const char* kWrite = "stripe_effect_write";
constexpr const char* kWriteSql =
    "SELECT pledged_write_stripe_effects($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
    "$7::boolean[], $8::boolean[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[], $14::text[], "
    "$15::bigint[], $16::text[], $17::text[], $18::text[], $19::bigint[])";

std::string postgres_bigint_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (const auto value : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(value);
  }
  return out + "}";
}

std::string postgres_boolean_array(const std::vector<bool>& values) {
  std::string out = "{";
  for (const bool value : values) {
    if (out.size() > 1) out += ',';
    out += value ? 't' : 'f';
  }
  return out + "}";
}

// One ledger row to insert, or to settle an existing row with the same key.
struct Movement {
  const PledgeEffectWrite* from;
  LedgerMovement movement;
  std::int64_t occurred_at;
};

std::int64_t occurred_at(const StripeEvent& event) { return event.created.time_since_epoch().count(); }

// The movements by ledger key, repeats merged as a repeat settles a row (migration
// 0015): the first event's pledge and id, the smallest signed amount, the earliest time.
std::vector<Movement> merged_movements(const std::vector<PledgeEffectWrite>& writes) {
  std::map<std::pair<LedgerKind, std::string>, Movement> by_key;
  std::vector<std::pair<LedgerKind, std::string>> order;
  for (const auto& write : writes) {
    for (const auto& movement : write.write->movements) {
      const auto key = std::make_pair(movement.kind, movement.stripe_object_id);
      const Movement candidate{&write, movement, occurred_at(*write.event)};
      auto [at, inserted] = by_key.emplace(key, candidate);
      if (inserted) {
        order.push_back(key);
        continue;
      }
      at->second.movement.amount = std::min(at->second.movement.amount, movement.amount);
      at->second.occurred_at = std::min(at->second.occurred_at, candidate.occurred_at);
    }
  }
  std::vector<Movement> out;
  for (const auto& key : order) out.push_back(by_key.at(key));
  return out;
}

bool has_kind(const std::vector<LedgerMovement>& movements, LedgerKind kind) {
  return std::any_of(movements.begin(), movements.end(), [kind](const auto& m) { return m.kind == kind; });
}

}  // namespace

std::vector<PreparedStatement> StripeEffectRepository::statements() { return {{kWrite, kWriteSql}}; }

void StripeEffectRepository::write_all(Tx& tx, const std::vector<PledgeEffectWrite>& writes) {
  std::vector<std::string> pledges, payment_intents, subscriptions, customers, statuses, events;
  std::vector<bool> receipts, refund_notices;
  std::vector<std::pair<std::string, std::string>> links;  // (Stripe id, pledge)
  for (const auto& [pledge, write, event] : writes) {
    pledges.push_back(pledge->facts.id);
    payment_intents.push_back(write->ids.payment_intent);
    subscriptions.push_back(write->ids.subscription);
    customers.push_back(write->ids.customer);
    statuses.push_back(write->advance_to ? std::string(to_string(*write->advance_to)) : std::string());
    events.push_back(event->id);
    // A call with no movements is the email after an event's refunds were recorded.
    const bool email_only = write->movements.empty();
    receipts.push_back(write->queue_email && (email_only || has_kind(write->movements, LedgerKind::payment)));
    refund_notices.push_back(write->queue_email && (email_only || has_kind(write->movements, LedgerKind::refund)));
    for (const auto& link : write->links) links.emplace_back(link, pledge->facts.id);
  }
  // A fixed order keeps two transactions from taking the same keys crosswise.
  std::sort(links.begin(), links.end());
  links.erase(std::unique(links.begin(), links.end()), links.end());
  std::vector<std::string> link_ids, link_pledges;
  for (auto& [id, pledge] : links) {
    link_ids.push_back(std::move(id));
    link_pledges.push_back(std::move(pledge));
  }

  std::vector<std::string> m_pledges, m_donor_keys, m_kinds, m_currencies, m_objects, m_events;
  std::vector<std::int64_t> m_campaigns, m_amounts, m_occurred;
  for (const auto& [from, movement, at] : merged_movements(writes)) {
    m_pledges.push_back(from->pledge->facts.id);
    m_campaigns.push_back(from->pledge->campaign_id);
    m_donor_keys.push_back(from->pledge->donor_key);
    m_kinds.emplace_back(to_string(movement.kind));
    m_amounts.push_back(movement.amount);
    m_currencies.push_back(movement.currency);
    m_objects.push_back(movement.stripe_object_id);
    m_events.push_back(from->event->id);
    m_occurred.push_back(at);
  }
  tx.exec_prepared(kWrite, postgres_text_array(pledges), postgres_text_array(payment_intents),
                   postgres_text_array(subscriptions), postgres_text_array(customers), postgres_text_array(statuses),
                   postgres_text_array(events), postgres_boolean_array(receipts),
                   postgres_boolean_array(refund_notices), postgres_text_array(link_ids),
                   postgres_text_array(link_pledges), postgres_text_array(m_pledges),
                   postgres_bigint_array(m_campaigns), postgres_text_array(m_donor_keys), postgres_text_array(m_kinds),
                   postgres_bigint_array(m_amounts), postgres_text_array(m_currencies), postgres_text_array(m_objects),
                   postgres_text_array(m_events), postgres_bigint_array(m_occurred));
}

}  // namespace pledged::webhooks
