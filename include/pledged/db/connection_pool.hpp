#pragma once
// A bounded pool of PostgreSQL connections. libpqxx 6.4 has none, and a connection
// belongs to one thread at a time, so every use leases one and gives it back.
// A broken connection is thrown away and a fresh one opened on the next lease;
// libpqxx's own reconnect is deprecated and not trusted.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
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

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// Appends a connect timeout to a libpq URL or keyword string unless it names one.
std::string with_connect_timeout(const std::string& database_url, std::chrono::seconds timeout);

}  // namespace pledged
