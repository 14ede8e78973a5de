// RunPlan: a suite plus command-line overrides, turned into the list of cells one run executes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/plan/axis_availability.hpp"
#include "harness/plan/matrix.hpp"
#include "harness/plan/suite.hpp"

namespace repro {

// What the command line changes about a suite.
struct RunOverrides {
  std::vector<std::string> devices;  // --matrix cpu,gpu: the device axis (empty: unchanged)
  // --axis NAME=V1,V2, in command-line order; each replaces (or adds) that axis's values.
  std::vector<std::pair<std::string, std::vector<std::string>>> axes;
  std::optional<Design> design;    // --design
  std::optional<ShardSpec> shard;  // --shard i/N
  int repeats = 1;                 // --repeats N: repeat cells of the baseline (>= 1)
};

struct RunPlan {
  Suite suite;                     // overrides applied, baselines moved to runnable values
  std::vector<Cell> cells;         // the cells to run, baseline first
  std::vector<Cell> all_cells;     // the whole matrix (cells == all_cells unless sharded)
  std::vector<std::string> notes;  // facts a user should see ("device: cpu is the baseline ...")
  // The overrides as `bless` arguments ("--axis", "worker=default,debian13", "--design",
  // "full"), so the advice to bless names this plan's cells, not the suite file's.
  std::vector<std::string> bless_arguments;
};

// Parses "NAME=V1,V2" (an --axis value). Throws repro::Error naming --axis when there is no
// '=', no name, or an empty value.
std::pair<std::string, std::vector<std::string>> parse_axis_option(std::string_view text);

// Applies `overrides` to `suite` and expands the matrix.
//
// The baseline of each axis is its first value that can run here (per `availability`, when
// given): values keep their order, except that the first runnable one moves to the front.
// So `--matrix gpu,cpu` compares everything with a CPU baseline on a machine without CUDA,
// and with a GPU baseline where CUDA works; a note says when a baseline moved.
//
// With a shard, `cells` is that shard (see shard() in matrix.hpp) plus, when the shard lacks
// it, the baseline cell (every comparison needs it), so shards overlap in the baseline only.
// Throws repro::Error for invalid overrides.
RunPlan plan_run(Suite suite, const RunOverrides& overrides, const AxisAvailability* availability);

}  // namespace repro
