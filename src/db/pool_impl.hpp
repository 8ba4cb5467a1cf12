#pragma once
// Private to src/db (connection_pool.cpp): the pool's state. Repositories use the
// SQL seam, pledged/db/sql.hpp.
#include <pqxx/pqxx>

#include <condition_variable>
#include <mutex>

#include "pledged/db/sql.hpp"

namespace pledged {

struct ConnectionPool::Impl {
  PoolOptions options;
  std::vector<PreparedStatement> statements;

  mutable std::mutex mutex;
  std::condition_variable available;
  std::vector<std::unique_ptr<pqxx::connection>> idle;
  int open = 0;
  int in_use = 0;
  std::uint64_t waits = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t broken = 0;

  std::unique_ptr<pqxx::connection> connect() const;  // throws pqxx errors
  Result<std::unique_ptr<pqxx::connection>> lease();
  void give_back(std::unique_ptr<pqxx::connection> connection, bool healthy);
};

}  // namespace pledged
