// `repro-check env`: prints the worker's fingerprint and environment class.
#include "harness/cli/env_command.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "harness/plan/worker_probe.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/util/subprocess.hpp"

namespace repro {

void add_env_command(CLI::App& app, EnvOptions& options) {
  auto* cmd = app.add_subcommand(
      "env",
      "Print the environment fingerprint: the facts that decide training bits (libtorch "
      "version, BLAS build actually loaded, ATen CPU capability, compiler, libc, device)");
  cmd->add_flag("--json", options.json, "Print JSON (the fields of a trace header's fingerprint)");
  cmd->add_option("--device", options.device, "Device to describe")
      ->check(CLI::IsMember({"cpu", "gpu", "cuda"}));
}

int run_env(const CommonOptions& common, const EnvOptions& options) {
  std::string device = options.device == "cuda" ? "gpu" : options.device;
  Fingerprint fp = probe_worker(worker_path(common), device, current_environment());
  nlohmann::json j = to_json(fp);
  j["environment_class"] = environment_class(fp);
  if (options.json) {
    std::cout << j.dump(2) << "\n";
    return k_exit_ok;
  }
  std::cout << "environment class: " << environment_class(fp) << "\n";
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "environment_class" || it.key() == "format_version") {
      continue;
    }
    std::cout << "  " << it.key() << ": "
              << (it.value().is_string() ? it.value().get<std::string>() : it.value().dump())
              << "\n";
  }
  return k_exit_ok;
}

}  // namespace repro
