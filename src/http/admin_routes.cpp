// Admin routes (admin role): campaigns, offline gifts, matches, refunds and the audit log.
// Each reads the body, calls one use case (CampaignAdmin, MatchAdmin, PledgeRefunds), renders.
#include <nlohmann/json.hpp>

#include "admin_routes.hpp"

namespace pledged {

using nlohmann::json;
using Pistache::Http::Method;

namespace {

// Admin bodies are a handful of short fields.
constexpr std::size_t kMaxAdminBodyBytes = 16 * 1024;
constexpr int kDefaultAuditPage = 100;
constexpr int kMaxAuditPage = 1000;

// The body as a JSON object, or the API's 413 / 415 / 400.
Result<json> json_object_body(const StaffCall& call) {
  if (call.body.size() > kMaxAdminBodyBytes) return make_error(ErrorCode::payload_too_large, "body over 16 KiB");
  if (!call.content_type || call.content_type->rfind("application/json", 0) != 0) {
    return make_error(ErrorCode::unsupported_media_type, "send application/json");
  }
  auto body = json::parse(call.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return make_error(ErrorCode::bad_request, "the body is not a JSON object");
  return body;
}

// Reads the named fields with their expected JSON types; a field of the wrong type
// is reported with the others.
class FieldReader {
 public:
  explicit FieldReader(const json& body) : body_(body) {}

  std::optional<std::string> text(const char* name) {
    if (!body_.contains(name) || body_[name].is_null()) return std::nullopt;
    if (!body_[name].is_string()) {
      unreadable_[name] = "must be a string";
      return std::nullopt;
    }
    return body_[name].get<std::string>();
  }
  std::optional<std::int64_t> integer(const char* name) {
    if (!body_.contains(name) || body_[name].is_null()) return std::nullopt;
    if (!body_[name].is_number_integer()) {
      unreadable_[name] = "must be an integer in the currency's minor unit";
      return std::nullopt;
    }
    return body_[name].get<std::int64_t>();
  }
  // The fields of the wrong JSON type, for the use case to report with its own findings.
  const UnreadableFields& unreadable() const { return unreadable_; }

 private:
  const json& body_;
  UnreadableFields unreadable_;
};

json campaign_json(const Campaign& campaign) {
  return {{"id", campaign.id},
          {"slug", campaign.slug},
          {"title", campaign.title},
          {"currency", campaign.goal.currency()},
          {"goal", campaign.goal.minor_units()},
          {"starts_at", format_rfc3339(campaign.starts_at)},
          {"ends_at", format_rfc3339(campaign.ends_at)}};
}

json parse_or_null(const std::string& text) { return text.empty() ? json(nullptr) : json::parse(text, nullptr, false); }

Result<HttpResponse> create_campaign(const AdminDeps& deps, const StaffCall& call) {
  auto body = json_object_body(call);
  if (!body) return body.error();
  FieldReader fields(*body);
  CampaignFields input{fields.text("slug").value_or(""),      fields.text("title").value_or(""),
                       fields.text("currency").value_or(""),  fields.integer("goal"),
                       fields.text("starts_at").value_or(""), fields.text("ends_at").value_or("")};
  auto created = deps.admin.create_campaign(input, call.actor(), fields.unreadable());
  if (!created) return created.error();
  return json_response(201, campaign_json(*created));
}

Result<HttpResponse> patch_campaign(const AdminDeps& deps, const StaffCall& call) {
  auto body = json_object_body(call);
  if (!body) return body.error();
  FieldReader fields(*body);
  CampaignPatch patch{fields.text("title"), fields.integer("goal"), fields.text("starts_at"), fields.text("ends_at")};
  for (const char* fixed : {"slug", "currency"}) {
    if (body->contains(fixed)) {
      Error error{ErrorCode::validation_failed, "the request has invalid fields", {}};
      error.fields[fixed] = "cannot be changed";
      return error;
    }
  }
  auto updated = deps.admin.update_campaign(call.param("slug"), patch, call.actor(), fields.unreadable());
  if (!updated) return updated.error();
  return json_response(200, campaign_json(*updated));
}

Result<HttpResponse> record_offline_gift(const AdminDeps& deps, const StaffCall& call) {
  auto body = json_object_body(call);
  if (!body) return body.error();
  FieldReader fields(*body);
  OfflineGiftFields input{fields.integer("amount"),
                          fields.text("currency").value_or(""),
                          fields.text("name").value_or(""),
                          fields.text("email").value_or(""),
                          fields.text("received_at").value_or(""),
                          fields.text("method").value_or(""),
                          fields.text("note").value_or("")};
  auto recorded = deps.admin.record_offline_gift(
      OfflineGiftCall{call.param("slug"), input, call.idempotency_key, call.body, call.actor(), fields.unreadable()},
      now_utc());
  if (!recorded) return recorded.error();
  auto response = json_response(201, recorded->body);
  if (recorded->replayed) response.with_header("Idempotent-Replayed", "true");
  return response;
}

Result<HttpResponse> list_audit(const AdminDeps& deps, const StaffCall& call) {
  int limit = kDefaultAuditPage;
  std::int64_t before = 0;
  try {
    if (auto text = call.query_value("limit")) limit = std::clamp(std::stoi(*text), 1, kMaxAuditPage);
    if (auto text = call.query_value("before")) before = std::stoll(*text);
  } catch (const std::exception&) {
    Error error{ErrorCode::validation_failed, "the query has invalid fields", {}};
    error.fields["limit"] = "limit and before must be integers";
    return error;
  }
  auto records = deps.admin.audit_log(limit, before);
  if (!records) return records.error();
  json entries = json::array();
  for (const auto& record : *records) {
    entries.push_back({{"id", record.id},
                       {"at", format_rfc3339(record.at)},
                       {"actor", record.actor},
                       {"action", record.action},
                       {"target", record.target},
                       {"client_ip", record.client_ip.empty() ? json(nullptr) : json(record.client_ip)},
                       {"before", parse_or_null(record.before_json)},
                       {"after", parse_or_null(record.after_json)}});
  }
  json body{{"entries", std::move(entries)}};
  if (!records->empty() && static_cast<int>(records->size()) == limit) body["next_before"] = records->back().id;
  return json_response(200, body).with_header("Cache-Control", "no-store");
}

Result<HttpResponse> refund_pledge(const AdminDeps& deps, const StaffCall& call) {
  auto body = call.body.empty() ? Result<json>(json::object()) : json_object_body(call);
  if (!body) return body.error();
  FieldReader fields(*body);
  const auto amount = fields.integer("amount");
  auto refunded = deps.refunds.refund(
      RefundCall{call.param("id"), amount, call.idempotency_key, call.body, call.actor(), fields.unreadable()});
  if (!refunded) return refunded.error();
  auto response = json_response(201, refund_outcome_json(*refunded));
  if (refunded->replayed) response.with_header("Idempotent-Replayed", "true");
  return response;
}

Result<HttpResponse> create_match(const AdminDeps& deps, const StaffCall& call) {
  auto body = json_object_body(call);
  if (!body) return body.error();
  FieldReader fields(*body);
  MatchFields input{fields.text("sponsor").value_or(""),
                    fields.integer("ratio"),
                    fields.integer("cap"),
                    fields.integer("per_gift_cap"),
                    fields.text("currency").value_or(""),
                    fields.text("starts_at").value_or(""),
                    fields.text("ends_at").value_or(""),
                    fields.text("applies_to").value_or("")};
  auto created = deps.matches.create(
      MatchCreateCall{call.param("slug"), input, call.idempotency_key, call.body, call.actor(), fields.unreadable()},
      now_utc());
  if (!created) return created.error();
  auto response = json_response(201, created->body);
  if (created->replayed) response.with_header("Idempotent-Replayed", "true");
  return response;
}

json matches_json(const CampaignMatches& found) {
  json list = json::array();
  const auto now = now_utc();
  for (const auto& standing : found.matches)
    list.push_back(json::parse(match_json(standing, found.campaign_slug, now)));
  return list;
}

Result<HttpResponse> list_matches(const AdminDeps& deps, const StaffCall& call) {
  auto found = deps.matches.list(call.param("slug"));
  if (!found) return found.error();
  return json_response(200, json{{"matches", matches_json(*found)}}).with_header("Cache-Control", "no-store");
}

Result<HttpResponse> patch_match(const AdminDeps& deps, const StaffCall& call) {
  auto body = json_object_body(call);
  if (!body) return body.error();
  FieldReader fields(*body);
  MatchPatch patch{fields.text("ends_at"), fields.integer("cap")};
  Error fixed{ErrorCode::validation_failed, "the request has invalid fields", {}};
  for (const auto& [name, value] : body->items()) {
    if (name != "ends_at" && name != "cap") fixed.fields[name] = "cannot be changed (only ends_at and cap)";
  }
  if (!fixed.fields.empty()) return fixed;
  auto updated = deps.matches.update(call.param("id"), patch, call.actor(), fields.unreadable());
  if (!updated) return updated.error();
  return json_response(200, matches_json(*updated).at(0));
}

// Binds a route function to the dependencies, as a job for the gate.
StaffJob bound(Result<HttpResponse> (*route)(const AdminDeps&, const StaffCall&), AdminDeps deps) {
  return [route, deps](const StaffCall& call) { return route(deps, call); };
}

}  // namespace

void add_admin_routes(RouteTable& routes, StaffGate& gate, AdminDeps deps) {
  routes.add(Method::Post, "/v1/admin/campaigns", gate.guard(StaffRole::admin, bound(create_campaign, deps)));
  routes.add(Method::Patch, "/v1/admin/campaigns/:slug", gate.guard(StaffRole::admin, bound(patch_campaign, deps)));
  routes.add(Method::Post, "/v1/admin/campaigns/:slug/offline-gifts",
             gate.guard(StaffRole::admin, bound(record_offline_gift, deps)));
  routes.add(Method::Post, "/v1/admin/campaigns/:slug/matches",
             gate.guard(StaffRole::admin, bound(create_match, deps)));
  routes.add(Method::Get, "/v1/admin/campaigns/:slug/matches", gate.guard(StaffRole::admin, bound(list_matches, deps)));
  routes.add(Method::Patch, "/v1/admin/matches/:id", gate.guard(StaffRole::admin, bound(patch_match, deps)));
  routes.add(Method::Post, "/v1/admin/pledges/:id/refund", gate.guard(StaffRole::admin, bound(refund_pledge, deps)));
  routes.add(Method::Get, "/v1/admin/audit", gate.guard(StaffRole::admin, bound(list_audit, deps)));
}

}  // namespace pledged
