// `repro-check bless`: runs a suite and records its digests as the golden of this environment.
#pragma once

#include <string>

#include "harness/cli/common_options.hpp"

namespace CLI {
class App;
}

namespace repro {

struct BlessOptions {
  std::string suite;
  std::string reason;  // why (recorded in the golden file, reviewed in the pull request)
  int jobs = 0;        // 0 = default
  bool keep_runs = false;
  bool force = false;  // replace a golden file that is corrupt
};

// Adds the `bless` subcommand.
void add_bless_command(CLI::App& app, BlessOptions& options);

// Runs every cell of the suite and writes golden/<suite>/<environment class>.json atomically.
// Refuses, writing nothing, when the repeat differs from the baseline (exit 1), when a cell
// crashed or timed out or the repeat did not run (exit 3), or when nothing could run (77).
// Throws repro::Error (exit 2) for a bad suite or, without --force, a corrupt existing golden.
int run_bless(const CommonOptions& common, const BlessOptions& options);

}  // namespace repro
