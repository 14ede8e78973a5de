// run_main: the one place that lists every subcommand.
#include "harness/cli/run_main.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "harness/cli/axes_command.hpp"
#include "harness/cli/bench_command.hpp"
#include "harness/cli/bless_command.hpp"
#include "harness/cli/common_options.hpp"
#include "harness/cli/env_command.hpp"
#include "harness/cli/golden_command.hpp"
#include "harness/cli/history_command.hpp"
#include "harness/cli/merge_command.hpp"
#include "harness/cli/partition_command.hpp"
#include "harness/cli/plan_command.hpp"
#include "harness/cli/report_command.hpp"
#include "harness/cli/run_command.hpp"
#include "harness/cli/trace_command.hpp"
#include "harness/cli/worker_command.hpp"
#include "harness/util/error.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/util/run_guard.hpp"
#include "harness/util/subprocess.hpp"

#ifndef REPRO_VERSION
#define REPRO_VERSION "0.0.0"
#endif

namespace repro {
namespace {

int dispatch_subcommand(CLI::App& app, const CommonOptions& common, const EnvOptions& env_options,
                        const PartitionOptions& partition_options,
                        const HistoryOptions& history_options, const RunOptions& run_options,
                        const AxesOptions& axes_options, const BlessOptions& bless_options,
                        const GoldenOptions& golden_options, const PlanOptions& plan_options,
                        const MergeOptions& merge_options, const ReportOptions& report_options,
                        const RunOptions& matrix_options, const BenchOptions& bench_options);

// Subcommands about the trace contract: trace validate, worker conformance.
struct ContractOptions {
  TraceOptions trace;
  WorkerCommandOptions worker;
};

}  // namespace

int run_main(int argc, char** argv) {
  CLI::App app{
      "repro-check: runs a training workload under a matrix of settings (threads, seeds, "
      "CPU ISA, BLAS build, device, deterministic mode, library versions), digests every "
      "tensor at every step, compares the runs bit for bit with each other and with blessed "
      "golden digests, and names the setting that broke determinism, the step and the "
      "tensor.\n\nExit codes: 0 as expected, 1 determinism broken or golden mismatch, 2 usage "
      "or input-file error, 3 infrastructure failure (worker crashed, timed out, could not "
      "start).",
      "repro-check"};
  app.set_version_flag("--version", std::string("repro-check ") + REPRO_VERSION);
  CommonOptions common;
  add_common_options(app, common);
  // --root, --worker and --quiet work after a subcommand too (`run --suite x --root DIR`);
  // subcommands created from here on inherit this.
  app.fallthrough();

  EnvOptions env_options;
  add_env_command(app, env_options);
  PartitionOptions partition_options;
  add_partition_command(app, partition_options);
  HistoryOptions history_options;
  add_history_command(app, history_options);
  RunOptions run_options;
  add_run_command(app, run_options);
  AxesOptions axes_options;
  add_axes_command(app, axes_options);
  BlessOptions bless_options;
  add_bless_command(app, bless_options);
  GoldenOptions golden_options;
  add_golden_command(app, golden_options);
  PlanOptions plan_options;
  add_plan_command(app, plan_options);
  MergeOptions merge_options;
  add_merge_command(app, merge_options);
  ReportOptions report_options;
  add_report_command(app, report_options);
  BenchOptions bench_options;
  add_bench_command(app, bench_options);
  ContractOptions contract_options;
  add_trace_command(app, contract_options.trace);
  add_worker_command(app, contract_options.worker);
  // `repro-check --matrix gpu,cpu` (no subcommand): `run --suite smoke --matrix gpu,cpu`.
  RunOptions matrix_options;
  add_matrix_shortcut(app, matrix_options);
  app.footer(
      "\nExamples:\n"
      "  repro-check --matrix gpu,cpu          smoke suite on GPU and CPU (gpu skips without "
      "CUDA)\n"
      "  repro-check run --suite pr --json pr.json\n"
      "  repro-check run --suite smoke --axis threads=1,2,4\n"
      "  repro-check axes                      what this machine can run, and why not\n"
      "  repro-check bless --suite smoke --reason \"new machine\"\n"
      "  repro-check golden classes --suite pr  which classes have goldens, which agree\n"
      "  repro-check bench --suite nightly      determinism tax: strict/fast per thread count\n"
      "  repro-check trace validate FILE       does a trace follow docs/trace-format.md?\n"
      "  repro-check worker conformance EXE    does an outside worker follow the protocol?\n"
      "  repro-check SUBCOMMAND --help         options and examples of each subcommand");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? k_exit_ok : k_exit_usage;
  }

