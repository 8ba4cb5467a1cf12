#pragma once
// A donor's pledge: what the client may send, how it is checked, and what we keep.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "pledged/core/result.hpp"
#include "pledged/domain/campaign.hpp"
#include "pledged/domain/covered_fee.hpp"
#include "pledged/domain/pledge_status.hpp"

namespace pledged {

enum class Frequency { once, monthly };
const char* to_string(Frequency frequency);

inline constexpr std::size_t kMaxPledgeBodyBytes = 16 * 1024;
inline constexpr std::int64_t kMaxPledgeAmount = 99'999'999;
inline constexpr std::size_t kMaxEmailLength = 254;
inline constexpr std::size_t kMaxNameLength = 200;
inline constexpr std::size_t kMaxMessageLength = 500;

// The fields the contract names, as sent. Anything else in the body is dropped at
// parse time, so a client can never set a status, an id or an amount received.
struct PledgeRequest {
  std::string campaign;
  std::optional<std::int64_t> amount;
  std::string currency;
  std::string frequency;
  std::string email;
  std::string name;
  bool anonymous = false;
  std::string message;
  bool digest_opt_in = false;  // "email me the daily digest", from the donation page
  bool cover_fee = false;      // add the processing fee (PLEDGED_COVER_FEE) to what is charged
  // Fields of the wrong JSON type ("amount": "25"), found while parsing.
  std::map<std::string, std::string> type_errors;
};

// ErrorCode::bad_request when the body is not a JSON object.
Result<PledgeRequest> parse_pledge_request(std::string_view body);

// Every invalid field with what is wrong with it; empty when the pledge is valid
// for `campaign`. Without a campaign (none named) the currency is only checked to be
// one we take. Character limits count Unicode code points, not bytes. `cover_fee` is
// PLEDGED_COVER_FEE, nullptr when `off`: then `cover_fee: true` is an invalid field.
std::map<std::string, std::string> pledge_field_errors(const PledgeRequest& request, const Campaign* campaign,
                                                       const FeeRule* cover_fee = nullptr);

// A syntactically valid address (RFC 5321 shape, ASCII or UTF-8), at most 254 bytes.
bool is_valid_email(std::string_view email);

// A pledge that passed validation, ready to store.
struct NewPledge {
  std::string id;  // "pl_" + 24 base62 characters
  std::int64_t campaign_id = 0;
  std::int64_t amount = 0;   // the gift
  std::int64_t fee = 0;      // the fee the donor covers; 0 without cover_fee
  std::int64_t charged = 0;  // amount + fee: what Checkout charges (each month, for a monthly gift)
  std::string currency;
  Frequency frequency = Frequency::once;
  std::string email;
  std::string name;
  bool anonymous = false;
  std::string message;
  bool digest_opt_in = false;
  std::string client_ip;
};

std::string new_pledge_id();

// A stored pledge, as the API shows it.
struct Pledge {
  std::string id;
  std::string campaign_slug;
  std::int64_t amount = 0;
  std::int64_t fee = 0;
  std::int64_t charged = 0;
  std::string currency;
  Frequency frequency = Frequency::once;
  PledgeStatus status = PledgeStatus::pending;
  std::string checkout_session_id;  // empty until Stripe created the session
  std::string checkout_url;
};

// The pledge as the donor's browser sees it after POST /v1/pledges (API.md): id,
// status, campaign, amount, fee, charged, currency, frequency, checkout_url. Also the form in which
// an Idempotency-Key's first answer is kept, so that a replay is the same bytes.
std::string public_pledge_json(const Pledge& pledge);
// The reverse, for a kept answer; nullopt when the text is not such a pledge.
std::optional<Pledge> parse_public_pledge_json(std::string_view text);

}  // namespace pledged
