#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <future>
#include <thread>

#include "service_fixture.hpp"

using namespace pledged::testing;

namespace {

using Lifecycle = ServiceFixture;

}  // namespace

TEST_F(Lifecycle, SigtermLetsASlowRequestFinishThenExitsZero) {
  // /readyz reads schema_migrations; holding a lock on it makes that request slow.
  pqxx::connection blocker(database_->url());
  pqxx::work lock(blocker);
  lock.exec("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE");

  auto slow = std::async(std::launch::async, [this] { return http_get(port(), "/readyz"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  service_->signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_TRUE(service_->running()) << "exited with a request still in flight";

  lock.abort();  // release: the slow request completes
  const auto reply = slow.get();
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(service_->wait_for_exit(std::chrono::seconds(10)), 0) << service_->log();
  EXPECT_NE(service_->log().find(R"("msg":"stopped")"), std::string::npos);
}

TEST_F(Lifecycle, SigintStopsCleanly) {
  service_->signal(SIGINT);
  EXPECT_EQ(service_->wait_for_exit(std::chrono::seconds(10)), 0) << service_->log();
}

TEST(Startup, BadConfigurationStopsWithOneLineNamingTheVariable) {
  const auto result = run_pledged({"serve"}, {{"PLEDGED_DATABASE_URL", "postgresql://x@127.0.0.1:1/x"},
                                              {"PLEDGED_LISTEN", "nowhere"}});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("PLEDGED_LISTEN"), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;

  const auto missing = run_pledged({"migrate"}, {});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("PLEDGED_DATABASE_URL"), std::string::npos);
}

TEST(Startup, BadUsageExitsTwo) {
  EXPECT_EQ(run_pledged({"no-such-command"}, {}).exit_code, 2);
  EXPECT_EQ(run_pledged({"campaign", "create", "--slug", "x"}, {}).exit_code, 2);
  const auto help = run_pledged({"--help"}, {});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("serve"), std::string::npos);
}

TEST(CampaignCommand, CreatesOnceAndRefusesADuplicateSlug) {
  TestDatabase database;
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database.url()}};
  ASSERT_EQ(run_pledged({"migrate"}, env).exit_code, 0);
  const std::vector<std::string> create{"campaign", "create", "--slug",     "spring-2027", "--title", "Spring",
                                        "--goal",   "1234.56", "--currency", "eur",         "--starts", "2027-03-01",
                                        "--ends",   "2027-03-31"};
  const auto first = run_pledged(create, env);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(database.query_value("SELECT goal FROM campaigns WHERE slug = 'spring-2027'"), "123456");
  const auto again = run_pledged(create, env);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos);

  auto bad = create;
  bad[7] = "12.345";
  EXPECT_EQ(run_pledged(bad, env).exit_code, 2);
}
