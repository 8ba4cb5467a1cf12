#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

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
                      long long now = kNow, const std::string& body = kBody) {
  return verify_stripe_signature({header, body, secrets, std::chrono::seconds(300), at(now)});
}

std::string signature(const std::string& secret, long long t, const std::string& body = kBody) {
  return stripe_v1_signature(secret, t, body);
}

std::string header_for(const std::string& secret, long long t, const std::string& body = kBody) {
  return "t=" + std::to_string(t) + ",v1=" + signature(secret, t, body);
}

}  // namespace

// Vectors produced with: printf '%s' '<t>.<body>' | openssl dgst -sha256 -hmac '<secret>'
TEST(StripeSignature, MatchesOpensslVectors) {
  EXPECT_EQ(stripe_v1_signature("whsec_test_secret_one", kNow, kBody),
            "a2e7b5a94b36f30d77cdf090956c335fdbd5e3b416e835ecf62bd4ab7b9a3415");
  EXPECT_EQ(stripe_v1_signature("whsec_old_secret_0", kNow, kBody),
            "57d4543297275f809ef4b77cf0ff6094193f3556b45e348e6b96d94a27698294");
  EXPECT_EQ(stripe_v1_signature("whsec_test_secret_one", 1700000000,
                                R"({"id":"evt_2","type":"charge.refunded","data":{"object":{"amount_refunded":500}}})"),
            "c39637a6fd56c98f5509d79e7a8805d5d0b7d216d8253639a522fb970233e841");
  EXPECT_EQ(stripe_v1_signature("whsec_test_secret_one", kNow, ""),
            "4bcea7b6439c26f19b25b565de75eccd3bab2b47b1381f41202a95064db4c0a6");
}

TEST(StripeSignature, AcceptsAValidSignature) { EXPECT_TRUE(check(header_for("whsec_test_secret_one", kNow))); }

TEST(StripeSignature, RejectsOneChangedByteOfBody) {
  std::string changed = kBody;
  changed[7] = '2';
  EXPECT_FALSE(check(header_for("whsec_test_secret_one", kNow), kSecrets, kNow, changed));
}

TEST(StripeSignature, RejectsReserialisedJson) {
  // Same JSON value, different bytes (spaces after separators): the signature is over bytes.
  const std::string reserialised = R"({"id": "evt_1", "object": "event"})";
  EXPECT_FALSE(check(header_for("whsec_test_secret_one", kNow), kSecrets, kNow, reserialised));
}

TEST(StripeSignature, RejectsAWrongSecret) { EXPECT_FALSE(check(header_for("whsec_wrong", kNow))); }

TEST(StripeSignature, RejectsMissingOrEmptyHeader) {
  EXPECT_FALSE(check(""));
  EXPECT_FALSE(check(" "));
}

TEST(StripeSignature, IgnoresV0EvenWhenCorrect) {
  EXPECT_FALSE(check("t=" + std::to_string(kNow) + ",v0=" + signature("whsec_test_secret_one", kNow)));
}

TEST(StripeSignature, AcceptsTheRightV1AfterAJunkOne) {
  EXPECT_TRUE(check("t=" + std::to_string(kNow) + ",v1=" + std::string(64, 'a') + ",v1=" +
                    signature("whsec_test_secret_one", kNow)));
  EXPECT_TRUE(check("t=" + std::to_string(kNow) + ",v1=junk,v1=" + signature("whsec_test_secret_one", kNow)));
}

TEST(StripeSignature, AcceptsEitherSecretDuringRotation) {
  const auto rotated = "t=" + std::to_string(kNow) + ",v1=" + signature("whsec_old_secret_0", kNow) +
                       ",v1=" + signature("whsec_new_secret_1", kNow);
  EXPECT_TRUE(check(rotated, {"whsec_old_secret_0"}));
  EXPECT_TRUE(check(rotated, {"whsec_new_secret_1"}));
  EXPECT_TRUE(check(rotated, {"whsec_unrelated", "whsec_new_secret_1"}));
  EXPECT_FALSE(check(rotated, {"whsec_unrelated"}));
}

TEST(StripeSignature, RejectsUppercaseHex) {
  auto upper = signature("whsec_test_secret_one", kNow);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  EXPECT_FALSE(check("t=" + std::to_string(kNow) + ",v1=" + upper));
}

TEST(StripeSignature, RejectsASpaceAfterAComma) {
  EXPECT_FALSE(check("t=" + std::to_string(kNow) + ", v1=" + signature("whsec_test_secret_one", kNow)));
}

TEST(StripeSignature, RejectsANonNumericTimestamp) {
  EXPECT_FALSE(check("t=17960OOOOO,v1=" + signature("whsec_test_secret_one", kNow)));
  EXPECT_FALSE(check("t=,v1=" + signature("whsec_test_secret_one", kNow)));
}

TEST(StripeSignature, EnforcesTheToleranceBothWays) {
  EXPECT_FALSE(check(header_for("whsec_test_secret_one", kNow - 301)));
  EXPECT_FALSE(check(header_for("whsec_test_secret_one", kNow + 301)));
  EXPECT_TRUE(check(header_for("whsec_test_secret_one", kNow - 300)));
  EXPECT_TRUE(check(header_for("whsec_test_secret_one", kNow + 300)));
}

TEST(StripeSignature, RejectsMalformedHeaders) {
  for (const char* header : {"t=", "v1=abc", "t=abc,v1=abc", "t=1796000000", "t=1796000000,v0=abc", "garbage",
                             "t=1796000000,t=1796000000,v1=aa"}) {
    EXPECT_FALSE(check(header)) << header;
  }
}

TEST(StripeSignature, RefusesEverythingWithoutASecret) {
  EXPECT_FALSE(check(header_for("whsec_test_secret_one", kNow), {}));
}

TEST(StripeSignature, ErrorsAreBadRequest) {
  const auto rejected = check(header_for("whsec_wrong", kNow));
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, pledged::ErrorCode::bad_request);
}
