#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "fault_support.hpp"
#include "service_fixture.hpp"

using namespace pledged::testing;

namespace {

using AbuseLimits = ServiceFixture;

long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

TEST_F(AbuseLimits, TenMegabyteBodyIsRefusedWith413) {
  HttpConnection connection(port());
  connection.send_raw("POST /v1/campaigns/eoy-2026/progress HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: 10485760\r\n\r\n");
  const std::string chunk(64 * 1024, 'a');
  std::optional<HttpReply> reply;
  try {
    for (int sent = 0; sent < 40 && !reply; ++sent) {  // at most 2.5 MiB: the server must answer long before 10
      connection.send_raw(chunk);
      if (sent >= 16) reply = connection.read_reply(std::chrono::milliseconds(200));
    }
  } catch (const std::exception&) {
    // The server may close the connection while we are still sending; then read what it said.
  }
  if (!reply) reply = connection.read_reply(std::chrono::seconds(5));
  ASSERT_TRUE(reply) << "no answer to an oversized body";
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(http_get(port(), "/healthz").status, 200);
}

// Pistache 0.0.5 reserves a body's declared Content-Length before reading it and
// parses the number with stoull (docs/security.md). An absurd length must still cost
// one refused request, not the process or its memory: 413 in the API's shape since
// the service runs Pistache's onInput itself (issue 14); behind deploy/nginx,
// client_max_body_size answers 413 first.
TEST_F(AbuseLimits, AnAbsurdDeclaredBodyLengthIsRefusedAndTheServiceStaysUpWithFlatMemory) {
  const long before = resident_kib(service_->pid());
  // Lengths past 64 bits fail in stoull; the others make Pistache ask for terabytes,
  // which the allocator refuses (std::bad_alloc). ASan and TSan end the process on
  // such a request instead of throwing, so sanitizer builds send the first kind only.
  std::vector<std::string> lengths{"99999999999999999999"};
  if (!kSanitizedBuild) lengths.insert(lengths.end(), {"10000000000000000", "2147483648000"});
  for (const auto& length : lengths) {
    HttpConnection connection(port());
    connection.send_raw(std::string("POST /v1/pledges HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    "Content-Length: ") +
                        length + "\r\n\r\n{}");
    const auto reply = connection.read_reply(std::chrono::seconds(5));
    if (reply) {
      EXPECT_GE(reply->status, 400) << length;
      EXPECT_NE(reply->status, 201) << length;
    }
    EXPECT_EQ(http_get(port(), "/healthz").status, 200) << "after Content-Length: " << length;
  }
  EXPECT_TRUE(service_->running());
  const long after = resident_kib(service_->pid());
  std::cout << "[ figures  ] RSS before " << before << " KiB, after " << after << " KiB\n";
  if (!kSanitizedBuild) {
    EXPECT_LT(after - before, 16 * 1024) << "a declared length is reserved, never filled";
  }
}

TEST_F(AbuseLimits, HundredKilobytesOfHeadersIs431) {
  std::map<std::string, std::string> headers;
  for (int i = 0; i < 100; ++i) headers["X-Pad-" + std::to_string(i)] = std::string(1000, 'p');
  const auto reply = http_get(port(), "/v1/campaigns/eoy-2026/progress", headers);
  EXPECT_EQ(reply.status, 431);
  EXPECT_EQ(nlohmann::json::parse(reply.body)["error"]["code"], "request_header_fields_too_large");

  const auto huge_authorization = http_get(port(), "/healthz", {{"Authorization", "Bearer " + std::string(40000, 't')}});
  EXPECT_EQ(huge_authorization.status, 431);
  EXPECT_EQ(http_get(port(), "/v1/campaigns/eoy-2026/progress").status, 200);
}

TEST_F(AbuseLimits, ThousandIdleConnectionsDoNotStarveTheBanner) {
  const long before = resident_kib(service_->pid());
  std::vector<std::unique_ptr<HttpConnection>> idle;
  for (int i = 0; i < 1000; ++i) idle.push_back(std::make_unique<HttpConnection>(port()));
  const auto started = std::chrono::steady_clock::now();
  const auto reply = http_get(port(), "/v1/campaigns/eoy-2026/progress");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(reply.status, 200);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  const long during = resident_kib(service_->pid());
  idle.clear();
  std::cout << "[ report ] RSS with 1000 idle connections: " << before << " KiB before, " << during
            << " KiB during\n";
  // Memory figures mean nothing under sanitizers (TSan's shadow memory grows with every
  // thread and connection touched: 67 MiB here once, against 2 MiB in the plain build).
  if (!kSanitizedBuild) {
    EXPECT_LT(during - before, 64 * 1024) << "idle connections should cost little memory";
  }
}
