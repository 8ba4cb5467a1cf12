#pragma once
// Pistache's entry point for every parsed request: gives it a request id, fixes
// keep-alive, then hands it to the route table.
#include <pistache/http.h>

#include <memory>

#include "pledged/http/peer_keeper.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/http/server_context.hpp"

namespace pledged {

// Pistache 0.0.5 answers an HTTP/1.1 request that has no Connection header with
// "Connection: Close" and drops the socket, although HTTP/1.1 connections persist
// by default (RFC 9112 9.3). Browsers, CDNs and load balancers send no such header,
// so every one of their requests would pay a new TCP handshake. This is the one
// place that puts it right; an explicit "Connection: close" and HTTP/1.0 keep
// their meaning.
void apply_default_keep_alive(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter& response);

// A client's X-Request-Id if it is short and plain (it ends up in logs), else a new one.
std::string request_id_for(const Pistache::Http::Request& request);

// Pistache bounds a whole request (kMaxRequestBytes) but not its headers; no client
// of ours needs more than a few KiB of them. Above this: 431.
inline constexpr std::size_t kMaxHeaderBytes = 32 * 1024;

// The size of a request's headers as received: the raw ones, and the typed ones
// Pistache parsed out of the same lines (it keeps those apart). Stops counting
// once over kMaxHeaderBytes.
std::size_t request_header_bytes(const Pistache::Http::Request& request);

class ServiceHandler final : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(ServiceHandler)

  ServiceHandler(std::shared_ptr<const RouteTable> routes, ServerContext& context)
      : routes_(std::move(routes)), context_(&context) {}

  void onRequest(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response) override;

 private:
  // Pistache 0.0.5's own Http::Handler::onInput, through its public API (getParser,
  // ResponseWriter, transport()), with one change: a request refused before its body
  // was read (over the request size: 413; a malformed request line or header: 400)
  // is answered in the API's error shape, the connection is closed after it, and
  // nothing else read from it is parsed. Pistache answered such a request itself and
  // then parsed the rest of the body as the next request on the keep-alive connection
  // (a 400 for the client's next request, or a request smuggled inside the body).
  void onInput(const char* buffer, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void refuse(const std::shared_ptr<Pistache::Tcp::Peer>& peer, const Error& error);
  // Hands the connection back to its PeerKeeper.
  void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

  std::shared_ptr<const RouteTable> routes_;
  ServerContext* context_;
  PeerKeeper peers_;
};

}  // namespace pledged
