// GitHub Actions annotations: escaped workflow commands, one per failing cell or finding.
#include "harness/report/github_annotations.hpp"

#include <cstdlib>

namespace repro {
namespace {

void command(std::ostream& out, std::string_view kind, const RunReport& report,
             const std::string& title, const std::string& message) {
  out << "::" << kind << " file=" << github_escape("suites/" + report.suite + ".json", true)
      << ",title=" << github_escape("repro-check " + report.suite + ": " + title, true)
      << "::" << github_escape(message, false) << "\n";
}

}  // namespace

bool github_actions_enabled() {
  const char* value = std::getenv("GITHUB_ACTIONS");
  return value != nullptr && std::string_view(value) == "true";
}

std::string github_escape(std::string_view text, bool property) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += property ? "%3A" : ":";
        break;
      case ',':
        out += property ? "%2C" : ",";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void write_github_annotations(std::ostream& out, const RunReport& report) {
  for (const auto& c : report.cells) {
    for (const auto& failure : c.failures) {
      command(out, "error", report, report.label(c), c.id + ": " + failure);
    }
    if (c.failures.empty() &&
        (c.verdict == CellVerdict::crashed || c.verdict == CellVerdict::timeout)) {
      command(out, "error", report, report.label(c),
              c.id + " " + std::string(to_string(c.verdict)) +
                  (c.reason.empty() ? "" : ": " + c.reason));
    }
  }
  for (const auto& f : report.findings) {
    if (f.severity == Severity::warning) {
      command(out, "warning", report, f.code, f.message);
    }
  }
  if (report.pass && !report.culprit.empty()) {
    command(out, "notice", report, "divergence", report.culprit);
  }
}

}  // namespace repro
