#pragma once
// What a donor's thank-you page asks after paying: is my pledge counted, and what is
// the campaign's total now? Only the pledge's own facts (status, amount, currency,
// frequency) and the campaign's public progress: never who gave. Once the pledge's
// money is in the ledger the figure comes from the database itself, so it can never
// be a snapshot older than the gift (the banner's snapshot catches up within 2 s).
#include <string>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/pledge_repository.hpp"
#include "pledged/db/progress_repository.hpp"
#include "pledged/progress/progress_cache.hpp"

namespace pledged {

struct PledgeProgressView {
  PledgeStanding standing;
  std::string progress_json;  // the progress route's body, including the pledge once counted
};

// {"id", "status", "counted", "amount", "currency", "frequency", "progress": {...}}
std::string pledge_progress_json(const PledgeProgressView& view);

class PledgeProgress {
 public:
  PledgeProgress(PledgeRepository& pledges, ProgressRepository& progress, const ProgressCache& cache)
      : pledges_(pledges), progress_(progress), cache_(cache) {}

  // not_found for an unknown pledge id.
  Result<PledgeProgressView> find(const std::string& pledge_id, Timestamp now);

 private:
  PledgeRepository& pledges_;
  ProgressRepository& progress_;
  const ProgressCache& cache_;
};

}  // namespace pledged
