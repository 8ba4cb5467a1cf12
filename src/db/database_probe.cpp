#include "pledged/db/database_probe.hpp"

#include <pqxx/pqxx>

#include "pledged/db/connection_pool.hpp"

namespace pledged {

struct DatabaseProbe::Impl {
  std::string database_url;
  int schema_version = 0;
  std::unique_ptr<pqxx::connection> connection;
};

DatabaseProbe::DatabaseProbe(std::string database_url, int schema_version)
    : impl_(std::make_unique<Impl>(Impl{std::move(database_url), schema_version, nullptr})) {}

DatabaseProbe::~DatabaseProbe() = default;

Status DatabaseProbe::check(std::chrono::milliseconds timeout) {
  try {
    if (!impl_->connection || !impl_->connection->is_open()) {
      impl_->connection.reset();
      const auto seconds = std::chrono::ceil<std::chrono::seconds>(timeout);
      impl_->connection = std::make_unique<pqxx::connection>(with_connect_timeout(impl_->database_url, seconds));
    }
    pqxx::nontransaction tx(*impl_->connection);
    tx.exec("SET statement_timeout = " + std::to_string(timeout.count()));
    const int version = tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
    if (version < impl_->schema_version) {
      return make_error(ErrorCode::unavailable, "database schema is at version " + std::to_string(version) +
                                                    ", this build needs " + std::to_string(impl_->schema_version));
    }
    return Status::success();
  } catch (const pqxx::broken_connection&) {
    impl_->connection.reset();
    return make_error(ErrorCode::unavailable, "database unreachable");
  } catch (const std::exception&) {
    // A timeout, a missing table (not migrated): start afresh next time.
    impl_->connection.reset();
    return make_error(ErrorCode::unavailable, "database check failed");
  }
}

}  // namespace pledged
