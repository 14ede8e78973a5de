// The chart library inlined into the nightly HTML report (Vega, Vega-Lite, vega-embed from
// npm, embedded at build time by cmake/ChartLibrary.cmake; see docs/report-format.md).
#pragma once

#include <string>
#include <string_view>

namespace repro {

// The three libraries' minified JavaScript, concatenated, each in its own <script> element
// ready to paste into a page; empty when this build found no chart library.
std::string_view chart_library_scripts();

// "vega 5.33.1, vega-lite 5.23.0, vega-embed 6.29.0" (the versions embedded), or "".
std::string_view chart_library_versions();

// What to do when chart_library_scripts() is empty: which script installs the npm files
// and where CMake looked for them.
std::string chart_library_missing_help();

}  // namespace repro
