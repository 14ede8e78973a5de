// `repro-check history`: prints recent runs; --html writes the nightly-style page.
#include "harness/cli/history_command.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "harness/report/history.hpp"
#include "harness/report/html_report.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/exit_codes.hpp"

namespace repro {

void add_history_command(CLI::App& app, HistoryOptions& options) {
  auto* cmd = app.add_subcommand(
      "history",
      "Show recent runs recorded in the history database (verdict, exit code, diverged "
      "cells, culprit), newest first");
  cmd->add_option("--suite", options.suite, "Only runs of this suite");
  cmd->add_option("--limit", options.limit, "How many runs to show")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--html", options.html,
                  "Also write a self-contained HTML page with the trend to this file");
  cmd->add_option("--db", options.db, "History database (default: <root>/.repro/history.sqlite)");
}

int run_history(const CommonOptions& common, const HistoryOptions& options) {
  std::filesystem::path file = options.db.empty() ? default_history_path(project_root(common))
                                                  : std::filesystem::path(options.db);
  std::vector<HistoryRow> rows;
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    History history(file, History::Mode::read_only);
    rows = history.last(options.suite, options.limit);
  }
  if (rows.empty()) {
    std::cout << "no runs recorded" << (options.suite.empty() ? "" : " for suite " + options.suite)
              << " in " << file.string() << "\n";
  } else {
    std::cout << "TIME (UTC)            SUITE      VERDICT  EXIT  CELLS  DIVERGED  CULPRIT\n";
    for (const auto& row : rows) {
      std::ostringstream line;
      line << row.time << "  ";
      line.width(9);
      line << std::left << row.suite << "  ";
      line.width(7);
      line << row.verdict << "  ";
      line.width(4);
      line << std::right << row.exit_code << "  ";
      line.width(5);
      line << row.cells << "  ";
      line.width(8);
      line << row.diverged << "  " << (row.culprit.empty() ? "-" : row.culprit);
      std::cout << line.str() << "\n";
    }
  }
  if (!options.html.empty()) {
    std::ostringstream page;
    write_html_report(page, nullptr, rows);
    write_file_atomic(options.html, page.str());
    if (!common.quiet) {
      std::cout << "wrote " << options.html << "\n";
    }
  }
  return k_exit_ok;
}

}  // namespace repro
