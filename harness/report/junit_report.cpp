// JUnit XML writer.
#include "harness/report/junit_report.hpp"

#include <unistd.h>

#include <climits>
#include <cstdio>

#include "harness/report/escape.hpp"
#include "harness/report/report_files.hpp"
#include "harness/util/str_cat.hpp"

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
  out += str_cat("\ngolden: ", c.golden ? to_string(*c.golden) : std::string_view("-"));
  if (c.golden_divergence) {
    out += str_cat(" ", describe(*c.golden_divergence));
  }
  if (c.golden_check) {
    out += "\ngolden detail: " + c.golden_check->detail;
  }
  // The cell's own class (another worker environment has another libtorch); the run's
  // when the cell was not checked against a golden.
  out += "\nenvironment class: " +
         (c.golden_check ? c.golden_check->environment_class : report.environment_class);
  return out;
}

// The host name, "localhost" when the system will not say.
std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
    return "localhost";
  }
  return name;
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
  // The Jenkins xunit schema (tests/data/junit-10.xsd) allows `skipped` on <testsuite>
  // only, so <testsuites> gets the other counts.
  std::string counts = " tests=\"" + std::to_string(report.cells.size()) + "\" failures=\"" +
                       std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\"";
  std::string time = " time=\"" + seconds(total) + "\"";
  // JUnit timestamps are ISO 8601 without a zone suffix (as Surefire writes them); UTC here.
  std::string timestamp = report_time();
  if (!timestamp.empty() && timestamp.back() == 'Z') {
    timestamp.pop_back();
  }
  std::string suite = xml_escape("repro." + report.suite);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"repro-check\"" << counts << time << ">\n";
  out << "  <testsuite name=\"" << suite << "\"" << counts << " skipped=\""
      << std::to_string(skipped) << "\"" << time << " timestamp=\"" << xml_escape(timestamp)
      << "\" hostname=\"" << xml_escape(host_name()) << "\">\n";
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
  // The run's summary (attribution, library versions, goldens), as the terminal prints it.
  out << "    <system-out>" << xml_escape(join_lines(report.summary)) << "</system-out>\n";
  out << "  </testsuite>\n";
  out << "</testsuites>\n";
}

}  // namespace repro
