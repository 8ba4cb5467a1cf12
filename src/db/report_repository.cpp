#include "pledged/db/report_repository.hpp"

#include "match_row.hpp"
#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

// A read-only snapshot: every figure of one report (or every page of one export)
// sees the same ledger even while money keeps arriving.

constexpr const char* kTimeZoneExists = "report_time_zone_exists";
constexpr const char* kCampaignDays = "report_campaign_days";
constexpr const char* kLocalDate = "report_local_date";
constexpr const char* kSummary = "report_summary";
constexpr const char* kByDay = "report_by_day";
constexpr const char* kTopDonors = "report_top_donors";
constexpr const char* kLapsedByAmount = "report_lapsed_by_amount";
constexpr const char* kLapsedExport = "report_lapsed_export";
constexpr const char* kRecentGifts = "report_recent_gifts";
constexpr const char* kGiftsExport = "report_gifts_export";
constexpr const char* kMatches = "report_matches";
constexpr const char* kMatchDays = "report_match_days";

constexpr int kExportPageRows = 1000;

// The range's calendar days [$2, $3] in zone $4, as instants.
#define PLEDGED_RANGE_LO "($2::date::timestamp AT TIME ZONE $4)"
#define PLEDGED_RANGE_HI "(($3::date + 1)::timestamp AT TIME ZONE $4)"
#define PLEDGED_IN_RANGE " occurred_at >= " PLEDGED_RANGE_LO " AND occurred_at < " PLEDGED_RANGE_HI " "

// A donor's name for staff screens: the latest name given on a gift that was not
// anonymous; "Anonymous" when every gift asked for it.
#define PLEDGED_DONOR_NAME                                                                              \
  "coalesce((array_agg(g.donor_name ORDER BY g.occurred_at DESC) "                                      \
  "  FILTER (WHERE g.donor_name IS NOT NULL AND NOT g.anonymous))[1], "                                 \
  "  CASE WHEN bool_and(g.anonymous) THEN 'Anonymous' ELSE '' END)"

// Gave to the previous campaign (the one that started last before this one), and
// not yet to this one: LYBUNT.
#define PLEDGED_LAPSED_SELECT                                                                           \
  "WITH previous AS (SELECT p.id FROM campaigns p JOIN campaigns c ON c.id = $1 "                       \
  "  WHERE p.starts_at < c.starts_at ORDER BY p.starts_at DESC LIMIT 1) "                              \
  "SELECT g.donor_key, " PLEDGED_DONOR_NAME ", count(*), sum(g.amount)::bigint, "                        \
  "  extract(epoch FROM max(g.occurred_at))::bigint, min(g.currency) "                                  \
  "FROM staff_ledger g WHERE g.campaign_id = (SELECT id FROM previous) AND g.is_gift "                  \
  "  AND g.donor_key IS NOT NULL "                                                                        \
  "  AND NOT EXISTS (SELECT 1 FROM ledger_entries n WHERE n.campaign_id = $1 AND n.donor_key = g.donor_key " \
  "    AND n.kind IN ('payment', 'offline_gift')) "                                                     \
  "GROUP BY g.donor_key "

// The fee a donor covered in one payment row `r` of ledger_entries or staff_ledger: its
// pledge's fee when the payment is exactly what the pledge's Checkout charged (a monthly
// amount changed in the Billing Portal no longer carries it); 0 for every other row.
#define PLEDGED_FEE_COVERED(r)                                                                       \
  "coalesce((SELECT p.fee FROM pledges p WHERE p.id = " r ".pledge_id AND " r ".kind = 'payment' " \
  "  AND p.charged = " r ".amount), 0)"

#define PLEDGED_GIFTS_EXPORT_SQL                                                                          \
  "SELECT id, extract(epoch FROM occurred_at)::bigint, (occurred_at AT TIME ZONE $4)::date::text, kind, " \
  "  amount, currency, frequency, method, coalesce(pledge_id, ''), coalesce(donor_name, ''), "            \
  "  coalesce(donor_key, ''), anonymous, coalesce(stripe_object_id, ''), coalesce(note, ''), "            \
  "  " PLEDGED_FEE_COVERED("staff_ledger") ", "                                                           \
  "  coalesce(matched.allocated, 0)::bigint "                                                             \
  "FROM staff_ledger LEFT JOIN (SELECT ledger_entry_id, sum(allocated) AS allocated "                     \
  "  FROM match_allocations($1) GROUP BY 1) matched ON matched.ledger_entry_id = staff_ledger.id "        \
  "WHERE campaign_id = $1 AND" PLEDGED_IN_RANGE "ORDER BY id"

