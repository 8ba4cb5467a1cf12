#pragma once
// The readiness check's own database connection. /readyz used to take a connection
// from the pool that every request shares, so a flood that held the pool made every
// pod unready at once (and Kubernetes then routes to none). One caller at a time.
#include <chrono>
#include <memory>
#include <string>

#include "pledged/core/result.hpp"

namespace pledged {

class DatabaseProbe {
 public:
  DatabaseProbe(std::string database_url, int schema_version);
  ~DatabaseProbe();
  DatabaseProbe(const DatabaseProbe&) = delete;
  DatabaseProbe& operator=(const DatabaseProbe&) = delete;

  // The database answers within `timeout` and its schema is at least the one this
  // build needs; else `unavailable` with the reason. Reconnects when needed.
  Status check(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pledged
