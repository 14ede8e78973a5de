// repro-worker: command-line parsing, the three modes, errors mapped to exit codes.
#include "models/worker_app.hpp"

#include <c10/util/Exception.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "harness/trace/worker_config.hpp"
#include "harness/util/error.hpp"
#include "harness/util/exit_codes.hpp"
#include "models/data/oxford_pets.hpp"
#include "models/data/pet_dataset.hpp"
#include "models/fork_server.hpp"
#include "models/torch_fingerprint.hpp"
#include "models/torch_runtime.hpp"
#include "models/training_run.hpp"

#ifndef REPRO_VERSION
#define REPRO_VERSION "0.0.0"
#endif

namespace repro {
namespace {

constexpr const char* k_producer = "repro-worker " REPRO_VERSION;

struct WorkerOptions {
  std::string config_path;
  std::string trace_path;
  std::optional<int> dump_step;
  std::string dump_dir;
  bool stop_after_dump = false;
  std::optional<int> op_trace_step;
  std::string op_trace_path;
  std::optional<std::string> op_dump;
  std::string op_dump_dir;
  bool fingerprint = false;
  std::string device = "cpu";
  std::string export_dir;
  std::vector<std::string> serve;  // REQUESTS REPLIES: fork server mode (models/fork_server.hpp)
  bool quiet = false;
};

void add_options(CLI::App& app, WorkerOptions& o) {
  app.set_version_flag("--version", k_producer);
  auto* config = app.add_option("--config", o.config_path, "Worker configuration (JSON)");
  auto* trace = app.add_option("--trace", o.trace_path,
                               "Train and write the trace here (JSON Lines; written as "
                               "FILE.partial and renamed when complete)");
  auto* dump_step = app.add_option("--dump-step", o.dump_step,
                                   "Also write every tensor of step K (0-based) to --dump-dir")
                        ->check(CLI::NonNegativeNumber);
  auto* dump_dir =
      app.add_option("--dump-dir", o.dump_dir, "Folder for the tensor dump (manifest.json)");
  auto* stop = app.add_flag("--stop-after-dump", o.stop_after_dump,
                            "Exit 0 right after the dump and/or op trace (the trace stays "
                            "FILE.partial)");
  auto* op_step =
      app.add_option("--op-trace-step", o.op_trace_step,
                     "Digest the inputs and outputs of every ATen op of step K (forward, "
                     "backward, optimizer) into --op-trace (docs/trace-format.md, op traces)")
          ->check(CLI::NonNegativeNumber);
  auto* op_trace = app.add_option("--op-trace", o.op_trace_path, "Op trace file (JSON Lines)");
  auto* op_dump = app.add_option("--op-dump", o.op_dump,
                                 "While op tracing, also dump the outputs of op LANE:INDEX "
                                 "(as in the op trace) to --op-dump-dir");
  auto* op_dump_dir = app.add_option("--op-dump-dir", o.op_dump_dir,
                                     "Folder for the op's output dump (manifest.json)");
  auto* fingerprint = app.add_flag("--fingerprint", o.fingerprint,
                                   "Print this environment's fingerprint (JSON) and exit");
  auto* device = app.add_option("--device", o.device, "Device the fingerprint is for")
                     ->check(CLI::IsMember({"cpu", "gpu"}));
  auto* export_data =
      app.add_option("--export-data", o.export_dir,
                     "Write the config's synthetic dataset to DIR in Oxford-IIIT Pet layout "
                     "(images/*.jpg, annotations/trimaps/*.png) and exit");
  app.add_flag("-q,--quiet", o.quiet, "No progress lines on stderr");
  app.add_option("--serve", o.serve,
                 "Fork server: load once, then fork a worker run per request read from the "
                 "REQUESTS FIFO, answering on REPLIES (used by repro-check; "
                 "models/fork_server.hpp)")
      ->expected(2)
      ->excludes(config)
      ->excludes(fingerprint)
      ->excludes(export_data);

  trace->needs(config);
  dump_step->needs(trace)->needs(dump_dir);
  dump_dir->needs(dump_step);
  op_step->needs(trace)->needs(op_trace);
  op_trace->needs(op_step);
  op_dump->needs(op_step)->needs(op_dump_dir);
  op_dump_dir->needs(op_dump);
  (void)stop;  // needs --dump-step or --op-trace-step: checked after parsing
  fingerprint->excludes(config)->excludes(trace)->excludes(export_data);
  device->needs(fingerprint);
  export_data->needs(config)->excludes(trace);
}

int run_fingerprint(const WorkerOptions& o) {
  std::cout << to_json(collect_fingerprint(o.device)).dump(2) << "\n";
  return k_exit_ok;
}

int run_export(const WorkerOptions& o) {
  const WorkerConfig config = read_worker_config(o.config_path);
  if (config.data.source != "synthetic") {
    throw Error(o.config_path, "data.source",
                "--export-data writes a synthetic dataset; this config reads an oxford folder");
  }
  const auto samples = synthetic_dataset(config.data);
  write_oxford_layout(o.export_dir, samples);
  if (!o.quiet) {
    std::cerr << "repro-worker: wrote " << samples.size() << " pets to " << o.export_dir << "\n";
  }
  return k_exit_ok;
}

int run_train(const WorkerOptions& o) {
  const WorkerConfig config = read_worker_config(o.config_path);
  validate_workload(config, o.config_path);
  const std::string unavailable = device_unavailable_reason(config.settings.device);
  if (!unavailable.empty()) {
    std::cerr << "skip: " << config.settings.device << ": " << unavailable << "\n";
    return k_worker_exit_skip;
  }
  apply_torch_settings(config.settings);
  const Fingerprint fingerprint = collect_fingerprint(config.settings.device);
  TrainingRunOptions options;
  options.trace_path = o.trace_path;
  options.dump_step = o.dump_step;
  options.dump_dir = o.dump_dir;
  options.stop_after_dump = o.stop_after_dump;
  options.op_trace_step = o.op_trace_step;
  options.op_trace_path = o.op_trace_path;
  options.op_dump = o.op_dump;
  options.op_dump_dir = o.op_dump_dir;
  options.quiet = o.quiet;
  run_training(config, fingerprint, o.config_path, k_producer, options, std::cerr);
  return k_exit_ok;
}

}  // namespace

int run_worker(int argc, char** argv) {
  CLI::App app{
      "repro-worker: trains the U-Net segmentation workload of one configuration and writes "
      "its per-step trace (docs/trace-format.md).\n\nExit codes: 0 done, 2 bad command line, "
      "config or input file, 3 runtime failure, 77 cannot run here (first stderr line "
      "'skip: <reason>').",
      "repro-worker"};
  WorkerOptions options;
  add_options(app, options);
  try {
    app.parse(argc, argv);
    if (!options.serve.empty()) {
      return run_fork_server(options.serve[0], options.serve[1], argv[0], &run_worker);
    }
    if (!options.fingerprint && options.export_dir.empty() && options.trace_path.empty()) {
      throw CLI::ValidationError("mode",
                                 "one of --trace, --fingerprint, --export-data or --serve is "
                                 "required");
    }
    if (options.stop_after_dump && !options.dump_step && !options.op_trace_step) {
      throw CLI::ValidationError("--stop-after-dump", "needs --dump-step or --op-trace-step");
    }
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? k_exit_ok : k_exit_usage;
  }

  try {
    if (options.fingerprint) {
      return run_fingerprint(options);
    }
    if (!options.export_dir.empty()) {
      return run_export(options);
    }
    return run_train(options);
  } catch (const WriteError& e) {
    std::cerr << "repro-worker: failure: " << e.what() << "\n";
    return k_exit_infrastructure;
  } catch (const Error& e) {
    std::cerr << "repro-worker: error: " << e.what() << "\n";
    return k_exit_usage;
  } catch (const c10::Error& e) {
    std::cerr << "repro-worker: failure: " << e.what_without_backtrace() << "\n";
    return k_exit_infrastructure;
  } catch (const std::exception& e) {
    std::cerr << "repro-worker: failure: " << e.what() << "\n";
    return k_exit_infrastructure;
  }
}

}  // namespace repro
