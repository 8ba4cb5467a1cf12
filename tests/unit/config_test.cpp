#include <gtest/gtest.h>

#include <map>
#include <tuple>
#include <vector>

#include "pledged/config/config.hpp"
#include "pledged/config/stripe_safety.hpp"

using pledged::Config;
using pledged::load_config;

namespace {

pledged::EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values](const char* name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

const std::string kUrl = "postgresql://pledged@127.0.0.1:5432/pledged";

}  // namespace

TEST(Config, UsesTheContractsDefaults) {
  auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->database_url, kUrl);
  EXPECT_EQ(config->listen.host, "127.0.0.1");
  EXPECT_EQ(config->listen.port, 8080);
  EXPECT_EQ(config->public_url, "http://127.0.0.1:8080");
  EXPECT_EQ(config->allowed_origins, std::vector<std::string>{"http://127.0.0.1:8080"});
  EXPECT_FALSE(config->stripe_secret_key);
  EXPECT_TRUE(config->webhook_secrets.empty());
  EXPECT_EQ(config->stripe_api_base, "https://api.stripe.com");
  EXPECT_EQ(config->webhook_tolerance.count(), 300);
  EXPECT_EQ(config->pledge_rate_per_minute, 30);
  EXPECT_TRUE(config->trusted_proxies.empty()) << "no proxy is trusted unless listed";
}

TEST(Config, DatabaseUrlIsRequired) {
  auto config = load_config(env_of({}));
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("PLEDGED_DATABASE_URL"), std::string::npos);
}

TEST(Config, ReadsEveryVariable) {
  auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl},
                                    {"PLEDGED_LISTEN", "0.0.0.0:9090"},
                                    {"PLEDGED_PUBLIC_URL", "https://give.news.example/"},
                                    {"PLEDGED_ALLOWED_ORIGINS", "https://news.example, https://www.news.example"},
                                    {"STRIPE_SECRET_KEY", "sk_test_abc123"},
                                    {"STRIPE_WEBHOOK_SECRET", "whsec_old_secret,whsec_new_secret"},
                                    {"STRIPE_API_BASE", "http://127.0.0.1:12111"},
                                    {"PLEDGED_WEBHOOK_TOLERANCE", "120"},
                                    {"PLEDGED_PLEDGE_RATE", "0"},
                                    {"PLEDGED_TRUSTED_PROXIES", "10.0.0.0/8, ::1"}}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->listen.host, "0.0.0.0");
  EXPECT_EQ(config->listen.port, 9090);
  EXPECT_EQ(config->public_url, "https://give.news.example");
  EXPECT_EQ(config->allowed_origins, (std::vector<std::string>{"https://news.example", "https://www.news.example"}));
  EXPECT_EQ(config->stripe_secret_key.value(), "sk_test_abc123");
  EXPECT_EQ(config->webhook_secrets, (std::vector<std::string>{"whsec_old_secret", "whsec_new_secret"}));
  EXPECT_EQ(config->stripe_api_base, "http://127.0.0.1:12111");
  EXPECT_EQ(config->webhook_tolerance.count(), 120);
  EXPECT_EQ(config->pledge_rate_per_minute, 0);
  EXPECT_TRUE(config->trusted_proxies.trusts(*pledged::parse_ip("10.1.2.3")));
  EXPECT_TRUE(config->trusted_proxies.trusts(*pledged::parse_ip("::1")));
  EXPECT_FALSE(config->trusted_proxies.trusts(*pledged::parse_ip("127.0.0.1")));
}

TEST(Config, StatementTimeoutDefaultsToTenSecondsAndIsConfigurable) {
  auto defaults = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}}));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->db_statement_timeout.count(), 10000);
  auto set = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {"PLEDGED_DB_STATEMENT_TIMEOUT_MS", "1500"}}));
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->db_statement_timeout.count(), 1500);
}

TEST(Config, CheckoutHasWorkersOfItsOwn) {
  auto defaults = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}}));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->checkout_workers, 16);
  auto set = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {"PLEDGED_CHECKOUT_WORKERS", "3"}}));
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->checkout_workers, 3);
}

TEST(Config, AllowedOriginsDefaultToThePublicUrlsOrigin) {
  auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {"PLEDGED_PUBLIC_URL", "https://give.example/x"}}));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->allowed_origins, std::vector<std::string>{"https://give.example"});
}

struct BadValue {
  const char* variable;
  const char* value;
};

class ConfigRejects : public ::testing::TestWithParam<BadValue> {};

