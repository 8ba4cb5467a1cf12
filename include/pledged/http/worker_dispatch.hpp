#pragma once
// Hands a request's slow part to the worker pool and answers from there.
#include <functional>

#include "pledged/core/worker_pool.hpp"
#include "pledged/http/exchange.hpp"

namespace pledged {

using WorkerJob = std::function<Result<HttpResponse>()>;

// Answers 503 at once when the server is draining or the pool's queue is full;
// otherwise runs `job` on a worker and sends what it returns (an Error through the
// API's error shape; an exception as a 500 with its cause logged, not sent).
void answer_on_worker(WorkerPool& workers, const ExchangePtr& exchange, WorkerJob job);

}  // namespace pledged
