// Issue 14, finding 1: Stripe settings unsafe in production stop `pledged serve`.
#include <gtest/gtest.h>

#include <stdexcept>

#include "service_process.hpp"

using namespace pledged::testing;

namespace {

// Finding 1: a secret published in the project's own files lets anyone sign events.
std::map<std::string, std::string> unreachable_database() {
  return {{"PLEDGED_DATABASE_URL", "postgresql://pledged@127.0.0.1:1/unused?connect_timeout=1"}};
}

TEST(UnsafeStripeSettings, APublishedPlaceholderSecretStopsStartUpNamingTheVariable) {
  auto env = unreachable_database();
  env["STRIPE_WEBHOOK_SECRET"] = "whsec_CHANGE-ME";  // deploy/systemd/pledged.env.example
  try {
    ServiceProcess service(env);
    FAIL() << "pledged served with the published webhook secret whsec_CHANGE-ME";
  } catch (const std::runtime_error& e) {
    const std::string log = e.what();
    EXPECT_NE(log.find("STRIPE_WEBHOOK_SECRET"), std::string::npos) << log;
    EXPECT_EQ(log.find("CHANGE-ME"), std::string::npos) << "the secret is never repeated: " << log;
  }
}

TEST(UnsafeStripeSettings, ALiveKeyNeverTravelsAnywhereButStripe) {
  auto env = unreachable_database();
  env["STRIPE_SECRET_KEY"] = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
  env["STRIPE_API_BASE"] = "http://stripe-proxy.example";
  EXPECT_THROW(ServiceProcess service(env), std::runtime_error);
}

TEST(UnsafeStripeSettings, TheLocalStandInsPlaceholdersRunOnLoopbackAndTheModeIsLogged) {
  auto env = unreachable_database();
  env["STRIPE_SECRET_KEY"] = "sk_test_local_standin";  // scripts/run, with its stand-in
  env["STRIPE_WEBHOOK_SECRET"] = "whsec_local_standin";
  env["STRIPE_API_BASE"] = "http://127.0.0.1:12111";
  ServiceProcess service(env);
  const std::string log = service.log();
  EXPECT_NE(log.find(R"("mode":"test")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("base":"http://127.0.0.1:12111")"), std::string::npos) << log;
  EXPECT_EQ(log.find("local_standin"), std::string::npos) << "never a secret in the log";
}

}  // namespace
