// `repro-check report`: history rows -> nights -> HTML page and Markdown summary.
#include "harness/cli/report_command.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "harness/report/chart_library.hpp"
#include "harness/report/history.hpp"
#include "harness/report/nightly_report.hpp"
#include "harness/report/report_files.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"

namespace repro {
namespace {

constexpr const char* k_report_examples = R"TEXT(
Examples:
  repro-check report --suite nightly --html nightly.html
      the last 14 days of the nightly suite from .repro/history.sqlite
  repro-check report --history ci-history.sqlite --suite nightly --since 30d \
      --html report/index.html --markdown "$GITHUB_STEP_SUMMARY"

The page starts with what changed since the previous night of the same environment class
(new divergences, fixed cells, golden and environment changes, each with the setting
responsible), then charts: verdicts over nights, the latest night's divergence heatmap,
loss curves, step times, the determinism tax and what a divergence does to the model.
It is one self-contained file (the chart library is inlined): no network needed to view it.)TEXT";

constexpr int k_max_rows = 10000;

}  // namespace

void add_report_command(CLI::App& app, ReportOptions& options) {
  auto* cmd = app.add_subcommand(
      "report", "Render the nightly regression report of a suite from the history database");
  cmd->add_option("--history", options.history,
                  "History database (default: <root>/.repro/history.sqlite)")
      ->type_name("DB");
  cmd->add_option("--suite", options.suite, "Suite whose nights to report")
      ->type_name("NAME")
      ->required();
  cmd->add_option("--since", options.since, "How far back: 14d, 36h, 90m")
      ->type_name("DURATION")
      ->capture_default_str();
  cmd->add_option("--now", options.now,
                  "End of the window, UTC (default: $REPRO_NOW, else the current time)")
      ->type_name("YYYY-MM-DDTHH:MM:SSZ");
  cmd->add_option("--html", options.html, "Write the HTML report to FILE")->type_name("FILE");
  cmd->add_option("--markdown", options.markdown,
                  "Write the Markdown summary to FILE (appended when FILE is "
                  "$GITHUB_STEP_SUMMARY)")
      ->type_name("FILE");
  cmd->add_flag("--markdown-append", options.markdown_append,
                "Append the Markdown summary instead of replacing FILE");
  cmd->footer(k_report_examples);
}

int run_report_command(const CommonOptions& common, const ReportOptions& options) {
  if (options.html.empty() && options.markdown.empty()) {
    throw Error("report", "", "nothing to write: give --html FILE and/or --markdown FILE");
  }
  if (!options.html.empty() && chart_library_scripts().empty()) {
    throw Error("--html", "", chart_library_missing_help());
  }
  std::chrono::seconds window = parse_duration(options.since, "--since");
  std::string now_text = options.now.empty() ? report_time() : options.now;
  auto now = parse_utc_iso8601(now_text);
  if (!now) {
    throw Error("--now", "", "'" + now_text + "' is not a UTC time like 2026-01-02T03:04:05Z");
  }
  std::filesystem::path file = options.history.empty() ? default_history_path(project_root(common))
                                                       : std::filesystem::path(options.history);
  History history(file, History::Mode::read_only);
  NightlyHistory nights =
      collect_nights(history.last(options.suite, k_max_rows), options.suite, *now, window);
  if (!options.html.empty()) {
    std::ostringstream page;
    write_nightly_html(page, nights, chart_library_scripts());
    write_file_atomic(options.html, page.str());
  }
  if (!options.markdown.empty()) {
    std::ostringstream markdown;
    write_nightly_markdown(markdown, nights);
    if (options.markdown_append || is_github_step_summary(options.markdown)) {
      append_to_file(options.markdown, markdown.str());
    } else {
      write_file_atomic(options.markdown, markdown.str());
    }
  }
  if (!common.quiet) {
    size_t count = 0;
    for (const auto& g : nights.groups) {
      count += g.nights.size();
    }
    std::cerr << "repro-check: report of " << count << " night(s) of " << options.suite << " since "
              << nights.since << (options.html.empty() ? "" : ": " + options.html) << "\n";
  }
  return 0;
}

}  // namespace repro
