#pragma once
// Whether this instance can take traffic: the database answers and its schema is
// at least the one this build was made for (/readyz). No HTTP here.
#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"

namespace pledged {

class Readiness {
 public:
  Readiness(ConnectionPool& pool, int schema_version) : pool_(pool), schema_version_(schema_version) {}

  // unavailable, with the reason, when not ready.
  Status check() { return pool_.check_ready(schema_version_); }

 private:
  ConnectionPool& pool_;
  int schema_version_;
};

}  // namespace pledged
