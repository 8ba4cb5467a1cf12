#include <gtest/gtest.h>

#include "pledged/stripe/stripe_client.hpp"

using namespace pledged;
using namespace pledged::stripe;

TEST(StripeError, ParsesStripesErrorObject) {
  const auto error = parse_stripe_error(
      400, R"({"error":{"type":"invalid_request_error","code":"parameter_invalid_empty",
                "message":"You passed an empty string for 'customer_email'.","param":"customer_email"}})");
  EXPECT_EQ(error.kind, StripeErrorKind::api);
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.type, "invalid_request_error");
  EXPECT_EQ(error.code, "parameter_invalid_empty");
  EXPECT_EQ(error.param, "customer_email");
  EXPECT_NE(error.message.find("customer_email"), std::string::npos);
}

TEST(StripeError, ABodyThatIsNotAnErrorObjectIsStillTyped) {
  for (const char* body : {"", "<html>Bad Gateway</html>", R"({"error":"nope"})", R"({"error":{"type":7}})"}) {
    const auto error = parse_stripe_error(502, body);
    EXPECT_EQ(error.type, "api_error") << body;
    EXPECT_EQ(error.http_status, 502);
  }
}

TEST(StripeError, TransientFailuresBecomeUnavailableOthersInternal) {
  StripeError network;
  EXPECT_EQ(to_error(network).code, ErrorCode::unavailable);
  EXPECT_EQ(to_error(parse_stripe_error(500, "")).code, ErrorCode::unavailable);
  EXPECT_EQ(to_error(parse_stripe_error(429, "")).code, ErrorCode::unavailable);
  EXPECT_EQ(to_error(parse_stripe_error(400, "")).code, ErrorCode::internal);
  EXPECT_EQ(to_error(parse_stripe_error(401, "")).code, ErrorCode::internal);
}

TEST(StripeError, MessagesForLogsNeverQuoteStripesSentence) {
  const auto error = parse_stripe_error(
      400, R"({"error":{"type":"invalid_request_error","message":"Invalid email address: ana@example.org","param":"customer_email"}})");
  const auto mapped = to_error(error);
  EXPECT_EQ(mapped.message.find("ana@example.org"), std::string::npos) << mapped.message;
  EXPECT_NE(mapped.message.find("customer_email"), std::string::npos);
}
