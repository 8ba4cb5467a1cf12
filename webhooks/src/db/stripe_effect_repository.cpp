#include "stripe_effect_repository.hpp"

#include <algorithm>

namespace pledged::webhooks {
namespace {

constexpr const char* kWrite = "stripe_effect_write";
constexpr const char* kWriteSql =
    "SELECT pledged_write_stripe_effect($1, $2, $3, $4::text[], $5, $6, $7, $8, $9::text[], $10::bigint[], "
    "$11::text[], $12::text[], $13, $14, $15)";

std::string postgres_bigint_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (const auto value : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(value);
  }
  return out + "}";
}

}  // namespace

std::vector<PreparedStatement> StripeEffectRepository::statements() { return {{kWrite, kWriteSql}}; }

void StripeEffectRepository::write(Tx& tx, const StripePledge& pledge, const StripeEffectWrite& write,
                                   const StripeEvent& event) {
  std::vector<std::string> links = write.links;
  // A fixed order keeps two transactions from taking the same keys crosswise.
  std::sort(links.begin(), links.end());
  std::vector<std::string> kinds, currencies, object_ids;
  std::vector<std::int64_t> amounts;
  for (const auto& movement : write.movements) {
    kinds.emplace_back(to_string(movement.kind));
    amounts.push_back(movement.amount);
    currencies.push_back(movement.currency);
    object_ids.push_back(movement.stripe_object_id);
  }
  tx.exec_prepared(kWrite, pledge.facts.id, pledge.campaign_id, pledge.donor_key, postgres_text_array(links),
                   write.ids.payment_intent, write.ids.subscription, write.ids.customer,
                   write.advance_to ? std::string(to_string(*write.advance_to)) : std::string(),
                   postgres_text_array(kinds), postgres_bigint_array(amounts), postgres_text_array(currencies),
                   postgres_text_array(object_ids), event.id,
                   static_cast<long long>(event.created.time_since_epoch().count()), write.queue_email);
}

}  // namespace pledged::webhooks
