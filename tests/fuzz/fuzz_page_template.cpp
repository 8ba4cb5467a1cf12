// libFuzzer target: page templates with hostile values never emit markup characters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pledged/http/page_template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string value(reinterpret_cast<const char*>(data), size);
  const std::string escaped = pledged::html_escape(value);
  if (escaped.find_first_of("<>\"'") != std::string::npos) std::abort();
  // The value lands escaped, whole, in every place it is named, and nowhere else.
  if (pledged::fill_template("<p title=\"{{v}}\">{{v}}</p>", {{"v", value}}) !=
      "<p title=\"" + escaped + "\">" + escaped + "</p>") {
    std::abort();
  }
  return 0;
}
