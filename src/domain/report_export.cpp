#include "pledged/domain/report_export.hpp"

#include "pledged/core/csv.hpp"
#include "pledged/domain/money.hpp"

namespace pledged {
namespace {

// "25.00" / "-25.00": what a bookkeeper sums; the minor units sit beside it.
std::string major_units(std::int64_t amount, const std::string& currency) {
  auto money = Money::of(amount, currency);
  return money ? money->to_major_string() : csv_number(amount);
}

}  // namespace

void append_gift_csv_header(std::string& out) {
  append_csv_row(
      out, {"entry_id", "occurred_at", "date", "kind", "amount", "amount_major", "currency", "frequency", "method",
            "pledge_id", "donor_name", "donor_email", "anonymous", "stripe_object_id", "note", "fee_covered", "match"});
}

void append_gift_csv_row(std::string& out, const GiftExportRow& row) {
  append_csv_row(out, {csv_number(row.id), format_rfc3339(row.occurred_at), csv_text(row.local_date),
                       csv_text(row.kind), csv_number(row.amount), major_units(row.amount, row.currency),
                       csv_text(row.currency), csv_text(row.frequency), csv_text(row.method), csv_text(row.pledge_id),
                       csv_text(row.donor_name), csv_text(row.donor_email), row.anonymous ? "true" : "false",
                       csv_text(row.stripe_object_id), csv_text(row.note), csv_number(row.fee_covered),
                       csv_number(row.match)});
}

void append_lapsed_donor_csv_header(std::string& out) {
  append_csv_row(out, {"donor_email", "donor_name", "previous_gifts", "previous_amount", "previous_amount_major",
                       "currency", "last_gift_at"});
}

void append_lapsed_donor_csv_row(std::string& out, const DonorLine& donor) {
  append_csv_row(out, {csv_text(donor.email), csv_text(donor.name), csv_number(donor.gifts), csv_number(donor.amount),
                       major_units(donor.amount, donor.currency), csv_text(donor.currency), format_rfc3339(donor.last_gift_at)});
}

}  // namespace pledged
