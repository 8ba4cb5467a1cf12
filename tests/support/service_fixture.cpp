#include "service_fixture.hpp"

namespace pledged::testing {

void migrate_and_seed(const TestDatabase& database) {
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database.url()}};
  const auto migrated = run_pledged({"migrate"}, env);
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  const auto seeded = run_pledged({"campaign", "create", "--slug", "eoy-2026", "--title",
                                   "Urgent End Of Year Fundraising Campaign", "--goal", "50000.00", "--currency", "usd",
                                   "--starts", "2026-11-15", "--ends", "2026-12-31"},
                                  env);
  ASSERT_EQ(seeded.exit_code, 0) << seeded.err;
}

std::map<std::string, std::string> ServiceFixture::service_env() const {
  std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database_->url()},
                                         {"PLEDGED_ALLOWED_ORIGINS", "https://news.example"}};
  for (const auto& [key, value] : extra_env_) env[key] = value;
  return env;
}

void ServiceFixture::SetUp() {
  database_ = std::make_unique<TestDatabase>();
  migrate_and_seed(*database_);
  service_ = std::make_unique<ServiceProcess>(service_env());
}

void ServiceFixture::TearDown() {
  service_.reset();
  database_.reset();
}

}  // namespace pledged::testing
