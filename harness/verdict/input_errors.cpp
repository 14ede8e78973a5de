// Input errors reported by workers (see input_errors.hpp).
#include "harness/verdict/input_errors.hpp"

#include "harness/util/exit_codes.hpp"

namespace repro {

std::vector<std::string> input_error_lines(const std::vector<CellRun>& runs) {
  std::vector<std::string> lines;
  for (const auto& run : runs) {
    if (run.input_error) {
      lines.push_back("cell " + run.cell.id + ": input error: " + run.reason);
    }
  }
  return lines;
}

void report_input_errors(const std::vector<std::string>& lines, RunReport& report) {
  for (const auto& message : lines) {
    report.findings.insert(report.findings.begin(), {"input_error", Severity::error, message});
    report.summary.insert(report.summary.begin(), message);
  }
  if (!lines.empty()) {
    report.exit_code = k_exit_usage;
  }
}

void report_input_errors(const std::vector<CellRun>& runs, RunReport& report) {
  report_input_errors(input_error_lines(runs), report);
}

}  // namespace repro
