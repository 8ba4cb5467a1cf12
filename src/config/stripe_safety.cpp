#include "pledged/config/stripe_safety.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace pledged {
namespace {

constexpr std::string_view kStripeApi = "https://api.stripe.com";

// Every Stripe key or webhook secret printed in this project's own files: the deploy
// examples (deploy/), the docs, the run command's stand-in (scripts/run), the browser
// tests and the benchmarks. Anyone can read them, so anyone could sign events with them.
constexpr std::array<std::string_view, 13> kPublishedSecrets = {
    "whsec_CHANGE-ME",
    "sk_test_CHANGE-ME",
    "sk_live_CHANGE-ME",
    "whsec_local_standin",
    "sk_test_local_standin",
    "whsec_e2e_standin_secret",
    "sk_test_e2e_standin_key",
    "whsec_bench_0123456789abcdefghij",
    "sk_test_bench",
    "whsec_NEW",
    "whsec_OLD",
    "whsec_new",
    "whsec_old",
};

// Shapes of a placeholder rather than a secret: "whsec_...", "sk_live_…", "CHANGE-ME".
bool looks_like_placeholder(std::string_view value) {
  for (const std::string_view marker : {"CHANGE-ME", "CHANGEME", "change-me", "...", "\xE2\x80\xA6"}) {
    if (value.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

bool is_published(std::string_view value) {
  return looks_like_placeholder(value) ||
         std::find(kPublishedSecrets.begin(), kPublishedSecrets.end(), value) != kPublishedSecrets.end();
}

bool is_live_key(const std::string& key) { return key.rfind("sk_live_", 0) == 0 || key.rfind("rk_live_", 0) == 0; }

// "http://user@host:port/path" -> "host" ("::1" for "[::1]").
std::string host_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  std::string authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    return close == std::string::npos ? "" : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

Error unsafe(const char* variable, const std::string& why) {
  return make_error(ErrorCode::validation_failed, std::string(variable) + ": " + why);
}

}  // namespace

bool is_loopback_url(const std::string& url) {
  const std::string host = host_of(url);
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 in dotted form: "127." then digits and dots only.
  return host.rfind("127.", 0) == 0 && host.find_first_not_of("0123456789.") == std::string::npos;
}

Status refuse_unsafe_stripe_settings(const Config& config) {
  const std::string& base = config.stripe_api_base;
  const bool loopback = is_loopback_url(base);
  if (base.rfind("http://", 0) == 0 && !loopback) {
    return unsafe("STRIPE_API_BASE",
                  "http:// is allowed only to a loopback address (the key would travel in clear "
                  "text); use https://");
  }
  if (config.stripe_secret_key && is_live_key(*config.stripe_secret_key) && base != kStripeApi) {
    return unsafe("STRIPE_SECRET_KEY",
                  "a live key is sent only to https://api.stripe.com (STRIPE_API_BASE is " + base + ")");
  }
  // The local stand-in (scripts/run, the tests) runs on loopback with published
  // secrets: nothing signed with them can come from outside the machine's Stripe.
  if (loopback) return Status::success();
  if (config.stripe_secret_key && is_published(*config.stripe_secret_key)) {
    return unsafe("STRIPE_SECRET_KEY", "is a placeholder published in pledged's own files; set your Stripe key");
  }
  for (const auto& secret : config.webhook_secrets) {
    if (is_published(secret)) {
      return unsafe("STRIPE_WEBHOOK_SECRET",
                    "is a placeholder published in pledged's own files (anyone could sign events with it); set the "
                    "endpoint's signing secret from the Stripe dashboard");
    }
  }
  return Status::success();
}

std::string stripe_mode(const Config& config) {
  if (!config.stripe_secret_key) return "off";
  return is_live_key(*config.stripe_secret_key) ? "live" : "test";
}

}  // namespace pledged
