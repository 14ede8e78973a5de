# The nightly report's chart library: Vega, Vega-Lite and vega-embed from npm (installed by
# ci/install-deps.sh into REPRO_NPM_DIR, never committed), inlined into repro-check at
# build time so the HTML report is self-contained and works offline. No CDN link, ever.
set(REPRO_NPM_DIR "$ENV{HOME}/.cache/repro-check/npm" CACHE PATH
  "Where ci/install-deps.sh installed the npm packages of ci/npm/package.json")
set(_repro_chart_files
  "${REPRO_NPM_DIR}/node_modules/vega/build/vega.min.js"
  "${REPRO_NPM_DIR}/node_modules/vega-lite/build/vega-lite.min.js"
  "${REPRO_NPM_DIR}/node_modules/vega-embed/build/vega-embed.min.js")
set(REPRO_HAVE_CHART_LIBRARY ON)
foreach(_file IN LISTS _repro_chart_files)
  if(NOT EXISTS "${_file}")
    set(REPRO_HAVE_CHART_LIBRARY OFF)
  endif()
endforeach()
if(NOT REPRO_HAVE_CHART_LIBRARY)
  message(WARNING "Chart library not found in ${REPRO_NPM_DIR}/node_modules: "
    "`repro-check report` will say so and write no HTML. Run ci/install-deps.sh "
    "(it runs npm ci for ci/npm/package.json) and re-run cmake.")
endif()

set(REPRO_CHART_LIBRARY_CPP "${CMAKE_BINARY_DIR}/generated/chart_library.cpp")
set(_repro_chart_depends "${PROJECT_SOURCE_DIR}/cmake/EmbedChartLibrary.cmake")
if(REPRO_HAVE_CHART_LIBRARY)
  list(APPEND _repro_chart_depends ${_repro_chart_files})
endif()
add_custom_command(
  OUTPUT "${REPRO_CHART_LIBRARY_CPP}"
  COMMAND "${CMAKE_COMMAND}"
    -DOUTPUT=${REPRO_CHART_LIBRARY_CPP}
    -DNPM_DIR=${REPRO_NPM_DIR}
    -DHAVE=${REPRO_HAVE_CHART_LIBRARY}
    -P "${PROJECT_SOURCE_DIR}/cmake/EmbedChartLibrary.cmake"
  DEPENDS ${_repro_chart_depends}
  COMMENT "Embedding the chart library (vega, vega-lite, vega-embed) into repro-check"
  VERBATIM)
