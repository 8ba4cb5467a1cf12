#pragma once
// A pledge's life as Stripe's events reveal it. Events arrive in any order and any
// number of times, so a status only ever moves forward: the final status is the
// furthest one any event implied, whatever the order they came in.
#include <optional>
#include <string_view>

namespace pledged {

enum class PledgeStatus {
  not_started,       // Stripe was unreachable when the pledge was made
  pending,           // checkout started
  awaiting_payment,  // checkout completed with a delayed method (bank debit)
  failed,            // a payment attempt failed (a later success still wins)
  expired,           // the checkout session expired unpaid
  paid,              // one-time gift received
  active,            // monthly gift running
  canceled,          // monthly gift ended
  refunded,          // one-time gift refunded in full
};

const char* to_string(PledgeStatus status);
std::optional<PledgeStatus> parse_pledge_status(std::string_view text);

// Position along the one direction a pledge moves. `paid` and `active` share a rank:
// they belong to different frequencies and neither replaces the other.
int pledge_status_rank(PledgeStatus status);

// True when moving from `from` to `to` is progress (strictly further along).
bool can_advance(PledgeStatus from, PledgeStatus to);

}  // namespace pledged
