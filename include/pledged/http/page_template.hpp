#pragma once
// The pages are plain HTML files with {{name}} placeholders, filled on the server so
// that a page needs no build step and no request of its own for its campaign facts.
#include <map>
#include <string>
#include <string_view>

#include "pledged/http/response.hpp"

namespace pledged {

std::string html_escape(std::string_view text);

// Replaces each {{key}} with the HTML-escaped value; an unknown key is left as is.
std::string fill_template(std::string_view page, const std::map<std::string, std::string>& values);

// A page or script compiled into the binary (web/), by file name; "" when none.
std::string_view web_file(std::string_view name);

// An HTML page with the pages' policy: our own scripts and styles only, talking only to
// us, framed only by `frame_ancestors` ("'none'" also sends X-Frame-Options: DENY). Forms
// post to us; `form_redirect_origins` adds origins a form's redirect may lead to (the
// donor's Manage button ends on Stripe's Billing Portal).
HttpResponse page_response(std::string body, const std::string& frame_ancestors,
                           const std::string& form_redirect_origins = "");

}  // namespace pledged
