#pragma once
// A donor as self-service sees them (API.md, "Donors"): an email, trimmed and in lower
// case, which is the key the ledger files their gifts under; their gifts grouped by
// year; their monthly gifts as the subscription now stands. No HTTP, no SQL.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"

namespace pledged {

// The donor key of what a person typed: trimmed, lower case, one plain address;
// validation_failed (field "email") otherwise.
Result<std::string> donor_key_of(const std::string& typed_email);

// One ledger movement of the donor's: a gift (a payment, an offline gift) or a part of
// one that went back (a refund, a lost dispute), signed as in the ledger.
struct DonorMovement {
  Timestamp occurred_at;
  std::string campaign;     // its title
  std::string kind;         // the ledger's kind
  std::int64_t amount = 0;  // minor units; negative for money that went back
  std::string currency;
  std::string frequency;  // once | monthly
};

// A monthly gift: what its subscription bills now, and whether and when it ends.
struct DonorMonthlyGift {
  std::string pledge_id;
  std::string campaign;
  std::int64_t amount = 0;  // what each installment bills, minor units
  std::string currency;
  std::string status;  // the pledge's: active, canceled, ...
  bool ends_at_period_end = false;
  std::optional<Timestamp> period_end;  // the next charge (or the end, when it ends)
  bool can_manage = false;              // the pledge knows its Stripe customer
};

struct DonorYear {
  int year = 0;
  std::vector<DonorMovement> movements;  // oldest first
};

struct DonorAccount {
  std::string email;
  std::string name;              // the latest name given, "" when none
  std::vector<DonorYear> years;  // newest year first
  std::vector<DonorMonthlyGift> monthly;
};

// Movements (any order) into calendar years in UTC, newest year first, oldest movement first within a year.
std::vector<DonorYear> group_by_year(std::vector<DonorMovement> movements);

}  // namespace pledged
