# Precompiled headers for the heavy third-party headers (nlohmann/json, GoogleTest,
# Pistache, libpqxx): parsed once per target instead of once per source file.
#
#   pledged_precompile(TARGET <target> HEADERS <header>...)
#   pledged_precompile(TARGET <target> REUSE_FROM <other target>)
#
# A thin wrapper over target_precompile_headers(), always PRIVATE, so nothing reaches
# a target's consumers. Name headers as in an #include: "<nlohmann/json.hpp>".
# REUSE_FROM shares another target's precompiled header: only for targets built with
# exactly the same flags (the fuzz targets), and worth it where a target has few
# sources. -DPLEDGED_PCH=OFF builds without them (every source must still include
# what it uses: a precompiled header hides a missing #include).
#
# Give a target only the headers its layer may include (the lists below): a
# precompiled <pqxx/pqxx> on a target outside db/ would let its code use libpqxx
# without an #include the layering test could see.
option(PLEDGED_PCH "Precompile the heavy third-party headers" ON)

# The standard headers nearly every source includes.
set(PLEDGED_PCH_STD <string> <string_view> <vector> <map> <optional> <functional> <memory> <chrono>
    <mutex> <algorithm> <cstdint>)
set(PLEDGED_PCH_JSON <nlohmann/json.hpp>)
set(PLEDGED_PCH_GTEST <gtest/gtest.h>)
# For the http layer only.
set(PLEDGED_PCH_PISTACHE <pistache/http.h> <pistache/endpoint.h>)
# For the db layer only (and webhooks' repositories behind db's seam).
set(PLEDGED_PCH_PQXX <pqxx/pqxx>)

function(pledged_precompile)
  cmake_parse_arguments(PCH "" "TARGET;REUSE_FROM" "HEADERS" ${ARGN})
  if(NOT PCH_TARGET OR NOT TARGET "${PCH_TARGET}")
    message(FATAL_ERROR "pledged_precompile: TARGET must name a target (got '${PCH_TARGET}')")
  endif()
  if((PCH_HEADERS AND PCH_REUSE_FROM) OR (NOT PCH_HEADERS AND NOT PCH_REUSE_FROM))
    message(FATAL_ERROR "pledged_precompile(${PCH_TARGET}): give either HEADERS or REUSE_FROM")
  endif()
  if(PCH_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "pledged_precompile(${PCH_TARGET}): unexpected ${PCH_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT PLEDGED_PCH)
    return()
  endif()
  if(PCH_REUSE_FROM)
    target_precompile_headers(${PCH_TARGET} REUSE_FROM ${PCH_REUSE_FROM})
  else()
    target_precompile_headers(${PCH_TARGET} PRIVATE ${PCH_HEADERS})
  endif()
endfunction()
