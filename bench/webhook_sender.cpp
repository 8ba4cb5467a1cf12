// Load generator for bench/webhooks_vs_pgbench.sh: N concurrent senders post
// correctly signed checkout.session.completed events (one per pre-made pledge) over
// keep-alive connections, and report how many were acknowledged per second and
// the p50/p99 of the acknowledged deliveries' latency.
//
// Usage: webhook_sender PORT SECRET PLEDGE_PREFIX PLEDGES SENDERS SECONDS [FIRST]
// FIRST (default 1): the first pledge to send an event for, so that runs one after
// another each use pledges of their own.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "pledged/webhooks/stripe_signature.hpp"

namespace {

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Sends one request and reads one response on a keep-alive connection; the status or -1.
int exchange(int fd, const std::string& request, std::string& buffer) {
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return -1;
    sent += static_cast<std::size_t>(n);
  }
  char chunk[8192];
  for (;;) {
    const auto end = buffer.find("\r\n\r\n");
    if (end != std::string::npos) {
      const auto cl = buffer.find("Content-Length: ");
      const std::size_t length = cl == std::string::npos || cl > end ? 0 : std::stoul(buffer.substr(cl + 16));
      if (buffer.size() >= end + 4 + length) {
        const int status = std::atoi(buffer.c_str() + 9);
        buffer.erase(0, end + 4 + length);
        return status;
      }
    }
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return -1;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string event_body(const std::string& pledge_id, long long index) {
  const auto n = std::to_string(index);
  nlohmann::json session{{"id", "cs_bench_" + n},
                         {"object", "checkout.session"},
                         {"client_reference_id", pledge_id},
                         {"metadata", {{"pledge_id", pledge_id}}},
                         {"mode", "payment"},
                         {"payment_status", "paid"},
                         {"status", "complete"},
                         {"amount_total", 1000},
                         {"currency", "usd"},
                         {"customer", nullptr},
                         {"payment_intent", "pi_bench_" + n}};
  nlohmann::json event{{"id", "evt_bench_" + n},
                       {"object", "event"},
                       {"type", "checkout.session.completed"},
                       {"api_version", "2025-03-31.basil"},
                       {"created", static_cast<long long>(std::time(nullptr))},
                       {"livemode", false},
                       {"data", {{"object", session}}}};
  return event.dump();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7 && argc != 8) {
    std::fprintf(stderr, "usage: webhook_sender PORT SECRET PLEDGE_PREFIX PLEDGES SENDERS SECONDS [FIRST]\n");
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  const std::string secret = argv[2];
  const std::string prefix = argv[3];
  const long long pledges = std::atoll(argv[4]);
  const int senders = std::atoi(argv[5]);
  const int seconds = std::atoi(argv[6]);
  const long long first = argc == 8 ? std::atoll(argv[7]) : 1;

  // Everything is built before the clock starts: the senders only send.
  std::vector<std::string> requests;
  requests.reserve(static_cast<std::size_t>(pledges));
  const long long t = std::time(nullptr);
  for (long long i = first; i <= pledges; ++i) {
    char id[64];
    std::snprintf(id, sizeof id, "%s%016lld", prefix.c_str(), i);
    const auto body = event_body(id, i);
    requests.push_back("POST /v1/webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Stripe-Signature: t=" + std::to_string(t) + ",v1=" +
                       pledged::webhooks::stripe_v1_signature(secret, t, body) +
                       "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }

  std::atomic<std::size_t> next{0};
  std::atomic<long long> ok{0};
  std::atomic<long long> failed{0};
  std::mutex latencies_mutex;
  std::vector<double> latencies_ms;  // of acknowledged deliveries, merged after each sender ends
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&] {
      int fd = connect_to(port);
      std::string buffer;
      std::vector<double> mine;
      while (std::chrono::steady_clock::now() < deadline) {
        const auto i = next++;
        if (i >= requests.size()) break;
        if (fd < 0) fd = connect_to(port);
        const auto sent_at = std::chrono::steady_clock::now();
        const int status = fd < 0 ? -1 : exchange(fd, requests[i], buffer);
        if (status == 200) {
          ++ok;
          mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent_at).count());
        } else {
          ++failed;
          if (fd >= 0) ::close(fd);
          fd = -1;
          buffer.clear();
        }
      }
      if (fd >= 0) ::close(fd);
      const std::lock_guard<std::mutex> lock(latencies_mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const auto percentile = [&](double p) {
    if (latencies_ms.empty()) return 0.0;
    return latencies_ms[static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size() - 1))];
  };
  std::printf("sent=%lld ok=%lld failed=%lld seconds=%.2f events_per_second=%.1f p50_ms=%.3f p99_ms=%.3f\n",
              ok.load() + failed.load(), ok.load(), failed.load(), elapsed, static_cast<double>(ok.load()) / elapsed,
              percentile(0.50), percentile(0.99));
  return failed.load() == 0 ? 0 : 1;
}
