#pragma once
// Stripe settings that would be unsafe in production, refused at start-up (API.md,
// "Configuration"): forged money signed with a secret published in our own files, a
// live key sent to anything but Stripe, an API key in clear text over the network.
#include <string>

#include "pledged/config/config.hpp"
#include "pledged/core/result.hpp"

namespace pledged {

// True for http(s)://localhost, 127.0.0.0/8 and [::1] (any port or path).
bool is_loopback_url(const std::string& url);

// The first unsafe Stripe setting as one line naming its variable (never a secret's
// value), or success.
Status refuse_unsafe_stripe_settings(const Config& config);

// "live" (an sk_live_/rk_live_ key), "test" (any other key) or "off" (no key): logged
// at start-up with the base, so an operator sees which Stripe the instance talks to.
std::string stripe_mode(const Config& config);

}  // namespace pledged
