#pragma once
// Private to src/db: the only place outside libpqxx's own headers that sees pqxx types.
#include <pqxx/pqxx>

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <type_traits>

#include "pledged/db/connection_pool.hpp"

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

// Maps what libpqxx throws to errors a caller can act on. The message is for logs.
Error database_error(const std::exception& e);

// Runs `work` with a leased connection and returns its result. A broken connection
// is discarded; when `retry_if_broken` is set (only for work that is safe to repeat)
// the work runs once more on a fresh connection.
template <typename T>
Result<T> with_connection(ConnectionPool& pool, const std::function<T(pqxx::connection&)>& work,
                          bool retry_if_broken = false) {
  auto& impl = pool.impl();
  for (int attempt = 0;; ++attempt) {
    auto leased = impl.lease();
    if (!leased) return leased.error();
    auto connection = std::move(*leased);
    try {
      T value = work(*connection);
      impl.give_back(std::move(connection), true);
      return value;
    } catch (const pqxx::broken_connection& e) {
      impl.give_back(std::move(connection), false);
      if (!retry_if_broken || attempt > 0) return database_error(e);
    } catch (const std::exception& e) {
      // A failed statement leaves the connection usable (its transaction rolled back),
      // unless libpqxx says otherwise through is_open().
      const bool healthy = connection->is_open();
      impl.give_back(std::move(connection), healthy);
      return database_error(e);
    }
  }
}

}  // namespace pledged