TEST_P(ConfigRejects, NamesTheVariableInOneLine) {
  const auto bad = GetParam();
  auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {bad.variable, bad.value}}));
  ASSERT_FALSE(config) << bad.variable << "=" << bad.value;
  const auto& message = config.error().message;
  EXPECT_EQ(message.rfind(bad.variable, 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    BadValues, ConfigRejects,
    ::testing::Values(BadValue{"PLEDGED_LISTEN", "8080"}, BadValue{"PLEDGED_LISTEN", "127.0.0.1:99999"},
                      BadValue{"PLEDGED_LISTEN", "127.0.0.1:http"}, BadValue{"PLEDGED_PUBLIC_URL", "ftp://x"},
                      BadValue{"PLEDGED_ALLOWED_ORIGINS", "https://a.example/path"},
                      BadValue{"STRIPE_SECRET_KEY", "pk_test_123"}, BadValue{"STRIPE_WEBHOOK_SECRET", "secret"},
                      BadValue{"STRIPE_API_BASE", "api.stripe.com"}, BadValue{"PLEDGED_WEBHOOK_TOLERANCE", "-1"},
                      BadValue{"PLEDGED_WEBHOOK_TOLERANCE", "5m"}, BadValue{"PLEDGED_PLEDGE_RATE", "lots"},
                      BadValue{"PLEDGED_DB_POOL", "0"}, BadValue{"PLEDGED_DB_STATEMENT_TIMEOUT_MS", "10"},
                      BadValue{"PLEDGED_CHECKOUT_WORKERS", "0"}, BadValue{"PLEDGED_ACCESS_LOG", "maybe"},
                      BadValue{"PLEDGED_TRUSTED_PROXIES", "nginx.internal"},
                      BadValue{"PLEDGED_TRUSTED_PROXIES", "10.0.0.0/33"},
                      BadValue{"PLEDGED_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.0/x"}));

TEST(Config, NeverRepeatsASecretInItsError) {
  auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {"STRIPE_SECRET_KEY", "pk_live_supersecret"}}));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.find("supersecret"), std::string::npos);
  config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {"STRIPE_WEBHOOK_SECRET", "whsec_ok_one,leaked"}}));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.find("leaked"), std::string::npos);
}

TEST(Config, EverySizingVariableHasItsDefault) {
  auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->http_threads, 2);
  EXPECT_EQ(config->worker_threads, 32);
  EXPECT_EQ(config->worker_queue, 1024);
  EXPECT_EQ(config->checkout_workers, 16);
  EXPECT_EQ(config->db_pool_size, 16);
  EXPECT_EQ(config->db_pool_timeout.count(), 2000);
  EXPECT_EQ(config->progress_refresh.count(), 2000);
  EXPECT_EQ(config->shutdown_grace.count(), 25);
  EXPECT_EQ(config->stripe_timeout.count(), 10000);
  EXPECT_EQ(config->stripe_retries, 2);
  EXPECT_EQ(config->staff_auth_failures_per_minute, 10);
  EXPECT_TRUE(config->access_log);
}

// Each whole-number variable lands in its own field: set all at once to distinct
// values, each field holds its own (a table line cannot fill its neighbour's field).
TEST(Config, EveryWholeNumberVariableFillsItsOwnField) {
  auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl},
                                    {"PLEDGED_WEBHOOK_TOLERANCE", "101"},
                                    {"PLEDGED_PLEDGE_RATE", "102"},
                                    {"PLEDGED_HTTP_THREADS", "3"},
                                    {"PLEDGED_WORKERS", "104"},
                                    {"PLEDGED_WORKER_QUEUE", "105"},
                                    {"PLEDGED_DB_POOL", "106"},
                                    {"PLEDGED_DB_POOL_TIMEOUT_MS", "107"},
                                    {"PLEDGED_PROGRESS_REFRESH_MS", "108"},
                                    {"PLEDGED_SHUTDOWN_GRACE", "109"},
                                    {"PLEDGED_STRIPE_TIMEOUT_MS", "110"},
                                    {"PLEDGED_STRIPE_RETRIES", "4"},
                                    {"PLEDGED_STAFF_AUTH_FAILURES", "112"},
                                    {"PLEDGED_DB_STATEMENT_TIMEOUT_MS", "113"},
                                    {"PLEDGED_CHECKOUT_WORKERS", "114"},
                                    {"PLEDGED_ACCESS_LOG", "off"}}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->webhook_tolerance.count(), 101);
  EXPECT_EQ(config->pledge_rate_per_minute, 102);
  EXPECT_EQ(config->http_threads, 3);
  EXPECT_EQ(config->worker_threads, 104);
  EXPECT_EQ(config->worker_queue, 105);
  EXPECT_EQ(config->db_pool_size, 106);
  EXPECT_EQ(config->db_pool_timeout.count(), 107);
  EXPECT_EQ(config->progress_refresh.count(), 108);
  EXPECT_EQ(config->shutdown_grace.count(), 109);
  EXPECT_EQ(config->stripe_timeout.count(), 110);
  EXPECT_EQ(config->stripe_retries, 4);
  EXPECT_EQ(config->staff_auth_failures_per_minute, 112);
  EXPECT_EQ(config->db_statement_timeout.count(), 113);
  EXPECT_EQ(config->checkout_workers, 114);
  EXPECT_FALSE(config->access_log);
}

