// `repro-check run`: runs a suite's cells, compares them, reports, sets the exit code.
//
// `repro-check --matrix gpu,cpu` (no subcommand) is `run --suite smoke --matrix gpu,cpu`.
#pragma once

#include <string>
#include <vector>

#include "harness/cli/common_options.hpp"

namespace CLI {
class App;
}

namespace repro {

struct RunOptions {
  std::string suite = "smoke";
  std::string matrix;             // --matrix: device values, "gpu,cpu"
  std::vector<std::string> axes;  // --axis NAME=V1,V2 (repeatable)
  std::string design;             // --design: "" = the suite's
  int jobs = 0;                   // --jobs: 0 = max(1, cores / threads per cell)
  std::string shard;              // --shard i/N: "" = every cell
  std::string json;               // report files ("" = not written)
  std::string junit;
  std::string markdown;
  std::string html;
  std::string require_golden;        // --require-golden[=all|portable]: "" = not required
  bool skip_without_golden = false;  // exit 77 when nothing was compared with a golden
  bool markdown_append = false;      // --markdown-append (always on for $GITHUB_STEP_SUMMARY)
  bool keep_runs = false;
  bool no_fork_server = false;  // a fresh worker process per run (slower; same bits)
  bool no_history = false;
  std::string localize = "auto";  // --localize / --no-localize ("on", "off", "auto")
  int repeats = 1;                // --repeats N
};

// Adds the `run` subcommand and its options.
void add_run_command(CLI::App& app, RunOptions& options);

// Adds the top-level shortcut: `repro-check --matrix DEVICES [--suite NAME] [--axis ...]
// [--jobs N] [--json FILE] [--junit FILE] [--markdown FILE] [--require-golden]`.
void add_matrix_shortcut(CLI::App& app, RunOptions& options);

// Runs the suite. Returns the exit code (harness/util/exit_codes.hpp): the RunReport's, i.e. 0, 1,
// 3, or 77 when every cell was skipped. Throws repro::Error (exit 2) for a bad suite, a bad
// option value or a corrupt golden (checked before any cell runs).
int run_run(const CommonOptions& common, const RunOptions& options);

}  // namespace repro
