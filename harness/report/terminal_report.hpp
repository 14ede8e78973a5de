// The terminal report: a table of cells, the culprit lines and the verdict.
#pragma once

#include <ostream>

#include "harness/verdict/run_report.hpp"

namespace repro {

struct TerminalOptions {
  bool colour = false;  // ANSI colours; decide with colour_wanted()
  bool quiet = false;   // only the summary lines and the verdict, no table
};

// Colour is wanted when `fd` is a terminal and NO_COLOR is unset or empty (no-color.org).
bool colour_wanted(int fd);

// Writes the report for people:
//   repro-check: suite smoke (ofat), environment <class>
//   baseline: blas=openblas-pthread,threads=1
//     CELL        VERDICT    GOLDEN    MS/STEP  FIRST DIVERGENCE / REASON
//     baseline    identical  match        63.5  -
//     threads=2   diverged   missing      48.1  at step 0 in enc1.conv1.weight.grad (...)
//   <summary lines>
//   FAIL (exit 1): <culprit>
void write_terminal_report(std::ostream& out, const RunReport& report,
                           const TerminalOptions& options);

}  // namespace repro