TEST(Config, ABoundedNumberNamesItsBoundsAndTheValueRead) {
  auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {"PLEDGED_STRIPE_RETRIES", "11"}}));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "PLEDGED_STRIPE_RETRIES: expected a whole number from 0 to 10, got \"11\"");
}

// API.md, "Configuration": settings that would be unsafe in production stop start-up.
TEST(Config, RefusesUnsafeStripeSettings) {
  const std::map<std::string, std::string> unsafe[] = {
      {{"STRIPE_WEBHOOK_SECRET", "whsec_CHANGE-ME"}},                     // deploy/systemd, deploy/k8s
      {{"STRIPE_WEBHOOK_SECRET", "whsec_real_one,whsec_local_standin"}},  // the run command's, off loopback
      {{"STRIPE_SECRET_KEY", "sk_test_CHANGE-ME"}},
      {{"STRIPE_SECRET_KEY", "sk_live_..."}},
      {{"STRIPE_SECRET_KEY", "sk_live_abcdefghijklmnop"}, {"STRIPE_API_BASE", "https://stripe-proxy.example"}},
      {{"STRIPE_SECRET_KEY", "sk_live_abcdefghijklmnop"}, {"STRIPE_API_BASE", "http://127.0.0.1:12111"}},
      {{"STRIPE_SECRET_KEY", "sk_test_abcdefghijklmnop"}, {"STRIPE_API_BASE", "http://stripe.internal"}},
      {{"STRIPE_API_BASE", "http://10.0.0.5:12111"}},
      {{"STRIPE_API_BASE", "http://127.0.0.1.evil.example"}},
  };
  for (auto env : unsafe) {
    env["PLEDGED_DATABASE_URL"] = kUrl;
    auto config = load_config(env_of(env));
    ASSERT_FALSE(config) << env.begin()->second;
    EXPECT_TRUE(config.error().message.rfind("STRIPE_", 0) == 0) << config.error().message;
    EXPECT_EQ(config.error().message.find("CHANGE-ME"), std::string::npos) << "never quotes the secret";
  }
}

TEST(Config, AcceptsTheLocalStandInsPlaceholdersOnLoopbackOnly) {
  for (const char* base : {"http://127.0.0.1:12111", "http://localhost:12111", "http://[::1]:12111"}) {
    auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl},
                                      {"STRIPE_SECRET_KEY", "sk_test_local_standin"},
                                      {"STRIPE_WEBHOOK_SECRET", "whsec_local_standin"},
                                      {"STRIPE_API_BASE", base}}));
    EXPECT_TRUE(config) << base << ": " << config.error().message;
  }
  auto live = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {"STRIPE_SECRET_KEY", "sk_live_abcdefghijklmnop"}}));
  ASSERT_TRUE(live) << live.error().message;
  EXPECT_EQ(pledged::stripe_mode(*live), "live");
}

TEST(Config, CoverFeeDefaultsToTwoPointNinePercentPlusThirty) {
  auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}}));
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_TRUE(config->cover_fee);
  EXPECT_EQ(config->cover_fee->percent_basis_points, 290);
  EXPECT_EQ(config->cover_fee->fixed, 30);
}

TEST(Config, CoverFeeReadsPercentDecimalsExactlyAsBasisPoints) {
  const std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> cases = {
      {"2.9%+30", 290, 30},  {"2.90%+30", 290, 30},      {"3%+0", 300, 0}, {"0.01%+1", 1, 1},
      {"2.25%+25", 225, 25}, {"50%+10000", 5000, 10000}, {"0%+0", 0, 0},   {"1.5%+5", 150, 5}};
  for (const auto& [text, basis_points, fixed] : cases) {
    auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {"PLEDGED_COVER_FEE", text}}));
    ASSERT_TRUE(config) << text << ": " << config.error().message;
    ASSERT_TRUE(config->cover_fee) << text;
    EXPECT_EQ(config->cover_fee->percent_basis_points, basis_points) << text;
    EXPECT_EQ(config->cover_fee->fixed, fixed) << text;
  }
  auto off = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {"PLEDGED_COVER_FEE", "off"}}));
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_FALSE(off->cover_fee);
}

TEST(Config, ABadCoverFeeRefusesStartUpNamingTheVariable) {
  for (const char* text : {"",        "2.9%",      "2.9",      "2.9% + 30", "2.9%+",   "%+30",     "2.%+30",
                           ".9%+30",  "2.999%+30", "50.01%+0", "100%+0",    "-1%+30",  "2.9%+-1",  "2.9%+10001",
                           "2,9%+30", "OFF",       "on",       "2.9%+30c",  "1e1%+30", "2.9%+0x1e"}) {
    auto config = load_config(env_of({{"PLEDGED_DATABASE_URL", kUrl}, {"PLEDGED_COVER_FEE", text}}));
    ASSERT_FALSE(config) << '"' << text << "\" was accepted";
    EXPECT_EQ(config.error().message.rfind("PLEDGED_COVER_FEE: expected PERCENT%+FIXED", 0), 0)
        << config.error().message;
  }
}
