#include "pledged/config/config.hpp"

#include <cerrno>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace pledged {
namespace {

Error bad(const char* variable, const std::string& why) {
  return make_error(ErrorCode::validation_failed, std::string(variable) + ": " + why);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
  }
  return items;
}

std::optional<long long> parse_integer(const std::string& text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return value;
}

// Reads an integer variable within [min, max] into `out`; unset leaves the default.
Status read_integer(const EnvLookup& env, const char* name, long long min, long long max,
                    long long& out) {
  const auto raw = env(name);
  if (!raw) return Status::success();
  const auto value = parse_integer(*raw);
  if (!value || *value < min || *value > max) {
    return bad(name, "expected a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", got \"" + *raw + "\"");
  }
  out = *value;
  return Status::success();
}

bool is_http_url(const std::string& url) {
  return (url.rfind("http://", 0) == 0 && url.size() > 7) ||
         (url.rfind("https://", 0) == 0 && url.size() > 8);
}

std::string strip_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// "https://news.example/path" -> "https://news.example"
std::string origin_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto path_start = url.find('/', scheme_end + 3);
  return path_start == std::string::npos ? url : url.substr(0, path_start);
}

Result<ListenAddress> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return bad("PLEDGED_LISTEN", "expected host:port, got \"" + text + "\"");
  }
  const auto port = parse_integer(text.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) {
    return bad("PLEDGED_LISTEN", "port must be 0-65535 (0 picks a free port), got \"" + text + "\"");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return ListenAddress{host, static_cast<std::uint16_t>(*port)};
}

}  // namespace

EnvLookup process_environment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Config> load_config(const EnvLookup& env) {
  Config config;

  const auto database_url = env("PLEDGED_DATABASE_URL");
  if (!database_url || database_url->empty()) {
    return bad("PLEDGED_DATABASE_URL", "is required (a libpq connection string or URI)");
  }
  config.database_url = *database_url;

  if (const auto listen = env("PLEDGED_LISTEN")) {
    auto parsed = parse_listen(*listen);
    if (!parsed) return parsed.error();
    config.listen = *parsed;
  }

  if (const auto public_url = env("PLEDGED_PUBLIC_URL")) {
    if (!is_http_url(*public_url)) {
      return bad("PLEDGED_PUBLIC_URL", "expected an http:// or https:// URL, got \"" + *public_url + "\"");
    }
    config.public_url = strip_trailing_slash(*public_url);
  }

  if (const auto origins = env("PLEDGED_ALLOWED_ORIGINS")) {
    config.allowed_origins = split_list(*origins);
    for (const auto& origin : config.allowed_origins) {
      if (origin != "*" && (!is_http_url(origin) || origin_of(origin) != origin)) {
        return bad("PLEDGED_ALLOWED_ORIGINS",
                   "each entry must be an origin like https://news.example (no path), got \"" + origin + "\"");
      }
    }
  }
  if (config.allowed_origins.empty()) config.allowed_origins.push_back(origin_of(config.public_url));

  if (const auto key = env("STRIPE_SECRET_KEY"); key && !key->empty()) {
    if (key->rfind("sk_test_", 0) != 0 && key->rfind("sk_live_", 0) != 0 && key->rfind("rk_", 0) != 0) {
      return bad("STRIPE_SECRET_KEY", "expected a key starting with sk_test_, sk_live_ or rk_");
    }
    config.stripe_secret_key = *key;
  }

  if (const auto secrets = env("STRIPE_WEBHOOK_SECRET"); secrets && !secrets->empty()) {
    config.webhook_secrets = split_list(*secrets);
    for (const auto& secret : config.webhook_secrets) {
      if (secret.rfind("whsec_", 0) != 0 || secret.size() < 10) {
        return bad("STRIPE_WEBHOOK_SECRET", "every secret must start with whsec_ (comma-separate several)");
      }
    }
  }

  if (const auto base = env("STRIPE_API_BASE")) {
    if (!is_http_url(*base)) {
      return bad("STRIPE_API_BASE", "expected an http:// or https:// URL, got \"" + *base + "\"");
    }
    config.stripe_api_base = strip_trailing_slash(*base);
  }

  if (const auto proxies = env("PLEDGED_TRUSTED_PROXIES")) {
    auto parsed = TrustedProxies::parse(*proxies);
    if (!parsed) return bad("PLEDGED_TRUSTED_PROXIES", parsed.error().message);
    config.trusted_proxies = *parsed;
  }

  struct IntegerSetting {
    const char* name;
    long long min;
    long long max;
    long long value;
  };
  IntegerSetting settings[] = {
      {"PLEDGED_WEBHOOK_TOLERANCE", 1, 86400, config.webhook_tolerance.count()},
      {"PLEDGED_PLEDGE_RATE", 0, 1000000, config.pledge_rate_per_minute},
      {"PLEDGED_HTTP_THREADS", 1, 64, config.http_threads},
      {"PLEDGED_WORKERS", 1, 1024, config.worker_threads},
      {"PLEDGED_WORKER_QUEUE", 1, 1000000, config.worker_queue},
      {"PLEDGED_DB_POOL", 1, 500, config.db_pool_size},
      {"PLEDGED_DB_POOL_TIMEOUT_MS", 1, 600000, config.db_pool_timeout.count()},
      {"PLEDGED_PROGRESS_REFRESH_MS", 100, 3600000, config.progress_refresh.count()},
      {"PLEDGED_SHUTDOWN_GRACE", 0, 3600, config.shutdown_grace.count()},
      {"PLEDGED_STRIPE_TIMEOUT_MS", 100, 120000, config.stripe_timeout.count()},
      {"PLEDGED_STRIPE_RETRIES", 0, 10, config.stripe_retries},
      {"PLEDGED_STAFF_AUTH_FAILURES", 1, 1000000, config.staff_auth_failures_per_minute},
      {"PLEDGED_DB_STATEMENT_TIMEOUT_MS", 100, 600000, config.db_statement_timeout.count()},
      {"PLEDGED_CHECKOUT_WORKERS", 1, 1024, config.checkout_workers},
  };
  for (auto& setting : settings) {
    if (auto status = read_integer(env, setting.name, setting.min, setting.max, setting.value); !status) {
      return status.error();
    }
  }
  config.webhook_tolerance = std::chrono::seconds(settings[0].value);
  config.pledge_rate_per_minute = static_cast<int>(settings[1].value);
  config.http_threads = static_cast<int>(settings[2].value);
  config.worker_threads = static_cast<int>(settings[3].value);
  config.worker_queue = static_cast<int>(settings[4].value);
  config.db_pool_size = static_cast<int>(settings[5].value);
  config.db_pool_timeout = std::chrono::milliseconds(settings[6].value);
  config.progress_refresh = std::chrono::milliseconds(settings[7].value);
  config.shutdown_grace = std::chrono::seconds(settings[8].value);
  config.stripe_timeout = std::chrono::milliseconds(settings[9].value);
  config.stripe_retries = static_cast<int>(settings[10].value);
  config.staff_auth_failures_per_minute = static_cast<int>(settings[11].value);
  config.db_statement_timeout = std::chrono::milliseconds(settings[12].value);
  config.checkout_workers = static_cast<int>(settings[13].value);

  if (const auto log = env("PLEDGED_ACCESS_LOG")) {
    if (*log != "on" && *log != "off") return bad("PLEDGED_ACCESS_LOG", "expected on or off");
    config.access_log = *log == "on";
  }
  return config;
}

}  // namespace pledged
