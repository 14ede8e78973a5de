# repro_warnings(TARGET): our own targets build with -Wall -Wextra (and -Werror in CI).
function(repro_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local)
  if(REPRO_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
