#pragma once
// A fuzz target checks properties, not only that nothing crashed: a broken one
// aborts, which libFuzzer reports as a crash and saves the input that did it.
#include <cstdlib>

namespace pledged::fuzz {

inline void require(bool property) {
  if (!property) std::abort();
}

}  // namespace pledged::fuzz
