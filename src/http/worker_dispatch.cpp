#include "pledged/http/worker_dispatch.hpp"

namespace pledged {

void answer_on_worker(WorkerPool& workers, const ExchangePtr& exchange, WorkerJob job) {
  if (exchange->context().draining.load(std::memory_order_relaxed)) {
    exchange->send_error(make_error(ErrorCode::unavailable, "shutting down"));
    return;
  }
  const bool queued = workers.try_submit([exchange, job = std::move(job)] {
    try {
      auto result = job();
      if (result) {
        exchange->send(*result);
      } else {
        exchange->send_error(result.error());
      }
    } catch (const std::exception& e) {
      exchange->send_error(make_error(ErrorCode::internal, e.what()));
    }
  });
  if (!queued) exchange->send_error(make_error(ErrorCode::unavailable, "worker queue full"));
}

}  // namespace pledged
