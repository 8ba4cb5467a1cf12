#pragma once
// A fresh PostgreSQL database per test fixture, on the private cluster that the
// test command starts (PLEDGED_TEST_DATABASE_URL points at its `postgres` database).
#include <string>

namespace pledged::testing {

// The admin URL from the environment; aborts the test run with a clear message
// when it is missing (an integration test must never pass without a database).
std::string admin_database_url();

class TestDatabase {
 public:
  TestDatabase();   // creates pledged_test_<random>
  // Creates pledged_test_<random> as a copy of the database `template_name`, which
  // nobody may be connected to (a session that is still closing is waited for).
  explicit TestDatabase(const std::string& template_name);
  ~TestDatabase();  // drops it (after terminating leftover sessions)
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  // Runs SQL on this database and returns the first column of the first row ("" if none).
  std::string query_value(const std::string& sql) const;
  void execute(const std::string& sql) const;

 private:
  std::string name_;
  std::string url_;
};

}  // namespace pledged::testing
