#pragma once
// The banner's numbers, held in memory so that the progress route does no I/O.
// A refresh reads the ledger sums for every campaign and swaps in a new snapshot;
// readers keep whatever snapshot they already hold, so there is no lock on the
// hot path beyond an atomic pointer load.
#include <atomic>
#include <functional>
#include <mutex>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/progress_repository.hpp"
#include "pledged/domain/progress.hpp"

namespace pledged {

// One campaign's progress, rendered once per change.
struct RenderedProgress {
  Progress progress;
  Timestamp as_of;   // the latest change behind these numbers (from the database)
  std::string body;  // the JSON the route sends
  std::string etag;  // strong: "\"<sha-256 prefix of body>\""
};

std::string render_progress_json(const Progress& progress, Timestamp as_of);

class ProgressCache {
 public:
  using Loader = std::function<Result<std::vector<CampaignWithTotals>>()>;
  using Clock = std::function<Timestamp()>;

  ProgressCache(Loader loader, Clock clock);

  // Reloads every campaign. On failure the previous snapshot stays in place.
  Status refresh();

  // nullptr for an unknown slug.
  std::shared_ptr<const RenderedProgress> find(std::string_view slug) const;

  std::size_t size() const;
  std::uint64_t refreshes() const;  // successful refreshes, for metrics

 private:
  using Snapshot = std::unordered_map<std::string, std::shared_ptr<const RenderedProgress>>;

  Loader loader_;
  Clock clock_;
  std::shared_ptr<const Snapshot> snapshot_;  // read and written with std::atomic_load/store
  std::mutex refresh_mutex_;                  // one refresh at a time
  std::atomic<std::uint64_t> refreshes_{0};
};

}  // namespace pledged
