#include "event_batch.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include "stripe_effect_repository.hpp"
#include "webhook_event_repository.hpp"

namespace pledged::webhooks {
namespace {

const ApplyResult kDuplicate{EventOutcome::duplicate, "", "", "", false, false};

// What one stored event still needs, between the statements of the batch.
struct Stored {
  std::size_t index;                   // in the caller's list
  std::optional<ApplyResult> settled;  // known without its pledge (ignored, another mode)
  PledgeReferences refs;
  std::string pledge_id;  // found by its references; "" none
};

// The first copy of each event id, in the order of the ids.
std::vector<std::size_t> distinct_by_id(const std::vector<BatchedEvent>& events) {
  std::vector<std::size_t> order(events.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return events[a].event->id < events[b].event->id; });
  order.erase(std::unique(order.begin(), order.end(),
                          [&](std::size_t a, std::size_t b) { return events[a].event->id == events[b].event->id; }),
              order.end());
  return order;
}

// Stores the events (those already stored are duplicates) and finds each one's pledge.
std::vector<Stored> store(Tx& tx, const std::vector<BatchedEvent>& events, bool live_key) {
  std::vector<Stored> candidates;
  for (const auto index : distinct_by_id(events)) {
    const auto& event = *events[index].event;
    Stored item{index, outcome_without_pledge(event, live_key), {}, ""};
    if (!item.settled) item.refs = pledge_references(event.object);
    candidates.push_back(std::move(item));
  }
  std::vector<NewEvent> rows;
  for (const auto& item : candidates) {
    const auto& batched = events[item.index];
    rows.push_back({batched.event, batched.raw_payload, batched.source, item.settled ? nullptr : &item.refs});
  }
  const auto found = WebhookEventRepository::insert_all_and_find_pledges(tx, rows);
  std::vector<Stored> stored;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!found[i]) continue;  // a duplicate
    candidates[i].pledge_id = *found[i];
    stored.push_back(std::move(candidates[i]));
  }
  return stored;
}

std::map<std::string, StripePledge> lock_pledges(Tx& tx, const std::vector<Stored>& stored) {
  std::set<std::string> ids;
  for (const auto& item : stored) {
    if (!item.pledge_id.empty()) ids.insert(item.pledge_id);
  }
  std::map<std::string, StripePledge> pledges;
  if (ids.empty()) return pledges;
  for (auto& pledge : StripePledgeRepository::lock_all(tx, {ids.begin(), ids.end()})) {
    auto id = pledge.facts.id;
    pledges.emplace(std::move(id), std::move(pledge));
  }
  return pledges;
}

}  // namespace

std::vector<ApplyResult> store_and_apply_batch(Tx& tx, const std::vector<BatchedEvent>& events, bool live_key) {
  std::vector<ApplyResult> results(events.size(), kDuplicate);
  const auto stored = store(tx, events, live_key);
  const auto pledges = lock_pledges(tx, stored);

  struct Planned {
    const Stored* item;
    const StripePledge* pledge;
    PlannedEffect effect;
  };
  std::deque<Planned> planned;  // stable addresses for the writes below
  std::vector<const Stored*> later;
  std::set<std::string> claimed;
  for (const auto& item : stored) {
    const auto& event = *events[item.index].event;
    if (item.settled) {
      results[item.index] = *item.settled;
      continue;
    }
    const auto at = pledges.find(item.pledge_id);
    const std::optional<StripePledge> pledge =
        at == pledges.end() ? std::nullopt : std::optional<StripePledge>(at->second);
    if (pledge && !claimed.insert(pledge->facts.id).second) {
      later.push_back(&item);  // its pledge's first event changes what it finds
      continue;
    }
    auto plan = plan_effect(event, item.refs, pledge);
    if (auto* settled = std::get_if<ApplyResult>(&plan)) {
      results[item.index] = std::move(*settled);
      continue;
    }
    planned.push_back({&item, &at->second, std::move(std::get<PlannedEffect>(plan))});
  }

  std::vector<PledgeEffectWrite> writes;
  for (const auto& each : planned) writes.push_back({each.pledge, &each.effect.write, events[each.item->index].event});
  if (!writes.empty()) StripeEffectRepository::write_all(tx, writes);
  for (const auto& each : planned) {
    results[each.item->index] = finish_effect(tx, *events[each.item->index].event, *each.pledge, each.effect);
  }
  for (const auto* item : later) {
    const auto& event = *events[item->index].event;
    results[item->index] =
        apply_to_pledge(tx, event, item->refs, StripePledgeRepository::find_for_update(tx, item->refs));
  }

  for (const auto& item : stored) {
    const auto& result = results[item.index];
    if (result.outcome == EventOutcome::applied) continue;
    WebhookEventRepository::mark(tx, events[item.index].event->id, result.outcome, result.error, result.awaits, false,
                                 result.final);
  }
  return results;
}

}  // namespace pledged::webhooks
