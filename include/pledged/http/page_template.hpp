#pragma once
// The pages are plain HTML files with {{name}} placeholders, filled on the server so
// that a page needs no build step and no request of its own for its campaign facts.
#include <map>
#include <string>
#include <string_view>

namespace pledged {

std::string html_escape(std::string_view text);

// Replaces each {{key}} with the HTML-escaped value; an unknown key is left as is.
std::string fill_template(std::string_view page, const std::map<std::string, std::string>& values);

}  // namespace pledged
