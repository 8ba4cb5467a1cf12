#include "pledged/config/config.hpp"

#include <cerrno>
#include <cstdlib>
#include <functional>
#include <limits>
#include <sstream>

#include "pledged/config/stripe_safety.hpp"

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

Result<ListenAddress> parse_listen(const char* name, const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return bad(name, "expected host:port, got \"" + text + "\"");
  }
  const auto port = parse_integer(text.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) {
    return bad(name, "port must be 0-65535 (0 picks a free port), got \"" + text + "\"");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return ListenAddress{host, static_cast<std::uint16_t>(*port)};
}

// How one variable's value fills the Config. `name` is the variable's, for the error
// message, which is one line starting with it.
using Reader = std::function<Status(const char* name, const std::string& value, Config& config)>;

// A whole number within [min, max] into an int or std::chrono field of Config.
template <typename Field>
Reader whole_number(Field Config::*field, long long min, long long max) {
  return [field, min, max](const char* name, const std::string& value, Config& config) -> Status {
    const auto number = parse_integer(value);
    if (!number || *number < min || *number > max) {
      return bad(name, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                           ", got \"" + value + "\"");
    }
    config.*field = Field(*number);
    return Status::success();
  };
}

// An http:// or https:// URL, kept without its trailing slash.
Reader http_url(std::string Config::*field) {
  return [field](const char* name, const std::string& value, Config& config) -> Status {
    if (!is_http_url(value)) return bad(name, "expected an http:// or https:// URL, got \"" + value + "\"");
    config.*field = strip_trailing_slash(value);
    return Status::success();
  };
}

Status read_database_url(const char* name, const std::string& value, Config& config) {
  if (value.empty()) return bad(name, "is required (a libpq connection string or URI)");
  config.database_url = value;
  return Status::success();
}

Reader listen_address(ListenAddress Config::*field) {
  return [field](const char* name, const std::string& value, Config& config) -> Status {
    auto parsed = parse_listen(name, value);
    if (!parsed) return parsed.error();
    config.*field = *parsed;
    return Status::success();
  };
}

Status read_allowed_origins(const char* name, const std::string& value, Config& config) {
  config.allowed_origins = split_list(value);
  for (const auto& origin : config.allowed_origins) {
    if (origin != "*" && (!is_http_url(origin) || origin_of(origin) != origin)) {
      return bad(name, "each entry must be an origin like https://news.example (no path), got \"" + origin + "\"");
    }
  }
  return Status::success();
}

// A secret's errors never quote it, nor depend on its value: every refused value
// gets the same sentence.
Status read_stripe_secret_key(const char* name, const std::string& value, Config& config) {
  if (value.empty()) return Status::success();
  if (value.rfind("sk_test_", 0) != 0 && value.rfind("sk_live_", 0) != 0 && value.rfind("rk_", 0) != 0) {
    return bad(name, "expected a key starting with sk_test_, sk_live_ or rk_");
  }
  config.stripe_secret_key = value;
  return Status::success();
}

Status read_webhook_secrets(const char* name, const std::string& value, Config& config) {
  if (value.empty()) return Status::success();
  config.webhook_secrets = split_list(value);
  for (const auto& secret : config.webhook_secrets) {
    if (secret.rfind("whsec_", 0) != 0 || secret.size() < 10) {
      return bad(name, "every secret must start with whsec_ (comma-separate several)");
    }
  }
  return Status::success();
}

Status read_trusted_proxies(const char* name, const std::string& value, Config& config) {
  auto parsed = TrustedProxies::parse(value);
  if (!parsed) return bad(name, parsed.error().message);
  config.trusted_proxies = *parsed;
  return Status::success();
}

Status read_access_log(const char* name, const std::string& value, Config& config) {
  if (value != "on" && value != "off") return bad(name, "expected on or off");
  config.access_log = value == "on";
  return Status::success();
}

// Like every secret's, its errors never quote it.
Status read_smtp_url(const char* name, const std::string& value, Config& config) {
  if (value.empty()) return Status::success();
  if (value.rfind("smtp://", 0) != 0 && value.rfind("smtps://", 0) != 0) {
    return bad(name, "expected an smtp:// or smtps:// URL");
  }
  config.smtp_url = value;
  return Status::success();
}

// Text that goes into an email header: one line, so nothing can add a header.
Reader header_text(std::string Config::*field, std::size_t max_length) {
  return [field, max_length](const char* name, const std::string& value, Config& config) -> Status {
    for (const unsigned char c : value) {
      if (c < 0x20 || c == 0x7f) return bad(name, "must be one line without control characters");
    }
    if (value.size() > max_length) return bad(name, "longer than " + std::to_string(max_length) + " bytes");
    config.*field = value;
    return Status::success();
  };
}

constexpr long long kMaxCoverFeeBasisPoints = 5000;  // the same bounds as domain/covered_fee.hpp's
constexpr long long kMaxCoverFeeFixed = 10000;

