#pragma once
// Stripe's request bodies are application/x-www-form-urlencoded with bracket syntax
// for nesting: {"metadata": {"pledge_id": "pl_1"}} becomes metadata[pledge_id]=pl_1 and
// arrays are indexed, line_items[0][price_data][unit_amount]=2500.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "pledged/core/url_form.hpp"

namespace pledged::stripe {

using pledged::FormField;

// Flattens a JSON object into bracket-syntax fields, in the object's key order.
// Booleans are "true"/"false"; null becomes "" (Stripe's way of unsetting a field).
std::vector<FormField> flatten_form(const nlohmann::json& params);

// Percent-encodes everything but RFC 3986's unreserved characters, byte by byte
// (so UTF-8 stays UTF-8 on the other side). A space is %20, never '+'.
std::string percent_encode(std::string_view text);

// Brackets in keys stay literal, as Stripe's own libraries send them; everything
// else in keys and values is percent-encoded.
std::string encode_form(const std::vector<FormField>& fields);
inline std::string encode_form(const nlohmann::json& params) { return encode_form(flatten_form(params)); }

// The reverse lives in core (the donor pages' forms need it too).
using pledged::decode_form;

}  // namespace pledged::stripe
