#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pledged/domain/pledge.hpp"

using namespace pledged;

namespace {

Campaign campaign_in(const std::string& currency) {
  return Campaign{1, "eoy-2026", "Urgent End Of Year Fundraising Campaign", *Money::of(5000000, currency), Timestamp{},
                  Timestamp{}};
}

const std::string kValid =
    R"({"campaign":"eoy-2026","amount":2500,"currency":"usd","frequency":"once","email":"ana@example.org",
        "name":"Ana","anonymous":false,"message":"Keep going"})";

// Replaces one field of the valid body (or adds it).
std::map<std::string, std::string> errors_with(const std::string& field, const nlohmann::json& value,
                                               const std::string& currency = "usd") {
  auto body = nlohmann::json::parse(kValid);
  body[field] = value;
  auto request = parse_pledge_request(body.dump());
  EXPECT_TRUE(request.ok());
  const auto campaign = campaign_in(currency);
  return pledge_field_errors(*request, &campaign);
}

}  // namespace

TEST(PledgeValidation, AcceptsAValidPledge) {
  const auto campaign = campaign_in("usd");
  auto request = parse_pledge_request(kValid);
  ASSERT_TRUE(request.ok());
  EXPECT_TRUE(pledge_field_errors(*request, &campaign).empty());
  EXPECT_EQ(*request->amount, 2500);
  EXPECT_EQ(request->name, "Ana");
}

TEST(PledgeValidation, MalformedJsonOrANonObjectIsBadRequest) {
  for (const char* body : {"", "{", "[1,2]", "\"text\"", "{\"amount\": 25,}"}) {
    const auto request = parse_pledge_request(body);
    ASSERT_FALSE(request.ok()) << body;
    EXPECT_EQ(request.error().code, ErrorCode::bad_request) << body;
  }
}

struct FieldCase {
  std::string field;
  nlohmann::json value;
  std::string currency;
  std::string expected;  // substring of the field's error; empty: no error for the field
};

class PledgeFieldRules : public ::testing::TestWithParam<FieldCase> {};

TEST_P(PledgeFieldRules, ReportsTheFieldAndItsProblem) {
  const auto& c = GetParam();
  const auto errors = errors_with(c.field, c.value, c.currency.empty() ? "usd" : c.currency);
  if (c.expected.empty()) {
    EXPECT_EQ(errors.count(c.field), 0u) << c.field << "=" << c.value.dump() << ": " << errors.begin()->second;
  } else {
    ASSERT_EQ(errors.count(c.field), 1u) << c.field << "=" << c.value.dump();
    EXPECT_NE(errors.at(c.field).find(c.expected), std::string::npos) << errors.at(c.field);
    EXPECT_EQ(errors.size(), 1u) << "only the broken field is reported";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, PledgeFieldRules,
    ::testing::Values(
        FieldCase{"amount", 50, "", ""}, FieldCase{"amount", 49, "", "at least 50"},
        FieldCase{"amount", 0, "", "at least 50"}, FieldCase{"amount", -100, "", "at least 50"},
        FieldCase{"amount", 99999999, "", ""}, FieldCase{"amount", 100000000, "", "at most 99999999"},
        // PLEDGED_COVER_FEE off (no rule given): only false, or none, is accepted.
        FieldCase{"cover_fee", true, "", "turned off"}, FieldCase{"cover_fee", false, "", ""},
        FieldCase{"cover_fee", "true", "", "true or false"},
        FieldCase{"amount", 25.5, "", "integer"}, FieldCase{"amount", 2500.0, "", "integer"},
        FieldCase{"amount", "2500", "", "integer"}, FieldCase{"amount", nullptr, "", "required"},
        FieldCase{"currency", "eur", "", "campaign's currency, usd"}, FieldCase{"currency", "USD", "", "usd"},
        FieldCase{"currency", 840, "", "string"}, FieldCase{"currency", "", "", "required"},
        FieldCase{"frequency", "monthly", "", ""}, FieldCase{"frequency", "weekly", "", "once or monthly"},
        FieldCase{"frequency", "", "", "required"}, FieldCase{"frequency", true, "", "string"},
        FieldCase{"email", "ana@example", "", "valid email"}, FieldCase{"email", "ana.example.org", "", "valid email"},
        FieldCase{"email", "ana @example.org", "", "valid email"}, FieldCase{"email", "@example.org", "", "valid email"},
        FieldCase{"email", "ana@exa..mple.org", "", "valid email"}, FieldCase{"email", "", "", "required"},
        FieldCase{"email", "a+gift@mail.example.org", "", ""},
        FieldCase{"email", std::string(64, 'a') + "@" + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                                 std::string(58, 'd') + ".org", "", "254"},
        FieldCase{"name", std::string(200, 'n'), "", ""}, FieldCase{"name", std::string(201, 'n'), "", "200"},
        FieldCase{"name", 42, "", "string"},
        FieldCase{"message", std::string(500, 'm'), "", ""}, FieldCase{"message", std::string(501, 'm'), "", "500"},
        FieldCase{"anonymous", "yes", "", "true or false"}, FieldCase{"campaign", "", "", "required"}));

TEST(PledgeValidation, CountsCharactersNotBytes) {
  std::string name;
  for (int i = 0; i < 200; ++i) name += "é";  // 400 bytes, 200 characters
  EXPECT_EQ(errors_with("name", name).count("name"), 0u);
  EXPECT_EQ(errors_with("name", name + "é").count("name"), 1u);
}

TEST(PledgeValidation, MinimumFollowsTheCampaignsCurrency) {
  EXPECT_EQ(errors_with("amount", 29, "gbp").count("amount"), 1u);
  auto gbp = errors_with("amount", 30, "gbp");
  EXPECT_EQ(gbp.count("amount"), 0u);
  EXPECT_EQ(errors_with("amount", 49, "jpy").count("amount"), 1u);
}

TEST(PledgeValidation, ListsEveryInvalidFieldAtOnce) {
  const auto campaign = campaign_in("usd");
  auto request = parse_pledge_request(
      R"({"campaign":"eoy-2026","amount":1,"currency":"eur","frequency":"yearly","email":"nope","name":42})");
  ASSERT_TRUE(request.ok());
  const auto errors = pledge_field_errors(*request, &campaign);
  for (const char* field : {"amount", "currency", "frequency", "email", "name"}) EXPECT_EQ(errors.count(field), 1u) << field;
}

TEST(PledgeValidation, IgnoresFieldsTheContractDoesNotName) {
  auto request = parse_pledge_request(
      R"({"campaign":"eoy-2026","amount":2500,"currency":"usd","frequency":"once","email":"ana@example.org",
          "status":"paid","id":"pl_mine","amount_received":999999,"checkout_url":"https://evil.example"})");
  ASSERT_TRUE(request.ok());
  const auto campaign = campaign_in("usd");
  EXPECT_TRUE(pledge_field_errors(*request, &campaign).empty());
}

TEST(PledgeValidation, NewPledgeIdsAreOpaqueAndUnguessable) {
  const auto a = new_pledge_id();
  const auto b = new_pledge_id();
  EXPECT_EQ(a.rfind("pl_", 0), 0u);
  EXPECT_EQ(a.size(), 27u);
  EXPECT_NE(a, b);
}
