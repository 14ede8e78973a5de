# repro_add_suite(NAME [TIMEOUT seconds] [REQUIRE_GOLDEN all|portable]): `ctest -L repro`
# runs suite NAME against its committed goldens: `repro-check run --suite NAME --root
# <build>/repro/root --skip-without-golden`, a project root whose suites/ and golden/ link
# to the source tree's, so run folders and history (.repro/) land in the build tree, never
# in the source tree; the JSON and JUnit reports go to <build>/repro/NAME.{json,xml}. Never
# a silent pass: a run that compared no golden of any cell's class exits 77 and shows as
# skipped (the reason is the verdict line), as does one where nothing could run here (a
# GPU-only suite without CUDA). REQUIRE_GOLDEN fails any cell (all) or any cell of a
# portable class (portable) without a golden of its class.
function(repro_add_suite name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "TIMEOUT;REQUIRE_GOLDEN" "")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "repro_add_suite(${name}): unexpected arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  if(NOT EXISTS "${PROJECT_SOURCE_DIR}/suites/${name}.json")
    message(FATAL_ERROR "repro_add_suite(${name}): no suites/${name}.json")
  endif()
  set(require "")
  if(ARG_REQUIRE_GOLDEN)
    if(NOT ARG_REQUIRE_GOLDEN MATCHES "^(all|portable)$")
      message(FATAL_ERROR "repro_add_suite(${name}): REQUIRE_GOLDEN is all or portable")
    endif()
    set(require "--require-golden=${ARG_REQUIRE_GOLDEN}")
  endif()
  set(root "${CMAKE_BINARY_DIR}/repro/root")
  file(MAKE_DIRECTORY "${root}")
  foreach(folder suites golden)
    if(NOT EXISTS "${root}/${folder}")
      file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${folder}" "${root}/${folder}" SYMBOLIC)
    endif()
  endforeach()
  add_test(NAME repro.${name}
    COMMAND repro-check run --suite ${name} --root ${root}
      --skip-without-golden ${require}
      --json ${CMAKE_BINARY_DIR}/repro/${name}.json
      --junit ${CMAKE_BINARY_DIR}/repro/${name}.xml)
  set_tests_properties(repro.${name} PROPERTIES
    LABELS repro
    TIMEOUT ${ARG_TIMEOUT}
    SKIP_RETURN_CODE 77)
endfunction()
