// pledged's LOCAL STRIPE STAND-IN, for tests and the offline demo only. It speaks
// Stripe's wire format for the calls pledged makes, serves a fake hosted checkout
// page, and sends signed events to pledged. It moves no money. scripts/run starts it
// only when no STRIPE_SECRET_KEY is configured.
//
// Environment: STANDIN_LISTEN (host:port, default 127.0.0.1:12111; port 0 picks one),
// STANDIN_PUBLIC_URL (base of hosted pages; default http://<listen>), STANDIN_API_KEY
// (the Bearer key to accept; default any sk_test_ key), STANDIN_WEBHOOK_URL (default
// $PLEDGED_PUBLIC_URL/v1/webhooks/stripe), STRIPE_WEBHOOK_SECRET (first whsec_ signs),
// STANDIN_LATENCY_MS (added to every API answer).
#include <curl/curl.h>

#include <cstdlib>
#include <iostream>

#include "standin.hpp"

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

int main() {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string listen = env_or("STANDIN_LISTEN", "127.0.0.1:12111");
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "stripe-standin: STANDIN_LISTEN must be host:port\n";
    return 2;
  }
  try {
    standin::StandinOptions options;
    options.api_key = env_or("STANDIN_API_KEY", "");
    const std::string pledged_url = env_or("PLEDGED_PUBLIC_URL", "");
    options.webhook_url = env_or("STANDIN_WEBHOOK_URL", pledged_url.empty() ? "" : pledged_url + "/v1/webhooks/stripe");
    const std::string secrets = env_or("STRIPE_WEBHOOK_SECRET", "");
    options.webhook_secret = secrets.substr(0, secrets.find(','));
    options.latency_ms = std::stoi(env_or("STANDIN_LATENCY_MS", "0"));

    standin::Standin* state = nullptr;
    standin::TinyHttpServer server(listen.substr(0, colon), static_cast<std::uint16_t>(std::stoi(listen.substr(colon + 1))),
                                   [&state](const standin::Request& request) { return state->handle(request); });
    options.public_base = env_or("STANDIN_PUBLIC_URL", "http://" + listen.substr(0, colon) + ":" +
                                                           std::to_string(server.port()));
    standin::Standin standin(options);
    state = &standin;
    std::cerr << "{\"msg\":\"listening\",\"service\":\"stripe-standin (test/demo only)\",\"port\":" << server.port()
              << "}" << std::endl;
    server.run();
  } catch (const std::exception& e) {
    std::cerr << "stripe-standin: " << e.what() << "\n";
    return 1;
  }
}
