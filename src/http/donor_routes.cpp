// Donor routes. What an outsider can reach (the link request) answers the same for every
// email and does its database work after the answer; everything else needs the session
// cookie, runs on a worker, and answers 404 for anything that is not the donor's own.
#include "donor_routes.hpp"

#include <nlohmann/json.hpp>

#include "donor_cookie.hpp"
#include "donor_page.hpp"
#include "pledged/core/url_form.hpp"
#include "pledged/domain/statement.hpp"
#include "pledged/http/client_ip.hpp"
#include "pledged/http/page_template.hpp"
#include "pledged/http/worker_dispatch.hpp"

namespace pledged {

using Pistache::Http::Method;

namespace {

constexpr std::size_t kMaxDonorBodyBytes = 4 * 1024;
constexpr const char* kLinkAnswer =
    "If that email has given to us, a sign-in link is on its way. It works once, for 30 minutes.";

bool has_content_type(const RouteRequest& request, const Pistache::Http::Mime::MediaType& type) {
  const auto content_type = request.http().headers().tryGet<Pistache::Http::Header::ContentType>();
  return content_type && content_type->mime() == type;
}

// "https://give.example.org/x" → "https://give.example.org"
std::string origin_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto path = url.find('/', scheme_end + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

HttpResponse see_other(const std::string& location) {
  HttpResponse response{303, "", "text/plain; charset=utf-8", {}};
  response.with_header("Location", location).with_header("Cache-Control", "no-store");
  return response;
}

HttpResponse private_page(std::string body, const std::string& form_redirect_origins = "") {
  auto response = page_response(std::move(body), "'none'", form_redirect_origins);
  // A donor's own page is never stored, and never tells another site where it came from
  // (same-origin, not no-referrer: under no-referrer a browser's form POST says
  // `Origin: null`, which the Origin check refuses).
  for (auto& [name, value] : response.headers) {
    if (name == "Cache-Control") value = "no-store";
    if (name == "Referrer-Policy") value = "same-origin";
  }
  return response;
}

Error signed_out() { return make_error(ErrorCode::unauthorized, "sign in first: ask for a link at /donor"); }

// A donor POST: a form (or JSON-free body) from our own page, with the session's cookie
// and its anti-forgery token; Origin, when the browser sends it, must be ours.
struct DonorPost {
  std::string session_id;
  std::vector<FormField> fields;
  std::optional<Error> refused;
};

DonorPost read_donor_post(const RouteRequest& request, const std::string& public_origin) {
  DonorPost post;
  post.session_id = donor_cookie_value(request);
  if (const auto origin = request.header("Origin"); origin && *origin != public_origin) {
    post.refused = make_error(ErrorCode::forbidden, "this form must be sent from our own page");
  } else if (request.body().size() > kMaxDonorBodyBytes) {
    post.refused = make_error(ErrorCode::payload_too_large, "the body is larger than 4 KiB");
  } else if (!has_content_type(request, MIME(Application, FormUrlEncoded))) {
    post.refused = make_error(ErrorCode::unsupported_media_type, "send the form as application/x-www-form-urlencoded");
  } else if (!decode_form(request.body(), post.fields)) {
    post.refused = make_error(ErrorCode::bad_request, "the form is not valid url encoding");
  }
  return post;
}

// The session behind a POST, after its anti-forgery token.
Result<DonorSession> checked_session(DonorSelfService& donors, const DonorPost& post) {
  auto session = donors.session(post.session_id);
  if (!session) return session.error();
  if (!*session) return signed_out();
  if (!DonorSelfService::csrf_matches(**session, form_value(post.fields, "csrf"))) {
    return make_error(ErrorCode::forbidden, "this form is out of date: reload the page and try again");
  }
  return std::move(**session);
}

void add_link_routes(RouteTable& routes, const DonorDeps& deps) {
  routes.add(Method::Get, "/donor", [](const RouteRequest&, ExchangePtr exchange) {
    exchange->send(page_response(std::string(web_file("donor.html")), "'none'"));
  });

  routes.add(Method::Post, "/v1/donor/links", [deps](const RouteRequest& request, ExchangePtr exchange) {
    if (request.body().size() > kMaxDonorBodyBytes) {
      return exchange->send_error(make_error(ErrorCode::payload_too_large, "the body is larger than 4 KiB"));
    }
    if (!has_content_type(request, MIME(Application, Json))) {
      return exchange->send_error(
          make_error(ErrorCode::unsupported_media_type, "send {\"email\"} as application/json"));
    }
    const auto body = nlohmann::json::parse(request.body(), nullptr, false);
    if (!body.is_object() || !body.contains("email") || !body["email"].is_string()) {
      auto error = make_error(ErrorCode::validation_failed, "the request has invalid fields");
      error.fields["email"] = "is required";
      return exchange->send_error(error);
    }
    auto donor_key = donor_key_of(body["email"].get<std::string>());
    if (!donor_key) return exchange->send_error(donor_key.error());
    if (auto admitted = deps.donors.admit_link_request(*donor_key, limit_key(client_ip(request, deps.trusted_proxies)));
        !admitted) {
      return exchange->send_error(admitted.error());
    }
    // The answer first, the same for everyone; then the lookup and the email, queued.
    exchange->send(json_response(202, nlohmann::json{{"status", "queued"}, {"message", kLinkAnswer}}));
    auto& log = exchange->context().log;
    const bool queued = deps.workers.try_submit([&donors = deps.donors, &log, key = std::move(*donor_key)] {
      if (auto sent = donors.send_link(key); !sent) {
        log.event("warn", "donor sign-in link not queued: " + sent.error().message);
      }
    });
    if (!queued) log.event("warn", "donor sign-in link dropped: the worker queue is full");
  });

  routes.add(Method::Get, "/donor/:token", [deps](const RouteRequest& request, ExchangePtr exchange) {
    answer_on_worker(deps.workers, exchange, [deps, token = request.param("token")]() -> Result<HttpResponse> {
      auto ticket = deps.donors.sign_in(token);
      if (!ticket) return ticket.error();
      if (!*ticket) {
        auto page = private_page(donor_link_invalid_page());
        page.status = 410;
        return page;
      }
      // Away from the address with the token in it (history, screenshots, Referer).
      auto response = see_other("/donor/account");
      response
          .with_header("Set-Cookie", donor_cookie_header((*ticket)->session_id, (*ticket)->lifetime,
                                                         deps.public_url.rfind("https://", 0) == 0))
          .with_header("Referrer-Policy", "no-referrer");
      return response;
    });
  });
}

void add_account_routes(RouteTable& routes, const DonorDeps& deps) {
  routes.add(Method::Get, "/donor/account", [deps](const RouteRequest& request, ExchangePtr exchange) {
    const std::string notice = request.http().query().has("receipts") ? "Your receipts are on their way." : "";
    const std::string session_cookie = donor_cookie_value(request);
    // Back from Stripe's Billing Portal (another site), the browser withholds the
    // SameSite=Strict cookie; a navigation our own page starts sends it again.
    const auto fetch_site = request.header("Sec-Fetch-Site");
    if (session_cookie.empty() && fetch_site && *fetch_site == "cross-site") {
      return exchange->send(private_page(donor_return_page()));
    }
    answer_on_worker(deps.workers, exchange, [deps, notice, session_id = session_cookie]() -> Result<HttpResponse> {
      auto session = deps.donors.session(session_id);
      if (!session) return session.error();
      if (!*session) return see_other("/donor");
      auto account = deps.donors.account(**session);
      if (!account) return account.error();
      return private_page(donor_account_page(*account, (*session)->csrf_token, notice), deps.portal_origins);
    });
  });

  routes.add(Method::Get, "/v1/donor/statements/:year.pdf", [deps](const RouteRequest& request, ExchangePtr exchange) {
    answer_on_worker(
        deps.workers, exchange,
        [deps, year_text = request.param("year"), session_id = donor_cookie_value(request)]() -> Result<HttpResponse> {
          auto session = deps.donors.session(session_id);
          if (!session) return session.error();
          if (!*session) return signed_out();
          auto year = parse_statement_year(year_text);
          if (!year) return year.error();
          auto pdf = deps.donors.statement_pdf(**session, *year);
          if (!pdf) return pdf.error();
          if (!*pdf) return make_error(ErrorCode::not_found, "you made no gift that year");
          HttpResponse response{200, std::move(**pdf), "application/pdf", {}};
          response.with_header("Content-Disposition", "attachment; filename=\"" + statement_file_name(*year) + "\"")
              .with_header("Cache-Control", "no-store");
          return response;
        });
  });
}

// A POST from the account page: `act` runs with the checked session.
using DonorAction = std::function<Result<HttpResponse>(const DonorSession&, const std::vector<FormField>&)>;

RouteHandler donor_post(const DonorDeps& deps, DonorAction act) {
  return [deps, act = std::move(act)](const RouteRequest& request, ExchangePtr exchange) {
    auto post = read_donor_post(request, origin_of(deps.public_url));
    if (post.refused) return exchange->send_error(*post.refused);
    answer_on_worker(deps.workers, exchange, [deps, act, post = std::move(post)]() -> Result<HttpResponse> {
      auto session = checked_session(deps.donors, post);
      if (!session) return session.error();
      return act(*session, post.fields);
    });
  };
}

void add_action_routes(RouteTable& routes, const DonorDeps& deps) {
  DonorSelfService& donors = deps.donors;
  routes.add(
      Method::Post, "/v1/donor/portal",
      donor_post(deps,
                 [&donors](const DonorSession& session, const std::vector<FormField>& fields) -> Result<HttpResponse> {
                   auto url = donors.portal_url(session, form_value(fields, "pledge"));
                   if (!url) return url.error();
                   return see_other(*url);
                 }));
  routes.add(
      Method::Post, "/v1/donor/receipts",
      donor_post(deps, [&donors](const DonorSession& session, const std::vector<FormField>&) -> Result<HttpResponse> {
        auto queued = donors.resend_receipts(session);
        if (!queued) return queued.error();
        return see_other("/donor/account?receipts=sent");
      }));
  const bool secure = deps.public_url.rfind("https://", 0) == 0;
  routes.add(
      Method::Post, "/v1/donor/sign-out",
      donor_post(deps,
                 [&donors, secure](const DonorSession& session, const std::vector<FormField>&) -> Result<HttpResponse> {
                   if (auto ended = donors.sign_out(session); !ended) return ended.error();
                   return see_other("/donor").with_header("Set-Cookie", cleared_donor_cookie_header(secure));
                 }));
}

}  // namespace

void add_donor_routes(RouteTable& routes, DonorDeps deps) {
  add_link_routes(routes, deps);
  add_account_routes(routes, deps);
  add_action_routes(routes, deps);
}

}  // namespace pledged
