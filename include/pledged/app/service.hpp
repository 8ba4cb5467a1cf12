#pragma once
// Wires the service together: database pool, worker pool, banner cache and its
// change listener, routes, HTTP server. main() only parses the command line.
#include <memory>

#include "pledged/config/config.hpp"
#include "pledged/core/log.hpp"

namespace pledged {

// Runs `pledged serve` until SIGTERM or SIGINT, then drains and exits.
// The caller must have blocked both signals in every thread (block_shutdown_signals).
// Returns the process exit status.
int run_service(const Config& config, Logger& log);

// Blocks SIGTERM and SIGINT for this thread and every thread it starts later, so
// that run_service can take them with sigwait.
void block_shutdown_signals();

}  // namespace pledged
