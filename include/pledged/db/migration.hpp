#pragma once
// Schema migrations: the SQL files in migrations/, compiled into the binary.
#include <string>
#include <vector>

#include "pledged/core/result.hpp"

namespace pledged {

struct Migration {
  int version;       // from the file name's NNNN prefix
  std::string name;  // the file name
  std::string sql;
};

// The migrations/NNNN_*.sql files compiled into this binary, in version order.
const std::vector<Migration>& embedded_migrations();

// The newest version this build knows: /readyz wants the database at least there.
int latest_schema_version();

struct MigrationReport {
  std::vector<std::string> applied;  // names applied by this run, in order
};

// Applies every migration not yet recorded in schema_migrations, each in its own
// transaction, in order, while holding a PostgreSQL advisory lock so that two
// instances migrating at once apply each file exactly once. A migration that was
// edited after it was applied is refused (its checksum differs).
Result<MigrationReport> migrate(const std::string& database_url, const std::vector<Migration>& migrations);

}  // namespace pledged
