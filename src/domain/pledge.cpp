#include "pledged/domain/pledge.hpp"

#include <nlohmann/json.hpp>

#include "pledged/core/crypto.hpp"
#include "pledged/domain/currency.hpp"

namespace pledged {
namespace {

using nlohmann::json;

std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

void read_string(const json& body, const char* name, std::string& out, std::map<std::string, std::string>& errors) {
  const auto found = body.find(name);
  if (found == body.end() || found->is_null()) return;
  if (!found->is_string()) {
    errors[name] = "must be a string";
    return;
  }
  out = found->get<std::string>();
}

bool is_domain_label_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c >= 0x80;
}

}  // namespace

const char* to_string(Frequency frequency) { return frequency == Frequency::monthly ? "monthly" : "once"; }

Result<PledgeRequest> parse_pledge_request(std::string_view body) {
  const auto parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return make_error(ErrorCode::bad_request, "the body is not valid JSON");
  if (!parsed.is_object()) return make_error(ErrorCode::bad_request, "the body must be a JSON object");

  PledgeRequest request;
  auto& errors = request.type_errors;
  read_string(parsed, "campaign", request.campaign, errors);
  read_string(parsed, "currency", request.currency, errors);
  read_string(parsed, "frequency", request.frequency, errors);
  read_string(parsed, "email", request.email, errors);
  read_string(parsed, "name", request.name, errors);
  read_string(parsed, "message", request.message, errors);
  if (const auto amount = parsed.find("amount"); amount != parsed.end() && !amount->is_null()) {
    // 25.00 or "2500" are refused rather than guessed at: money is an integer of minor units.
    if (amount->is_number_integer()) {
      request.amount = amount->get<std::int64_t>();
    } else {
      errors["amount"] = "must be an integer number of minor units (cents)";
    }
  }
  for (const auto& [field, target] : {std::pair<const char*, bool*>{"anonymous", &request.anonymous},
                                      std::pair<const char*, bool*>{"digest_opt_in", &request.digest_opt_in},
                                      std::pair<const char*, bool*>{"cover_fee", &request.cover_fee}}) {
    const auto flag = parsed.find(field);
    if (flag == parsed.end() || flag->is_null()) continue;
    if (flag->is_boolean()) {
      *target = flag->get<bool>();
    } else {
      errors[field] = "must be true or false";
    }
  }
  return request;
}

bool is_valid_email(std::string_view email) {
  if (email.size() < 3 || email.size() > kMaxEmailLength) return false;
  const auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const auto local = email.substr(0, at);
  const auto domain = email.substr(at + 1);
  for (const char ch : local) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f || ch == '@' || ch == '"' || ch == '(' || ch == ')' || ch == ',' || ch == ':' ||
        ch == ';' || ch == '<' || ch == '>' || ch == '[' || ch == ']' || ch == '\\') {
      return false;
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  // A domain of dot-separated labels, at least two, none empty, none starting or ending with '-'.
  if (domain.empty() || domain.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= domain.size()) {
    auto end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const auto label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (const char ch : label) {
      if (!is_domain_label_char(static_cast<unsigned char>(ch))) return false;
    }
    start = end + 1;
  }
  return true;
}

std::map<std::string, std::string> pledge_field_errors(const PledgeRequest& request, const Campaign* campaign,
                                                       const FeeRule* cover_fee) {
  auto errors = request.type_errors;
  auto add = [&errors](const char* field, std::string problem) { errors.emplace(field, std::move(problem)); };

  if (request.campaign.empty()) add("campaign", "is required");
  const std::string campaign_currency = campaign != nullptr ? campaign->goal.currency() : request.currency;
  if (request.currency.empty()) {
    add("currency", "is required");
  } else if (campaign != nullptr && request.currency != campaign_currency) {
    add("currency", "must be the campaign's currency, " + campaign_currency);
  } else if (!find_currency(request.currency)) {
    add("currency", "is not a currency we accept");
  }
  const auto currency = find_currency(campaign_currency);
  const std::int64_t minimum = currency ? currency->minimum_charge : 50;
  if (!request.amount) {
    add("amount", "is required");
  } else if (*request.amount < minimum) {
    add("amount", "must be at least " + std::to_string(minimum));
  } else if (*request.amount > kMaxPledgeAmount) {
    add("amount", "must be at most " + std::to_string(kMaxPledgeAmount));
  }
  if (request.cover_fee && cover_fee == nullptr) {
    add("cover_fee", "is not offered: covering the processing fee is turned off");
  } else if (request.cover_fee && request.amount && *request.amount >= minimum && *request.amount <= kMaxPledgeAmount &&
             charged_covering_fee(*request.amount, *cover_fee) > kMaxPledgeAmount) {
    add("cover_fee", "the gift with its fee would be more than " + std::to_string(kMaxPledgeAmount));
  }
  if (request.frequency.empty()) {
    add("frequency", "is required");
  } else if (request.frequency != "once" && request.frequency != "monthly") {
    add("frequency", "must be once or monthly");
  }
  if (request.email.empty()) {
    add("email", "is required");
  } else if (request.email.size() > kMaxEmailLength) {
    add("email", "must be at most 254 characters");
  } else if (!is_valid_email(request.email)) {
    add("email", "must be a valid email address");
  }
  if (code_points(request.name) > kMaxNameLength) add("name", "must be at most 200 characters");
  if (code_points(request.message) > kMaxMessageLength) add("message", "must be at most 500 characters");
  return errors;
}

std::string new_pledge_id() { return "pl_" + random_base62(24); }

std::string public_pledge_json(const Pledge& pledge) {
  return json{{"id", pledge.id},
              {"status", to_string(pledge.status)},
              {"campaign", pledge.campaign_slug},
              {"amount", pledge.amount},
              {"fee", pledge.fee},
              {"charged", pledge.charged},
              {"currency", pledge.currency},
              {"frequency", to_string(pledge.frequency)},
              {"checkout_url", pledge.checkout_url}}
      .dump();
}

std::optional<Pledge> parse_public_pledge_json(std::string_view text) {
  const auto parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  const auto text_of = [&](const char* name) -> std::optional<std::string> {
    const auto found = parsed.find(name);
    if (found == parsed.end() || !found->is_string()) return std::nullopt;
    return found->get<std::string>();
  };
  const auto id = text_of("id"), status = text_of("status"), campaign = text_of("campaign"),
             currency = text_of("currency"), frequency = text_of("frequency"), url = text_of("checkout_url");
  const auto amount = parsed.find("amount");
  if (!id || !status || !campaign || !currency || !frequency || !url || amount == parsed.end() ||
      !amount->is_number_integer()) {
    return std::nullopt;
  }
  const auto known_status = parse_pledge_status(*status);
  if (!known_status) return std::nullopt;
  Pledge pledge;
  pledge.id = *id;
  pledge.status = *known_status;
  pledge.campaign_slug = *campaign;
  pledge.amount = amount->get<std::int64_t>();
  // Answers kept before covered fees existed have neither: nothing was added then.
  const auto fee = parsed.find("fee");
  pledge.fee = fee != parsed.end() && fee->is_number_integer() ? fee->get<std::int64_t>() : 0;
  pledge.charged = pledge.amount + pledge.fee;
  pledge.currency = *currency;
  pledge.frequency = *frequency == "monthly" ? Frequency::monthly : Frequency::once;
  pledge.checkout_url = *url;
  return pledge;
}

}  // namespace pledged
