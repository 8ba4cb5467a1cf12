# Sanitizer and fuzzing builds instrument every target of the project, so the flags
# ride on the interface target that every target already links (pledged_warnings).
#   -DPLEDGED_SANITIZE=address,undefined   the whole test suite under ASan + UBSan
#   -DPLEDGED_SANITIZE=thread              TSan (used for the integration tests)
#   -DPLEDGED_FUZZ=ON (clang)              libFuzzer targets in tests/fuzz
# The two combine (clang): CMakePresets.json's asan preset builds the test suite and the
# fuzz targets in one ASan + UBSan build, the libraries instrumented for libFuzzer too.
set(PLEDGED_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address,undefined or thread")
option(PLEDGED_FUZZ "Build the libFuzzer targets (needs clang)" OFF)

if(PLEDGED_SANITIZE)
  target_compile_options(pledged_warnings INTERFACE -fsanitize=${PLEDGED_SANITIZE} -fno-omit-frame-pointer
                                                    -fno-sanitize-recover=undefined)
  target_link_options(pledged_warnings INTERFACE -fsanitize=${PLEDGED_SANITIZE})
  # GCC 12's -Wmaybe-uninitialized misfires inside libstdc++'s <regex> once ASan
  # instruments it (std::function in _NFA::_M_insert_lookahead); a warning about
  # the standard library, not our code, so it stays a warning in these builds.
  target_compile_options(pledged_warnings INTERFACE $<$<CXX_COMPILER_ID:GNU>:-Wno-error=maybe-uninitialized>)
endif()

if(PLEDGED_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PLEDGED_FUZZ needs clang: -DCMAKE_CXX_COMPILER=clang++")
  endif()
  target_compile_options(pledged_warnings INTERFACE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(pledged_warnings INTERFACE -fsanitize=address,undefined)
endif()
