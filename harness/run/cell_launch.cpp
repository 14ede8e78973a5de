// CellLaunch: config overlay, argv and the explicit environment of a cell's worker.
#include "harness/run/cell_launch.hpp"

#include "harness/plan/axis.hpp"
#include "harness/util/error.hpp"

namespace repro {

bool is_inherited_variable(std::string_view name) {
  if (name.rfind("LC_", 0) == 0) {
    return true;
  }
  for (auto v : k_inherited_variables) {
    if (v == name) {
      return true;
    }
  }
  return false;
}

WorkerConfig cell_config(const WorkerConfig& workload, const Settings& settings) {
  WorkerConfig config = workload;
  apply_settings_to_config(settings, config);
  return config;
}

Environment cell_environment(const Settings& settings, const WorkerConfig& config,
                             const LaunchContext& context) {
  Environment env;
  for (const auto& [name, value] : context.parent_env) {
    if (is_inherited_variable(name)) {
      env[name] = value;
    }
  }
  std::string threads = std::to_string(config.settings.threads);
  for (auto name : k_thread_variables) {
    env[std::string(name)] = threads;
  }
  if (auto it = settings.find("cpu_capability"); it != settings.end()) {
    env["ATEN_CPU_CAPABILITY"] = it->second;
  }
  std::string library_path;
  if (auto it = settings.find("blas"); it != settings.end()) {
    auto dir = context.blas.find(it->second);
    if (!dir) {
      throw Error("", "blas", it->second + ": " + context.blas.missing_reason(it->second));
    }
    library_path = dir->string();
  }
  if (auto it = context.parent_env.find("LD_LIBRARY_PATH");
      it != context.parent_env.end() && !it->second.empty()) {
    library_path += (library_path.empty() ? "" : ":") + it->second;
  }
  if (!library_path.empty()) {
    env["LD_LIBRARY_PATH"] = library_path;
  }
  for (const auto& [axis, value] : settings) {
    auto by_axis = context.axis_env.find(axis);
    if (by_axis == context.axis_env.end()) {
      continue;
    }
    if (auto vars = by_axis->second.find(value); vars != by_axis->second.end()) {
      for (const auto& [name, text] : vars->second) {
        env[name] = text;
      }
    }
  }
  return env;
}

CellLaunch plan_cell_launch(const Cell& cell, const WorkerConfig& workload,
                            const LaunchContext& context, const std::filesystem::path& config_path,
                            const std::filesystem::path& trace_path) {
  CellLaunch launch;
  launch.config = cell_config(workload, cell.settings);
  auto worker = cell.settings.find("worker");
  std::string name =
      worker != cell.settings.end() ? worker->second : std::string(k_default_worker_environment);
  WorkerEnvironments fallback(context.default_worker, {}, {});
  const WorkerEnvironments& environments = context.environments ? *context.environments : fallback;
  WorkerEnvironment environment = environments.resolve(name);
  if (name == k_default_worker_environment) {
    environment.worker = context.default_worker;
  }
  // A named environment that cannot run here has no program to start; a path that does
  // not exist is started anyway and fails like any worker that cannot start.
  if (!environment.unavailable.empty() && !is_worker_path(name)) {
    throw Error("", "worker", name + ": " + environment.unavailable);
  }
  // A wrapped worker sees only these folders of this machine, at absolute paths.
  const bool wrapped = !environment.wrapper.empty();
  const std::filesystem::path config_arg =
      wrapped ? std::filesystem::absolute(config_path) : config_path;
  const std::filesystem::path trace_arg =
      wrapped ? std::filesystem::absolute(trace_path) : trace_path;
  std::vector<std::filesystem::path> binds = {config_arg.parent_path()};
  if (trace_arg.parent_path() != config_arg.parent_path()) {
    binds.push_back(trace_arg.parent_path());
  }
  std::vector<std::filesystem::path> read_only;
  if (!launch.config.data.path.empty()) {
    read_only.push_back(std::filesystem::absolute(launch.config.data.path));
  }
  launch.wrapper_args = environment.command({}, binds, read_only).args;
  WorkerCommand command = environment.command(
      {"--config", config_arg.string(), "--trace", trace_arg.string()}, binds, read_only);
  launch.program = command.program;
  launch.args = command.args;
  launch.env = cell_environment(cell.settings, launch.config, context);
  return launch;
}

std::vector<std::string> dump_args(const std::filesystem::path& config_path,
                                   const std::filesystem::path& trace_path, int step,
                                   const std::filesystem::path& dump_dir) {
  return {"--config",          config_path.string(), "--trace",
          trace_path.string(), "--dump-step",        std::to_string(step),
          "--dump-dir",        dump_dir.string(),    "--stop-after-dump"};
}

std::optional<std::string> settings_mismatch(const Settings& settings, const Fingerprint& fp) {
  if (auto it = settings.find("blas"); it != settings.end() && !fp.blas_build.empty()) {
    const BlasBuild* build = find_blas_build(it->second);
    bool same = fp.blas_build == it->second || (build && fp.blas_build == build->directory);
    if (!same) {
      return "asked for blas=" + it->second + ", the worker loaded " + fp.blas_build +
             (fp.blas_library.empty() ? "" : " (" + fp.blas_library + ")");
    }
  }
  if (auto it = settings.find("cpu_capability");
      it != settings.end() && !fp.cpu_capability.empty() && fp.cpu_capability != it->second) {
    return "asked for cpu_capability=" + it->second + ", ATen dispatched to " + fp.cpu_capability;
  }
  if (auto it = settings.find("device");
      it != settings.end() && !fp.device.empty() && fp.device != it->second) {
    return "asked for device=" + it->second + ", the worker ran on " + fp.device;
  }
  return std::nullopt;
}

}  // namespace repro
