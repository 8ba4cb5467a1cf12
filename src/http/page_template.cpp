#include "pledged/http/page_template.hpp"

#include "pledged/core/embedded_file.hpp"

namespace pledged {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fill_template(std::string_view page, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(page.size() + 256);
  std::size_t position = 0;
  while (true) {
    const auto open = page.find("{{", position);
    if (open == std::string_view::npos) break;
    const auto close = page.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(page.substr(position, open - position));
    const auto found = values.find(std::string(page.substr(open + 2, close - open - 2)));
    if (found != values.end()) {
      out += html_escape(found->second);
    } else {
      out.append(page.substr(open, close + 2 - open));
    }
    position = close + 2;
  }
  out.append(page.substr(position));
  return out;
}

namespace {

// Pages run only our own scripts and styles and talk only to us.
constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'";

}  // namespace

std::string_view web_file(std::string_view name) {
  for (const auto& file : embedded_web_files()) {
    if (file.name == name) return file.contents;
  }
  return {};
}

HttpResponse page_response(std::string body, const std::string& frame_ancestors,
                           const std::string& form_redirect_origins) {
  HttpResponse response{200, std::move(body), "text/html; charset=utf-8", {}};
  std::string policy = kPagePolicy;
  if (!form_redirect_origins.empty()) policy += " " + form_redirect_origins;
  response.with_header("Content-Security-Policy", policy + "; frame-ancestors " + frame_ancestors)
      .with_header("Referrer-Policy", "strict-origin-when-cross-origin")
      .with_header("Cache-Control", "no-cache");
  if (frame_ancestors == "'none'") response.with_header("X-Frame-Options", "DENY");
  return response;
}

}  // namespace pledged
