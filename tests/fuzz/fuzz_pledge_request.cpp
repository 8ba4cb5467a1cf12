// libFuzzer target: a POST /v1/pledges body through the parser and the validator.
// What passes validation obeys the contract's field rules; fields the contract does
// not name change nothing; what the parser read is what the JSON said.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "pledged/domain/currency.hpp"
#include "pledged/domain/pledge.hpp"
#include "property.hpp"

namespace {

using pledged::fuzz::require;

using nlohmann::json;
using namespace pledged;

const std::set<std::string> kContractFields{"campaign", "amount",    "currency", "frequency",     "email",
                                            "name",     "anonymous", "message",  "digest_opt_in", "cover_fee"};

bool same_request(const PledgeRequest& a, const PledgeRequest& b) {
  return a.campaign == b.campaign && a.amount == b.amount && a.currency == b.currency && a.frequency == b.frequency &&
         a.email == b.email && a.name == b.name && a.anonymous == b.anonymous && a.message == b.message &&
         a.digest_opt_in == b.digest_opt_in && a.cover_fee == b.cover_fee && a.type_errors == b.type_errors;
}

std::size_t utf8_characters(const std::string& text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;  // the JSON parser only lets valid UTF-8 through
    ++count;
  }
  return count;
}

void check_accepted(const PledgeRequest& request, const Campaign& campaign) {
  require(request.type_errors.empty());
  require(!request.campaign.empty());
  require(request.currency == campaign.goal.currency());
  require(request.amount && *request.amount >= find_currency(request.currency)->minimum_charge &&
          *request.amount <= kMaxPledgeAmount);
  require(request.frequency == "once" || request.frequency == "monthly");
  require(request.email.size() <= kMaxEmailLength && is_valid_email(request.email));
  require(request.email.find('@') != std::string::npos);
  for (const char c : request.email) require(static_cast<unsigned char>(c) > 0x20 && c != 0x7f);
  require(utf8_characters(request.name) <= kMaxNameLength);
  require(utf8_characters(request.message) <= kMaxMessageLength);
}

void check_validation(const PledgeRequest& request, const json& body) {
  for (const char* currency : {"usd", "jpy", "gbp"}) {
    const Campaign campaign{1, "eoy-2026", "Fuzzing", *Money::of(5000000, currency), Timestamp{}, Timestamp{}};
    const auto errors = pledge_field_errors(request, &campaign);
    for (const auto& [field, problem] : errors) require(kContractFields.count(field) == 1 && !problem.empty());
    if (errors.empty()) check_accepted(request, campaign);
    // The amount the JSON says, or an error: never a wrapped or rounded number.
    const auto amount = body.find("amount");
    if (amount != body.end() && amount->is_number_unsigned() &&
        amount->get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxPledgeAmount)) {
      require(errors.count("amount") == 1);
    } else if (amount != body.end() && amount->is_number_integer()) {
      require(request.amount == amount->get<std::int64_t>());
    }
  }
  for (const auto& [field, problem] : pledge_field_errors(request, nullptr)) {
    require(kContractFields.count(field) == 1 && !problem.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const auto request = parse_pledge_request(body);
  if (!request) {
    require(request.error().code == ErrorCode::bad_request);
    return 0;
  }
  const auto value = json::parse(body);
  require(value.is_object());

  // Fields the contract does not name are dropped: without them, or with a client's
  // attempt to set what only the server sets, the request reads the same.
  json named = json::object();
  for (const auto& [key, field] : value.items()) {
    if (kContractFields.count(key) == 1) named[key] = field;
  }
  const auto bare = parse_pledge_request(named.dump());
  require(bare.ok() && same_request(*request, *bare));
  json hostile = named;
  hostile.update(json{{"status", "paid"}, {"id", "pl_attacker"}, {"amount_received", 99999999}, {"livemode", true}});
  const auto with_extras = parse_pledge_request(hostile.dump());
  require(with_extras.ok() && same_request(*request, *with_extras));

  check_validation(*request, value);
  return 0;
}