  // Subcommands that start worker processes: from before the first one starts (the
  // fingerprint probe), SIGINT/SIGTERM only set a flag that every wait polls, this process
  // is the subreaper of everything its workers leave behind, and a run guard (forked first,
  // while no thread exists) ends whatever is left and the run's temporary folder if this
  // process is SIGKILLed. Nothing started for a run outlives it.
  if (app.got_subcommand("env") || app.got_subcommand("run") || app.got_subcommand("axes") ||
      app.got_subcommand("bless") || app.got_subcommand("bench") || worker_command_given(app) ||
      !matrix_options.matrix.empty()) {
    start_run_guard();
    install_interrupt_handler();
    enable_orphan_reaping();
  }
  int rc = 0;
  if (trace_command_given(app) || worker_command_given(app)) {
    try {
      rc = trace_command_given(app) ? run_trace(contract_options.trace, std::cout)
                                    : run_worker_command(contract_options.worker);
    } catch (const Error& e) {
      std::cerr << "repro-check: error: " << e.what() << "\n";
      rc = k_exit_usage;
    }
  } else {
    rc = dispatch_subcommand(app, common, env_options, partition_options, history_options,
                             run_options, axes_options, bless_options, golden_options, plan_options,
                             merge_options, report_options, matrix_options, bench_options);
  }
  reap_orphans();
  finish_run_guard();
  // run and bless say themselves what an interrupt cost; env and axes only lose the probe.
  bool probe_only = app.got_subcommand("env") || app.got_subcommand("axes");
  return probe_only && interrupted() ? interrupted_exit_code() : rc;
}

namespace {

int dispatch_subcommand(CLI::App& app, const CommonOptions& common, const EnvOptions& env_options,
                        const PartitionOptions& partition_options,
                        const HistoryOptions& history_options, const RunOptions& run_options,
                        const AxesOptions& axes_options, const BlessOptions& bless_options,
                        const GoldenOptions& golden_options, const PlanOptions& plan_options,
                        const MergeOptions& merge_options, const ReportOptions& report_options,
                        const RunOptions& matrix_options, const BenchOptions& bench_options) {
  try {
    if (app.got_subcommand("env")) {
      return run_env(common, env_options);
    }
    if (app.got_subcommand("partition")) {
      return run_partition(partition_options);
    }
    if (app.got_subcommand("history")) {
      return run_history(common, history_options);
    }
    if (app.got_subcommand("run")) {
      return run_run(common, run_options);
    }
    if (app.got_subcommand("axes")) {
      return run_axes(common, axes_options);
    }
    if (app.got_subcommand("bless")) {
      return run_bless(common, bless_options);
    }
    if (app.got_subcommand("bench")) {
      return run_bench(common, bench_options);
    }
    if (golden_command_given(app)) {
      return run_golden(common, golden_options);
    }
    if (app.got_subcommand("plan")) {
      return run_plan_command(common, plan_options);
    }
    if (app.got_subcommand("merge")) {
      return run_merge(common, merge_options);
    }
    if (app.got_subcommand("report")) {
      return run_report_command(common, report_options);
    }
    if (!matrix_options.matrix.empty()) {
      return run_run(common, matrix_options);
    }
    std::cout << app.help();
    return k_exit_usage;
  } catch (const WriteError& e) {
    // The checker's own files (run folders, configs): a full disk is the machine's fault.
    std::cerr << "repro-check: error: " << e.what() << "\n";
    return k_exit_infrastructure;
  } catch (const Error& e) {
    std::cerr << "repro-check: error: " << e.what() << "\n";
    return k_exit_usage;
  }
}

}  // namespace

}  // namespace repro
