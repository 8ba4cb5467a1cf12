#include "pledged/domain/donor.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <string_view>

namespace pledged {
namespace {

bool is_plain_address(const std::string& address) {
  if (address.size() < 3 || address.size() > 254) return false;
  const auto at = address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string::npos) {
    return false;
  }
  return std::all_of(address.begin(), address.end(), [](unsigned char c) {
    return c > 0x20 && c < 0x7f &&
           std::string_view("<>()[]\\,;:\"").find(static_cast<char>(c)) == std::string_view::npos;
  });
}

int utc_year(Timestamp t) {
  const std::time_t seconds = t.time_since_epoch().count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return utc.tm_year + 1900;
}

}  // namespace

Result<std::string> donor_key_of(const std::string& typed_email) {
  const auto first = typed_email.find_first_not_of(" \t\r\n");
  const auto last = typed_email.find_last_not_of(" \t\r\n");
  std::string key = first == std::string::npos ? "" : typed_email.substr(first, last - first + 1);
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!is_plain_address(key)) {
    auto error = make_error(ErrorCode::validation_failed, "the email is not valid");
    error.fields["email"] = "must be an email address";
    return error;
  }
  return key;
}

std::vector<DonorYear> group_by_year(std::vector<DonorMovement> movements) {
  std::stable_sort(movements.begin(), movements.end(),
                   [](const DonorMovement& a, const DonorMovement& b) { return a.occurred_at < b.occurred_at; });
  std::vector<DonorYear> years;
  for (auto& movement : movements) {
    const int year = utc_year(movement.occurred_at);
    if (years.empty() || years.back().year != year) years.push_back(DonorYear{year, {}});
    years.back().movements.push_back(std::move(movement));
  }
  std::reverse(years.begin(), years.end());
  return years;
}

}  // namespace pledged
