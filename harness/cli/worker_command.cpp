// `repro-check worker conformance`: the protocol of docs/trace-format.md against a worker.
#include "harness/cli/worker_command.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "harness/run/cell_launch.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/run_guard.hpp"
#include "harness/util/subprocess.hpp"
#include "harness/util/temp_folder.hpp"
#include "harness/verdict/worker_conformance.hpp"

namespace repro {
namespace {

constexpr const char* k_worker_examples = R"TEXT(
Examples:
  repro-check worker conformance python/examples/unet_worker.py
  repro-check worker conformance ./my-worker --config tiny.json --keep /tmp/conf
  repro-check worker conformance ./my-worker --env MY_BACKEND=fast

Runs EXE as repro-check would, with the environment a baseline cell gets (PATH, HOME,
LANG, LC_*, TMPDIR, LD_LIBRARY_PATH, the thread variables; plus --env): --fingerprint,
a run, a repeat (same bits?), a run with another seed (is it honoured?), a dump with
--stop-after-dump (does it match the trace?), and a config that is not JSON (exit 2?).
Every rule of docs/trace-format.md ("Checking a worker") is printed as ok, FAIL (with
each deviation's field and what is wrong) or SKIP (an earlier step failed). Exit 0 when
every rule holds, 1 when any is broken or unchecked.)TEXT";

}  // namespace

void add_worker_command(CLI::App& app, WorkerCommandOptions& options) {
  auto* cmd = app.add_subcommand("worker", "Check an outside worker against the protocol");
  cmd->require_subcommand(1);
  auto* conformance = cmd->add_subcommand(
      "conformance",
      "Run a worker through the protocol (fingerprint, run, repeat, seed, dump, bad config) "
      "and name every broken rule");
  conformance->add_option("EXE", options.worker, "The worker executable (a script needs #!)")
      ->required();
  conformance->add_option("--config", options.config,
                          "Worker config to train (default: a 3-step tiny U-Net workload)");
  conformance->add_option("--keep", options.keep,
                          "Keep the runs' folders (configs, traces, dumps, stderr) in DIR");
  conformance->add_option("--env", options.env,
                          "NAME=VALUE added to the worker's environment (repeatable)");
  conformance->add_option("--timeout", options.timeout_s, "Seconds each worker process may take")
      ->check(CLI::Range(1, 86400));
  conformance->footer(k_worker_examples);
}

bool worker_command_given(const CLI::App& app) {
  return app.got_subcommand("worker");
}

int run_worker_command(const WorkerCommandOptions& options) {
  if (::access(options.worker.c_str(), X_OK) != 0) {
    std::cerr << "repro-check: error: " << options.worker
              << ": not an executable file (a script needs a #! line and chmod +x)\n";
    return k_exit_infrastructure;
  }
  ConformanceOptions o;
  o.worker = options.worker;
  if (options.config.empty()) {
    o.config = conformance_config();
    o.config_json = to_json(o.config);
  } else {
    o.config_json = parse_json(read_file(options.config), options.config);
    o.config = worker_config_from_json(o.config_json, options.config);
  }
  LaunchContext context;
  context.parent_env = current_environment();
  o.env = cell_environment({}, o.config, context);
  for (const auto& assignment : options.env) {
    auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error("", "--env", "'" + assignment + "' is not NAME=VALUE");
    }
    o.env[assignment.substr(0, eq)] = assignment.substr(eq + 1);
  }
  o.timeout = std::chrono::seconds(options.timeout_s);
  std::optional<TempFolder> cleanup;
  if (options.keep.empty()) {
    std::string pattern = (run_temp_directory() / "repro-conformance-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw Error(pattern, "", "cannot create a temporary folder");
    }
    o.work_dir = pattern;
    cleanup.emplace(o.work_dir);
  } else {
    o.work_dir = std::filesystem::absolute(options.keep);
    std::filesystem::create_directories(o.work_dir);
  }
  std::cout << "repro-check worker conformance: " << options.worker << "\n";
  ConformanceReport report = check_worker_conformance(o);
  write_conformance_report(std::cout, report);
  return report.conforms() ? k_exit_ok : k_exit_determinism_broken;
}

}  // namespace repro
