#include "service_fixture.hpp"

#include <stdexcept>

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

namespace {

// The migrated and seeded original, kept for the whole test process.
class SeededTemplate {
 public:
  SeededTemplate() {
    migrate_and_seed(original_);
    if (::testing::Test::HasFatalFailure()) throw std::runtime_error("could not migrate and seed the template");
  }
  const std::string& name() const { return original_.name(); }

 private:
  TestDatabase original_;
};

}  // namespace

std::unique_ptr<TestDatabase> migrated_and_seeded_database() {
  static const SeededTemplate seeded;  // thread-safe, once; dropped when the process exits
  return std::make_unique<TestDatabase>(seeded.name());
}

std::map<std::string, std::string> ServiceFixture::service_env() const {
  std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database_->url()},
                                         {"PLEDGED_ALLOWED_ORIGINS", "https://news.example"}};
  for (const auto& [key, value] : extra_env_) env[key] = value;
  return env;
}

void ServiceFixture::SetUp() {
  database_ = migrated_and_seeded_database();
  service_ = std::make_unique<ServiceProcess>(service_env());
}

void ServiceFixture::TearDown() {
  service_.reset();
  database_.reset();
}

}  // namespace pledged::testing
