// PlanIdentity: what a (shard) report says about the plan it ran, so shards can be merged.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/plan/matrix.hpp"
#include "harness/plan/run_plan.hpp"

namespace repro {

struct PlanIdentity {
  // Hex digest (xxh3-128) of the suite as run: name, workload, axes after overrides and
  // baseline moves, design, invariant axes, expectations, the cell list and the golden gate.
  // Two runs with the same hash ran the same matrix under the same rules.
  std::string hash;
  std::optional<ShardSpec> shard;           // the shard this report covers; nullopt: all
  std::vector<std::string> cells;           // every cell id of the plan, in matrix order
  std::vector<std::string> invariant_axes;  // the suite's, in its order
  // The golden gate the run applied: "none", "all" or "portable" (--require-golden[=...])
  // and --skip-without-golden; merge applies the same gate to the merged cells.
  std::string require_golden = "none";
  bool skip_without_golden = false;
  // The run's overrides as `bless` arguments (RunPlan::bless_arguments): the bless advice
  // of a merged report names the same cells as the shards'.
  std::vector<std::string> bless_arguments;
  friend bool operator==(const PlanIdentity&, const PlanIdentity&) = default;
};

// The identity of `plan` (run with --shard when `shard` is set) under the golden gate
// `require_golden` ("none", "all", "portable") and `skip_without_golden`.
PlanIdentity plan_identity(const RunPlan& plan, const std::optional<ShardSpec>& shard,
                           const std::string& require_golden, bool skip_without_golden);

}  // namespace repro
