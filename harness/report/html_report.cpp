// Self-contained HTML report with a history trend (inline SVG).
#include "harness/report/html_report.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "harness/report/escape.hpp"

namespace repro {
namespace {

constexpr const char* k_style = R"css(
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1200px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; }
.pass, .identical, .match { color: #17692b; } .fail, .crashed, .timeout, .mismatch { color: #b00020; }
.diverged { color: #9a5b00; } .skipped, .missing, .muted { color: #777; }
.badge { font-weight: bold; padding: 0.1em 0.5em; border-radius: 0.3em; border: 1px solid; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.92em; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
svg .bar-pass { fill: #3a9d55; } svg .bar-fail { fill: #d0343f; } svg text { font-size: 10px; fill: #555; }
)css";

std::string h(std::string_view text) {
  return xml_escape(text);
}

std::string ms_text(const std::optional<double>& ms) {
  if (!ms) {
    return "–";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *ms);
  return buf;
}

void write_cells(std::ostream& out, const RunReport& r) {
  out << "<h2>Cells</h2>\n<table>\n<tr><th>Cell</th><th>Settings</th><th>Verdict</th>"
         "<th>Golden</th><th>ms/step</th><th>First divergence / reason</th></tr>\n";
  for (const auto& c : r.cells) {
    std::string verdict(to_string(c.verdict));
    std::string golden = c.golden ? std::string(to_string(*c.golden)) : "–";
    std::string last = c.first_divergence                    ? describe(*c.first_divergence)
                       : c.verdict == CellVerdict::identical ? std::string("–")
                                                             : c.reason;
    out << "<tr><td>" << h(r.label(c)) << "</td><td><code>" << h(c.id) << "</code></td><td class=\""
        << verdict << "\">" << verdict << (c.failures.empty() ? "" : " ✗") << "</td><td class=\""
        << golden << "\">" << h(golden) << "</td><td class=\"num\">" << ms_text(c.step_time_ms)
        << "</td><td>" << h(last) << "</td></tr>\n";
  }
  out << "</table>\n";
}

void write_attribution(std::ostream& out, const RunReport& r) {
  if (r.attribution.empty() && r.interactions.empty()) {
    return;
  }
  out << "<h2>Attribution</h2>\n<table>\n<tr><th>Axis</th><th>Change</th><th>Result</th>"
         "<th>Must hold</th><th>First divergence</th></tr>\n";
  for (const auto& a : r.attribution) {
    out << "<tr><td>" << h(a.axis) << "</td><td>" << h(a.from) << " → " << h(a.to)
        << "</td><td class=\"" << (a.breaks ? "diverged" : "identical") << "\">"
        << (a.breaks ? "breaks bit-equality" : "invariant") << "</td><td>"
        << (a.must_hold ? "yes" : "no") << "</td><td>"
        << (a.first_divergence ? h(describe(*a.first_divergence)) : "–") << "</td></tr>\n";
  }
  out << "</table>\n";
  if (!r.interactions.empty()) {
    out << "<h3>Interactions</h3>\n<ul>\n";
    for (const auto& in : r.interactions) {
      out << "<li>" << h(in.summary()) << "</li>\n";
    }
    out << "</ul>\n";
  }
}

void write_list(std::ostream& out, const char* title, const std::vector<std::string>& lines) {
  if (lines.empty()) {
    return;
  }
  out << "<h2>" << title << "</h2>\n<ul>\n";
  for (const auto& line : lines) {
    out << "<li>" << h(line) << "</li>\n";
  }
  out << "</ul>\n";
}

void write_report(std::ostream& out, const RunReport& r) {
  std::string verdict(verdict_word(r));
  std::string badge = verdict;
  for (auto& ch : badge) {
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  out << "<h1>repro-check: suite <code>" << h(r.suite) << "</code> <span class=\"badge "
      << (r.pass ? "pass" : "fail") << "\">" << badge << " (exit " << r.exit_code
      << ")</span></h1>\n";
  out << "<p>Design <b>" << h(r.design) << "</b> · environment class <code>"
      << h(r.environment_class) << "</code> · repeatable: "
      << (r.repeatable ? (*r.repeatable ? "yes" : "<b class=\"fail\">no</b>") : "unknown")
      << "</p>\n";
  if (!r.culprit.empty()) {
    out << "<p><b>Culprit:</b> " << h(r.culprit) << "</p>\n";
  }
  write_cells(out, r);
  write_list(out, "Summary", r.summary);
  std::vector<std::string> findings;
  for (const auto& f : r.findings) {
    findings.push_back(std::string(to_string(f.severity)) + " · " + f.code + ": " + f.message);
  }
  write_list(out, "Findings", findings);
  write_attribution(out, r);
  out << "<details><summary>Fingerprint</summary>\n<pre>"
      << h(to_json(r.fingerprint).dump(2, ' ', false, nlohmann::json::error_handler_t::replace))
      << "</pre>\n</details>\n";
}

// The first 8 hex digits of the plan hash in a row's report ("" when absent): runs with
// `--axis` overrides or another golden gate have another plan.
std::string plan_of(const HistoryRow& row) {
  nlohmann::json j = nlohmann::json::parse(row.report_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("plan") && j["plan"].is_object() && j["plan"].contains("hash") &&
      j["plan"]["hash"].is_string()) {
    return j["plan"]["hash"].get<std::string>().substr(0, 8);
  }
  return "";
}

// One table per suite and environment class (newest first inside), so that runs of
// different suites, machines or library stacks are never read as one trend. Charts over
// nights are `repro-check report`'s job (Vega-Lite).
void write_history(std::ostream& out, const std::vector<HistoryRow>& rows) {
  out << "<h2>History</h2>\n";
  if (rows.empty()) {
    out << "<p class=\"muted\">No runs recorded yet.</p>\n";
    return;
  }
  out << "<p class=\"muted\">Grouped by suite and environment class. For charts over "
         "nights: <code>repro-check report --suite SUITE --html FILE</code>.</p>\n";
  std::vector<std::pair<std::string, std::string>> groups;
  for (const auto& row : rows) {
    std::pair<std::string, std::string> key{row.suite, row.environment_class};
    if (std::find(groups.begin(), groups.end(), key) == groups.end()) {
      groups.push_back(key);
    }
  }
  for (const auto& [suite, environment_class] : groups) {
    out << "<h3>Suite <code>" << h(suite) << "</code> · environment class <code>"
        << h(environment_class) << "</code></h3>\n<table>\n<tr><th>Time (UTC)</th><th>Plan</th>"
        << "<th>Verdict</th><th>Exit</th><th>Cells</th><th>Diverged</th><th>Culprit</th></tr>\n";
    for (const auto& row : rows) {
      if (row.suite != suite || row.environment_class != environment_class) {
        continue;
      }
      out << "<tr><td>" << h(row.time) << "</td><td><code>" << h(plan_of(row))
          << "</code></td><td class=\"" << (row.verdict == "pass" ? "pass" : "fail") << "\">"
          << h(row.verdict) << "</td><td class=\"num\">" << row.exit_code
          << "</td><td class=\"num\">" << row.cells << "</td><td class=\"num\">" << row.diverged
          << "</td><td>" << h(row.culprit) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
}

}  // namespace

void write_html_report(std::ostream& out, const RunReport* report,
                       const std::vector<HistoryRow>& history) {
  std::string title = report != nullptr ? "repro-check: " + report->suite : "repro-check history";
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
      << h(title) << "</title>\n<style>" << k_style << "</style>\n</head>\n<body>\n";
  if (report != nullptr) {
    write_report(out, *report);
  } else {
    out << "<h1>repro-check history</h1>\n";
  }
  write_history(out, history);
  out << "</body>\n</html>\n";
}

}  // namespace repro
