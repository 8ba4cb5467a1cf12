#include "pledged/domain/pledge_status.hpp"

#include <array>
#include <utility>

namespace pledged {
namespace {

// Why this order: a failed attempt or an expiry can be followed by success (a donor
// retries), and a success can be followed only by its undoing (refund, cancel), so
// failures rank below success and the undoings above it.
constexpr std::array<std::pair<PledgeStatus, const char*>, 9> kNames{{
    {PledgeStatus::not_started, "not_started"},
    {PledgeStatus::pending, "pending"},
    {PledgeStatus::awaiting_payment, "awaiting_payment"},
    {PledgeStatus::failed, "failed"},
    {PledgeStatus::expired, "expired"},
    {PledgeStatus::paid, "paid"},
    {PledgeStatus::active, "active"},
    {PledgeStatus::canceled, "canceled"},
    {PledgeStatus::refunded, "refunded"},
}};

}  // namespace

const char* to_string(PledgeStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "pending";
}

std::optional<PledgeStatus> parse_pledge_status(std::string_view text) {
  for (const auto& [value, name] : kNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

int pledge_status_rank(PledgeStatus status) {
  switch (status) {
    case PledgeStatus::not_started: return 0;
    case PledgeStatus::pending: return 1;
    case PledgeStatus::awaiting_payment: return 2;
    case PledgeStatus::failed: return 3;
    case PledgeStatus::expired: return 4;
    case PledgeStatus::paid: return 5;
    case PledgeStatus::active: return 5;
    case PledgeStatus::canceled: return 6;
    case PledgeStatus::refunded: return 7;
  }
  return 0;
}

bool can_advance(PledgeStatus from, PledgeStatus to) { return pledge_status_rank(to) > pledge_status_rank(from); }

}  // namespace pledged
