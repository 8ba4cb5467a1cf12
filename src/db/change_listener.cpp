#include "pledged/db/change_listener.hpp"

#include <pqxx/pqxx>

#include "pledged/db/connection_pool.hpp"

namespace pledged {
namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& connection, const std::string& channel, bool& notified)
      : pqxx::notification_receiver(connection, channel), notified_(notified) {}
  void operator()(const std::string& /*payload*/, int /*backend_pid*/) override { notified_ = true; }

 private:
  bool& notified_;
};

constexpr std::chrono::milliseconds kReconnectDelay{500};

}  // namespace

ChangeListener::ChangeListener(std::string database_url, std::string channel,
                               std::chrono::milliseconds safety_interval, std::function<void()> on_change)
    : database_url_(with_connect_timeout(database_url, std::chrono::seconds(3))),
      channel_(std::move(channel)),
      safety_interval_(safety_interval),
      on_change_(std::move(on_change)) {}

ChangeListener::~ChangeListener() { stop(); }

void ChangeListener::start() { thread_ = std::thread([this] { run(); }); }

void ChangeListener::stop() {
  stopping_ = true;
  stop_signal_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ChangeListener::sleep_unless_stopped(std::chrono::milliseconds duration) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !stop_signal_.wait_for(lock, duration, [this] { return stopping_.load(); });
}

void ChangeListener::run() {
  // Wait in short slices so that stop() is honoured promptly.
  constexpr long kSliceMicros = 200'000;
  while (!stopping_) {
    try {
      pqxx::connection connection(database_url_);
      bool notified = false;
      Receiver receiver(connection, channel_, notified);
      connected_ = true;
      on_change_();  // whatever changed while we were not listening
      auto next_safety_refresh = std::chrono::steady_clock::now() + safety_interval_;
      while (!stopping_) {
        connection.await_notification(0, kSliceMicros);
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_safety_refresh) {
          // A broken socket does not always surface in await_notification; a
          // query does, and sends us round the reconnect loop.
          pqxx::nontransaction ping(connection);
          ping.exec("SELECT 1");
          notified = true;
        }
        if (notified) {
          notified = false;
          next_safety_refresh = now + safety_interval_;
          on_change_();
        }
      }
    } catch (const std::exception&) {
      // Lost or could not open the connection: the banner keeps its last snapshot.
    }
    connected_ = false;
    if (!stopping_) sleep_unless_stopped(kReconnectDelay);
  }
}

}  // namespace pledged
