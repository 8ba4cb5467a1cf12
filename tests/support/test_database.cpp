#include "test_database.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "pledged/core/crypto.hpp"

namespace pledged::testing {
namespace {

// Replaces the database name (the path after the last '/') of a URI.
std::string with_database(const std::string& url, const std::string& database) {
  const auto query = url.find('?');
  const auto base = url.substr(0, query);
  const auto slash = base.rfind('/');
  return base.substr(0, slash + 1) + database + (query == std::string::npos ? "" : url.substr(query));
}

}  // namespace

std::string admin_database_url() {
  const char* url = std::getenv("PLEDGED_TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    std::cerr << "PLEDGED_TEST_DATABASE_URL is not set: run the suite through scripts/test, "
                 "which starts the private PostgreSQL cluster\n";
    std::abort();
  }
  return url;
}

TestDatabase::TestDatabase() : TestDatabase(std::string()) {}

TestDatabase::TestDatabase(const std::string& template_name) {
  std::string suffix = random_base62(12);
  for (auto& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  name_ = "pledged_test_" + suffix;
  url_ = with_database(admin_database_url(), name_);
  pqxx::connection admin(admin_database_url());
  pqxx::nontransaction tx(admin);
  const std::string create = "CREATE DATABASE " + tx.quote_name(name_) +
                             (template_name.empty() ? "" : " TEMPLATE " + tx.quote_name(template_name));
  // The template's last session (a `pledged` command that has just exited) can take
  // a moment to end on the server; copying refuses while it is there (55006).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    try {
      tx.exec(create);
      return;
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() != "55006" || std::chrono::steady_clock::now() >= deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(admin_database_url());
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "could not drop " << name_ << ": " << e.what() << "\n";
  }
}

std::string TestDatabase::query_value(const std::string& sql) const {
  pqxx::connection connection(url_);
  pqxx::work tx(connection);
  const auto rows = tx.exec(sql);
  tx.commit();
  if (rows.empty() || rows[0].empty() || rows[0][0].is_null()) return "";
  return rows[0][0].as<std::string>();
}

void TestDatabase::execute(const std::string& sql) const {
  pqxx::connection connection(url_);
  pqxx::work tx(connection);
  tx.exec(sql);
  tx.commit();
}

}  // namespace pledged::testing
