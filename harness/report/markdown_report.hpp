// Markdown report for $GITHUB_STEP_SUMMARY (GitHub-flavoured Markdown).
#pragma once

#include <ostream>

#include "harness/verdict/run_report.hpp"

namespace repro {

// Writes a heading with the verdict, the culprit, a table of cells (cell, verdict,
// golden, ms/step, first divergence or reason), the summary lines, the must-hold
// violations, golden notes and the fingerprint in a collapsed <details> block.
void write_markdown_report(std::ostream& out, const RunReport& report);

}  // namespace repro
