// RunPlan: overrides, baseline choice, expansion and sharding.
#include "harness/plan/run_plan.hpp"

#include <algorithm>

#include "harness/util/error.hpp"

namespace repro {

std::pair<std::string, std::vector<std::string>> parse_axis_option(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw Error("--axis", "",
                "'" + std::string(text) + "' is not NAME=V1,V2 (e.g. --axis threads=1,2)");
  }
  std::string name(text.substr(0, eq));
  std::vector<std::string> values;
  std::string_view rest = text.substr(eq + 1);
  while (true) {
    auto comma = rest.find(',');
    std::string_view value = rest.substr(0, comma);
    if (value.empty()) {
      throw Error("--axis", name, "empty value in '" + std::string(text) + "'");
    }
    values.emplace_back(value);
    if (comma == std::string_view::npos) {
      break;
    }
    rest = rest.substr(comma + 1);
  }
  return {name, values};
}

RunPlan plan_run(Suite suite, const RunOverrides& overrides, const AxisAvailability* availability) {
  RunPlan plan;
  std::vector<std::string> overridden;  // axis names, in command-line order
  if (!overrides.devices.empty()) {
    set_axis_values(suite, "device", overrides.devices, "--matrix");
    overridden.push_back("device");
  }
  for (const auto& [name, values] : overrides.axes) {
    set_axis_values(suite, name, values, "--axis " + name);
    overridden.push_back(name);
  }
  for (const auto& axis : suite.axes) {  // the values as normalized ("cuda" is "gpu")
    if (std::find(overridden.begin(), overridden.end(), axis.name) != overridden.end()) {
      std::string values;
      for (const auto& v : axis.values) {
        values += (values.empty() ? "" : ",") + v;
      }
      plan.bless_arguments.insert(plan.bless_arguments.end(), {"--axis", axis.name + "=" + values});
    }
  }
  if (overrides.design) {
    suite.design = *overrides.design;
    plan.bless_arguments.insert(plan.bless_arguments.end(),
                                {"--design", std::string(to_string(*overrides.design))});
  }
  if (availability != nullptr) {
    for (auto& axis : suite.axes) {
      auto runnable = std::find_if(axis.values.begin(), axis.values.end(), [&](const auto& v) {
        return !availability->unavailable_reason(axis.name, v).has_value();
      });
      if (runnable != axis.values.end() && runnable != axis.values.begin()) {
        plan.notes.push_back(axis.name + ": " + *runnable + " is the baseline (" +
                             axis.values.front() + " cannot run here: " +
                             *availability->unavailable_reason(axis.name, axis.values.front()) +
                             ")");
        std::rotate(axis.values.begin(), runnable, runnable + 1);
      }
    }
  }
  plan.all_cells = expand_matrix(suite.axes, suite.design, overrides.repeats);
  if (overrides.shard) {
    plan.cells = shard(plan.all_cells, overrides.shard->index, overrides.shard->count);
    if (plan.cells.empty() || plan.cells.front().role != CellRole::baseline) {
      plan.cells.insert(plan.cells.begin(), plan.all_cells.front());
      plan.notes.push_back("shard " + std::to_string(overrides.shard->index) + "/" +
                           std::to_string(overrides.shard->count) +
                           ": the baseline runs too, to compare with");
    }
  } else {
    plan.cells = plan.all_cells;
  }
  plan.suite = std::move(suite);
  return plan;
}

}  // namespace repro
