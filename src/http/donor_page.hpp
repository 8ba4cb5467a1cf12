#pragma once
// The donor's pages rendered on the server (no script needed): the signed-in account
// page and the page of a sign-in link that no longer works. Every donor-given or
// stored text is HTML-escaped; every form carries the session's anti-forgery token.
#include <string>

#include "pledged/domain/donor.hpp"

namespace pledged {

// `notice`: a line to show at the top ("" for none), e.g. after "email me my receipts".
std::string donor_account_page(const DonorAccount& account, const std::string& csrf_token, const std::string& notice);
std::string donor_link_invalid_page();
// Reloads /donor/account from our own origin (a same-site navigation, which carries the
// SameSite=Strict cookie that a navigation from Stripe's portal did not).
std::string donor_return_page();

}  // namespace pledged
