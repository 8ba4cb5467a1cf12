#pragma once
// Realistic Stripe events for tests, built from Stripe's published example objects
// (tests/fixtures/stripe/objects.json, MIT) with our ids and amounts put in.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "test_database.hpp"

namespace pledged::testing {

inline constexpr const char* kWebhookSecret = "whsec_test_pledged_webhooks_0123456789";

// Stripe's example object of one kind ("checkout.session", "invoice", "charge", …).
nlohmann::json stripe_template(const std::string& kind);
// A whole event around `object`, serialised as Stripe would send it.
std::string stripe_event(const std::string& id, const std::string& type, const nlohmann::json& object,
                         long long created);

struct HistoryPledge {
  std::string id;
  std::string frequency;  // once | monthly
  std::int64_t amount = 0;
  std::string checkout_session_id;
  std::string expected_status;
  std::int64_t fee = 0;  // a covered fee: its Checkout charged amount + fee
};

struct StripeHistory {
  std::vector<HistoryPledge> pledges;
  std::vector<std::string> events;  // every event once, in a plausible order
  std::int64_t expected_raised = 0;
};

// `count` pledges cycling through one-time, async, expired, monthly with several
// invoices, partial and full refunds, and disputes won and lost. Deterministic.
StripeHistory generate_history(int count);

// Inserts the pledges as POST /v1/pledges leaves them (pending, checkout started)
// for the demo campaign eoy-2026.
void insert_pledges(const TestDatabase& database, const std::vector<HistoryPledge>& pledges);

// A fresh pledge id: "pl_" + 24 base62 characters.
std::string new_pledge_id();

// Signed headers for a webhook delivery of `body` at `timestamp`.
std::map<std::string, std::string> stripe_signature_headers(const std::string& body, long long timestamp,
                                                             const std::string& secret = kWebhookSecret);
long long unix_now();

}  // namespace pledged::testing
