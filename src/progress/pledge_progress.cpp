#include "pledged/progress/pledge_progress.hpp"

#include <nlohmann/json.hpp>

namespace pledged {

std::string pledge_progress_json(const PledgeProgressView& view) {
  const auto& pledge = view.standing.pledge;
  nlohmann::ordered_json json;
  json["id"] = pledge.id;
  json["status"] = to_string(pledge.status);
  json["counted"] = view.standing.counted;
  json["amount"] = pledge.amount;
  json["currency"] = pledge.currency;
  json["frequency"] = to_string(pledge.frequency);
  json["progress"] = nlohmann::ordered_json::parse(view.progress_json);
  return json.dump();
}

Result<PledgeProgressView> PledgeProgress::find(const std::string& pledge_id, Timestamp now) {
  auto standing = pledges_.find_standing(pledge_id);
  if (!standing) return standing.error();
  if (!*standing) return make_error(ErrorCode::not_found, "no pledge with that id");
  PledgeProgressView view{std::move(**standing), {}};
  const auto& slug = view.standing.pledge.campaign_slug;

  // Not counted yet: the snapshot is as good as any figure. Counted: read after the
  // standing, so the sum includes the pledge's money whatever the snapshot holds.
  if (!view.standing.counted) {
    if (const auto cached = cache_.find(slug)) {
      view.progress_json = cached->body;
      return view;
    }
  }
  auto fresh = progress_.load_one(slug);
  if (!fresh) return fresh.error();
  if (!*fresh) return make_error(ErrorCode::internal, "the pledge's campaign is missing");
  const auto& campaign = **fresh;
  view.progress_json = render_progress_json(compute_progress(campaign.campaign, campaign.totals, now, campaign.matches),
                                            campaign.last_change);
  return view;
}

}  // namespace pledged
