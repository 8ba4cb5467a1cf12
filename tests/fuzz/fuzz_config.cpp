// libFuzzer target: configuration parsing never crashes and never echoes a secret.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pledged/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string value(reinterpret_cast<const char*>(data), size);
  static const char* kVariables[] = {"PLEDGED_LISTEN", "PLEDGED_PUBLIC_URL", "PLEDGED_ALLOWED_ORIGINS",
                                     "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE",
                                     "PLEDGED_WEBHOOK_TOLERANCE", "PLEDGED_PLEDGE_RATE", "PLEDGED_DB_POOL"};
  for (const char* variable : kVariables) {
    const auto config = pledged::load_config([&](const char* name) -> std::optional<std::string> {
      if (std::string(name) == "PLEDGED_DATABASE_URL") return std::string("postgresql://x@127.0.0.1/x");
      if (std::string(name) == variable) return value;
      return std::nullopt;
    });
    const bool secret = std::string(variable).rfind("STRIPE_", 0) == 0 && std::string(variable) != "STRIPE_API_BASE";
    if (!config && secret && value.size() >= 8 && config.error().message.find(value) != std::string::npos) {
      std::abort();
    }
  }
  return 0;
}
