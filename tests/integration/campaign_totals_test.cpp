// The banner's totals that migration 0016 keeps as the ledger changes, against the
// ledger itself added up from scratch (the query the banner used to run): after
// concurrent transactions that insert, settle, delete and roll back entries, after a
// TRUNCATE, and after a rebuild. And the reason the totals are split into shards:
// two open transactions that both add gifts do not wait for each other.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "service_fixture.hpp"

using namespace pledged::testing;

namespace {

// The definition, written out here rather than taken from the migration: raised is every
// signed entry, gifts the payments and offline gifts, donors their distinct donor keys
// (an entry without one being a donor of its own). One line per campaign with entries.
constexpr const char* kFromLedger =
    "SELECT coalesce(string_agg(line, ';' ORDER BY campaign_id), '') FROM ("
    "  SELECT campaign_id, campaign_id || ':' || sum(amount) || ',' || "
    "    count(*) FILTER (WHERE kind IN ('payment', 'offline_gift')) || ',' || "
    "    count(DISTINCT coalesce(donor_key, 'entry:' || id)) FILTER (WHERE kind IN ('payment', 'offline_gift')) AS "
    "line "
    "  FROM ledger_entries GROUP BY campaign_id) t";

// What the banner reads now; campaigns whose entries all went away read 0,0,0 and are
// left out, as they are absent above.
constexpr const char* kKept =
    "SELECT coalesce(string_agg(line, ';' ORDER BY campaign_id), '') FROM ("
    "  SELECT campaign_id, campaign_id || ':' || sum(raised) || ',' || sum(gifts) || ',' || sum(donors) AS line "
    "  FROM campaign_totals GROUP BY campaign_id "
    "  HAVING sum(raised) <> 0 OR sum(gifts) <> 0 OR sum(donors) <> 0 "
    "    OR campaign_id IN (SELECT campaign_id FROM ledger_entries)) t";

class CampaignTotals : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<TestDatabase>();
    migrate_and_seed(*database_);
    database_->execute(
        "INSERT INTO campaigns (slug, title, currency, goal, starts_at, ends_at) "
        "SELECT 'second-' || i, title, currency, goal, starts_at, ends_at FROM campaigns, generate_series(1, 2) i "
        "WHERE slug = 'eoy-2026'");
  }

  std::string from_ledger() const { return database_->query_value(kFromLedger); }
  std::string kept() const { return database_->query_value(kKept); }

  std::unique_ptr<TestDatabase> database_;
};

// One random change to the ledger, on `tx`: a payment, an offline gift, a refund, a repeat
// that settles an entry's amount the way a webhook repeat does, or a deletion.
void random_change(pqxx::work& tx, std::mt19937& random, int thread, int step) {
  const std::vector<std::string> donors{"'ana@example.org'", "'bo@example.org'", "'cy@example.org'", "NULL"};
  const auto donor = donors[random() % donors.size()];
  const auto campaign = "(SELECT id FROM campaigns ORDER BY id OFFSET " + std::to_string(random() % 3) + " LIMIT 1)";
  const auto object = "'py_" + std::to_string(thread) + "_" + std::to_string(step) + "'";
  const auto amount = std::to_string(100 + random() % 900);
  switch (random() % 6) {
    case 0:
    case 1:
      tx.exec0(
          "INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, stripe_object_id, "
          "occurred_at) VALUES (" +
          campaign + ", 'payment', " + amount + ", 'usd', " + donor + ", " + object + ", now())");
      break;
    case 2:
      tx.exec0(
          "INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, offline_method, "
          "occurred_at) VALUES (" +
          campaign + ", 'offline_gift', " + amount + ", 'usd', " + donor + ", 'check', now())");
      break;
    case 3:
      tx.exec0(
          "INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, stripe_object_id, "
          "occurred_at) VALUES (" +
          campaign + ", 'refund', -" + amount + ", 'usd', " + donor + ", 're_" + object.substr(4) + ", now())");
      break;
    case 4:
      // A repeat of some payment with a smaller amount: ON CONFLICT settles the row.
      tx.exec0(
          "INSERT INTO ledger_entries AS l (campaign_id, kind, amount, currency, donor_key, stripe_object_id, "
          "occurred_at) SELECT campaign_id, kind, greatest(amount - 50, 1), currency, donor_key, "
          "stripe_object_id, occurred_at FROM ledger_entries WHERE kind = 'payment' ORDER BY random() LIMIT 1 "
          "ON CONFLICT (kind, stripe_object_id) DO UPDATE SET amount = least(l.amount, excluded.amount) "
          "WHERE excluded.amount < l.amount");
      break;
    default:
      tx.exec0("DELETE FROM ledger_entries WHERE id IN (SELECT id FROM ledger_entries ORDER BY random() LIMIT " +
               std::to_string(1 + random() % 2) + ")");
  }
}

