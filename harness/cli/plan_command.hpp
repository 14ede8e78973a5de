// `repro-check plan`: a suite's cells split into N shards, as text, JSON or a GitHub matrix.
#pragma once

#include <string>
#include <vector>

#include "harness/cli/common_options.hpp"

namespace CLI {
class App;
}

namespace repro {

struct PlanOptions {
  std::string suite = "smoke";
  std::string matrix;             // --matrix: device values
  std::vector<std::string> axes;  // --axis NAME=V1,V2
  std::string design;             // "" = the suite's
  int shards = 1;
  std::string emit = "text";  // text | json | github-matrix
};

// Adds the `plan` subcommand and its options.
void add_plan_command(CLI::App& app, PlanOptions& options);

// Prints the shards. Returns 0; throws repro::Error (exit 2) for a bad suite or override.
int run_plan_command(const CommonOptions& common, const PlanOptions& options);

}  // namespace repro
