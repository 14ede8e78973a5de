// Interruption: what a run stopped by SIGINT/SIGTERM still reports.
#pragma once

#include <string>

#include "harness/verdict/run_report.hpp"

namespace repro {

// Marks `report` as interrupted by `signal_name` ("SIGINT"): exit code `exit_code`
// (128 + the signal), not a pass, a finding "interrupted" and a first summary line naming
// how many cells finished and which were not run; the culprit becomes that line when the
// finished cells named none. The finished cells' verdicts stay as compared.
void mark_interrupted(RunReport& report, const std::string& signal_name, int exit_code);

}  // namespace repro
