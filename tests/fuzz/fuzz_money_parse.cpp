// libFuzzer target: parsing amounts as people type them, and formatting them back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pledged/domain/money.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const char* currency : {"usd", "jpy", "gbp"}) {
    const auto money = pledged::Money::parse_major(text, currency);
    if (!money) continue;
    // What was accepted formats back to a value that parses to the same amount.
    const auto again = pledged::Money::parse_major(money->to_major_string(), currency);
    if (!again || again->minor_units() != money->minor_units()) std::abort();
  }
  return 0;
}