// One query, read a page at a time through a cursor: the database streams the rows
// from a single plan instead of re-running a query per page.
template <typename Row, typename... Params>
void for_each_page(Tx& tx, const char* sql, Row (*read)(const pqxx::row&),
                   const std::function<bool(const std::vector<Row>&)>& batch, Params&&... params) {
  tx.sql().exec_params(std::string("DECLARE export_rows NO SCROLL CURSOR FOR ") + sql, std::forward<Params>(params)...);
  const std::string fetch = "FETCH " + std::to_string(kExportPageRows) + " FROM export_rows";
  std::vector<Row> rows;
  rows.reserve(kExportPageRows);
  while (true) {
    rows.clear();
    for (const auto& row : tx.exec(fetch)) rows.push_back(read(row));
    if (rows.empty() || !batch(rows)) return;
  }
}

Timestamp epoch_seconds(const pqxx::field& field) { return Timestamp(std::chrono::seconds(field.as<std::int64_t>())); }

DonorLine donor_line(const pqxx::row& row) {
  return DonorLine{row[1].as<std::string>(), row[0].as<std::string>(), row[2].as<std::int64_t>(),
                   row[3].as<std::int64_t>(), epoch_seconds(row[4]), row[5].as<std::string>()};
}

std::vector<DonorLine> donor_lines(const pqxx::result& rows) {
  std::vector<DonorLine> lines;
  lines.reserve(rows.size());
  for (const auto& row : rows) lines.push_back(donor_line(row));
  return lines;
}

GiftExportRow gift_row(const pqxx::row& row) {
  return GiftExportRow{row[0].as<std::int64_t>(), epoch_seconds(row[1]),     row[2].as<std::string>(),
                       row[3].as<std::string>(),  row[4].as<std::int64_t>(), row[5].as<std::string>(),
                       row[6].as<std::string>(),  row[7].as<std::string>(),  row[8].as<std::string>(),
                       row[9].as<std::string>(),  row[10].as<std::string>(), row[11].as<bool>(),
                       row[12].as<std::string>(), row[13].as<std::string>(), row[14].as<std::int64_t>(),
                       row[15].as<std::int64_t>()};
}

}  // namespace

