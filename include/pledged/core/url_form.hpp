#pragma once
// application/x-www-form-urlencoded bodies and queries, decoded: the donor pages' form
// posts, the Stripe stand-in's requests, tests reading what was sent.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pledged {

using FormField = std::pair<std::string, std::string>;

// '+' is a space; false on a malformed escape. Fields keep their order; a key may repeat.
bool decode_form(std::string_view body, std::vector<FormField>& out);

// The first value of `key`, or "" when absent.
std::string form_value(const std::vector<FormField>& fields, std::string_view key);

}  // namespace pledged
