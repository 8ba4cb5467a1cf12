// The gate's own test: the checks the test support makes on every process it starts
// (tests/support/service_process.cpp) fail a test when the process misbehaves. Each case
// runs a stand-in for the binary that misbehaves on purpose (fake_pledged.sh) and expects
// the support to report it; a control case behaves and expects no failure. Without these,
// a support that stopped checking (a hang SIGKILLed silently, an exit code ignored, an
// ASan abort taken for a refusal) would keep every other test green.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <map>
#include <string>

#include "service_process.hpp"

using namespace pledged::testing;

namespace {

// Points the test support at the fake binary for the rest of this process.
void use_fake_binary() { ::setenv("PLEDGED_BINARY", PLEDGED_GATE_FAKE_BINARY, 1); }

// Starts the fake `serve` in the given mode and stops it as every test's service is
// stopped: the failures the support reports come from the destructor.
void serve_and_stop(const char* mode) {
  use_fake_binary();
  const std::map<std::string, std::string> env{{"PLEDGED_FAKE", mode}, {"PLEDGED_SHUTDOWN_GRACE", "0"}};
  ServiceProcess service(env);
  // A hang is SIGKILLed after grace + margin; the margin is shortened so this test takes
  // seconds (a real service's stop keeps the full margin).
  service.set_stop_margin(std::chrono::seconds(2));
}

void run_command(const char* mode) {
  use_fake_binary();
  const auto result = run_pledged({"campaign", "list"}, {{"PLEDGED_FAKE", mode}});
  EXPECT_EQ(result.exit_code, 1) << "the fake command exits 1 in every mode this test uses";
}

}  // namespace

TEST(Gate, AServiceThatStopsCleanlyPasses) { serve_and_stop("serve-clean"); }

TEST(Gate, AHangAtShutdownFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(serve_and_stop("serve-hang"), "a hang at shutdown; killed with SIGKILL");
}

TEST(Gate, ANonZeroExitAtShutdownFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(serve_and_stop("serve-exit3"), "did not stop cleanly: exit 3, expected exit 0");
}

TEST(Gate, ASanitizerReportInTheServicesLogFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(serve_and_stop("serve-asan"), "ERROR: AddressSanitizer: heap-use-after-free");
}

TEST(Gate, ACommandsRefusalPasses) { run_command("cli-refuse"); }

// An ASan abort exits 1, the code a refusal uses too: the report, not the code, tells them apart.
TEST(Gate, AnASanAbortInACommandFailsTheTestEvenWithTheExpectedExitCode) {
  EXPECT_NONFATAL_FAILURE(run_command("cli-asan"), "sanitizer report from `pledged campaign list`");
}
