// libFuzzer target: the Stripe-Signature header parser and verifier, with the body
// and header both chosen by the fuzzer. Must never crash, leak or accept a forgery.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pledged/webhooks/stripe_signature.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  // First line: the header; the rest: the raw body.
  const auto newline = input.find('\n');
  const std::string header = input.substr(0, newline);
  const std::string body = newline == std::string::npos ? "" : input.substr(newline + 1);
  static const std::vector<std::string> secrets{"whsec_fuzzing_secret_one", "whsec_fuzzing_secret_two"};
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1796000000));
  const auto result =
      pledged::webhooks::verify_stripe_signature({header, body, secrets, std::chrono::seconds(300), now});
  if (result.ok()) {
    // Only a header carrying the real HMAC of this body may pass.
    bool genuine = false;
    for (const auto& secret : secrets) {
      for (long long t = 1796000000 - 300; t <= 1796000000 + 300 && !genuine; ++t) {
        if (header.find("t=" + std::to_string(t)) == std::string::npos) continue;
        genuine = header.find(pledged::webhooks::stripe_v1_signature(secret, t, body)) != std::string::npos;
      }
    }
    if (!genuine) std::abort();
  }
  return 0;
}
