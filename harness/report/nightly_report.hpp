// The nightly regression report: one suite's nights as a self-contained HTML page (charts
// drawn by Vega-Lite, inlined) and a Markdown summary. docs/report-format.md shows it.
#pragma once

#include <ostream>
#include <string_view>

#include "harness/report/nightly_data.hpp"

namespace repro {

// The HTML page, top to bottom: what changed since the previous night (new divergences,
// fixed cells, golden and environment changes, each with the setting responsible), the
// verdict grid (cells × nights, by environment class), the latest night's divergence
// heatmap (cells × steps), loss curves, step time over nights, the determinism tax, what a
// divergence does to the model, then the other environment classes and unreadable rows.
// `chart_scripts` is chart_library_scripts(): it must not be empty. The page marks itself
// for tests: <body data-charts-expected="N">; after every chart rendered,
// data-charts-rendered="N"; on any script error or rejected promise, data-repro-error.
void write_nightly_html(std::ostream& out, const NightlyHistory& history,
                        std::string_view chart_scripts);

// The same "what changed" section and the latest night's verdicts, as Markdown.
void write_nightly_markdown(std::ostream& out, const NightlyHistory& history);

}  // namespace repro
