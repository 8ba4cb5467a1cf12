// Donor-facing pages: the banner (iframe page and embeddable script), the donation
// page and its thank-you page, and their static assets. All served from memory.
#include <algorithm>
#include <cctype>

#include "page_routes.hpp"
#include "pledged/domain/currency.hpp"
#include "pledged/http/page_template.hpp"

namespace pledged {

using Pistache::Http::Method;

namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

std::map<std::string, std::string> campaign_values(const Progress& progress) {
  const auto currency = find_currency(progress.currency);
  return {{"slug", progress.campaign},
          {"title", progress.title},
          {"currency", progress.currency},
          {"currency_upper", upper(progress.currency)},
          {"status", to_string(progress.status)},
          {"minimum", std::to_string(currency ? currency->minimum_charge : 0)}};
}

// The donation page's copy of PLEDGED_COVER_FEE, for its "Add $X to cover fees" line;
// empty when off, which hides the choice.
std::map<std::string, std::string> donate_values(const Progress& progress,
                                                 const std::optional<CoverFeeSetting>& cover_fee) {
  auto values = campaign_values(progress);
  values["fee_basis_points"] = cover_fee ? std::to_string(cover_fee->percent_basis_points) : "";
  values["fee_fixed"] = cover_fee ? std::to_string(cover_fee->fixed) : "";
  return values;
}

// Who may put the banner's iframe on their pages: ourselves and the allowed origins.
std::string embed_frame_ancestors(const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) return "*";
  std::string list = "'self'";
  for (const auto& origin : allowed) list += " " + origin;
  return list;
}

void not_found(const ExchangePtr& exchange) {
  exchange->send_error(make_error(ErrorCode::not_found, "no campaign with that slug"));
}

}  // namespace

void add_page_routes(RouteTable& routes, const ProgressCache& cache, const Config& config) {
  const std::string embed_ancestors = embed_frame_ancestors(config.allowed_origins);

  routes.add(Method::Get, "/embed/:slug.js", [&cache](const RouteRequest& request, ExchangePtr exchange) {
    if (!cache.find(request.param("slug"))) return not_found(exchange);
    HttpResponse response{200, std::string(web_file("banner.js")), "text/javascript; charset=utf-8", {}};
    // Any site may load the script; what it may read back is limited by CORS on the API.
    response.with_header("Cache-Control", "public, max-age=300")
        .with_header("Cross-Origin-Resource-Policy", "cross-origin");
    exchange->send(response);
  });

  routes.add(Method::Get, "/embed/:slug", [&cache, embed_ancestors](const RouteRequest& request, ExchangePtr exchange) {
    const auto progress = cache.find(request.param("slug"));
    if (!progress) return not_found(exchange);
    exchange->send(page_response(fill_template(web_file("embed.html"), campaign_values(progress->progress)),
                                 embed_ancestors));
  });

  routes.add(Method::Get, "/donate/:slug",
             [&cache, cover_fee = config.cover_fee](const RouteRequest& request, ExchangePtr exchange) {
               const auto progress = cache.find(request.param("slug"));
               if (!progress) return not_found(exchange);
               exchange->send(page_response(
                   fill_template(web_file("donate.html"), donate_values(progress->progress, cover_fee)), "'none'"));
             });

  routes.add(Method::Get, "/donate/:slug/thanks", [&cache](const RouteRequest& request, ExchangePtr exchange) {
    const auto progress = cache.find(request.param("slug"));
    if (!progress) return not_found(exchange);
    exchange->send(page_response(fill_template(web_file("thanks.html"), campaign_values(progress->progress)), "'none'"));
  });

  // The staff dashboard: a static page; its data comes from the staff routes with
  // the token the person pastes in, so the page itself holds nothing secret.
  routes.add(Method::Get, "/staff", [](const RouteRequest&, ExchangePtr exchange) {
    exchange->send(page_response(std::string(web_file("staff.html")), "'none'"));
  });

  routes.add(Method::Get, "/static/:name", [](const RouteRequest& request, ExchangePtr exchange) {
    const auto name = request.param("name");
    const bool script = name == "donate.js" || name == "thanks.js" || name == "staff.js" || name == "donor.js";
    if (!script && name != "pages.css" && name != "staff.css") {
      return exchange->send_error(make_error(ErrorCode::not_found, "no such file"));
    }
    HttpResponse response{200, std::string(web_file(name)),
                          script ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8", {}};
    response.with_header("Cache-Control", "public, max-age=300");
    exchange->send(response);
  });
}

}  // namespace pledged
