// `repro-check report`: the nightly regression report of one suite from the history.
#pragma once

#include <string>

#include "harness/cli/common_options.hpp"

namespace CLI {
class App;
}

namespace repro {

struct ReportOptions {
  std::string history;  // "" = <root>/.repro/history.sqlite
  std::string suite;
  std::string since = "14d";
  std::string now;  // "" = $REPRO_NOW, else the current time
  std::string html;
  std::string markdown;
  bool markdown_append = false;
};

// Adds the `report` subcommand and its options.
void add_report_command(CLI::App& app, ReportOptions& options);

// Writes the requested files; returns 0. Throws repro::Error (exit 2) for a missing or
// corrupt history, a bad --since or --now, or --html in a build without the chart library.
int run_report_command(const CommonOptions& common, const ReportOptions& options);

}  // namespace repro
