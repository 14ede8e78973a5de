// Input errors reported by workers (see input_errors.hpp).
#include "harness/verdict/input_errors.hpp"

#include "harness/util/exit_codes.hpp"

namespace repro {

void report_input_errors(const std::vector<CellRun>& runs, RunReport& report) {
  bool any = false;
  for (const auto& run : runs) {
    if (!run.input_error) {
      continue;
    }
    any = true;
    std::string message = "cell " + run.cell.id + ": input error: " + run.reason;
    report.findings.insert(report.findings.begin(), {"input_error", Severity::error, message});
    report.summary.insert(report.summary.begin(), message);
  }
  if (any) {
    report.exit_code = k_exit_usage;
  }
}

}  // namespace repro
