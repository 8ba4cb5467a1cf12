#pragma once
// A campaign report: what staff ask for (a range of calendar days in a time zone)
// and what they get back. The figures come from SQL over the ledger; this file
// holds the checks on the question and the arithmetic done on the answer.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/domain/match.hpp"

namespace pledged {

// Calendar days [from, to], both included, of the IANA zone `time_zone`.
struct ReportRange {
  std::string from;  // "2026-11-01"
  std::string to;
  std::string time_zone = "UTC";
};

// Query parameters as sent; an absent one is nullopt. Defaults: the campaign's own
// first and last day (in the zone), and UTC. All invalid fields at once.
Result<ReportRange> parse_report_range(const std::optional<std::string>& from, const std::optional<std::string>& to,
                                       const std::optional<std::string>& time_zone, const std::string& default_from,
                                       const std::string& default_to);

// Syntax only (letters, digits, '_', '+', '-', '/'); the database says whether the zone exists.
bool looks_like_time_zone(const std::string& name);

struct DayFigures {
  std::string date;
  std::int64_t gifts = 0;
  std::int64_t amount = 0;  // gifts received that day (payments and offline gifts)
  std::int64_t net = 0;     // every movement that day, refunds and disputes included
};

struct FrequencyFigures {
  std::int64_t gifts = 0;
  std::int64_t amount = 0;
};

struct DonorLine {
  std::string name;  // "Anonymous" when the donor asked for it
  std::string email;
  std::int64_t gifts = 0;
  std::int64_t amount = 0;
  Timestamp last_gift_at;
  std::string currency;
};

struct RecentGift {
  Timestamp occurred_at;
  std::string kind;
  std::int64_t amount = 0;
  std::string frequency;  // "once", "monthly"
  std::string name;       // "Anonymous" when asked; "" when unknown
  std::string method;     // stripe, check, bank_transfer, cash, other
};

// What a match earned from the payments of one day (in the report's zone), net of their refunds.
struct MatchDayFigures {
  std::string match_id;
  std::string date;
  std::int64_t earned = 0;
};

struct CampaignReport {
  std::string campaign;
  std::string currency;
  std::int64_t goal = 0;
  std::int64_t raised = 0;  // the whole campaign, equal to the progress route
  Timestamp starts_at;
  Timestamp ends_at;
  ReportRange range;
  std::int64_t net_before_range = 0;
  std::int64_t gross = 0;
  std::int64_t refunded = 0;  // positive
  std::int64_t disputed = 0;  // positive: withdrawn minus reinstated
  std::int64_t net = 0;
  std::int64_t gifts = 0;
  std::int64_t donors = 0;
  std::int64_t recurring_donors = 0;
  std::vector<DayFigures> by_day;
  FrequencyFigures once;
  FrequencyFigures monthly;
  std::vector<DonorLine> top_donors;
  std::vector<DonorLine> lapsed_donors;
  std::vector<RecentGift> recent_gifts;
  std::int64_t net_last_7_days = 0;  // the 7 days before `as_of` (or before the end, once ended)
  // Of `gross`, what donors added to cover the processing fee (cover_fee): each payment in
  // the range of exactly what its Checkout charged brings its pledge's fee (docs/counting.md).
  std::int64_t fees_covered = 0;
  std::vector<MatchStanding> matches;       // the whole campaign's, creation order, like `raised`
  std::vector<MatchDayFigures> match_days;  // in the range, days with earnings only
};

// Rounded half up to whole minor units; 0 without gifts.
std::int64_t average_gift(std::int64_t gross, std::int64_t gifts);

struct PaceProjection {
  std::int64_t per_day = 0;                 // the last 7 days' net, divided by 7
  std::int64_t expected_at_end = 0;          // raised + per_day * days left
  std::optional<Timestamp> goal_reached_at;  // when the goal would be reached at that pace (now, if it is)
  bool goal_reached_before_end = false;
};

// At the last 7 days' pace: the total expected at `ends_at` and when the goal would be reached.
PaceProjection project_pace(std::int64_t raised, std::int64_t goal, std::int64_t net_last_7_days, Timestamp now,
                            Timestamp ends_at);

}  // namespace pledged

namespace pledged {

// One row of gifts.csv: one counted money movement.
struct GiftExportRow {
  std::int64_t id = 0;
  Timestamp occurred_at;
  std::string local_date;  // in the report's time zone
  std::string kind;
  std::int64_t amount = 0;  // signed minor units
  std::string currency;
  std::string frequency;
  std::string method;
  std::string pledge_id;
  std::string donor_name;
  std::string donor_email;
  bool anonymous = false;
  std::string stripe_object_id;
  std::string note;
  std::int64_t fee_covered = 0;  // of `amount`, the fee the donor added (cover_fee); 0 for other rows
  std::int64_t match = 0;  // what this payment earned from the campaign's matches (0 for any other row)
};

}  // namespace pledged
