#include "pledged/db/statement_repository.hpp"

#include "audit_trail.hpp"
#include "pledged/core/crypto.hpp"
#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kDonorLines = "statement_donor_lines";
constexpr const char* kYearCurrencies = "statement_year_currencies";
constexpr const char* kDonorTotals = "statement_donor_totals";
constexpr const char* kDonorsToSend = "statement_donors_to_send";
constexpr const char* kQueueEmail = "statement_queue_email";

constexpr int kPageRows = 1000;

// The calendar year $N in UTC, as instants.
#define PLEDGED_IN_YEAR(n)              \
  " occurred_at >= make_timestamptz(" n \
  ", 1, 1, 0, 0, 0, 'UTC') "            \
  "AND occurred_at < make_timestamptz(" n " + 1, 1, 1, 0, 0, 0, 'UTC') "

// A donor is an email on the ledger (an offline gift may have none).
#define PLEDGED_DONOR_OF_YEAR " donor_key LIKE '%_@_%' AND" PLEDGED_IN_YEAR("$1::int")

#define PLEDGED_DONOR_TOTALS_SQL                                                                                \
  "WITH y AS (SELECT id, donor_key, donor_name, amount, currency, occurred_at, is_gift FROM staff_ledger "      \
  "  WHERE" PLEDGED_DONOR_OF_YEAR                                                                               \
  "), "                                                                                                         \
  "per AS (SELECT donor_key, currency, sum(amount)::bigint AS total, count(*) FILTER (WHERE is_gift) AS gifts " \
  "  FROM y GROUP BY 1, 2), "                                                                                   \
  "names AS (SELECT donor_key, (array_agg(donor_name ORDER BY occurred_at DESC, id DESC) "                      \
  "  FILTER (WHERE coalesce(donor_name, '') <> ''))[1] AS name FROM y GROUP BY 1) "                             \
  "SELECT per.donor_key, coalesce(min(names.name), ''), sum(per.gifts)::bigint, "                               \
  "  string_agg(per.currency || ':' || per.total, ',' ORDER BY per.currency) "                                  \
  "FROM per JOIN names USING (donor_key) GROUP BY per.donor_key HAVING sum(per.gifts) > 0 ORDER BY per.donor_key"

// "usd:11500,eur:-300" as string_agg wrote it.
std::vector<CurrencyTotal> parse_totals(const std::string& text) {
  std::vector<CurrencyTotal> totals;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const auto item = text.substr(start, end - start);
    const auto colon = item.find(':');
    totals.push_back({item.substr(0, colon), std::stoll(item.substr(colon + 1))});
    start = end + 1;
  }
  return totals;
}

StatementDonorTotals donor_totals(const pqxx::row& row) {
  return StatementDonorTotals{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::int64_t>(),
                              parse_totals(row[3].as<std::string>())};
}

std::optional<DonorStatement> read_statement(Tx& tx, const std::string& donor_key, int year) {
  DonorStatement statement;
  statement.year = year;
  statement.email = donor_key;
  for (const auto& row : tx.exec_prepared(kDonorLines, year, donor_key)) {
    statement.lines.push_back(StatementLine{row[0].as<std::string>(), row[1].as<std::string>(),
                                            row[2].as<std::string>(), row[3].as<std::int64_t>(),
                                            row[4].as<std::string>()});
    if (!row[5].is_null() && !row[5].as<std::string>().empty()) statement.name = row[5].as<std::string>();
  }
  if (statement_gifts(statement) == 0) return std::nullopt;
  return statement;
}

}  // namespace

