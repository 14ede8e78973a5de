// Interruption: exit code, finding and summary line of an interrupted run.
#include "harness/verdict/interruption.hpp"

namespace repro {

void mark_interrupted(RunReport& report, const std::string& signal_name, int exit_code) {
  report.interrupted_by = signal_name;
  report.exit_code = exit_code;
  report.pass = false;
  const int not_run = report.count(CellVerdict::not_run);
  const int total = static_cast<int>(report.cells.size());
  std::string names;
  for (const auto& c : report.cells) {
    if (c.verdict == CellVerdict::not_run) {
      names += (names.empty() ? "" : ", ") + report.label(c);
    }
  }
  std::string line = "interrupted by " + signal_name + ": " + std::to_string(total - not_run) +
                     " of " + std::to_string(total) + " cells finished" +
                     (not_run > 0 ? "; not run: " + names : std::string());
  report.findings.insert(report.findings.begin(), {"interrupted", Severity::error, line});
  report.summary.insert(report.summary.begin(), line);
  if (report.culprit.empty()) {
    report.culprit = line;
  }
}

}  // namespace repro