std::vector<PreparedStatement> ReportRepository::statements() {
  return {
      {kTimeZoneExists, "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)"},
      {kCampaignDays,
       "SELECT (starts_at AT TIME ZONE $2)::date::text, (ends_at AT TIME ZONE $2)::date::text "
       "FROM campaigns WHERE id = $1"},
      {kLocalDate, "SELECT (to_timestamp($1::bigint) AT TIME ZONE $2)::date::text"},
      {kSummary,
       "SELECT coalesce(sum(amount) FILTER (WHERE is_gift), 0)::bigint, "
       "  coalesce(-sum(amount) FILTER (WHERE kind IN ('refund', 'refund_reversal')), 0)::bigint, "
       "  coalesce(-sum(amount) FILTER (WHERE kind IN ('dispute_withdrawal', 'dispute_reinstatement')), 0)::bigint, "
       "  coalesce(sum(amount), 0)::bigint, "
       "  count(*) FILTER (WHERE is_gift), "
       "  count(DISTINCT coalesce(donor_key, 'entry:' || id)) FILTER (WHERE is_gift), "
       "  count(DISTINCT coalesce(donor_key, 'entry:' || id)) FILTER (WHERE is_gift AND frequency = 'monthly'), "
       "  count(*) FILTER (WHERE is_gift AND frequency = 'once'), "
       "  coalesce(sum(amount) FILTER (WHERE is_gift AND frequency = 'once'), 0)::bigint, "
       "  count(*) FILTER (WHERE is_gift AND frequency = 'monthly'), "
       "  coalesce(sum(amount) FILTER (WHERE is_gift AND frequency = 'monthly'), 0)::bigint, "
       "  (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE campaign_id = $1)::bigint, "
       "  (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE campaign_id = $1 "
       "     AND occurred_at < " PLEDGED_RANGE_LO ")::bigint, "
       "  (SELECT coalesce(sum(l.amount), 0) FROM ledger_entries l JOIN campaigns c ON c.id = l.campaign_id "
       "     WHERE l.campaign_id = $1 AND l.occurred_at <= least(to_timestamp($5::bigint), c.ends_at) "
       "     AND l.occurred_at > least(to_timestamp($5::bigint), c.ends_at) - interval '7 days')::bigint, "
       "  (SELECT coalesce(sum(" PLEDGED_FEE_COVERED("l") "), 0) FROM ledger_entries l "
       "     WHERE l.campaign_id = $1 AND l.kind = 'payment' AND" PLEDGED_IN_RANGE ")::bigint "
       "FROM staff_ledger WHERE campaign_id = $1 AND" PLEDGED_IN_RANGE},
      {kByDay,
       "WITH daily AS (SELECT (occurred_at AT TIME ZONE $4)::date AS day, "
       "    count(*) FILTER (WHERE is_gift) AS gifts, sum(amount) FILTER (WHERE is_gift) AS amount, "
       "    sum(amount) AS net "
       "  FROM staff_ledger WHERE campaign_id = $1 AND" PLEDGED_IN_RANGE "GROUP BY 1) "
       "SELECT d::date::text, coalesce(daily.gifts, 0), coalesce(daily.amount, 0)::bigint, "
       "  coalesce(daily.net, 0)::bigint "
       "FROM generate_series($2::date::timestamp, $3::date::timestamp, interval '1 day') d "
       "LEFT JOIN daily ON daily.day = d::date ORDER BY d"},
      {kTopDonors,
       "SELECT coalesce(min(g.donor_key), ''), " PLEDGED_DONOR_NAME ", count(*), sum(g.amount)::bigint, "
       "  extract(epoch FROM max(g.occurred_at))::bigint, min(g.currency) "
       "FROM staff_ledger g WHERE g.campaign_id = $1 AND g.is_gift AND" PLEDGED_IN_RANGE
       "GROUP BY coalesce(g.donor_key, 'entry:' || g.id) ORDER BY 4 DESC, 1 LIMIT 10"},
      {kLapsedByAmount, PLEDGED_LAPSED_SELECT "ORDER BY 4 DESC, 1 LIMIT 50"},
      {kRecentGifts,
       "SELECT extract(epoch FROM occurred_at)::bigint, kind, amount, frequency, "
       "  CASE WHEN anonymous THEN 'Anonymous' ELSE coalesce(donor_name, '') END, method "
       "FROM staff_ledger WHERE campaign_id = $1 AND is_gift ORDER BY occurred_at DESC, id DESC LIMIT 10"},
      // Exports run these through a cursor (see for_each_*); preparing them as well
      // checks their SQL at boot like every other statement.
      {kGiftsExport, PLEDGED_GIFTS_EXPORT_SQL},
      {kMatches, PLEDGED_CAMPAIGN_MATCH_STANDINGS_SQL},
      {kMatchDays,
       "SELECT a.match_id, (l.occurred_at AT TIME ZONE $4)::date::text, sum(a.allocated)::bigint "
       "FROM match_allocations($1) a JOIN ledger_entries l ON l.id = a.ledger_entry_id "
       "WHERE" PLEDGED_IN_RANGE "GROUP BY 1, 2 HAVING sum(a.allocated) > 0 ORDER BY 1, 2"},
      {kLapsedExport, PLEDGED_LAPSED_SELECT "ORDER BY g.donor_key"},
  };
}

Result<bool> ReportRepository::time_zone_exists(const std::string& name) {
  return pool_.transact([&](Tx& tx) { return tx.exec_prepared1(kTimeZoneExists, name)[0].as<bool>(); },
                        Retry::if_broken, TxMode::read_only);
}

Result<std::pair<std::string, std::string>> ReportRepository::campaign_days(const Campaign& campaign,
                                                                             const std::string& time_zone) {
  return pool_.transact(
      [&](Tx& tx) {
        const auto row = tx.exec_prepared1(kCampaignDays, campaign.id, time_zone);
        return std::make_pair(row[0].as<std::string>(), row[1].as<std::string>());
      },
      Retry::if_broken, TxMode::read_only);
}

