#pragma once
#include <pistache/endpoint.h>

#include <chrono>
#include <cstdint>
#include <memory>

#include "pledged/config/config.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/http/server_context.hpp"

namespace pledged {

// The largest request Pistache will buffer: a Stripe event may be up to 1 MiB of
// body, plus headers. Pistache's own default is 4096 bytes.
inline constexpr std::size_t kMaxRequestBytes = (1024 + 64) * 1024;
inline constexpr std::size_t kMaxResponseBytes = 16 * 1024 * 1024;

class HttpServer {
 public:
  HttpServer(const ListenAddress& listen, int threads, RouteTable routes, ServerContext& context);
  ~HttpServer();

  // Binds and starts the reactor threads; throws std::runtime_error if it cannot bind.
  void start();
  std::uint16_t port() const;

  // Graceful stop: mark draining (readiness 503, connections closed after their
  // response, no new worker jobs), wait up to `grace` for admitted requests to be
  // answered, then stop the reactor. Returns false if the grace ran out first.
  bool drain(std::chrono::milliseconds grace);
  void shutdown();

 private:
  ServerContext& context_;
  std::shared_ptr<const RouteTable> routes_;
  Pistache::Http::Endpoint endpoint_;
  bool running_ = false;
};

}  // namespace pledged
