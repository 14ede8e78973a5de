# REPRO_SANITIZE=ON: AddressSanitizer + UndefinedBehaviorSanitizer on the checker (harness,
# CLI, the torch-free data library) and its unit, property and integration tests; any
# report aborts the test. libtorch is not instrumented, so the worker and the libtorch
# tests are not built: ci/sanitize.sh runs the integration tests against the worker of a
# normal build (copied beside repro-check).
option(REPRO_SANITIZE "Build the checker and its tests with ASan + UBSan (no worker)" OFF)
if(REPRO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