Result<std::string> ReportRepository::local_date(Timestamp at, const std::string& time_zone) {
  return pool_.transact(
      [&](Tx& tx) {
        return tx.exec_prepared1(kLocalDate, at.time_since_epoch().count(), time_zone)[0].as<std::string>();
      },
      Retry::if_broken, TxMode::read_only);
}

Result<CampaignReport> ReportRepository::campaign_report(const Campaign& campaign, const ReportRange& range,
                                                         Timestamp now) {
  return pool_.transact(
      [&](Tx& tx) {
        CampaignReport report;
        report.campaign = campaign.slug;
        report.currency = campaign.goal.currency();
        report.goal = campaign.goal.minor_units();
        report.starts_at = campaign.starts_at;
        report.ends_at = campaign.ends_at;
        report.range = range;

        const auto summary = tx.exec_prepared1(kSummary, campaign.id, range.from, range.to, range.time_zone,
                                               now.time_since_epoch().count());
        report.gross = summary[0].as<std::int64_t>();
        report.refunded = summary[1].as<std::int64_t>();
        report.disputed = summary[2].as<std::int64_t>();
        report.net = summary[3].as<std::int64_t>();
        report.gifts = summary[4].as<std::int64_t>();
        report.donors = summary[5].as<std::int64_t>();
        report.recurring_donors = summary[6].as<std::int64_t>();
        report.once = FrequencyFigures{summary[7].as<std::int64_t>(), summary[8].as<std::int64_t>()};
        report.monthly = FrequencyFigures{summary[9].as<std::int64_t>(), summary[10].as<std::int64_t>()};
        report.raised = summary[11].as<std::int64_t>();
        report.net_before_range = summary[12].as<std::int64_t>();
        report.net_last_7_days = summary[13].as<std::int64_t>();
        report.fees_covered = summary[14].as<std::int64_t>();

        for (const auto& row : tx.exec_prepared(kByDay, campaign.id, range.from, range.to, range.time_zone)) {
          report.by_day.push_back(DayFigures{row[0].as<std::string>(), row[1].as<std::int64_t>(),
                                             row[2].as<std::int64_t>(), row[3].as<std::int64_t>()});
        }
        report.top_donors =
            donor_lines(tx.exec_prepared(kTopDonors, campaign.id, range.from, range.to, range.time_zone));
        report.lapsed_donors = donor_lines(tx.exec_prepared(kLapsedByAmount, campaign.id));
        for (const auto& row : tx.exec_prepared(kRecentGifts, campaign.id)) {
          report.recent_gifts.push_back(RecentGift{epoch_seconds(row[0]), row[1].as<std::string>(),
                                                   row[2].as<std::int64_t>(), row[3].as<std::string>(),
                                                   row[4].as<std::string>(), row[5].as<std::string>()});
        }
        for (const auto& row : tx.exec_prepared(kMatches, campaign.id)) {
          report.matches.push_back(match_standing_from_row(row));
        }
        for (const auto& row : tx.exec_prepared(kMatchDays, campaign.id, range.from, range.to, range.time_zone)) {
          report.match_days.push_back(
              MatchDayFigures{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::int64_t>()});
        }
        return report;
      },
      Retry::if_broken, TxMode::snapshot);
}

Status ReportRepository::for_each_gift(const Campaign& campaign, const ReportRange& range, const GiftBatch& batch) {
  return pool_.transact(
      [&](Tx& tx) {
        for_each_page<GiftExportRow>(tx, PLEDGED_GIFTS_EXPORT_SQL, gift_row, batch, campaign.id, range.from, range.to,
                                     range.time_zone);
      },
      Retry::never, TxMode::snapshot);
}

Status ReportRepository::for_each_lapsed_donor(const Campaign& campaign, const DonorBatch& batch) {
  return pool_.transact(
      [&](Tx& tx) {
        for_each_page<DonorLine>(tx, PLEDGED_LAPSED_SELECT "ORDER BY g.donor_key", donor_line, batch, campaign.id);
      },
      Retry::never, TxMode::snapshot);
}

}  // namespace pledged
