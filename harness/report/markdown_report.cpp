// Markdown writer for GitHub step summaries.
#include "harness/report/markdown_report.hpp"

#include <cstdio>

#include "harness/report/escape.hpp"

namespace repro {
namespace {

std::string ms_text(const std::optional<double>& ms) {
  if (!ms) {
    return "–";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *ms);
  return buf;
}

// A code span: Markdown escapes do not apply inside one, so only backticks and line
// breaks (which would end or split it) are replaced.
std::string code(std::string_view text) {
  std::string out = "`";
  for (char c : text) {
    out += c == '`' ? '\'' : (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + "`";
}

std::string headline(const RunReport& report) {
  if (!report.interrupted_by.empty()) {
    return "⏹️ interrupted by " + report.interrupted_by + " (exit " +
           std::to_string(report.exit_code) + ")";
  }
  if (report.exit_code == k_exit_nothing_ran) {
    return "⏭️ skipped: " +
           (report.culprit.empty() ? std::string("no cell could run here") : report.culprit);
  }
  return std::string(report.pass ? "✅ pass" : "❌ fail") + " (exit " +
         std::to_string(report.exit_code) + ")";
}

}  // namespace

void write_markdown_report(std::ostream& out, const RunReport& report) {
  out << "## repro-check " << code(report.suite) << ": " << headline(report) << "\n\n";
  out << "Design **" << markdown_escape(report.design) << "** · environment class "
      << code(report.environment_class) << " · " << report.cells.size()
      << " cells: " << report.count(CellVerdict::identical) << " identical, "
      << report.count(CellVerdict::diverged) << " diverged, " << report.count(CellVerdict::skipped)
      << " skipped, " << report.count(CellVerdict::crashed) + report.count(CellVerdict::timeout)
      << " crashed or timed out"
      << (report.count(CellVerdict::not_run) > 0
              ? ", " + std::to_string(report.count(CellVerdict::not_run)) + " not run"
              : std::string())
      << " · repeatable: "
      << (report.repeatable ? (*report.repeatable ? "yes" : "**no**") : "unknown") << "\n\n";
  if (!report.culprit.empty()) {
    out << "**Culprit:** " << markdown_escape(report.culprit) << "\n\n";
  }
  out << "Golden: " << report.golden_compared() << " of "
      << report.count(GoldenStatus::match) + report.count(GoldenStatus::mismatch) +
             report.count(GoldenStatus::missing)
      << " cells compared with a golden of their own class (" << report.count(GoldenStatus::match)
      << " match, " << report.count(GoldenStatus::mismatch) << " mismatch)\n\n";
  out << "| Cell | Verdict | Golden | ms/step | First divergence / reason |\n";
  out << "|---|---|---|---:|---|\n";
  for (const auto& c : report.cells) {
    std::string last = c.first_divergence                    ? describe(*c.first_divergence)
                       : c.verdict == CellVerdict::identical ? std::string("–")
                                                             : c.reason;
    out << "| " << markdown_escape(report.label(c)) << " | " << (c.failures.empty() ? "" : "**")
        << to_string(c.verdict) << (c.failures.empty() ? "" : "**") << " | "
        << (c.golden ? std::string(to_string(*c.golden)) : std::string("–")) << " | "
        << ms_text(c.step_time_ms) << " | " << markdown_escape(last) << " |\n";
  }
  out << "\n";
  if (!report.summary.empty()) {
    out << "### Summary\n\n";
    for (const auto& line : report.summary) {
      out << "- " << markdown_escape(line) << "\n";
    }
    out << "\n";
  }
  bool header = false;
  for (const auto& c : report.cells) {
    for (const auto& f : c.failures) {
      if (!header) {
        out << "### Must hold, but does not\n\n";
        header = true;
      }
      out << "- " << code(c.id) << ": " << markdown_escape(f) << "\n";
    }
  }
  if (header) {
    out << "\n";
  }
  out << "<details><summary>Fingerprint</summary>\n\n```json\n"
      << to_json(report.fingerprint).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
      << "\n```\n\n</details>\n";
}

}  // namespace repro
