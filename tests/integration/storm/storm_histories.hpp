#pragma once
// The storm test's histories: a random Stripe world for one pledge (its payments or
// installments, refunds partial and full that may fail or be canceled, disputes lost,
// won, lost-then-won, foreign money of the same customer, forged amounts, the other
// livemode), the events Stripe sends for it, repeated and shuffled; and their rendering
// as Stripe's JSON through the shared builders (stripe_objects.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "ledger_model.hpp"
#include "stripe_history.hpp"

namespace pledged::testing::storm {

struct StormHistory {
  ModelPledge pledge;
  std::vector<StormEvent> deliveries;  // in delivery order, repeats included
  std::int64_t world_net = 0;          // what the world kept: payments − refunds kept − disputes lost
};

// The history number `index` of a run seeded `seed`: the same pair gives the same history.
StormHistory generate_history(std::uint64_t seed, int index);

// One concrete pledge a history is delivered to: its ids are made unique by `tag`.
struct RenderedPledge {
  HistoryPledge pledge;
  std::string tag;
  std::string customer;  // the donor's Stripe customer: foreign objects carry it too
};
RenderedPledge render_pledge(const ModelPledge& pledge, const std::string& tag);
// The event as Stripe sends it (serialised).
std::string render_event(const StormEvent& event, const RenderedPledge& pledge);
// One line for a failure report: number, type, object, amounts, flags.
std::string describe(const StormEvent& event);

}  // namespace pledged::testing::storm
