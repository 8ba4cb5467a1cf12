#include "pledged/webhooks/stripe_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

#include "pledged/core/crypto.hpp"

namespace pledged::webhooks {
namespace {

// Seconds since the epoch a `t=` may carry: 0 up to 9999999999 (the year 2286). Anything
// outside is refused while parsing, so `now - t` below can never overflow (a `t` of
// -9223372036854775808 once wrapped the skew negative and so inside the tolerance).
constexpr long long kLatestTimestamp = 9'999'999'999;

struct ParsedHeader {
  long long timestamp = 0;
  bool has_timestamp = false;
  std::vector<std::string_view> v1;
};

Result<ParsedHeader> parse_header(std::string_view header) {
  const auto malformed = make_error(ErrorCode::bad_request, "malformed Stripe-Signature header");
  ParsedHeader parsed;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const auto equals = item.find('=');
    if (equals == std::string_view::npos) return malformed;
    const auto key = item.substr(0, equals);
    const auto value = item.substr(equals + 1);
    if (key == "t") {
      if (parsed.has_timestamp) return malformed;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed.timestamp);
      if (error != std::errc() || end != value.data() + value.size() || value.empty()) return malformed;
      if (parsed.timestamp < 0 || parsed.timestamp > kLatestTimestamp) return malformed;
      parsed.has_timestamp = true;
    } else if (key == "v1") {
      parsed.v1.push_back(value);
    }
    // v0 (test-mode legacy) and unknown schemes are ignored, as Stripe advises.
  }
  if (!parsed.has_timestamp) return malformed;
  if (parsed.v1.empty()) return make_error(ErrorCode::bad_request, "no v1 signature in Stripe-Signature");
  return parsed;
}

}  // namespace

std::string stripe_v1_signature(std::string_view secret, long long timestamp, std::string_view body) {
  std::string payload = std::to_string(timestamp);
  payload += '.';
  payload.append(body.data(), body.size());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), digest, &length);
  return hex_encode(digest, length);
}

Status verify_stripe_signature(const SignatureCheck& check) {
  if (check.secrets.empty()) return make_error(ErrorCode::bad_request, "webhooks are not configured");
  auto parsed = parse_header(check.header);
  if (!parsed) return parsed.error();

  const auto now = std::chrono::duration_cast<std::chrono::seconds>(check.now.time_since_epoch()).count();
  const long long skew = now > parsed->timestamp ? now - parsed->timestamp : parsed->timestamp - now;
  if (skew > check.tolerance.count()) {
    return make_error(ErrorCode::bad_request, "Stripe-Signature timestamp outside the tolerance");
  }
  for (const auto& secret : check.secrets) {
    const std::string expected = stripe_v1_signature(secret, parsed->timestamp, check.raw_body);
    for (const auto candidate : parsed->v1) {
      if (candidate.size() == expected.size() &&
          CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0) {
        return Status::success();
      }
    }
  }
  return make_error(ErrorCode::bad_request, "no matching signature");
}

}  // namespace pledged::webhooks
