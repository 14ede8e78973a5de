// The nightly HTML report: one self-contained page (inline CSS and SVG, no external
// assets, no scripts), so it can be archived or mailed as a single file.
#pragma once

#include <ostream>
#include <vector>

#include "harness/report/history.hpp"
#include "harness/verdict/run_report.hpp"

namespace repro {

// Writes the page. `report` (may be null: a history-only page) gives the verdict,
// culprit, cells table, attribution, interactions, findings, golden notes and the
// fingerprint; `history` (newest first, as History::last returns it; may be empty)
// gives a trend chart of diverged cells per run and a table of recent runs.
void write_html_report(std::ostream& out, const RunReport* report,
                       const std::vector<HistoryRow>& history);

}  // namespace repro
