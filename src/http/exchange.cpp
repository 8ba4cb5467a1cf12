#include "pledged/http/exchange.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <pistache/peer.h>

#include "pledged/core/time.hpp"
#include "pledged/http/named_header.hpp"
#include "pledged/http/route_table.hpp"

namespace pledged {

namespace {

void set_header(Pistache::Http::Header::Collection& headers, std::string name, std::string value) {
  headers.add(std::make_shared<NamedHeader>(std::move(name), std::move(value)));
}

// Pistache 0.0.5 writes "Connection: Close" but leaves the socket open. When the
// response says Close (the client asked, HTTP/1.0, or we are draining), half-close
// it once the bytes are out; the reactor then sees the end and frees the peer.
bool wants_close(const Pistache::Http::Header::Collection& headers) {
  const auto connection = headers.tryGet<Pistache::Http::Header::Connection>();
  return connection && connection->control() == Pistache::Http::ConnectionControl::Close;
}

}  // namespace

Exchange::Exchange(Pistache::Http::ResponseWriter writer, RequestInfo info, ServerContext& context)
    : writer_(std::move(writer)), info_(std::move(info)), context_(context) {
  if (!context_.draining.load(std::memory_order_relaxed)) {
    counted_in_flight_ = true;
    context_.in_flight.fetch_add(1, std::memory_order_relaxed);
  }
}

Exchange::~Exchange() {
  if (!sent_) {
    try {
      send_error(make_error(ErrorCode::internal, "handler finished without answering"));
    } catch (...) {
      // The peer may be gone; nothing else can be done from a destructor.
    }
  }
  if (counted_in_flight_) context_.in_flight.fetch_sub(1, std::memory_order_release);
}

void Exchange::send_error(const Error& error) {
  if (error.code == ErrorCode::internal || error.code == ErrorCode::unavailable) {
    context_.log.event(error.code == ErrorCode::internal ? "error" : "warn", error.message,
                       {{"request_id", json_quoted(info_.request_id)}, {"route", json_quoted(info_.route)}});
  }
  send(error_response(error));
}

void Exchange::send_and_maybe_close(const HttpResponse& response) {
  const auto code = static_cast<Pistache::Http::Code>(response.status);
  // Only on the connection's own reactor thread: Pistache 0.0.5's promises are not
  // safe to chain from another thread while the reactor resolves them (TSan shows the
  // race). A worker's "Connection: close" answer relies on the client honouring the
  // header; draining closes every connection at shutdown anyway.
  if (!wants_close(writer_.headers()) || !current_routing_state().on_reactor) {
    writer_.send(code, response.body);
    return;
  }
  std::shared_ptr<Pistache::Tcp::Peer> peer;
  try {
    peer = writer_.peer();
  } catch (const std::exception&) {
    return;  // the client is already gone
  }
  // A dup() names this connection's socket whatever later happens to the descriptor's
  // number (the reactor may close it and hand the number to a new client); it is
  // closed when the continuation goes.
  auto socket = std::shared_ptr<int>(new int(::dup(peer->fd())), [](int* fd) {
    if (*fd >= 0) ::close(*fd);
    delete fd;
  });
  peer.reset();
  writer_.send(code, response.body)
      .then(
          [socket](ssize_t) {
            if (*socket >= 0) ::shutdown(*socket, SHUT_RDWR);
          },
          Pistache::Async::IgnoreException);
}

void Exchange::send(const HttpResponse& response) {
  if (sent_) return;
  sent_ = true;
  auto& headers = writer_.headers();
  set_header(headers, "X-Request-Id", info_.request_id);
  set_header(headers, "X-Content-Type-Options", "nosniff");
  if (!response.content_type.empty()) set_header(headers, "Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) set_header(headers, name, value);
  if (context_.draining.load(std::memory_order_relaxed)) {
    headers.remove<Pistache::Http::Header::Connection>();
    headers.add<Pistache::Http::Header::Connection>(Pistache::Http::ConnectionControl::Close);
  }
  send_and_maybe_close(response);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - info_.started).count();
  context_.metrics.observe_request(info_.route, info_.method, response.status, seconds);
  if (context_.access_log) {
    context_.log.write_line("{\"ts\":\"" + format_rfc3339(now_utc()) +
                            "\",\"level\":\"info\",\"msg\":\"request\",\"request_id\":\"" + info_.request_id +
                            "\",\"method\":\"" + info_.method + "\",\"route\":\"" + json_escape(info_.route) +
                            "\",\"status\":" + std::to_string(response.status) +
                            ",\"duration_ms\":" + std::to_string(seconds * 1000.0) + "}");
  }
}

}  // namespace pledged
