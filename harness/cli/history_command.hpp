// `repro-check history`: recent runs from the SQLite history, as a table or HTML page.
#pragma once

#include <string>

#include "harness/cli/common_options.hpp"

namespace CLI {
class App;
}

namespace repro {

struct HistoryOptions {
  std::string suite;  // "" = every suite
  int limit = 20;
  std::string html;  // write a self-contained HTML page here ("" = none)
  std::string db;    // history file ("" = <root>/.repro/history.sqlite)
};

// Adds the `history` subcommand and its options.
void add_history_command(CLI::App& app, HistoryOptions& options);

// Prints the newest runs (newest first) and writes the HTML page when asked. Returns
// 0; throws repro::Error (exit 2) when the history file is corrupt or locked.
int run_history(const CommonOptions& common, const HistoryOptions& options);

}  // namespace repro
