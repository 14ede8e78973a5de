// PlanIdentity: a digest of the plan as run, its shard and its cell order.
#include "harness/plan/plan_identity.hpp"

#include <span>

#include <nlohmann/json.hpp>

#include "harness/trace/digest.hpp"

namespace repro {

PlanIdentity plan_identity(const RunPlan& plan, const std::optional<ShardSpec>& shard,
                           const std::string& require_golden, bool skip_without_golden) {
  PlanIdentity id;
  id.shard = shard;
  id.invariant_axes = plan.suite.invariant;
  id.require_golden = require_golden;
  id.skip_without_golden = skip_without_golden;
  id.bless_arguments = plan.bless_arguments;
  // nlohmann::json objects sort their keys: the text is canonical for equal plans.
  nlohmann::json canonical;
  canonical["suite"] = plan.suite.name;
  canonical["workload"] = to_json(plan.suite.workload);
  canonical["design"] = std::string(to_string(plan.suite.design));
  canonical["invariant"] = plan.suite.invariant;
  canonical["seed_changes_results"] = plan.suite.expect.seed_changes_results
                                          ? nlohmann::json(*plan.suite.expect.seed_changes_results)
                                          : nlohmann::json(nullptr);
  canonical["cell_timeout_s"] = plan.suite.cell_timeout_s;
  canonical["require_golden"] = require_golden;
  canonical["skip_without_golden"] = skip_without_golden;
  nlohmann::json cells = nlohmann::json::array();
  for (const auto& cell : plan.all_cells) {
    id.cells.push_back(cell.id);
    cells.push_back({{"id", cell.id},
                     {"role", std::string(to_string(cell.role))},
                     {"settings", cell.settings}});
  }
  canonical["cells"] = std::move(cells);
  std::string text = canonical.dump();
  id.hash = digest_bytes(std::as_bytes(std::span(text.data(), text.size()))).hex();
  return id;
}

}  // namespace repro
