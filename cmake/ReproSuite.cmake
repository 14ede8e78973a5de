# repro_add_suite(NAME [TIMEOUT seconds]): `ctest -L repro` runs suite NAME against
# its committed goldens: `repro-check run --suite NAME --root <source tree>`, with the
# JSON and JUnit reports in <build>/repro/NAME.{json,xml}. Exit 77 (nothing could run
# here, e.g. a GPU-only suite without CUDA) counts as skipped, not failed.
function(repro_add_suite name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "TIMEOUT" "")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "repro_add_suite(${name}): unexpected arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  if(NOT EXISTS "${PROJECT_SOURCE_DIR}/suites/${name}.json")
    message(FATAL_ERROR "repro_add_suite(${name}): no suites/${name}.json")
  endif()
  add_test(NAME repro.${name}
    COMMAND repro-check run --suite ${name} --root ${PROJECT_SOURCE_DIR}
      --json ${CMAKE_BINARY_DIR}/repro/${name}.json
      --junit ${CMAKE_BINARY_DIR}/repro/${name}.xml)
  set_tests_properties(repro.${name} PROPERTIES
    LABELS repro
    TIMEOUT ${ARG_TIMEOUT}
    SKIP_RETURN_CODE 77)
endfunction()
