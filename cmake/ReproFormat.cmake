# Targets `format` (rewrite in place) and `check-format` (fail on any difference).
find_program(REPRO_CLANG_FORMAT NAMES clang-format clang-format-14)
if(REPRO_CLANG_FORMAT)
  file(GLOB_RECURSE REPRO_FORMAT_FILES CONFIGURE_DEPENDS
    ${CMAKE_SOURCE_DIR}/harness/*.cpp ${CMAKE_SOURCE_DIR}/harness/*.hpp
    ${CMAKE_SOURCE_DIR}/models/*.cpp ${CMAKE_SOURCE_DIR}/models/*.hpp
    ${CMAKE_SOURCE_DIR}/tests/*.cpp ${CMAKE_SOURCE_DIR}/tests/*.hpp)
  add_custom_target(format
    COMMAND ${REPRO_CLANG_FORMAT} -i ${REPRO_FORMAT_FILES}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} COMMENT "clang-format -i")
  add_custom_target(check-format
    COMMAND ${REPRO_CLANG_FORMAT} --dry-run --Werror ${REPRO_FORMAT_FILES}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} COMMENT "clang-format --dry-run --Werror")
endif()