// `PERCENT%+FIXED` (2.9%+30) or `off`. The percentage is read digit by digit into basis
// points, so 2.9 is exactly 290; bounds as the fee rule needs them (below 100%, so that a
// gift can always be grossed up).
Status read_cover_fee(const char* name, const std::string& value, Config& config) {
  const std::string expected =
      "expected PERCENT%+FIXED (e.g. 2.9%+30: at most two decimals, at most 50%, "
      "FIXED a whole number of minor units up to 10000) or off, got \"" +
      value + "\"";
  if (value == "off") {
    config.cover_fee.reset();
    return Status::success();
  }
  const auto percent_sign = value.find("%+");
  if (percent_sign == std::string::npos || percent_sign == 0) return bad(name, expected);
  const std::string percent = value.substr(0, percent_sign);
  const auto point = percent.find('.');
  const std::string whole = percent.substr(0, point);
  const std::string decimals = point == std::string::npos ? "" : percent.substr(point + 1);
  const auto all_digits = [](const std::string& text) {
    return text.find_first_not_of("0123456789") == std::string::npos;
  };
  if (whole.empty() || whole.size() > 2 || !all_digits(whole) || !all_digits(decimals) || decimals.size() > 2 ||
      (point != std::string::npos && decimals.empty())) {
    return bad(name, expected);
  }
  const long long basis_points = std::stoll(whole) * 100 + std::stoll((decimals + "00").substr(0, 2));
  const std::string fixed_text = value.substr(percent_sign + 2);
  const auto fixed = all_digits(fixed_text) && fixed_text.size() <= 5 ? parse_integer(fixed_text) : std::nullopt;
  if (basis_points > kMaxCoverFeeBasisPoints || !fixed || *fixed > kMaxCoverFeeFixed) return bad(name, expected);
  config.cover_fee = CoverFeeSetting{basis_points, *fixed};
  return Status::success();
}

struct Setting {
  const char* name;
  const char* fallback;  // read in place of an unset variable; nullptr: unset leaves the field empty
  Reader read;
};

// Every variable pledged reads, each named once with its default and how it is read
// (bounds included), in the order they are checked: the first bad one is reported.
// A new variable is one more line here and one field in Config.
const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"PLEDGED_DATABASE_URL", "", read_database_url},
      {"PLEDGED_LISTEN", "127.0.0.1:8080", listen_address(&Config::listen)},
      {"PLEDGED_METRICS_LISTEN", "127.0.0.1:9464", listen_address(&Config::metrics_listen)},
      {"PLEDGED_PUBLIC_URL", "http://127.0.0.1:8080", http_url(&Config::public_url)},
      {"PLEDGED_ALLOWED_ORIGINS", nullptr, read_allowed_origins},  // default: the public URL's origin
      {"STRIPE_SECRET_KEY", nullptr, read_stripe_secret_key},
      {"STRIPE_WEBHOOK_SECRET", nullptr, read_webhook_secrets},
      {"STRIPE_API_BASE", "https://api.stripe.com", http_url(&Config::stripe_api_base)},
      {"PLEDGED_TRUSTED_PROXIES", nullptr, read_trusted_proxies},  // default: nobody
      {"PLEDGED_WEBHOOK_TOLERANCE", "300", whole_number(&Config::webhook_tolerance, 1, 86400)},
      {"PLEDGED_PLEDGE_RATE", "30", whole_number(&Config::pledge_rate_per_minute, 0, 1000000)},
      {"PLEDGED_HTTP_THREADS", "2", whole_number(&Config::http_threads, 1, 64)},
      {"PLEDGED_WORKERS", "32", whole_number(&Config::worker_threads, 1, 1024)},
      {"PLEDGED_WORKER_QUEUE", "1024", whole_number(&Config::worker_queue, 1, 1000000)},
      {"PLEDGED_DB_POOL", "16", whole_number(&Config::db_pool_size, 1, 500)},
      {"PLEDGED_DB_POOL_TIMEOUT_MS", "2000", whole_number(&Config::db_pool_timeout, 1, 600000)},
      {"PLEDGED_PROGRESS_REFRESH_MS", "2000", whole_number(&Config::progress_refresh, 100, 3600000)},
      {"PLEDGED_SHUTDOWN_GRACE", "25", whole_number(&Config::shutdown_grace, 0, 3600)},
      {"PLEDGED_STRIPE_TIMEOUT_MS", "10000", whole_number(&Config::stripe_timeout, 100, 120000)},
      {"PLEDGED_STRIPE_RETRIES", "2", whole_number(&Config::stripe_retries, 0, 10)},
      {"PLEDGED_RECONCILE_PAGE_ATTEMPTS", "6", whole_number(&Config::reconcile_page_attempts, 1, 20)},
      {"PLEDGED_STAFF_AUTH_FAILURES", "10", whole_number(&Config::staff_auth_failures_per_minute, 1, 1000000)},
      {"PLEDGED_DB_STATEMENT_TIMEOUT_MS", "10000", whole_number(&Config::db_statement_timeout, 100, 600000)},
      {"PLEDGED_CHECKOUT_WORKERS", "16", whole_number(&Config::checkout_workers, 1, 1024)},
      {"PLEDGED_ACCESS_LOG", "on", read_access_log},
      {"PLEDGED_SMTP_URL", nullptr, read_smtp_url},
      {"PLEDGED_EMAIL_LEASE_SECONDS", "90", whole_number(&Config::email_lease, 4, 3600)},
      {"PLEDGED_ORG_NAME", "Our newsroom", header_text(&Config::org_name, 200)},
      {"PLEDGED_ORG_TAX_ID", nullptr, header_text(&Config::org_tax_id, 100)},
      {"PLEDGED_ORG_ADDRESS", nullptr, header_text(&Config::org_address, 500)},
      {"PLEDGED_MAIL_FROM", nullptr, header_text(&Config::mail_from, 300)},  // default: below
      {"PLEDGED_COVER_FEE", "2.9%+30", read_cover_fee},
  };
  return table;
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
  for (const auto& setting : settings()) {
    const auto raw = env(setting.name);
    if (!raw && setting.fallback == nullptr) continue;
    if (auto status = setting.read(setting.name, raw ? *raw : std::string(setting.fallback), config); !status) {
      return status.error();
    }
  }
  if (config.allowed_origins.empty()) config.allowed_origins.push_back(origin_of(config.public_url));
  if (config.mail_from.empty()) config.mail_from = config.org_name + " <donations@localhost>";
  if (auto safe = refuse_unsafe_stripe_settings(config); !safe) return safe.error();
  return config;
}

}  // namespace pledged
