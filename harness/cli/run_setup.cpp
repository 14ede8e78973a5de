// RunSetup: worker probe, availability, run folder, ProcessRunner.
#include "harness/cli/run_setup.hpp"

#include "harness/run/op_trace_runner.hpp"
#include "harness/run/rerun_batch.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include <iostream>

#include "harness/run/fork_server.hpp"
#include "harness/run/worker_process.hpp"
#include "harness/util/error.hpp"
#include "harness/util/run_guard.hpp"
#include "harness/util/subprocess.hpp"
#include "harness/verdict/interruption.hpp"

namespace repro {

namespace {

// Starts the fork server of every environment `plan`'s cells need, so that they load
// libtorch while the probe runs (a server per thread count: OpenBLAS latches it at load).
void prestart_servers(ForkServerPool& pool, const RunSetup& setup, const RunPlan& plan) {
  LaunchContext launch = setup.launch;
  launch.axis_env = plan.suite.axis_env;
  for (const Cell& cell : plan.cells) {
    try {
      CellLaunch cell_launch = plan_cell_launch(cell, plan.suite.workload, launch,
                                                k_cell_config_file, k_cell_trace_file);
      ProcessSpec spec;
      spec.program = cell_launch.program;
      spec.env = cell_launch.env;
      pool.prestart(spec);
    } catch (const Error&) {
      // the cell's own start reports it (a skip reason)
    }
  }
}

}  // namespace

RunSetup prepare_run_setup(const CommonOptions& common, const WorkerConfig& workload,
                           bool fork_server, const RunPlan* provisional) {
  RunSetup setup;
  setup.root = project_root(common);
  setup.launch.default_worker = worker_path(common);
  setup.launch.parent_env = current_environment();
  setup.launch.environments = worker_environments(common, setup.launch.parent_env);
  // The probe sees what a baseline cell would: the same whitelist and thread variables.
  Environment env = cell_environment({}, workload, setup.launch);
  ProbeRunner probe;
  // Only our own worker speaks --serve; a user's worker (another name) always starts fresh.
  if (fork_server && setup.launch.default_worker.filename() == "repro-worker") {
    std::string dir = (run_temp_directory() / "repro-fork-XXXXXX").string();
    if (::mkdtemp(dir.data()) != nullptr) {
      ForkServerOptions servers;
      servers.dir = dir;
      servers.programs = {setup.launch.default_worker};
      servers.remove_dir = true;
      servers.cancelled = [] { return interrupted(); };
      setup.fork_servers = std::make_shared<ForkServerPool>(std::move(servers));
      probe = [pool = setup.fork_servers](const ProcessSpec& spec,
                                          const std::function<bool()>& cancelled) {
        auto process = start_worker_process(spec, pool.get());
        auto ended = wait_worker_process(*process, cancelled);
        if (!ended) {
          ProcessResult r = process->kill();
          r.cancelled = true;
          return r;
        }
        return *ended;
      };
      if (provisional != nullptr) {
        prestart_servers(*setup.fork_servers, setup, *provisional);
      }
    }
  }
  MachineFacts facts = detect_machine_facts(setup.launch.default_worker, env, probe);
  facts.environments = *setup.launch.environments;  // shares what either resolves
  setup.availability.emplace(std::move(facts));
  return setup;
}

std::optional<RunPlan> provisional_plan(const Suite& suite, const RunOverrides& overrides) {
  try {
    return plan_run(suite, overrides, nullptr);
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::unique_ptr<ProcessRunner> make_process_runner(const RunSetup& setup, const RunPlan& plan,
                                                   int jobs, const std::filesystem::path& run_dir,
                                                   bool first_step_dump, bool first_step_op_trace) {
  ProcessRunnerOptions options;
  options.first_step_dump = first_step_dump;
  options.first_step_op_trace = first_step_op_trace;
  options.workload = plan.suite.workload;
  options.launch = setup.launch;
  options.launch.axis_env = plan.suite.axis_env;
  options.run_dir = run_dir;
  // By default as many workers as cores, as long as their threads fit the cores (a
  // threads=2 cell runs alone on 2 cores); an explicit --jobs is taken as given.
  options.jobs = jobs > 0 ? jobs : available_cores();
  options.thread_budget = jobs > 0 ? 0 : available_cores();
  options.cell_timeout = std::chrono::seconds(plan.suite.cell_timeout_s);
  options.cancelled = [] { return interrupted(); };
  options.fork_servers = setup.fork_servers;
  if (setup.availability) {
    const AxisAvailability* availability = &*setup.availability;
    options.skip_reason = [availability](const Cell& cell) {
      return availability->skip_reason(cell.settings);
    };
  }
  return std::make_unique<ProcessRunner>(std::move(options));
}

void finish_run_directory(const std::filesystem::path& run_dir, const std::vector<CellRun>& runs,
                          bool keep, std::ostream& err) {
  bool failed = false;
  for (const auto& run : runs) {
    failed = failed || run.status == RunStatus::crashed || run.status == RunStatus::timeout;
  }
  if (keep || failed) {
    err << "repro-check: worker configs, traces and logs kept in " << run_dir.string() << "\n";
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(run_dir, ec);
}

void validate_goldens(const GoldenStore& store, const std::string& suite) {
  for (const auto& environment_class : store.environment_classes(suite)) {
    store.load(suite, environment_class);
  }
}

void print_plan_notes(const RunPlan& plan, std::ostream& err) {
  for (const auto& note : plan.notes) {
    err << "repro-check: " << note << "\n";
  }
}

std::optional<ExecutedRun> execute_plan(const RunSetup& setup, const RunPlan& plan,
                                        const ExecuteOptions& options) {
  ExecutedRun executed;
  executed.run_dir =
      create_run_directory(setup.root, plan.suite.name, std::chrono::system_clock::now());
  auto runner = make_process_runner(setup, plan, options.jobs, executed.run_dir,
                                    options.measure_magnitudes, options.localize != "off");
  install_interrupt_handler();  // normally already done before the worker probe
  ProgressPrinter progress(std::cerr, ::isatty(STDERR_FILENO) == 1);
  SuiteRunInput input;
  input.plan = &plan;
  input.runner = runner.get();
  input.dumps = options.measure_magnitudes ? runner.get() : nullptr;
  OpTraceRunner op_traces(*runner, runner->options());
  if (options.localize != "off") {
    input.op_traces = &op_traces;
    input.localize_budget_seconds = options.localize == "on" ? -1 : k_auto_localize_seconds;
  }
  // The dump and op-trace re-runs of divergent pairs: started beside the cells as soon as
  // a pair has ended, finished before the checker asks.
  ReRunScheduler reruns(*runner, input.op_traces != nullptr ? &op_traces : nullptr,
                        input.dumps != nullptr, input.localize_budget_seconds);
  runner->set_side_work(&reruns);
  input.before_check = [&reruns](const std::vector<CellRun>& runs) { reruns.finish(runs); };
  input.golden = options.golden;
  input.require_golden = options.require_golden;
  if (setup.availability) {
    input.fallback_fingerprint = setup.availability->facts().fingerprint;
  }
  if (!options.quiet) {
    input.progress = [&progress](const RunProgress& p) { progress.update(p); };
  }
  executed.result = run_suite(input);
  progress.finish();
  if (setup.fork_servers && !options.quiet) {
    const auto& stats = setup.fork_servers->stats();
    std::cerr << "repro-check: " << stats.served << " worker runs forked from "
              << stats.servers_started << " fork server(s)"
              << (stats.refused > 0 ? ", " + std::to_string(stats.refused) + " started fresh" : "")
              << "\n";
  }
  if (interrupted()) {
    if (!options.report_interrupted) {
      std::cerr << "repro-check: interrupted by " << interrupt_signal_name()
                << "; nothing recorded\n";
      finish_run_directory(executed.run_dir, executed.result.runs, /*keep=*/true, std::cerr);
      return std::nullopt;
    }
    std::cerr << "repro-check: interrupted by " << interrupt_signal_name()
              << ": running workers stopped; reporting the cells that finished\n";
    mark_interrupted(executed.result.report, interrupt_signal_name(), interrupted_exit_code());
  }
  return executed;
}

}  // namespace repro
