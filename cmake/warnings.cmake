# Warnings live on an interface target that every project target links privately,
# so no flag leaks to consumers and nothing is set globally.
add_library(pledged_warnings INTERFACE)
target_compile_options(pledged_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(PLEDGED_WERROR)
  target_compile_options(pledged_warnings INTERFACE -Werror)
endif()
