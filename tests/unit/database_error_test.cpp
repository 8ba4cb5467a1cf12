// What the service answers when libpqxx throws: anything a client can cure by trying
// again (a lost connection, a commit whose outcome is unknown, a conflict, a timeout)
// is `unavailable` (503 + Retry-After), never `internal` (500). Builds libpqxx's
// exceptions directly; nothing connects to a database.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "pledged/db/sql.hpp"

using pledged::ErrorCode;
using pledged::database_error;

TEST(DatabaseError, ALostConnectionIsUnavailable) {
  EXPECT_EQ(database_error(pqxx::broken_connection("server closed the connection unexpectedly")).code,
            ErrorCode::unavailable);
}

TEST(DatabaseError, ACommitWhoseOutcomeIsUnknownIsUnavailableSoTheClientRepeatsIt) {
  const auto error = database_error(pqxx::in_doubt_error("Connection lost while committing"));
  EXPECT_EQ(error.code, ErrorCode::unavailable);
  EXPECT_FALSE(error.waited_out);
}

TEST(DatabaseError, ConflictsThatLibpqxxReportsAsRollbacksAreUnavailableAndMayBeRetriedAtOnce) {
  for (const auto& error : {database_error(pqxx::serialization_failure("could not serialize access")),
                            database_error(pqxx::deadlock_detected("deadlock detected")),
                            database_error(pqxx::statement_completion_unknown("unknown"))}) {
    EXPECT_EQ(error.code, ErrorCode::unavailable);
    EXPECT_FALSE(error.waited_out);
  }
}

TEST(DatabaseError, TimeoutsAreUnavailableAndMarkedAsWaitedOut) {
  for (const char* state : {"57014", "55P03"}) {
    const auto error = database_error(pqxx::sql_error("canceling statement", "SELECT 1", state));
    EXPECT_EQ(error.code, ErrorCode::unavailable) << state;
    EXPECT_TRUE(error.waited_out) << state;
  }
}

TEST(DatabaseError, AServerShuttingDownOrAConnectionExceptionIsUnavailable) {
  for (const char* state : {"57P01", "57P02", "57P03", "08006"}) {
    EXPECT_EQ(database_error(pqxx::sql_error("terminating connection", "", state)).code, ErrorCode::unavailable)
        << state;
  }
}

TEST(DatabaseError, ABugOrAConstraintIsInternalAndItsMessageCarriesNoQueryText) {
  const auto error = database_error(pqxx::unique_violation("duplicate key value", "INSERT INTO pledges ...", "23505"));
  EXPECT_EQ(error.code, ErrorCode::internal);
  EXPECT_EQ(error.message.find("INSERT"), std::string::npos);
  EXPECT_EQ(database_error(std::runtime_error("other")).code, ErrorCode::internal);
}
