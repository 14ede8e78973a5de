// JUnit XML writer.
#include "harness/report/junit_report.hpp"

#include <cstdio>

#include "harness/report/escape.hpp"

namespace repro {
namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s > 0 ? s : 0.0);
  return buf;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    out += (out.empty() ? "" : "\n") + line;
  }
  return out;
}

std::string cell_output(const RunReport& report, const CellReport& c) {
  std::string out = "cell: " + c.id + "\nrole: " + std::string(to_string(c.role)) +
                    "\nverdict: " + std::string(to_string(c.verdict)) + "\nreason: " + c.reason;
  if (c.first_divergence) {
    out += "\nfirst divergence from the baseline: " + describe(*c.first_divergence);
  }
  out += "\ngolden: " + (c.golden ? std::string(to_string(*c.golden)) : std::string("-"));
  if (c.golden_divergence) {
    out += " " + describe(*c.golden_divergence);
  }
  if (c.golden_check) {
    out += "\ngolden class: " + c.golden_check->environment_class +
           "\ngolden detail: " + c.golden_check->detail;
  }
  out += "\nenvironment class: " + report.environment_class;
  return out;
}

}  // namespace

void write_junit_report(std::ostream& out, const RunReport& report) {
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  double total = 0;
  for (const auto& c : report.cells) {
    failures += c.failures.empty() ? 0 : 1;
    bool infrastructure = c.verdict == CellVerdict::crashed || c.verdict == CellVerdict::timeout;
    errors += infrastructure && c.failures.empty() ? 1 : 0;
    bool not_compared = c.verdict == CellVerdict::skipped || c.verdict == CellVerdict::not_run;
    skipped += not_compared && c.failures.empty() ? 1 : 0;
    total += c.wall_seconds;
  }
  std::string counts = " tests=\"" + std::to_string(report.cells.size()) + "\" failures=\"" +
                       std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
                       "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" + seconds(total) +
                       "\"";
  std::string suite = xml_escape("repro." + report.suite);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"repro-check\"" << counts << ">\n";
  out << "  <testsuite name=\"" << suite << "\"" << counts << ">\n";
  out << "    <properties>\n";
  auto property = [&](const std::string& name, const std::string& value) {
    out << "      <property name=\"" << xml_escape(name) << "\" value=\"" << xml_escape(value)
        << "\"/>\n";
  };
  property("design", report.design);
  property("environment_class", report.environment_class);
  property("verdict", std::string(verdict_word(report)));
  property("exit_code", std::to_string(report.exit_code));
  property("repeatable", report.repeatable ? (*report.repeatable ? "true" : "false") : "unknown");
  property("culprit", report.culprit);
  property("golden_compared", std::to_string(report.golden_compared()));
  out << "    </properties>\n";
  for (const auto& c : report.cells) {
    out << "    <testcase classname=\"" << suite << "\" name=\"" << xml_escape(c.id) << "\" time=\""
        << seconds(c.wall_seconds) << "\">\n";
    if (!c.failures.empty()) {
      out << "      <failure type=\"determinism\" message=\"" << xml_escape(c.failures.front())
          << "\">" << xml_escape(join_lines(c.failures)) << "</failure>\n";
    } else if (c.verdict == CellVerdict::crashed || c.verdict == CellVerdict::timeout) {
      out << "      <error type=\"infrastructure\" message=\""
          << xml_escape(std::string(to_string(c.verdict)) + ": " + c.reason) << "\">"
          << xml_escape(c.reason) << "</error>\n";
    } else if (c.verdict == CellVerdict::skipped) {
      out << "      <skipped message=\"" << xml_escape(c.reason) << "\"/>\n";
    } else if (c.verdict == CellVerdict::not_run) {
      out << "      <skipped message=\"" << xml_escape("not run: " + c.reason) << "\"/>\n";
    }
    out << "      <system-out>" << xml_escape(cell_output(report, c)) << "</system-out>\n";
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n";
  out << "</testsuites>\n";
}

}  // namespace repro
