// RunSetup: what `run` and `bless` both need before cells start: the machine's available
// axis values, the launch context, the run folder and the real ProcessRunner.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "harness/cli/common_options.hpp"
#include "harness/plan/axis_availability.hpp"
#include "harness/plan/run_plan.hpp"
#include "harness/plan/suite.hpp"
#include "harness/run/cell_launch.hpp"
#include "harness/run/process_runner.hpp"
#include "harness/run/progress_printer.hpp"
#include "harness/run/suite_run.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/verdict/golden_store.hpp"

namespace repro {

struct RunSetup {
  std::filesystem::path root;  // project root (suites/, golden/, .repro/)
  LaunchContext launch;
  // Decided from the default worker's fingerprint (asked with the suite workload's
  // environment), /proc/cpuinfo and the installed BLAS builds.
  std::optional<AxisAvailability> availability;
  // Fork servers for the default worker (harness/run/fork_server.hpp): the probe, the cells
  // and their re-runs; null with --no-fork-server (a fresh process per run).
  std::shared_ptr<ForkServerPool> fork_servers;
};

// Probes the default worker and the machine. Never throws for a worker that cannot answer:
// its cells will crash with the reason instead, and gpu cells skip. With `fork_server`, the
// probe is the first run of the baseline environment's fork server (in a private folder
// under TMPDIR, removed when the last user of the pool ends), and the servers of
// `provisional`'s cells (the plan made before the probe answered; may be null) start
// loading beside it.
RunSetup prepare_run_setup(const CommonOptions& common, const WorkerConfig& workload,
                           bool fork_server = true, const RunPlan* provisional = nullptr);

// The plan of `suite` with `overrides` before the machine is known (every axis value taken
// as available), or nullopt when it cannot be made that way: what prepare_run_setup
// prestarts.
std::optional<RunPlan> provisional_plan(const Suite& suite, const RunOverrides& overrides);

// Creates ROOT/.repro/runs/<UTC>-<suite> and a ProcessRunner for `plan` there: `jobs` workers
// at a time (0: one per core, with a thread budget of the cores), the suite's cell time limit,
// unavailable cells skipped unstarted, the default worker's runs forked by setup.fork_servers when
// there are some; our own worker's cells also write their first-step dump and/or op trace
// when asked (ProcessRunnerOptions::first_step_dump, first_step_op_trace).
std::unique_ptr<ProcessRunner> make_process_runner(const RunSetup& setup, const RunPlan& plan,
                                                   int jobs, const std::filesystem::path& run_dir,
                                                   bool first_step_dump = false,
                                                   bool first_step_op_trace = false);

// Removes the run folder unless `keep` or a cell crashed or timed out (its logs are the
// evidence); says on `err` where kept logs are.
void finish_run_directory(const std::filesystem::path& run_dir, const std::vector<CellRun>& runs,
                          bool keep, std::ostream& err);

// Loads every golden of `suite` so a corrupt one fails (repro::Error, exit 2) before any
// cell runs, naming the file; nothing is written.
void validate_goldens(const GoldenStore& store, const std::string& suite);

// What run and bless share once the plan is made: a fresh run folder, the real runner,
// the interrupt handler and the progress line. `golden` and `require_golden` pass through
// to run_suite; `measure_magnitudes` lets the runner re-run cells for tensor dumps.
struct ExecuteOptions {
  int jobs = 0;
  bool quiet = false;
  const GoldenStore* golden = nullptr;
  bool require_golden = false;
  bool measure_magnitudes = true;
  // The first divergent op: "auto" (when a localization costs at most
  // k_auto_localize_seconds), "on" (always) or "off".
  std::string localize = "auto";
  // On SIGINT/SIGTERM: true, the finished cells are checked and the report is marked
  // interrupted (mark_interrupted); false, nothing is returned.
  bool report_interrupted = false;
};

// The budget of --localize=auto per localization.
inline constexpr double k_auto_localize_seconds = 5.0;
struct ExecutedRun {
  SuiteRunResult result;
  std::filesystem::path run_dir;
};
// Runs the plan's cells. When interrupted, running workers are killed and unstarted cells
// are not started; then with `report_interrupted` the report of the finished cells comes
// back marked interrupted (exit code 128 + signal), else nullopt: the run folder is kept,
// a line says so on stderr, and the caller returns interrupted_exit_code().
std::optional<ExecutedRun> execute_plan(const RunSetup& setup, const RunPlan& plan,
                                        const ExecuteOptions& options);

// Prints each plan note ("device: cpu is the baseline ...") on `err`.
void print_plan_notes(const RunPlan& plan, std::ostream& err);

}  // namespace repro
