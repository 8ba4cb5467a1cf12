#include "pledged/http/exchange.hpp"

#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <pistache/peer.h>
#include <pistache/transport.h>

#include "pledged/core/time.hpp"
#include "pledged/http/route_table.hpp"

namespace pledged {

namespace {

// A client that takes nothing for this long is gone; its stream is abandoned.
constexpr std::chrono::seconds kStalledClientTimeout{30};

// The writer's Connection header says what the request asked for (ServiceHandler sets
// it: the request's own, keep-alive for HTTP/1.1 without one, close otherwise).
bool wants_close(const Pistache::Http::Header::Collection& headers) {
  const auto connection = headers.tryGet<Pistache::Http::Header::Connection>();
  return connection && connection->control() == Pistache::Http::ConnectionControl::Close;
}

// Writes all of `bytes` to the non-blocking socket, waiting while it is full.
// False when the client is gone or takes nothing for kStalledClientTimeout.
bool write_fully(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto written = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (written > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(written));
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd ready{fd, POLLOUT, 0};
      const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kStalledClientTimeout).count();
      if (::poll(&ready, 1, static_cast<int>(timeout)) <= 0) return false;
      if ((ready.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

// Our own descriptor for a connection's socket. Pistache closes its descriptor when
// the client hangs up, and the number is soon reused by another connection; a
// shutdown() or write() through a saved number could then hit a stranger. A dup()
// stays bound to this socket until we close it.
class OwnSocket {
 public:
  static std::shared_ptr<OwnSocket> of(const Pistache::Tcp::Peer& peer) {
    const int fd = ::dup(peer.fd());
    return fd < 0 ? nullptr : std::make_shared<OwnSocket>(fd);
  }
  explicit OwnSocket(int fd) : fd_(fd) {}
  ~OwnSocket() { ::close(fd_); }
  OwnSocket(const OwnSocket&) = delete;
  OwnSocket& operator=(const OwnSocket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Set on a peer once one of its answers had to wait in Pistache's write queue: its
// later answers queue behind it, so the bytes on the wire stay in order.
constexpr const char* kQueuedData = "pledged.queued";

// No half-close after the answer.
constexpr int kKeepOpen = -1;

std::shared_ptr<Pistache::Tcp::Peer> peer_of(const Pistache::Http::ResponseWriter& writer) {
  try {
    return writer.peer();
  } catch (const std::exception&) {
    return nullptr;  // the client is already gone
  }
}

}  // namespace

Exchange::Exchange(Pistache::Http::ResponseWriter writer, RequestInfo info, ServerContext& context)
    : writer_(std::move(writer)),
      transport_(current_routing_state().transport),
      info_(std::move(info)),
      context_(context) {
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

void Exchange::refuse_and_close(const Error& error) {
  if (sent_) return;
  sent_ = true;
  const auto response = error_response(error);
  auto headers = answer_headers(response, true);
  headers.emplace_back("Content-Length", std::to_string(response.body.size()));
  // SHUT_WR, not SHUT_RDWR: the client may still be sending the body; a full close
  // would answer its next bytes with a reset, which can destroy the 413 unread in
  // its receive buffer. What it still sends is discarded (ServiceHandler::onInput).
  deliver(wire_head(response.status, headers) + response.body, SHUT_WR);
  record(response.status);
}

bool Exchange::closes_after() const {
  return wants_close(writer_.headers()) || context_.draining.load(std::memory_order_relaxed);
}

HeaderLines Exchange::answer_headers(const HttpResponse& response, bool close) const {
  HeaderLines headers;
  headers.reserve(response.headers.size() + 6);
  headers.emplace_back("X-Request-Id", info_.request_id);
  headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (!response.content_type.empty()) headers.emplace_back("Content-Type", response.content_type);
  // An error is never stored by a cache (API.md): a cached 404 under the banner's key
  // answered every donor 404 until it expired (issue 14, finding 2).
  const bool error = response.status >= 400;
  for (const auto& [name, value] : response.headers) {
    if (error && strcasecmp(name.c_str(), "Cache-Control") == 0) continue;
    headers.emplace_back(name, value);
  }
  if (error) headers.emplace_back("Cache-Control", "no-store");
  headers.emplace_back("Connection", close ? "close" : "keep-alive");
  return headers;
}

// Pistache 0.0.5's ResponseWriter serialises each header through a typed object and
// hands every answer to the transport's write queue, which wakes the reactor through
// an eventfd for another turn of epoll before the bytes go out, even when the answer
// is made on the reactor itself. On the reactor, pledged writes the answer straight to
// the non-blocking socket (the banner: one send() instead of a queue entry, two
// syscalls and a wake-up); what does not fit, and every worker's answer, goes through
// Pistache's queue as before. Pistache 0.0.5 writes "Connection: Close" but leaves the
// socket open, so an answer that says close is followed by a shutdown once it is out.
void Exchange::deliver(std::string wire, int shutdown_how) {
  if (!current_routing_state().on_reactor) return deliver_from_worker(std::move(wire));
  const auto peer = peer_of(writer_);
  if (!peer) return;
  peer->setIdle(true);  // as ResponseWriter::send does: the request is answered
  if (!peer->tryGetData(kQueuedData)) {
    const auto written = ::send(peer->fd(), wire.data(), wire.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (written == static_cast<ssize_t>(wire.size())) {
      if (shutdown_how != kKeepOpen) ::shutdown(peer->fd(), shutdown_how);
      return;
    }
    if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return;  // the client is gone
    if (written > 0) wire.erase(0, static_cast<std::size_t>(written));
    peer->putData(kQueuedData, std::make_shared<bool>(true));
  }
  const auto size = wire.size();
  auto queued = peer->send(Pistache::RawBuffer(std::move(wire), size), MSG_NOSIGNAL);
  if (shutdown_how == kKeepOpen) return;
  if (auto socket = OwnSocket::of(*peer)) {
    queued.then([socket, shutdown_how](ssize_t) { ::shutdown(socket->fd(), shutdown_how); },
                Pistache::Async::IgnoreException);
  }
}

// As ResponseWriter does from a worker: the peer is let go before the bytes are queued.
// Once they are out the client may hang up, and the reactor must then hold the peer's
// last reference; a worker that freed it would race with the reactor, which reads the
// peer's parser without a lock (TSan shows it). No shutdown from here: Pistache 0.0.5's
// promises are not safe to chain from another thread while the reactor resolves them.
// A worker's "Connection: close" answer relies on the client honouring the header;
// draining closes every connection at shutdown anyway.
void Exchange::deliver_from_worker(std::string wire) {
  int fd = -1;
  {
    const auto peer = peer_of(writer_);
    if (!peer) return;
    peer->setIdle(true);
    fd = peer->fd();
  }
  const auto size = wire.size();
  if (transport_ != nullptr) transport_->asyncWrite(fd, Pistache::RawBuffer(std::move(wire), size), MSG_NOSIGNAL);
}

void Exchange::record(int status) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - info_.started).count();
  context_.metrics.observe_request(info_.route, info_.method, status, seconds);
  if (context_.access_log) {
    context_.log.write_line("{\"ts\":\"" + format_rfc3339(now_utc()) +
                            "\",\"level\":\"info\",\"msg\":\"request\",\"request_id\":\"" + info_.request_id +
                            "\",\"method\":\"" + info_.method + "\",\"route\":\"" + json_escape(info_.route) +
                            "\",\"status\":" + std::to_string(status) +
                            ",\"duration_ms\":" + std::to_string(seconds * 1000.0) + "}");
  }
}

void Exchange::send(const HttpResponse& response) {
  if (sent_) return;
  sent_ = true;
  const bool close = closes_after();
  auto headers = answer_headers(response, close);
  headers.emplace_back("Content-Length", std::to_string(response.body.size()));
  auto wire = wire_head(response.status, headers) + response.body;
  // Counted before the bytes go out: a client that reads its answer and then scrapes
  // /metrics finds it there (recorded after, the scrape could come first; seen under ASan).
  record(response.status);
  deliver(std::move(wire), close ? SHUT_RDWR : kKeepOpen);
}

void Exchange::stream(const HttpResponse& head, const std::function<Status(const ChunkWriter&)>& produce) {
  if (sent_) return;
  sent_ = true;
  std::shared_ptr<OwnSocket> socket;
  {
    // Let go of the peer at once, as deliver_from_worker does: the reactor must hold its last reference.
    const auto peer = peer_of(writer_);
    if (!peer) return;
    socket = OwnSocket::of(*peer);
    if (!socket) return;
    // Pistache's idle-peer check answers 408 on a connection whose request is older
    // than the header timeout and whose answer did not go through its send(), which
    // marks the peer idle. Marking it here gives a stream the keep-alive timeout (75 s)
    // instead of 10 s: 100,000 rows take about a second.
    peer->setIdle(true);
  }
  // Pistache 0.0.5's ResponseStream flushes its transport from the calling thread,
  // which races with the reactor (it aborts with "could not find write data"). The
  // reactor only reads this connection while its request is being answered, so the
  // worker writes the chunked answer to the socket itself, waiting when it is full:
  // real backpressure, a few KiB of memory whatever the size of the export.
  const int fd = socket->fd();
  const bool close_after = closes_after();
  auto headers = answer_headers(head, close_after);
  headers.emplace_back("Transfer-Encoding", "chunked");
  const std::string head_bytes = wire_head(head.status, headers);

  bool open = write_fully(fd, head_bytes);
  const ChunkWriter write = [&](std::string_view piece) {
    if (!open || piece.empty()) return open;
    char size[32];
    const int length = std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
    open = write_fully(fd, std::string_view(size, static_cast<std::size_t>(length))) && write_fully(fd, piece) &&
           write_fully(fd, "\r\n");
    return open;
  };
  const auto produced = open ? produce(write) : Status::success();
  if (!produced) {
    context_.log.event("error", "streamed answer failed: " + produced.error().message,
                       {{"request_id", json_quoted(info_.request_id)}, {"route", json_quoted(info_.route)}});
  }
  // A failed export must never look complete: no last chunk, and the connection is cut.
  if (!produced || !open || !write_fully(fd, "0\r\n\r\n") || close_after) ::shutdown(fd, SHUT_RDWR);
  record(head.status);
}

}  // namespace pledged