TEST_F(CampaignTotals, MatchTheLedgerAfterConcurrentInsertsSettlementsDeletesAndRollbacks) {
  constexpr int kThreads = 4;
  constexpr int kTransactions = 60;
  std::atomic<int> committed{0};
  std::atomic<int> deadlocks{0};
  std::vector<std::future<void>> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.push_back(std::async(std::launch::async, [&, t] {
      std::mt19937 random(1000 + t);
      pqxx::connection connection(database_->url());
      for (int i = 0; i < kTransactions; ++i) {
        try {
          pqxx::work tx(connection);
          const int statements = 1 + static_cast<int>(random() % 3);
          for (int s = 0; s < statements; ++s) random_change(tx, random, t, i * 10 + s);
          if (random() % 5 == 0) {
            tx.abort();  // rolled back: must leave no trace in the totals
          } else {
            tx.commit();
            ++committed;
          }
        } catch (const pqxx::deadlock_detected&) {
          // Two writers may deadlock on entries or donor rows; PostgreSQL aborts one, whole.
          ++deadlocks;
        }
      }
    }));
  }
  for (auto& writer : writers) ASSERT_NO_THROW(writer.get());

  ASSERT_GT(committed.load(), kThreads * kTransactions / 2) << deadlocks.load() << " deadlocks";
  ASSERT_NE(from_ledger(), "") << "the writers left entries behind";
  EXPECT_EQ(kept(), from_ledger());
  // The banner's as_of is never older than the newest entry.
  EXPECT_EQ(database_->query_value("SELECT (SELECT max(last_recorded) FROM campaign_totals) >= "
                                   "(SELECT max(recorded_at) FROM ledger_entries)"),
            "t");
}

TEST_F(CampaignTotals, ARebuildStartsThemAfreshFromTheLedgerAndATruncateEmptiesThem) {
  std::mt19937 random(7);
  {
    pqxx::connection connection(database_->url());
    for (int i = 0; i < 20; ++i) {
      pqxx::work tx(connection);
      random_change(tx, random, 0, i);
      tx.commit();
    }
  }
  const auto expected = from_ledger();
  ASSERT_NE(expected, "");
  database_->execute("UPDATE campaign_totals SET raised = raised + 1; DELETE FROM campaign_donor_gifts");
  ASSERT_NE(kept(), expected) << "the damage above must show";
  database_->execute("SELECT pledged_rebuild_campaign_totals()");
  EXPECT_EQ(kept(), expected);

  database_->execute("TRUNCATE ledger_entries");
  EXPECT_EQ(
      database_->query_value("SELECT count(*) FROM campaign_totals WHERE raised <> 0 OR gifts <> 0 OR donors <> 0"),
      "0");
  // And counting starts again from zero, the donors included.
  database_->execute(
      "INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, offline_method, occurred_at) "
      "SELECT id, 'offline_gift', 500, 'usd', 'ana@example.org', 'cash', now() FROM campaigns WHERE slug = 'eoy-2026'");
  EXPECT_EQ(kept(), from_ledger());
}

TEST_F(CampaignTotals, TwoOpenTransactionsAddingGiftsDoNotWaitForEachOther) {
  const std::string gift =
      "INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, offline_method, occurred_at) "
      "SELECT id, 'offline_gift', 500, 'usd', ";
  const std::string rest = ", 'cash', now() FROM campaigns WHERE slug = 'eoy-2026'";
  // Both campaigns' shards exist already, as they do once a campaign has had gifts.
  database_->execute(gift + "'first@example.org'" + rest);

  pqxx::connection first(database_->url());
  pqxx::connection second(database_->url());
  pqxx::work first_tx(first);
  first_tx.exec0(gift + "'ana@example.org'" + rest);  // holds its shard until it ends
  pqxx::work second_tx(second);
  second_tx.exec0("SET LOCAL lock_timeout = '2s'");
  // A shared counter row would make this wait for the first transaction's end (and fail
  // on the lock timeout); with shards it takes a row of its own.
  EXPECT_NO_THROW(second_tx.exec0(gift + "'bo@example.org'" + rest));
  second_tx.commit();
  first_tx.commit();
  EXPECT_EQ(kept(), from_ledger());
  EXPECT_GE(std::stoi(database_->query_value("SELECT count(*) FROM campaign_totals")), 2);
}

}  // namespace
