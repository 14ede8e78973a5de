// Input errors reported by workers: a run whose cell was given a bad input ends with exit 2.
#pragma once

#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/verdict/run_report.hpp"

namespace repro {

// For each run with input_error (the worker exited 2: a bad config value, a corrupt
// dataset file), adds an "input_error" finding and summary line naming the cell and the
// worker's reason, and sets the exit code to 2 (usage, configuration or input-file
// error): the run's input is wrong, so neither a determinism verdict nor "infrastructure
// failure" would be true.
void report_input_errors(const std::vector<CellRun>& runs, RunReport& report);

// The lines report_input_errors adds, one per run with input_error, in run order.
std::vector<std::string> input_error_lines(const std::vector<CellRun>& runs);

// Adds each line as an "input_error" finding and summary line (the first line first) and,
// when there is any, sets the exit code to 2.
void report_input_errors(const std::vector<std::string>& lines, RunReport& report);

}  // namespace repro
