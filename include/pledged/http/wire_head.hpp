#pragma once
// The status line and header block of an HTTP/1.1 answer, as bytes. pledged writes its
// answers itself instead of through Pistache's ResponseWriter, whose typed header
// collection costs an allocation and a virtual write per header (see Exchange).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pledged {

using HeaderLines = std::vector<std::pair<std::string, std::string>>;

// "HTTP/1.1 <status> <reason>\r\n", one "Name: value\r\n" per header, then "\r\n".
// A CR or LF inside a name or value becomes a space: no value can start a header or
// an answer of its own (response splitting).
std::string wire_head(int status, const HeaderLines& headers);

}  // namespace pledged
