#pragma once
// A bounded pool of PostgreSQL connections. libpqxx 6.4 has none, and a connection
// belongs to one thread at a time, so every use leases one and gives it back.
// A broken connection is thrown away and a fresh one opened on the next lease;
// libpqxx's own reconnect is deprecated and not trusted.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "pledged/core/result.hpp"

namespace pledged {

// A statement every connection prepares when it opens, so a typo fails at boot.
struct PreparedStatement {
  const char* name;
  const char* sql;
};

struct PoolOptions {
  std::string database_url;
  int size = 16;
  std::chrono::milliseconds wait_timeout{2000};
  std::chrono::milliseconds statement_timeout{10000};
  std::chrono::seconds connect_timeout{3};
};

struct PoolStats {
  int size = 0;     // configured maximum
  int open = 0;     // connections currently open
  int in_use = 0;   // leased right now
  std::uint64_t waits = 0;     // leases that had to wait for a connection
  std::uint64_t timeouts = 0;  // leases that gave up waiting (503 to the caller)
  std::uint64_t broken = 0;    // connections discarded as broken
};

class Tx;  // pledged/db/sql.hpp: for repositories only

// How a unit of work reads and writes.
enum class TxMode {
  read_write,  // read committed
  read_only,   // read committed, refuses writes
  snapshot,    // repeatable read, read only: one consistent view across many statements
};

// Whether transact may run the work a second time on a fresh connection when the
// first one broke before the commit. Only for work that is safe to repeat (reads,
// or writes idempotent by a key the caller or Stripe supplied).
enum class Retry { never, if_broken };

class ConnectionPool {
 public:
  ConnectionPool(PoolOptions options, std::vector<PreparedStatement> statements);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Opens one connection and prepares every statement on it. An SQL error (a typo)
  // is ErrorCode::internal; an unreachable database is ErrorCode::unavailable.
  Status warm_up();

  // The database answers, and its schema is at least `schema_version`.
  Status check_ready(int schema_version);

  PoolStats stats() const;
  // How long a lease waits for a free connection before it gives up (PoolOptions).
  std::chrono::milliseconds wait_timeout() const;

  // The one way to run a unit of work: leases a connection, opens a transaction,
  // runs `work`, commits, gives the connection back. What the database throws becomes
  // an Error (database_error): unavailable for a lost connection, a timeout, a
  // deadlock or serialization failure, or a commit whose outcome is unknown; internal
  // for anything else. A broken connection is discarded. `work` returns a value (the
  // Result's) or nothing (a Status).
  template <typename Work>
  auto transact(Work&& work, Retry retry = Retry::never, TxMode mode = TxMode::read_write) {
    using T = std::invoke_result_t<Work&, Tx&>;
    if constexpr (std::is_void_v<T>) {
      return run(std::function<void(Tx&)>(std::forward<Work>(work)), retry, mode);
    } else {
      std::optional<T> value;
      Status done = run([&](Tx& tx) { value.emplace(work(tx)); }, retry, mode);
      if (!done) return Result<T>(done.error());
      return Result<T>(std::move(*value));
    }
  }

 private:
  struct Impl;  // src/db/pool_impl.hpp
  Status run(const std::function<void(Tx&)>& work, Retry retry, TxMode mode);

  std::unique_ptr<Impl> impl_;
};

// Appends a connect timeout to a libpq URL or keyword string unless it names one.
std::string with_connect_timeout(const std::string& database_url, std::chrono::seconds timeout);

}  // namespace pledged
