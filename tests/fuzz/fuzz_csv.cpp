// libFuzzer target: the CSV writer of the staff exports. Whatever the text in the
// cells, the output reads back (RFC 4180, with the tests' independent reader) to the
// same rows and fields, and no text cell reaches a spreadsheet as a formula.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "pledged/core/csv.hpp"
#include "pledged/domain/currency.hpp"
#include "pledged/domain/report_export.hpp"
#include "property.hpp"

namespace {

using pledged::fuzz::require;

using namespace pledged;

bool starts_like_formula(const std::string& cell) {
  return !cell.empty() && std::strchr("=+-@\t\r", cell.front()) != nullptr && cell.front() != '\0';
}

// What a text cell must read back as: the value, behind an apostrophe if it would run.
std::string neutralised(const std::string& value) { return starts_like_formula(value) ? "'" + value : value; }

std::vector<std::vector<std::string>> read_back(const std::string& csv) {
  try {
    return testing::parse_csv(csv);
  } catch (const std::runtime_error&) {
    std::abort();  // the writer produced something that is not RFC 4180
  }
}

// "-12.50" for -1250 usd, written independently of Money.
std::string major(std::int64_t amount, int exponent) {
  const bool negative = amount < 0;
  std::string digits = std::to_string(negative ? 0 - static_cast<std::uint64_t>(amount) : static_cast<std::uint64_t>(amount));
  if (exponent > 0) {
    const auto places = static_cast<std::size_t>(exponent);
    if (digits.size() <= places) digits.insert(0, places + 1 - digits.size(), '0');
    digits.insert(digits.size() - places, ".");
  }
  return (negative ? "-" : "") + digits;
}

std::int64_t integer_from(const std::string& bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size() && i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  std::int64_t signed_value;
  std::memcpy(&signed_value, &value, sizeof value);
  return signed_value;
}

// Cells of text as the fuzzer chose them, several rows, numbers in between.
void check_text_rows(const std::vector<std::string>& values) {
  std::string csv;
  for (const auto& value : values) append_csv_row(csv, {csv_text(value), csv_number(-2500), csv_text(value)});
  const auto rows = read_back(csv);
  require(rows.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    require(rows[i].size() == 3);
    require(rows[i][0] == neutralised(values[i]) && rows[i][2] == rows[i][0]);
    require(rows[i][1] == "-2500");
    require(!starts_like_formula(rows[i][0]));
  }
}

// One gift export row with the fuzzer's text in every text column.
void check_gift_row(const std::vector<std::string>& values, const std::string& input) {
  auto text = [&values](std::size_t i) { return values[i % values.size()]; };
  static const char* kCurrencies[] = {"usd", "jpy", "bhd", "eur", "xyz"};
  GiftExportRow row;
  row.id = integer_from(input);
  row.amount = integer_from(text(1));
  row.currency = kCurrencies[input.size() % 5];
  // Any second from year 1 to 9999, the range the report's dates take.
  row.occurred_at = Timestamp(std::chrono::seconds(
      -62135596800LL + static_cast<std::int64_t>(static_cast<std::uint64_t>(row.amount) % 315537897600ULL)));
  row.local_date = text(0);
  row.kind = text(1);
  row.frequency = text(2);
  row.method = text(3);
  row.pledge_id = text(4);
  row.donor_name = text(5);
  row.donor_email = text(6);
  row.anonymous = input.size() % 2 == 0;
  row.stripe_object_id = text(7);
  row.note = text(8);
  row.fee_covered = integer_from(text(9));
  row.match = integer_from(text(10));

  std::string csv;
  append_gift_csv_header(csv);
  append_gift_csv_row(csv, row);
  const auto rows = read_back(csv);
  require(rows.size() == 2 && rows[0].size() == 17 && rows[1].size() == 17);
  const auto& cells = rows[1];
  require(cells[0] == std::to_string(row.id));
  require(parse_rfc3339(cells[1]) == row.occurred_at);
  require(cells[4] == std::to_string(row.amount));
  const auto currency = find_currency(row.currency);
  require(cells[5] == (currency ? major(row.amount, currency->exponent) : std::to_string(row.amount)));
  require(cells[12] == (row.anonymous ? "true" : "false"));
  require(cells[15] == std::to_string(row.fee_covered));
  require(cells[16] == std::to_string(row.match));
  const std::pair<std::size_t, const std::string*> text_columns[] = {
      {2, &row.local_date}, {3, &row.kind},       {6, &row.currency},    {7, &row.frequency},
      {8, &row.method},     {9, &row.pledge_id},  {10, &row.donor_name}, {11, &row.donor_email},
      {13, &row.stripe_object_id}, {14, &row.note}};
  for (const auto& [column, value] : text_columns) {
    require(cells[column] == neutralised(*value));
    require(!starts_like_formula(cells[column]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  // Cells are separated by NUL bytes in the input.
  std::vector<std::string> values;
  std::size_t start = 0;
  while (true) {
    const auto end = input.find('\0', start);
    values.push_back(input.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  check_text_rows(values);
  check_gift_row(values, input);
  return 0;
}