std::vector<PreparedStatement> StatementRepository::statements() {
  return {
      {kDonorLines,
       "SELECT to_char(l.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), c.title, l.kind, l.amount, l.currency, "
       "  l.donor_name "
       "FROM staff_ledger l JOIN campaigns c ON c.id = l.campaign_id "
       "WHERE l.donor_key = $2 AND" PLEDGED_IN_YEAR("$1::int") "ORDER BY l.occurred_at, l.id"},
      {kYearCurrencies, "SELECT DISTINCT currency FROM ledger_entries WHERE" PLEDGED_DONOR_OF_YEAR "ORDER BY 1"},
      // Run through a cursor (for_each_donor_totals); prepared too, so boot checks its SQL.
      {kDonorTotals, PLEDGED_DONOR_TOTALS_SQL},
      {kDonorsToSend,
       "SELECT DISTINCT l.donor_key FROM ledger_entries l "
       "WHERE l.kind IN ('payment', 'offline_gift') AND" PLEDGED_DONOR_OF_YEAR
       "  AND NOT EXISTS (SELECT 1 FROM email_outbox o WHERE o.kind = 'statement' "
       "    AND o.movement = 'statement:' || $1::int || ':' || l.donor_key) "
       "ORDER BY 1"},
      {kQueueEmail,
       "INSERT INTO email_outbox (kind, movement, recipient, donor_name, campaign_title, amount, currency, "
       "  occurred_at, summary, attachment, attachment_name) "
       "VALUES ('statement', 'statement:' || $1::int || ':' || $2, $2, $3, '', greatest($4::bigint, 0), $5, "
       "  make_timestamptz($1::int, 1, 1, 0, 0, 0, 'UTC'), $6, decode($7, 'hex'), $8) "
       "ON CONFLICT (movement, kind) DO NOTHING"},
  };
}

Result<std::optional<DonorStatement>> StatementRepository::donor_statement(const std::string& donor_key, int year) {
  return pool_.transact([&](Tx& tx) { return read_statement(tx, donor_key, year); }, Retry::if_broken,
                        TxMode::snapshot);
}

Status StatementRepository::for_each_donor_totals(
    int year, const std::function<void(const std::vector<std::string>&)>& currencies, const DonorTotalsBatch& batch) {
  return pool_.transact(
      [&](Tx& tx) {
        std::vector<std::string> codes;
        for (const auto& row : tx.exec_prepared(kYearCurrencies, year)) codes.push_back(row[0].as<std::string>());
        currencies(codes);
        tx.sql().exec_params("DECLARE statement_rows NO SCROLL CURSOR FOR " PLEDGED_DONOR_TOTALS_SQL, year);
        const std::string fetch = "FETCH " + std::to_string(kPageRows) + " FROM statement_rows";
        std::vector<StatementDonorTotals> rows;
        while (true) {
          rows.clear();
          for (const auto& row : tx.exec(fetch)) rows.push_back(donor_totals(row));
          if (rows.empty() || !batch(rows)) return;
        }
      },
      Retry::never, TxMode::snapshot);
}

Result<std::int64_t> StatementRepository::queue_statement_emails(int year, const Render& render,
                                                                 const AuditActor& actor) {
  std::optional<Error> refused;
  auto queued = pool_.transact([&](Tx& tx) -> std::int64_t {
    std::int64_t count = 0;
    for (const auto& donor : tx.exec_prepared(kDonorsToSend, year)) {
      const auto statement = read_statement(tx, donor[0].as<std::string>(), year);
      if (!statement) continue;
      auto pdf = render(*statement);
      if (!pdf) {
        refused = pdf.error();
        tx.abort();
        return 0;
      }
      const auto totals = statement_totals(*statement);
      const auto hex = hex_encode(reinterpret_cast<const unsigned char*>(pdf->data()), pdf->size());
      count += tx.exec_prepared(kQueueEmail, year, statement->email, statement->name, totals.front().amount,
                                totals.front().currency, totals_text(totals), hex, statement_file_name(year))
                   .affected_rows();
    }
    append_audit(tx, actor, "statements.send", std::to_string(year), "",
                 "{\"year\":" + std::to_string(year) + ",\"queued\":" + std::to_string(count) + "}");
    return count;
  });
  if (refused) return *refused;
  return queued;
}

}  // namespace pledged
