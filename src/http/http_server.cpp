#include "pledged/http/http_server.hpp"

#include <thread>

#include "pledged/http/service_handler.hpp"

namespace pledged {

using namespace Pistache;

HttpServer::HttpServer(const ListenAddress& listen, int threads, RouteTable routes, ServerContext& context)
    : context_(context),
      routes_(std::make_shared<const RouteTable>(std::move(routes))),
      endpoint_(Address(listen.host, Port(listen.port))) {
  auto options = Http::Endpoint::options()
                     .threads(threads)
                     .threadsName("pledged-http")
                     .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
                     .maxRequestSize(kMaxRequestBytes)
                     .maxResponseSize(kMaxResponseBytes)
                     .headerTimeout(std::chrono::seconds(10))
                     .bodyTimeout(std::chrono::seconds(30))
                     .keepaliveTimeout(std::chrono::seconds(75));
  endpoint_.init(options);
  endpoint_.setHandler(std::make_shared<ServiceHandler>(routes_, context_));
}

HttpServer::~HttpServer() { shutdown(); }

void HttpServer::start() {
  endpoint_.serveThreaded();
  running_ = true;
}

std::uint16_t HttpServer::port() const { return static_cast<std::uint16_t>(endpoint_.getPort()); }

bool HttpServer::drain(std::chrono::milliseconds grace) {
  context_.draining = true;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (context_.in_flight.load(std::memory_order_acquire) > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void HttpServer::shutdown() {
  if (!running_) return;
  running_ = false;
  endpoint_.shutdown();
}

}  // namespace pledged
