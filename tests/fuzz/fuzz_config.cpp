// libFuzzer target: configuration parsing never crashes and never echoes a secret.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pledged/config/config.hpp"

namespace {

pledged::Result<pledged::Config> load_with(const char* variable, const std::string& value) {
  return pledged::load_config([&](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "PLEDGED_DATABASE_URL") return std::string("postgresql://x@127.0.0.1/x");
    if (std::string(name) == variable) return value;
    return std::nullopt;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string value(reinterpret_cast<const char*>(data), size);
  static const char* kVariables[] = {"PLEDGED_LISTEN", "PLEDGED_PUBLIC_URL", "PLEDGED_ALLOWED_ORIGINS",
                                     "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE",
                                     "PLEDGED_WEBHOOK_TOLERANCE", "PLEDGED_PLEDGE_RATE", "PLEDGED_DB_POOL",
                                     "PLEDGED_TRUSTED_PROXIES"};
  for (const char* variable : kVariables) {
    const auto config = load_with(variable, value);
    const bool secret = std::string(variable) == "STRIPE_SECRET_KEY" || std::string(variable) == "STRIPE_WEBHOOK_SECRET";
    if (config || !secret) continue;
    // Never echoing a secret means the error cannot depend on the secret's value:
    // any other refused value of the variable gets the very same sentence.
    // Two sentences exist: a malformed value, and a placeholder published in our own
    // files (refused by what it is, not by quoting it).
    const auto other = load_with(variable, "refused-value");
    const auto published =
        load_with(variable, std::string(variable) == "STRIPE_SECRET_KEY" ? "sk_test_CHANGE-ME" : "whsec_CHANGE-ME");
    if (!other && !published) {
      if (config.error().message != other.error().message && config.error().message != published.error().message) {
        std::abort();
      }
    }
  }
  return 0;
}
