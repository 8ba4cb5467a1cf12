# pledged_embed_files(TARGET <object library> FUNCTION <name> FILES <files...>)
# Builds an object library whose one source defines FUNCTION() returning the files.
function(pledged_embed_files)
  cmake_parse_arguments(EMBED "" "TARGET;FUNCTION" "FILES" ${ARGN})
  set(generated "${CMAKE_CURRENT_BINARY_DIR}/${EMBED_FUNCTION}.cpp")
  add_custom_command(
    OUTPUT "${generated}"
    COMMAND "${CMAKE_COMMAND}" "-DOUTPUT=${generated}" "-DFUNCTION=${EMBED_FUNCTION}" "-DFILES=${EMBED_FILES}"
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake"
    DEPENDS ${EMBED_FILES} "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake"
    COMMENT "Embedding ${EMBED_FUNCTION}"
    VERBATIM)
  add_library(${EMBED_TARGET} OBJECT "${generated}")
  target_include_directories(${EMBED_TARGET} PRIVATE "${PROJECT_SOURCE_DIR}/include")
  target_link_libraries(${EMBED_TARGET} PRIVATE pledged_warnings)
endfunction()
