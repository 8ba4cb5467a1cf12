#pragma once
// Donor self-service (API.md, "Donors"; issue 17): a sign-in link by email, exchanged
// once for a server-side session; the donor's gifts, monthly gifts and statements; the
// Billing Portal for everything about payment; receipts sent again. A donor is a donor
// key (donor_key_of) and a session sees only what is filed under it. No HTTP here.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "pledged/core/rate_limiter.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/donor_repository.hpp"
#include "pledged/domain/billing_portal.hpp"
#include "pledged/domain/donor.hpp"
#include "pledged/statements/year_statements.hpp"

namespace pledged {

// API.md: a link lasts 30 minutes, so does a session; at most 5 links per email and 20
// per client an hour.
inline constexpr std::chrono::seconds kDonorLinkLifetime{30 * 60};
inline constexpr std::chrono::seconds kDonorSessionLifetime{30 * 60};
inline constexpr int kDonorLinksPerEmailHour = 5;
inline constexpr int kDonorLinksPerClientHour = 20;

struct DonorSession {
  std::string id_hash;
  std::string donor_key;
  std::string csrf_token;
  Timestamp expires_at;
};

// What a redeemed link gives the browser: the session's secret id and how long it lives (for the cookie).
// The lifetime is fixed when the session is made, so the cookie's Max-Age does not depend on the second
// at which the answer is written.
struct DonorTicket {
  std::string session_id;
  Timestamp expires_at;
  std::chrono::seconds lifetime;
};

class DonorSelfService {
 public:
  using Clock = std::function<Timestamp()>;
  struct Deps {
    DonorRepository& donors;
    YearStatements& statements;
    BillingPortalGateway* portal;  // nullptr without a Stripe key: Manage answers 503
    std::string public_url;        // PLEDGED_PUBLIC_URL: the link's and the portal's return address
    Clock now = now_utc;           // tests set their own: a link's 30 minutes without waiting them
  };
  explicit DonorSelfService(Deps deps);

  // Counts one link request against the email's and the client's hourly limits, the same
  // for an email that gave and one that never did; rate_limited (with retry_after) past them.
  Status admit_link_request(const std::string& donor_key, const std::string& client);
  // The queued half of a link request, run after the answer went out: the link and its
  // email, when the key has a gift; nothing at all otherwise.
  Status send_link(const std::string& donor_key);

  // The link's token for a session: nullopt when the token is unknown, used or expired.
  Result<std::optional<DonorTicket>> sign_in(const std::string& token);
  // The live session of a cookie's value, nullopt when none.
  Result<std::optional<DonorSession>> session(const std::string& session_id);
  // Ends the session on the server: its cookie signs nobody in any more.
  Status sign_out(const DonorSession& session);
  // The anti-forgery token a POST carried equals its session's (in constant time).
  static bool csrf_matches(const DonorSession& session, const std::string& presented);

  Result<DonorAccount> account(const DonorSession& session);
  // A Billing Portal session for the donor's own monthly pledge; not_found for any other id.
  Result<std::string> portal_url(const DonorSession& session, const std::string& pledge_id);
  // The donor's statement of `year`; nullopt when they gave nothing that year.
  Result<std::optional<std::string>> statement_pdf(const DonorSession& session, int year);
  // Copies of every receipt the donor was sent, once a day however often asked.
  Result<std::int64_t> resend_receipts(const DonorSession& session);

 private:
  Deps deps_;
  RateLimiter per_email_;
  RateLimiter per_client_;
};

}  // namespace pledged
