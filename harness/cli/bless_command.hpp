// `repro-check bless`: records a suite's digests as golden, each cell under its own class.
#pragma once

#include <string>
#include <vector>

#include "harness/cli/common_options.hpp"

namespace CLI {
class App;
}

namespace repro {

struct BlessOptions {
  std::string suite;
  std::string reason;             // why (required; stored with every cell blessed)
  std::vector<std::string> axes;  // --axis NAME=V1,V2, exactly as `run` takes them
  std::string design;             // --design: "" = the suite's
  std::string from_report;        // --from-report RUN.json: bless that report's digests
  int jobs = 0;                   // 0 = default
  bool keep_runs = false;
  bool force = false;  // replace a golden file that is corrupt or of an older format
};

// Adds the `bless` subcommand.
void add_bless_command(CLI::App& app, BlessOptions& options);

// Runs the suite's cells (with --axis/--design applied as `run` does) and adds or replaces
// their digests in golden/<suite>/<cell's class>.json, keeping every other cell. With
// --from-report, blesses the digests a JSON report carries instead of running anything.
// Refuses, writing nothing, when the repeat differs from the baseline (exit 1), when a cell
// crashed or timed out or the repeat did not run (exit 3), or when nothing could run (77).
// Throws repro::Error (exit 2) for a bad suite, option or report, a missing --reason, or,
// without --force, a corrupt or too old golden of the suite.
int run_bless(const CommonOptions& common, const BlessOptions& options);

}  // namespace repro
