#include "pool_impl.hpp"

namespace pledged {

std::string with_connect_timeout(const std::string& database_url, std::chrono::seconds timeout) {
  if (database_url.find("connect_timeout") != std::string::npos) return database_url;
  const std::string value = std::to_string(timeout.count());
  const bool is_uri = database_url.rfind("postgres://", 0) == 0 || database_url.rfind("postgresql://", 0) == 0;
  if (!is_uri) return database_url + " connect_timeout=" + value;
  return database_url + (database_url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=" + value;
}

Error database_error(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return make_error(ErrorCode::unavailable, "database connection lost");
  }
  // The connection died during COMMIT: the work may or may not be stored. Callers
  // answer 503 and the client repeats: a pledge with the same Idempotency-Key finds
  // the stored one or creates it; Stripe redelivers the event, stored at most once.
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return make_error(ErrorCode::unavailable, "database connection lost during commit (outcome unknown)");
  }
  // libpqxx 6.4 derives serialization failures, deadlocks and "statement completion
  // unknown" from transaction_rollback, not from sql_error: nothing was stored, and
  // trying again later can succeed.
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) {
    return make_error(ErrorCode::unavailable, "database transaction rolled back");
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    // sqlstate 57014: statement_timeout; 55P03: lock_timeout (a row or table held
    // by someone else); 08xxx: connection exceptions; 57P0x: the server shutting
    // down or crashed.
    const std::string state = sql->sqlstate();
    if (state == "57014" || state == "55P03" || state.rfind("08", 0) == 0 ||
        state.rfind("57P", 0) == 0) {
      auto error = make_error(ErrorCode::unavailable, "database busy (sqlstate " + state + ")");
      error.waited_out = state == "57014" || state == "55P03";
      return error;
    }
    return make_error(ErrorCode::internal, "database error (sqlstate " + state + ")");
  }
  return make_error(ErrorCode::internal, "database error");
}

ConnectionPool::ConnectionPool(PoolOptions options, std::vector<PreparedStatement> statements)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->options.database_url = with_connect_timeout(impl_->options.database_url, impl_->options.connect_timeout);
  impl_->statements = std::move(statements);
}

ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<pqxx::connection> ConnectionPool::Impl::connect() const {
  auto connection = std::make_unique<pqxx::connection>(options.database_url);
  pqxx::nontransaction setup(*connection);
  setup.exec("SET statement_timeout = " + std::to_string(options.statement_timeout.count()));
  setup.exec("SET lock_timeout = " + std::to_string(options.statement_timeout.count()));
  setup.exec("SET TIME ZONE 'UTC'");
  setup.commit();
  for (const auto& statement : statements) {
    connection->prepare(statement.name, statement.sql);
    connection->prepare_now(statement.name);
  }
  return connection;
}

Result<std::unique_ptr<pqxx::connection>> ConnectionPool::Impl::lease() {
  std::unique_lock<std::mutex> lock(mutex);
  const auto deadline = std::chrono::steady_clock::now() + options.wait_timeout;
  bool waited = false;
  while (idle.empty() && open >= options.size) {
    if (!waited) {
      waited = true;
      ++waits;
    }
    if (available.wait_until(lock, deadline) == std::cv_status::timeout && idle.empty() &&
        open >= options.size) {
      ++timeouts;
      auto error = make_error(ErrorCode::unavailable, "no database connection free within the pool timeout");
      error.waited_out = true;
      return error;
    }
  }
  if (!idle.empty()) {
    auto connection = std::move(idle.back());
    idle.pop_back();
    ++in_use;
    return connection;
  }
  // Open a new connection outside the lock: connecting takes a round trip or more.
  ++open;
  ++in_use;
  lock.unlock();
  try {
    return connect();
  } catch (const std::exception& e) {
    lock.lock();
    --open;
    --in_use;
    available.notify_one();
    return database_error(e);
  }
}

void ConnectionPool::Impl::give_back(std::unique_ptr<pqxx::connection> connection, bool healthy) {
  std::unique_ptr<pqxx::connection> discarded;  // closed after the lock is released
  {
    std::lock_guard<std::mutex> lock(mutex);
    --in_use;
    if (healthy && connection->is_open()) {
      idle.push_back(std::move(connection));
    } else {
      discarded = std::move(connection);
      --open;
      ++broken;
    }
  }
  available.notify_one();
}

namespace {

std::unique_ptr<pqxx::transaction_base> begin(pqxx::connection& connection, TxMode mode) {
  switch (mode) {
    case TxMode::read_only: return std::make_unique<pqxx::read_transaction>(connection);
    case TxMode::snapshot:
      return std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(connection);
    case TxMode::read_write: break;
  }
  return std::make_unique<pqxx::work>(connection);
}

}  // namespace

Tx::Tx(pqxx::connection& connection, TxMode mode) : connection_(connection), transaction_(begin(connection, mode)) {}

void Tx::abort() {
  aborted_ = true;
  transaction_->abort();
}

void Tx::finish() {
  if (aborted_) return;
  transaction_->commit();
  transaction_.reset();  // a connection runs one transaction at a time
  for (const auto& action : after_commit_) {
    try {
      action(connection_);
    } catch (const std::exception&) {
      // The work is committed; an action that follows it cannot undo that.
    }
  }
}

Status ConnectionPool::run(const std::function<void(Tx&)>& work, Retry retry, TxMode mode) {
  for (int attempt = 0;; ++attempt) {
    auto leased = impl_->lease();
    if (!leased) return leased.error();
    auto connection = std::move(*leased);
    try {
      {
        Tx tx(*connection, mode);
        work(tx);
        tx.finish();
      }
      impl_->give_back(std::move(connection), true);
      return Status::success();
    } catch (const pqxx::broken_connection& e) {
      impl_->give_back(std::move(connection), false);
      if (retry == Retry::never || attempt > 0) return database_error(e);
    } catch (const std::exception& e) {
      // A failed statement leaves the connection usable (its transaction rolled back),
      // unless libpqxx says otherwise through is_open().
      const bool healthy = connection->is_open();
      impl_->give_back(std::move(connection), healthy);
      return database_error(e);
    }
  }
}

Status ConnectionPool::warm_up() {
  return transact([](Tx&) {});
}

Status ConnectionPool::check_ready(int schema_version) {
  auto version = transact(
      [](Tx& tx) { return tx.sql().exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>(); },
      Retry::if_broken, TxMode::read_only);
  if (!version) return version.error();
  if (*version < schema_version) {
    return make_error(ErrorCode::unavailable, "database schema is at version " + std::to_string(*version) +
                                                  ", this build needs " + std::to_string(schema_version));
  }
  return Status::success();
}

std::chrono::milliseconds ConnectionPool::wait_timeout() const { return impl_->options.wait_timeout; }

PoolStats ConnectionPool::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return PoolStats{impl_->options.size, impl_->open, impl_->in_use, impl_->waits, impl_->timeouts, impl_->broken};
}

}  // namespace pledged
