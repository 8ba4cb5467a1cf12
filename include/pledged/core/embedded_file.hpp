#pragma once
// A file compiled into the binary by cmake/embed.cmake (migrations, web assets).
#include <string_view>
#include <vector>

namespace pledged {

struct EmbeddedFile {
  std::string_view name;      // file name without folders, e.g. "0001_initial_schema.sql"
  std::string_view contents;  // the bytes as they were in the source tree
};

const std::vector<EmbeddedFile>& embedded_migration_files();
const std::vector<EmbeddedFile>& embedded_web_files();

}  // namespace pledged
