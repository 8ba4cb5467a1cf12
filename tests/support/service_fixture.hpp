#pragma once
// A migrated database with the demo campaign, and a running `pledged serve` on it.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "http_client.hpp"
#include "service_process.hpp"
#include "test_database.hpp"

namespace pledged::testing {

class ServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Extra environment for the service; override before SetUp runs (in a constructor).
  std::map<std::string, std::string> extra_env_;

  std::map<std::string, std::string> service_env() const;
  std::uint16_t port() const { return service_->port(); }
  std::uint16_t metrics_port() const { return service_->metrics_port(); }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<ServiceProcess> service_;
};

// `pledged migrate` and `pledged campaign create` for the demo campaign.
void migrate_and_seed(const TestDatabase& database);

// A new database in the state migrate_and_seed() leaves: a copy of one that this test
// process migrated and seeded with the binary under test, the first time it was asked
// for (dropped at exit). A copy costs a CREATE DATABASE; migrating costs two processes
// and every migration, for each of the suite's ~150 fixtures in each sanitizer stage.
std::unique_ptr<TestDatabase> migrated_and_seeded_database();

}  // namespace pledged::testing
