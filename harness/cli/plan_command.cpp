// `repro-check plan`: prints which cells each of N shards runs (no worker is started).
#include "harness/cli/plan_command.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include <nlohmann/json.hpp>

#include "harness/plan/run_plan.hpp"
#include "harness/util/error.hpp"

namespace repro {
namespace {

constexpr const char* k_plan_examples = R"TEXT(
Examples:
  repro-check plan --suite nightly --shards 4
      which cells each shard runs (the baseline joins every shard to compare with)
  repro-check plan --suite nightly --shards 4 --emit github-matrix
      {"include":[{"shard":"0/4","cells":7},...]}: a GitHub Actions job matrix;
      each job runs `repro-check run --suite nightly --shard ${{ matrix.shard }} --json F`
      and a final job runs `repro-check merge` over the shard reports

Shards are cells by matrix position modulo N, so they are stable from run to run.
Axis availability is not probed here (no worker starts): each shard decides it when it
runs, exactly as an unsharded run would.)TEXT";

}  // namespace

void add_plan_command(CLI::App& app, PlanOptions& options) {
  auto* cmd = app.add_subcommand(
      "plan", "Expand a suite's matrix and split it into N shards (for a CI job matrix)");
  cmd->add_option("--suite", options.suite, "Suite: suites/NAME.json")
      ->type_name("NAME")
      ->capture_default_str();
  cmd->add_option("--matrix", options.matrix, "Devices, comma-separated (sets the device axis)")
      ->type_name("DEVICES");
  cmd->add_option("--axis", options.axes, "NAME=V1,V2: replace (or add) an axis's values")
      ->type_name("NAME=V1,V2")
      ->allow_extra_args(false);
  cmd->add_option("--design", options.design, "ofat or full (default: the suite's)")
      ->check(CLI::IsMember({"ofat", "full"}));
  cmd->add_option("--shards", options.shards, "Number of shards N")
      ->type_name("N")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--emit", options.emit, "Output: text, json or github-matrix")
      ->check(CLI::IsMember({"text", "json", "github-matrix"}))
      ->capture_default_str();
  cmd->footer(k_plan_examples);
}

int run_plan_command(const CommonOptions& common, const PlanOptions& options) {
  RunOverrides overrides;
  if (!options.matrix.empty()) {
    overrides.devices = parse_axis_option("device=" + options.matrix).second;
  }
  for (const auto& axis : options.axes) {
    overrides.axes.push_back(parse_axis_option(axis));
  }
  if (!options.design.empty()) {
    overrides.design = design_from_string(options.design, "--design", "");
  }
  Suite suite = find_suite(project_root(common), options.suite);
  nlohmann::ordered_json include = nlohmann::ordered_json::array();
  nlohmann::ordered_json shards = nlohmann::ordered_json::array();
  for (int i = 0; i < options.shards; ++i) {
    overrides.shard = ShardSpec{i, options.shards};
    RunPlan plan = plan_run(suite, overrides, nullptr);
    std::string name = std::to_string(i) + "/" + std::to_string(options.shards);
    std::vector<std::string> ids;
    for (const auto& cell : plan.cells) {
      ids.push_back(cell.id);
    }
    if (options.emit == "text") {
      std::cout << "shard " << name << ": " << ids.size() << " cell(s)";
      for (const auto& id : ids) {
        std::cout << "\n  " << id;
      }
      std::cout << "\n";
    }
    include.push_back({{"shard", name}, {"cells", ids.size()}});
    shards.push_back({{"shard", name}, {"cells", ids}});
  }
  if (options.emit == "github-matrix") {
    std::cout << nlohmann::ordered_json{{"include", include}}.dump() << "\n";
  } else if (options.emit == "json") {
    nlohmann::ordered_json j;
    j["suite"] = suite.name;
    j["shards"] = shards;
    std::cout << j.dump(2) << "\n";
  }
  return 0;
}

}  // namespace repro
