#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <regex>
#include <sstream>

#include "http_client.hpp"
#include "service_process.hpp"
#include "test_database.hpp"

using namespace pledged::testing;

namespace {

constexpr const char* kCountAppliedMigrations = "SELECT count(*) FROM schema_migrations";

// The migration files in the source tree (migrations/NNNN_*.sql, the pattern the build
// embeds), counted independently of what `pledged migrate` recorded: a migration left
// out of the binary, or recorded twice, must show up as a difference.
int migration_files_in_source() {
  // tests/fixtures -> the project's root, two folders up.
  const auto folder = std::filesystem::path(test_fixtures_dir()).parent_path().parent_path() / "migrations";
  const std::regex name(R"([0-9]{4}_.*\.sql)");
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.is_regular_file() && std::regex_match(entry.path().filename().string(), name)) ++count;
  }
  return count;
}

int count_lines_starting(const std::string& text, const std::string& prefix) {
  int count = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) count += line.rfind(prefix, 0) == 0 ? 1 : 0;
  return count;
}

}  // namespace

TEST(Migrations, TheSourceTreeHasMigrationFiles) {
  // Guards the count below against a wrong folder: zero files would make it vacuous.
  EXPECT_GE(migration_files_in_source(), 1) << "no migrations/NNNN_*.sql found from " << test_fixtures_dir();
}

TEST(Migrations, MigratingTwiceIsANoOp) {
  TestDatabase database;
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database.url()}};

  const auto first = run_pledged({"migrate"}, env);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("applied 0001_"), std::string::npos) << first.out;
  const int files = migration_files_in_source();
  EXPECT_EQ(count_lines_starting(first.out, "applied "), files) << first.out;
  const auto applied = database.query_value(kCountAppliedMigrations);
  EXPECT_EQ(applied, std::to_string(files)) << "schema_migrations rows against files in migrations/";
  const auto tables = database.query_value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");

  const auto second = run_pledged({"migrate"}, env);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out.find("applied"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("up to date"), std::string::npos);
  EXPECT_EQ(database.query_value(kCountAppliedMigrations), applied);
  EXPECT_EQ(database.query_value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), tables);
}

TEST(Migrations, ConcurrentMigratorsApplyEachFileOnce) {
  TestDatabase database;
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database.url()}};

  std::vector<std::future<CommandResult>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async, [&env] { return run_pledged({"migrate"}, env); }));
  }
  int applied_lines = 0;
  for (auto& run : runs) {
    const auto result = run.get();
    ASSERT_EQ(result.exit_code, 0) << result.err;
    for (std::size_t at = result.out.find("applied "); at != std::string::npos;
         at = result.out.find("applied ", at + 1)) {
      ++applied_lines;
    }
  }
  const int files = migration_files_in_source();
  EXPECT_GE(files, 1);
  EXPECT_EQ(applied_lines, files) << "every file applied by exactly one of the migrators";
  EXPECT_EQ(database.query_value(kCountAppliedMigrations), std::to_string(files));
  EXPECT_EQ(database.query_value("SELECT count(*) FROM (SELECT version FROM schema_migrations "
                                 "GROUP BY version HAVING count(*) > 1) d"),
            "0");
}

TEST(Migrations, AnEditedMigrationIsRefused) {
  TestDatabase database;
  const std::map<std::string, std::string> env{{"PLEDGED_DATABASE_URL", database.url()}};
  ASSERT_EQ(run_pledged({"migrate"}, env).exit_code, 0);
  database.execute("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1");
  const auto result = run_pledged({"migrate"}, env);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("changed after it was applied"), std::string::npos) << result.err;
}

TEST(Migrations, ServeWithMigrateAppliesThemBeforeServing) {
  TestDatabase database;
  ServiceProcess service({{"PLEDGED_DATABASE_URL", database.url()}}, {"--migrate"});
  EXPECT_EQ(database.query_value("SELECT count(*) > 0 FROM schema_migrations"), "t");
  EXPECT_EQ(http_get(service.port(), "/readyz").status, 200);
}
