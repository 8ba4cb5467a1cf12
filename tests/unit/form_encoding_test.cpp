#include <gtest/gtest.h>

#include "pledged/stripe/form_encoding.hpp"

using nlohmann::json;
using namespace pledged::stripe;

TEST(FormEncoding, NestsObjectsAndArraysWithBrackets) {
  const json params = {{"metadata", {{"pledge_id", "pl_1"}}},
                       {"line_items", json::array({{{"price_data", {{"unit_amount", 2500}}}, {"quantity", 1}}})}};
  EXPECT_EQ(encode_form(params),
            "line_items[0][price_data][unit_amount]=2500&line_items[0][quantity]=1&metadata[pledge_id]=pl_1");
}

TEST(FormEncoding, IndexesEveryArrayElement) {
  const json params = {{"payment_method_types", json::array({"card", "link"})}};
  EXPECT_EQ(encode_form(params), "payment_method_types[0]=card&payment_method_types[1]=link");
}

TEST(FormEncoding, PercentEncodesReservedCharactersSpacesAndUtf8) {
  const json params = {{"success_url", "https://x.example/ok?a=1&b={CHECKOUT_SESSION_ID}"},
                       {"name", "Ana María + Co"},
                       {"note", "100%=~ok"}};
  EXPECT_EQ(encode_form(params),
            "name=Ana%20Mar%C3%ADa%20%2B%20Co&note=100%25%3D~ok&"
            "success_url=https%3A%2F%2Fx.example%2Fok%3Fa%3D1%26b%3D%7BCHECKOUT_SESSION_ID%7D");
}

TEST(FormEncoding, PrintsBooleansAndNullAsStripeExpects) {
  EXPECT_EQ(encode_form(json{{"a", true}, {"b", false}, {"c", nullptr}}), "a=true&b=false&c=");
}

TEST(FormEncoding, EncodesSpecialCharactersInsideKeysButKeepsBrackets) {
  EXPECT_EQ(encode_form(json{{"metadata", {{"a b&c", "1"}}}}), "metadata[a%20b%26c]=1");
}

TEST(FormEncoding, DecodesWhatItEncodes) {
  const json params = {{"metadata", {{"campaign", "eoy 2026 & co"}}}, {"email", "ana+gift@example.org"}};
  std::vector<FormField> fields;
  ASSERT_TRUE(decode_form(encode_form(params), fields));
  EXPECT_EQ(fields, flatten_form(params));
}

TEST(FormEncoding, DecodesPlusAsSpaceAndRefusesBrokenEscapes) {
  std::vector<FormField> fields;
  ASSERT_TRUE(decode_form("a=x+y&b=%7B%7d", fields));
  EXPECT_EQ(fields, (std::vector<FormField>{{"a", "x y"}, {"b", "{}"}}));
  EXPECT_FALSE(decode_form("a=%G1", fields));
  EXPECT_FALSE(decode_form("a=%4", fields));
}
