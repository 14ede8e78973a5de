// `repro-check axes`: availability of every axis value on this machine.
#include "harness/cli/axes_command.hpp"

#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>

#include "harness/plan/axis.hpp"
#include "harness/run/cell_launch.hpp"
#include "harness/trace/worker_config.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/util/join.hpp"
#include "harness/util/subprocess.hpp"

namespace repro {
namespace {

constexpr const char* k_axes_examples = R"TEXT(
Examples:
  repro-check axes
  repro-check axes --json | jq '.axes[] | select(.name == "blas") | .missing'
  repro-check run --suite smoke --axis blas=openblas-pthread,atlas
      use what `axes` lists; a value that cannot run here becomes a skipped cell with its
      reason, it never fails the run)TEXT";

std::string_view target_name(AxisTarget target) {
  switch (target) {
    case AxisTarget::config:
      return "config";
    case AxisTarget::environment:
      return "environment";
    case AxisTarget::executable:
      return "executable";
  }
  return "config";
}

}  // namespace

void add_axes_command(CLI::App& app, AxesOptions& options) {
  auto* cmd = app.add_subcommand(
      "axes",
      "List every axis a suite can vary (device, threads, interop_threads, seed, "
      "deterministic, cpu_capability, blas, worker), the values this machine can run, and "
      "why the others cannot");
  cmd->add_flag("--json", options.json, "Print JSON instead of a table");
  cmd->footer(k_axes_examples);
}

void write_axes_text(std::ostream& out, const AxisAvailability& availability) {
  const auto& facts = availability.facts();
  if (facts.fingerprint) {
    out << "worker: libtorch " << facts.fingerprint->libtorch_version << ", BLAS "
        << facts.fingerprint->blas_build << ", ATen CPU capability "
        << facts.fingerprint->cpu_capability << "\n";
  } else {
    out << "worker: cannot be asked (" << facts.fingerprint_error << ")\n";
  }
  for (const auto& axis : availability.report()) {
    out << "\n" << std::left << std::setw(16) << axis.axis << axis.summary << "\n";
    if (!axis.open_values.empty()) {
      out << std::setw(16) << ""
          << "values:    " << axis.open_values << "\n";
    }
    // An open axis (worker: any path) still has named values that can or cannot run here.
    if (axis.open_values.empty() || !axis.available.empty()) {
      out << std::setw(16) << ""
          << "available: " << (axis.available.empty() ? "none" : join(axis.available, ", "))
          << "\n";
    }
    for (const auto& missing : axis.unavailable) {
      out << std::setw(16) << ""
          << "missing:   " << missing.value << ": " << missing.reason << "\n";
    }
  }
}

nlohmann::ordered_json axes_to_json(const AxisAvailability& availability,
                                    const std::filesystem::path& worker) {
  nlohmann::ordered_json j;
  j["format_version"] = 1;
  nlohmann::ordered_json w;
  w["path"] = worker.string();
  const auto& facts = availability.facts();
  if (facts.fingerprint) {
    w["libtorch_version"] = facts.fingerprint->libtorch_version;
    w["environment_class"] = environment_class(*facts.fingerprint);
  } else {
    w["error"] = facts.fingerprint_error;
  }
  j["worker"] = w;
  j["axes"] = nlohmann::ordered_json::array();
  for (const auto& axis : availability.report()) {
    const AxisDefinition* def = find_axis(axis.axis);
    nlohmann::ordered_json a;
    a["name"] = axis.axis;
    a["target"] = target_name(def->target);
    a["summary"] = axis.summary;
    a["values"] = nlohmann::ordered_json::array();
    for (auto v : def->values) {
      a["values"].push_back(std::string(v));
    }
    a["available"] = axis.available;
    a["missing"] = nlohmann::ordered_json::array();
    for (const auto& missing : axis.unavailable) {
      a["missing"].push_back({{"value", missing.value}, {"reason", missing.reason}});
    }
    a["open_values"] = axis.open_values;
    j["axes"].push_back(a);
  }
  return j;
}

int run_axes(const CommonOptions& common, const AxesOptions& options) {
  LaunchContext launch;
  launch.default_worker = worker_path(common);
  launch.parent_env = current_environment();
  MachineFacts facts =
      detect_machine_facts(launch.default_worker, cell_environment({}, WorkerConfig{}, launch));
  facts.environments = worker_environments(common, launch.parent_env);
  AxisAvailability availability(std::move(facts));
  if (options.json) {
    std::cout << axes_to_json(availability, launch.default_worker).dump(2) << "\n";
  } else {
    write_axes_text(std::cout, availability);
  }
  return k_exit_ok;
}

}  // namespace repro
