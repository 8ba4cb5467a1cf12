#include <pqxx/pqxx>

#include <map>

#include "pledged/core/crypto.hpp"
#include "pledged/core/embedded_file.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/db/migration.hpp"
#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

// An arbitrary constant that names pledged's migration lock in pg_locks.
constexpr long long kMigrationLockKey = 7300112026;

constexpr const char* kCreateLedgerOfMigrations = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer     PRIMARY KEY,
    name        text        NOT NULL,
    checksum    text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
))sql";

}  // namespace

const std::vector<Migration>& embedded_migrations() {
  static const std::vector<Migration> migrations = [] {
    std::vector<Migration> all;
    for (const auto& file : embedded_migration_files()) {
      // The build only embeds names that start with four digits (migrations/CMakeLists.txt).
      const int version = std::stoi(std::string(file.name.substr(0, 4)));
      all.push_back(Migration{version, std::string(file.name), std::string(file.contents)});
    }
    return all;
  }();
  return migrations;
}

int latest_schema_version() {
  const auto& all = embedded_migrations();
  return all.empty() ? 0 : all.back().version;
}

Result<MigrationReport> migrate(const std::string& database_url, const std::vector<Migration>& migrations) {
  MigrationReport report;
  try {
    pqxx::connection connection(with_connect_timeout(database_url, std::chrono::seconds(10)));
    {
      // Session-level lock: held across the per-file transactions below, released
      // when this connection closes even if the process dies.
      pqxx::nontransaction lock(connection);
      lock.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
      lock.exec(kCreateLedgerOfMigrations);
    }

    std::map<int, std::string> applied;  // version -> checksum
    {
      pqxx::read_transaction tx(connection);
      for (const auto& row : tx.exec("SELECT version, checksum FROM schema_migrations")) {
        applied[row[0].as<int>()] = row[1].as<std::string>();
      }
    }

    for (const auto& migration : migrations) {
      const std::string checksum = sha256_hex(migration.sql);
      const auto found = applied.find(migration.version);
      if (found != applied.end()) {
        if (found->second != checksum) {
          return make_error(ErrorCode::conflict, migration.name +
                                                     " was changed after it was applied; add a new migration instead");
        }
        continue;
      }
      pqxx::work tx(connection);
      tx.exec(migration.sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                     migration.version, migration.name, checksum);
      tx.commit();
      report.applied.push_back(migration.name);
    }
  } catch (const pqxx::sql_error& e) {
    // The migration's own SQL failed: say which statement class, not the data.
    return make_error(ErrorCode::internal, std::string("migration failed: ") + e.what());
  } catch (const std::exception& e) {
    return database_error(e);
  }
  return report;
}

}  // namespace pledged
