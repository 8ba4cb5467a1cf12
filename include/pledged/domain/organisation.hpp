#pragma once
// The organisation as receipts and statements name it (PLEDGED_ORG_*), and the sentence
// a written acknowledgment of a gift must carry.
#include <string>

namespace pledged {

struct Organisation {
  std::string name;
  std::string tax_id;   // "" when none
  std::string address;  // "" when none
};

inline constexpr const char* kNoGoodsOrServices =
    "No goods or services were provided in exchange for this contribution.";

}  // namespace pledged
