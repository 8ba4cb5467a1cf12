// libFuzzer target: the encoder of Stripe's request bodies. Whatever the parameters
// (a JSON object, as the checkout code builds them, or any fields at all), the body
// is plain form syntax and decodes back to exactly the fields that were encoded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "pledged/stripe/form_encoding.hpp"
#include "property.hpp"

namespace {

using pledged::fuzz::require;

using nlohmann::json;
using namespace pledged::stripe;

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

// Only unreserved characters, brackets, the separators and well-formed %XX escapes:
// nothing a form parser could read two ways ('+' included, since it means a space).
void require_plain_form(const std::string& body) {
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '%') {
      require(i + 2 < body.size() && is_upper_hex(body[i + 1]) && is_upper_hex(body[i + 2]));
      i += 2;
      continue;
    }
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    require(unreserved || c == '[' || c == ']' || c == '&' || c == '=');
  }
}

void require_round_trip(const std::vector<FormField>& fields) {
  const auto body = encode_form(fields);
  require_plain_form(body);
  std::size_t separators = 0;
  for (const char c : body) separators += c == '&' ? 1 : 0;
  require(separators == (fields.empty() ? 0 : fields.size() - 1));
  std::vector<FormField> decoded;
  require(decode_form(body, decoded));
  require(decoded == fields);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);

  // Any text survives percent-encoding byte for byte.
  std::vector<FormField> single;
  require(decode_form("k=" + percent_encode(input), single));
  require(single.size() == 1 && single[0].first == "k" && single[0].second == input);

  // Parameters as the checkout code builds them: one field per leaf, in order.
  const auto params = json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (params.is_object()) {
    const auto fields = flatten_form(params);
    for (const auto& [key, value] : fields) require(!key.empty() || params.contains(""));
    require_round_trip(fields);
  }

  // Any body the decoder accepts is, once encoded again, the same fields.
  std::vector<FormField> fields;
  if (decode_form(input, fields)) require_round_trip(fields);
  return 0;
}
