// `repro-check bless`: run, refuse unless reproducible, write the golden through GoldenStore.
#include "harness/cli/bless_command.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "harness/cli/run_setup.hpp"
#include "harness/report/terminal_report.hpp"
#include "harness/run/suite_run.hpp"
#include "harness/util/error.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/util/utc_time.hpp"
#include "harness/verdict/golden_store.hpp"

namespace repro {
namespace {

constexpr const char* k_bless_examples = R"TEXT(
Examples:
  repro-check bless --suite smoke --reason "initial goldens for this machine"
  repro-check bless --suite pr --reason "libopenblas 0.3.21 -> 0.3.26 (Debian point release)"
  git diff golden/    # one digest per line: review what changed, then commit

The golden holds, per cell (keyed by its settings), every step's per-tensor digests, with
the fingerprint of the environment class it was blessed in. `run` compares each cell with
the golden of its class. bless refuses when the repeat differs from the baseline: a run
that is not reproducible under identical settings has nothing to bless.)TEXT";

std::string list(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) {
    out += (out.empty() ? "" : "; ") + k;
  }
  return out;
}

}  // namespace

void add_bless_command(CLI::App& app, BlessOptions& options) {
  auto* cmd = app.add_subcommand(
      "bless",
      "Run a suite and record its digests as the golden for this environment class "
      "(golden/<suite>/<class>.json, written atomically); refuses when the repeat differs "
      "from the baseline");
  cmd->add_option("--suite", options.suite, "Suite to bless: suites/NAME.json")->required();
  cmd->add_option("--reason", options.reason,
                  "Why these digests are right (stored in the golden, shown in reviews)");
  cmd->add_option("--jobs,-j", options.jobs,
                  "Workers at a time (default: max(1, cores / threads per cell))")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--keep-runs", options.keep_runs,
                "Keep .repro/runs/<time>-<suite>/ (configs, traces, worker logs)");
  cmd->add_flag("--force", options.force,
                "Replace this environment class's golden file even when it is corrupt (and skip "
                "the up-front check of the suite's other goldens)");
  cmd->footer(k_bless_examples);
}

int run_bless(const CommonOptions& common, const BlessOptions& options) {
  std::filesystem::path root = project_root(common);
  Suite suite = find_suite(root, options.suite);
  GoldenStore store(root / "golden");
  if (!options.force) {
    validate_goldens(store, suite.name);
  }
  RunSetup setup = prepare_run_setup(common, suite.workload);
  RunPlan plan = plan_run(std::move(suite), RunOverrides{},
                          setup.availability ? &*setup.availability : nullptr);
  if (!common.quiet) {
    print_plan_notes(plan, std::cerr);
  }
  ExecuteOptions execute;
  execute.jobs = options.jobs;
  execute.quiet = common.quiet;
  execute.measure_magnitudes = false;  // bless needs digests, not distances
  auto executed = execute_plan(setup, plan, execute);
  if (!executed) {
    return interrupted_exit_code();
  }
  const SuiteRunResult& result = executed->result;
  const std::filesystem::path& run_dir = executed->run_dir;
  TerminalOptions terminal;
  terminal.colour = colour_wanted(STDOUT_FILENO);
  terminal.quiet = common.quiet;
  write_terminal_report(std::cout, result.report, terminal);
  finish_run_directory(run_dir, result.runs, options.keep_runs, std::cerr);

  auto refuse = [&](int code, const std::string& why) {
    std::cerr << "repro-check: not blessed: " << why << "\n";
    return code;
  };
  if (nothing_ran(result.runs)) {
    return refuse(k_exit_nothing_ran, "no cell of suite " + plan.suite.name + " can run here");
  }
  for (const auto& run : result.runs) {
    if (run.status == RunStatus::crashed || run.status == RunStatus::timeout) {
      return refuse(
          k_exit_infrastructure,
          "cell " + run.cell.id + " " + std::string(to_string(run.status)) + ": " + run.reason);
    }
  }
  if (!result.report.repeatable.has_value()) {
    return refuse(k_exit_infrastructure, "the repeat of the baseline did not run");
  }
  if (!*result.report.repeatable) {
    return refuse(k_exit_determinism_broken,
                  "the repeat differs from the baseline: not reproducible under identical "
                  "settings, so there is nothing to bless");
  }
  auto fingerprint = baseline_fingerprint(result.runs);
  if (!fingerprint) {
    return refuse(k_exit_infrastructure, "the baseline's trace has no readable fingerprint");
  }
  std::string reason = options.reason.empty() ? "blessed with repro-check bless" : options.reason;
  GoldenFile golden =
      make_golden(plan.suite.name, *fingerprint, result.runs, reason, utc_now_iso8601());
  BlessResult blessed = store.bless(golden, options.force);
  std::cout << "blessed " << blessed.path.string() << ": " << golden.cells.size() << " cells"
            << (blessed.replaced_corrupt ? " (replaced a corrupt golden)" : "") << "\n";
  if (!blessed.added.empty()) {
    std::cout << "  added: " << list(blessed.added) << "\n";
  }
  if (!blessed.changed.empty()) {
    std::cout << "  changed: " << list(blessed.changed) << "\n";
  }
  if (!blessed.removed.empty()) {
    std::cout << "  removed: " << list(blessed.removed) << "\n";
  }
  return k_exit_ok;
}

}  // namespace repro
