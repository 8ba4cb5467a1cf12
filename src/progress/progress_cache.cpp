#include "pledged/progress/progress_cache.hpp"

#include <nlohmann/json.hpp>

#include "pledged/core/crypto.hpp"

namespace pledged {

std::string render_progress_json(const Progress& progress, Timestamp as_of) {
  nlohmann::ordered_json json;
  json["campaign"] = progress.campaign;
  json["title"] = progress.title;
  json["currency"] = progress.currency;
  json["goal"] = progress.goal;
  json["raised"] = progress.raised;
  // A display value derived from exact integer hundredths; no money is a float.
  json["percent"] = static_cast<double>(progress.percent_hundredths) / 100.0;
  json["donors"] = progress.donors;
  json["gifts"] = progress.gifts;
  json["starts_at"] = format_rfc3339(progress.starts_at);
  json["ends_at"] = format_rfc3339(progress.ends_at);
  json["status"] = to_string(progress.status);
  json["as_of"] = format_rfc3339(as_of);
  json["matched"] = progress.matched;
  if (progress.match) {
    json["match"] = {{"sponsor", progress.match->sponsor},
                     {"ratio", progress.match->ratio},
                     {"remaining", progress.match->remaining}};
  }
  return json.dump();
}

ProgressCache::ProgressCache(Loader loader, Clock clock)
    : loader_(std::move(loader)), clock_(std::move(clock)), snapshot_(std::make_shared<const Snapshot>()) {}

Status ProgressCache::refresh() {
  std::lock_guard<std::mutex> lock(refresh_mutex_);
  auto loaded = loader_();
  if (!loaded) return loaded.error();

  const auto now = clock_();
  const auto previous = std::atomic_load(&snapshot_);
  auto next = std::make_shared<Snapshot>();
  for (const auto& row : *loaded) {
    auto progress = compute_progress(row.campaign, row.totals, now, row.matches);
    const auto old = previous->find(progress.campaign);
    if (old != previous->end() && old->second->progress == progress && old->second->as_of == row.last_change) {
      // Unchanged numbers keep their body, ETag and as_of, so clients keep their 304s.
      next->emplace(progress.campaign, old->second);
      continue;
    }
    auto rendered = std::make_shared<RenderedProgress>();
    rendered->progress = std::move(progress);
    rendered->as_of = row.last_change;
    rendered->body = render_progress_json(rendered->progress, row.last_change);
    rendered->etag = "\"" + sha256_hex(rendered->body).substr(0, 32) + "\"";
    next->emplace(rendered->progress.campaign, std::move(rendered));
  }
  std::atomic_store(&snapshot_, std::shared_ptr<const Snapshot>(std::move(next)));
  refreshes_.fetch_add(1, std::memory_order_relaxed);
  return Status::success();
}

std::shared_ptr<const RenderedProgress> ProgressCache::find(std::string_view slug) const {
  const auto snapshot = std::atomic_load(&snapshot_);
  const auto found = snapshot->find(std::string(slug));
  return found == snapshot->end() ? nullptr : found->second;
}

std::size_t ProgressCache::size() const { return std::atomic_load(&snapshot_)->size(); }

std::uint64_t ProgressCache::refreshes() const { return refreshes_.load(std::memory_order_relaxed); }

}  // namespace pledged
