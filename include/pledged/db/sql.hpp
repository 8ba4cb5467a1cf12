#pragma once
// db's SQL seam: the one way a repository reaches PostgreSQL. Repositories in src/db
// and the webhook module's (webhooks/src/db) include it; nothing else may
// (tests/layering). Callers above the repositories see ConnectionPool::transact only.
#include <pqxx/pqxx>

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pledged/db/connection_pool.hpp"

namespace pledged {

// One unit of work on one leased connection. ConnectionPool::transact commits it when
// the work returns (unless the work called abort()) and rolls it back when it throws.
class Tx {
 public:
  Tx(pqxx::connection& connection, TxMode mode);
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;

  // The statements every connection prepared (PreparedStatement), by name.
  template <typename... Args>
  pqxx::result exec_prepared(const std::string& name, Args&&... args) {
    return sql().exec_prepared(name, std::forward<Args>(args)...);
  }
  template <typename... Args>
  pqxx::row exec_prepared1(const std::string& name, Args&&... args) {
    return sql().exec_prepared1(name, std::forward<Args>(args)...);
  }
  pqxx::result exec(const std::string& query) { return sql().exec(query); }
  pqxx::transaction_base& sql() { return *transaction_; }

  // Runs on the same connection once the commit is done: a NOTIFY that must not
  // wake a listener before the data is visible. Its errors are the action's own.
  void after_commit(std::function<void(pqxx::connection&)> action) { after_commit_.push_back(std::move(action)); }
  // Ends the unit of work without storing anything; transact then returns normally.
  void abort();

  // ConnectionPool's: commit (unless aborted), then the after-commit actions.
  void finish();

 private:
  pqxx::connection& connection_;
  std::unique_ptr<pqxx::transaction_base> transaction_;
  std::vector<std::function<void(pqxx::connection&)>> after_commit_;
  bool aborted_ = false;
};

// Maps what libpqxx throws to errors a caller can act on. The message is for logs.
Error database_error(const std::exception& e);

}  // namespace pledged
