// The banner's reference peer: a bare Pistache 0.0.5 endpoint that answers every request
// with one file's bytes, with the options and the keep-alive fix pledged's server uses
// (src/http/http_server.cpp, service_handler.hpp) and nothing else: no routing, no
// access log, no ETag check. bench/progress_vs_nginx.sh measures pledged's banner against
// it in the same run, so the ratio is what pledged adds on top of the library. With
// HEADERS (a file of "Name: value" lines: the headers pledged's answer carried) it sends
// those too, through the same typed header pledged uses, so both put the same bytes on
// the wire and pay the library the same for them.
// Usage: bare_pistache PORT FILE [THREADS] [HEADERS]
#include <pistache/endpoint.h>
#include <pistache/http.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "pledged/http/named_header.hpp"

using namespace Pistache;

using HeaderLines = std::vector<std::pair<std::string, std::string>>;

HeaderLines read_header_lines(const char* path) {
  HeaderLines lines;
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(": ");
    if (colon != std::string::npos) lines.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  return lines;
}

class BareHandler final : public Http::Handler {
 public:
  HTTP_PROTOTYPE(BareHandler)
  BareHandler(std::string body, HeaderLines headers) : body_(std::move(body)), headers_(std::move(headers)) {}

  void onRequest(const Http::Request& request, Http::ResponseWriter response) override {
    // Pistache answers a request without a Connection header with "Close" (see
    // pledged's apply_default_keep_alive): the same fix, so both keep connections alive.
    if (!request.headers().has<Http::Header::Connection>()) {
      response.headers().remove<Http::Header::Connection>();
      response.headers().add<Http::Header::Connection>(Http::ConnectionControl::KeepAlive);
    }
    response.headers().add<Http::Header::ContentType>(MIME(Application, Json));
    for (const auto& [name, value] : headers_)
      response.headers().add(std::make_shared<pledged::NamedHeader>(name, value));
    response.send(Http::Code::Ok, body_);
  }

 private:
  std::string body_;
  HeaderLines headers_;
};

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bare_pistache PORT FILE [THREADS] [HEADERS]\n";
    return 2;
  }
  std::ifstream file(argv[2], std::ios::binary);
  std::stringstream body;
  body << file.rdbuf();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the server's threads inherit the mask

  Http::Endpoint endpoint(Address(Ipv4::loopback(), Port(static_cast<std::uint16_t>(std::stoi(argv[1])))));
  endpoint.init(Http::Endpoint::options()
                    .threads(argc > 3 ? std::stoi(argv[3]) : 2)
                    .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
                    .keepaliveTimeout(std::chrono::seconds(75)));
  endpoint.setHandler(std::make_shared<BareHandler>(body.str(), argc > 4 ? read_header_lines(argv[4]) : HeaderLines{}));
  endpoint.serveThreaded();
  int received = 0;
  sigwait(&signals, &received);
  endpoint.shutdown();
  return 0;
}
