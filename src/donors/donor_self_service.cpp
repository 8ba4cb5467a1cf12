#include "pledged/donors/donor_self_service.hpp"

#include <algorithm>

#include "pledged/core/crypto.hpp"

namespace pledged {
namespace {

// 43 base62 characters: about 256 bits, as much as the hash that stores it.
constexpr std::size_t kSecretLength = 43;

bool is_secret_shaped(const std::string& text) {
  return text.size() == kSecretLength && std::all_of(text.begin(), text.end(), [](unsigned char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
         });
}

}  // namespace

DonorSelfService::DonorSelfService(Deps deps)
    : deps_(std::move(deps)),
      per_email_(kDonorLinksPerEmailHour, std::chrono::hours(1)),
      per_client_(kDonorLinksPerClientHour, std::chrono::hours(1)) {}

Status DonorSelfService::admit_link_request(const std::string& donor_key, const std::string& client) {
  int wait = per_client_.acquire(client);
  if (wait == 0) wait = per_email_.acquire(donor_key);
  if (wait == 0) return Status::success();
  auto error = make_error(ErrorCode::rate_limited, "too many sign-in links asked for; please wait");
  error.retry_after_seconds = wait;
  return error;
}

Status DonorSelfService::send_link(const std::string& donor_key) {
  const std::string token = random_base62(kSecretLength);
  const Timestamp now = deps_.now();
  auto created = deps_.donors.create_link(
      NewDonorLink{donor_key, sha256_hex(token), deps_.public_url + "/donor/" + token, now, now + kDonorLinkLifetime});
  if (!created) return created.error();
  return Status::success();
}

Result<std::optional<DonorTicket>> DonorSelfService::sign_in(const std::string& token) {
  if (!is_secret_shaped(token)) return std::optional<DonorTicket>();
  const Timestamp now = deps_.now();
  auto donor_key = deps_.donors.redeem_link(sha256_hex(token), now);
  if (!donor_key) return donor_key.error();
  if (!*donor_key) return std::optional<DonorTicket>();
  DonorTicket ticket{random_base62(kSecretLength), now + kDonorSessionLifetime, kDonorSessionLifetime};
  if (auto opened = deps_.donors.open_session(sha256_hex(ticket.session_id), **donor_key, random_base62(kSecretLength),
                                              now, ticket.expires_at);
      !opened) {
    return opened.error();
  }
  return std::optional<DonorTicket>(std::move(ticket));
}

Result<std::optional<DonorSession>> DonorSelfService::session(const std::string& session_id) {
  if (!is_secret_shaped(session_id)) return std::optional<DonorSession>();
  const std::string id_hash = sha256_hex(session_id);
  auto row = deps_.donors.find_session(id_hash, deps_.now());
  if (!row) return row.error();
  if (!*row) return std::optional<DonorSession>();
  return std::optional<DonorSession>(DonorSession{id_hash, (*row)->donor_key, (*row)->csrf_token, (*row)->expires_at});
}

Status DonorSelfService::sign_out(const DonorSession& session) {
  return deps_.donors.revoke_session(session.id_hash, deps_.now());
}

bool DonorSelfService::csrf_matches(const DonorSession& session, const std::string& presented) {
  const std::string& expected = session.csrf_token;
  if (presented.size() != expected.size() || expected.empty()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    difference |= static_cast<unsigned char>(expected[i] ^ presented[i]);
  }
  return difference == 0;
}

Result<DonorAccount> DonorSelfService::account(const DonorSession& session) {
  DonorAccount account;
  account.email = session.donor_key;
  auto movements = deps_.donors.movements(session.donor_key);
  if (!movements) return movements.error();
  account.years = group_by_year(std::move(*movements));
  auto monthly = deps_.donors.monthly_gifts(session.donor_key);
  if (!monthly) return monthly.error();
  account.monthly = std::move(*monthly);
  auto name = deps_.donors.latest_name(session.donor_key);
  if (!name) return name.error();
  account.name = std::move(*name);
  return account;
}

Result<std::string> DonorSelfService::portal_url(const DonorSession& session, const std::string& pledge_id) {
  auto customer = deps_.donors.portal_customer(session.donor_key, pledge_id);
  if (!customer) return customer.error();
  // Another donor's pledge, a one-time gift, an unknown id: the same answer.
  if (!*customer) return make_error(ErrorCode::not_found, "no monthly gift of yours with that id");
  if (deps_.portal == nullptr) {
    return make_error(ErrorCode::unavailable, "online payment management is not configured; please contact us");
  }
  return deps_.portal->portal_session_url(**customer, deps_.public_url + "/donor/account");
}

Result<std::optional<std::string>> DonorSelfService::statement_pdf(const DonorSession& session, int year) {
  return deps_.statements.donor_statement_pdf(session.donor_key, year);
}

Result<std::int64_t> DonorSelfService::resend_receipts(const DonorSession& session) {
  return deps_.donors.queue_receipt_copies(session.donor_key, format_rfc3339(deps_.now()).substr(0, 10));
}

}  // namespace pledged
