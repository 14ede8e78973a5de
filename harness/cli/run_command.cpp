// `repro-check run`: suite -> plan -> ProcessRunner -> check -> reports and history.
#include "harness/cli/run_command.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>
#include <sstream>

#include "harness/cli/run_setup.hpp"
#include "harness/report/cell_metrics.hpp"
#include "harness/report/github_annotations.hpp"
#include "harness/report/history.hpp"
#include "harness/report/report_files.hpp"
#include "harness/report/terminal_report.hpp"
#include "harness/run/suite_run.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/util/output_target.hpp"
#include "harness/util/utc_time.hpp"
#include "harness/verdict/golden_gate.hpp"

namespace repro {
namespace {

constexpr const char* k_run_examples = R"TEXT(
Examples:
  repro-check run --suite smoke
      baseline, its repeat, and one cell per other axis value (ofat)
  repro-check run --suite smoke --axis threads=1,2,4 --axis blas=openblas-pthread,atlas
      replace or add axes; the first value of each axis is the baseline
  repro-check run --suite pr --matrix gpu,cpu --json pr.json --junit pr.xml
      add a device axis; without CUDA the gpu cells are skipped with the reason and
      cpu is the baseline (the first value that can run here always is)
  repro-check run --suite nightly --shard 0/4
      a quarter of the cells (round-robin by matrix position), plus the baseline
  repro-check axes
      which axis values this machine can run, and why others cannot
  repro-check run --suite pr --require-golden=portable --skip-without-golden
      the golden gate ctest uses: cells of portable classes must match their committed
      goldens; a run that compared no golden exits 77 (skipped), never 0
  repro-check run --suite smoke --repeats 5
      five repeats of the baseline, started >= 1 s apart with their own TMPDIR: catches
      time-seeded and other run-to-run nondeterminism (docs/diagnosis.md, Repeats)
  repro-check run --suite smoke --axis threads=1,2 --localize
      also name the first divergent ATen op (op, module, pass, |Δ|, ULP) of each
      breaking axis, whatever it costs (auto: only when cheap; off: never)
  repro-check run --suite versions
      the same training under libtorch 1.13 (this build) and 2.6 (worker=debian13, built
      by ci/debian13-env.sh): what the upgrade changed, down to the op
      (docs/worker-environments.md; --axis worker=default,/path/to/worker for your own)

Cells: the baseline has the first value of every axis; the repeat runs it again and must
be bit-identical. Each cell is its own worker process (settings through argv and an
explicit environment, never a shell); its config, trace and logs go to
.repro/runs/<UTC time>-<suite>/, removed after the run unless --keep-runs or a cell
crashed or timed out.

Exit codes: 0 as expected (divergence on axes not declared invariant is reported, not
failed); 1 the repeat differs, a declared-invariant axis broke, a golden mismatched, or a
suite expectation failed; 2 usage, suite or golden-file error, a report file that cannot
be written (checked before the first cell), or a worker that rejected its config or an
input file (a corrupt dataset image); 3 a worker crashed, timed out or could not start
(missing or not executable included); 77 nothing could run here (ctest's skip code);
130/143 interrupted by SIGINT/SIGTERM: the workers are stopped, and the cells that
finished are compared and reported in every requested format (verdict "interrupted", the
others "not run"; the history row says interrupted). Killed outright (SIGKILL, OOM
killer), the checker leaves nothing running: its workers die with it, and a guard process
kills what they left (daemons included: found by the run's cgroup where one can be made,
else by REPRO_RUN_TOKEN in their environment) and removes the run's temporary folder
($TMPDIR/repro-run-*; see docs/suites.md).)TEXT";

void add_run_options(CLI::App* cmd, RunOptions& options) {
  cmd->add_option("--suite", options.suite, "Suite to run: suites/NAME.json under the project root")
      ->type_name("NAME")
      ->capture_default_str();
  cmd->add_option("--matrix", options.matrix,
                  "Devices to run on, comma-separated (cpu, gpu; cuda means gpu): sets the "
                  "device axis")
      ->type_name("DEVICES");
  cmd->add_option("--axis", options.axes,
                  "NAME=V1,V2: replace (or add) an axis's values; repeatable. Axes: device, "
                  "threads, interop_threads, seed, deterministic, cpu_capability, blas, worker")
      ->type_name("NAME=V1,V2")
      ->allow_extra_args(false);
  cmd->add_option(
         "--jobs,-j", options.jobs,
         "Workers at a time (default: one per core, while the running cells' threads fit the "
         "cores: a threads=2 cell runs alone on 2 cores)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--json", options.json, "Write the JSON report (a contract) to FILE")
      ->type_name("FILE");
  cmd->add_option("--junit", options.junit, "Write a JUnit XML report to FILE")->type_name("FILE");
  cmd->add_option("--markdown", options.markdown,
                  "Write a Markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)")
      ->type_name("FILE");
  cmd->add_flag("--require-golden{all}", options.require_golden,
                "Fail (exit 1) when a cell has no golden of its own environment class; "
                "--require-golden=portable requires one only for cells whose class names no "
                "CPU (reference BLAS, ATLAS: their bits are the same on every machine)")
      ->type_name("[=all|portable]");
  cmd->add_flag("--skip-without-golden", options.skip_without_golden,
                "Exit 77 (ctest: skipped), not 0, when the run passed but no cell was compared "
                "with a golden of its class: a gate that checked nothing never passes");
  cmd->add_flag("--markdown-append", options.markdown_append,
                "Append the Markdown summary to FILE instead of replacing it (always so when "
                "FILE is $GITHUB_STEP_SUMMARY)");
  cmd->add_option("--design", options.design,
                  "ofat: baseline, repeat, one axis varied at a time; full: every combination "
                  "(default: the suite's)")
      ->check(CLI::IsMember({"ofat", "full"}));
  cmd->add_option("--shard", options.shard,
                  "i/N: run shard i of N (0 <= i < N; cells by matrix position modulo N), plus "
                  "the baseline to compare with")
      ->type_name("i/N");
  cmd->add_option("--html", options.html,
                  "Write a self-contained HTML report (with the history trend) to FILE")
      ->type_name("FILE");
  cmd->add_flag("--keep-runs", options.keep_runs,
                "Keep .repro/runs/<time>-<suite>/ (configs, traces, worker logs) after a "
                "successful run");
  cmd->add_flag("--no-fork-server", options.no_fork_server,
                "Start a fresh worker process for every cell and re-run instead of forking "
                "them from one loaded worker per environment (same bits, slower; "
                "docs/benchmarks.md)");
  cmd->add_flag("--no-history", options.no_history,
                "Do not append a row to .repro/history.sqlite (a --shard run never does: "
                "`repro-check merge --history` records the merged run once)");
  cmd->add_option("--repeats", options.repeats,
                  "Run the baseline's settings N more times (default 1; PR suites >= 2, nightly "
                  ">= 5). Repeats start at least 1 s apart, each with its own TMPDIR, so "
                  "time-seeded randomness and temp-path effects differ; the report says how "
                  "many agreed")
      ->type_name("N")
      ->check(CLI::Range(1, 100));
  cmd->add_flag("--localize{on},--no-localize{off}", options.localize,
                "--localize: name the first divergent ATen op (op, module, pass, |Δ|, ULP) of "
                "the first divergence of each breaking axis and of the repeat, by re-running "
                "both cells with op tracing, whatever it costs. Default: only when one "
                "localization is estimated under 5 s. --no-localize: never");
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    out.push_back(item);
  }
  if (!text.empty() && text.back() == ',') {
    out.emplace_back();
  }
  return out;
}

RunOverrides overrides_from(const RunOptions& options) {
  RunOverrides o;
  if (!options.matrix.empty()) {
    o.devices = split_commas(options.matrix);
    for (const auto& d : o.devices) {
      if (d.empty()) {
        throw Error("--matrix", "", "empty device in '" + options.matrix + "' (e.g. gpu,cpu)");
      }
    }
  }
  for (const auto& axis : options.axes) {
    o.axes.push_back(parse_axis_option(axis));
  }
  if (!options.design.empty()) {
    o.design = design_from_string(options.design, "--design", "");
  }
  if (!options.shard.empty()) {
    o.shard = parse_shard(options.shard, "--shard");
  }
  o.repeats = options.repeats;
  return o;
}

// Fails (exit 2) before any cell runs when a report file could not be written later.
void check_report_targets(const RunOptions& options) {
  for (const auto& [path, flag] :
       {std::pair{&options.json, "--json"}, std::pair{&options.junit, "--junit"},
        std::pair{&options.markdown, "--markdown"}, std::pair{&options.html, "--html"}}) {
    if (!path->empty()) {
      check_output_target(*path, flag);
    }
  }
}

}  // namespace

void add_run_command(CLI::App& app, RunOptions& options) {
  auto* cmd = app.add_subcommand(
      "run",
      "Run a suite's matrix of cells (one worker process each), compare every cell bit for "
      "bit with the baseline and with the golden digests, and name the setting that broke "
      "bit-equality, with the step and the tensor");
  add_run_options(cmd, options);
  cmd->footer(k_run_examples);
}

void add_matrix_shortcut(CLI::App& app, RunOptions& options) {
  auto* group = app.add_option_group(
      "matrix shortcut",
      "repro-check --matrix gpu,cpu [options] is repro-check run --suite smoke --matrix "
      "gpu,cpu [options]");
  add_run_options(group, options);
}

int run_run(const CommonOptions& common, const RunOptions& options) {
  RunOverrides overrides = overrides_from(options);
  check_report_targets(options);
  std::filesystem::path root = project_root(common);
  Suite suite = find_suite(root, options.suite);
  GoldenStore golden(root / "golden");
  validate_goldens(golden, suite.name);

  const std::optional<RunPlan> provisional = provisional_plan(suite, overrides);
  RunSetup setup = prepare_run_setup(common, suite.workload, !options.no_fork_server,
                                     provisional ? &*provisional : nullptr);
  RunPlan plan =
      plan_run(std::move(suite), overrides, setup.availability ? &*setup.availability : nullptr);
  if (!common.quiet) {
    print_plan_notes(plan, std::cerr);
  }
  ExecuteOptions execute;
  execute.jobs = options.jobs;
  execute.quiet = common.quiet;
  execute.golden = &golden;
  GoldenGateOptions gate;
  if (!options.require_golden.empty()) {
    gate.require = golden_requirement_from_string(options.require_golden, "--require-golden");
  }
  gate.skip_without_golden = options.skip_without_golden;
  execute.require_golden = gate.require == GoldenRequirement::all;
  execute.localize = options.localize;
  execute.report_interrupted = true;  // nothing lost: the finished cells are reported
  auto executed = execute_plan(setup, plan, execute);
  if (!executed) {
    return interrupted_exit_code();
  }
  const SuiteRunResult& result = executed->result;
  const std::filesystem::path& run_dir = executed->run_dir;
  RunReport report = result.report;
  apply_golden_gate(report, gate);
  if (!report.interrupted_by.empty()) {
    report.exit_code = interrupted_exit_code();  // the gate judged only what finished
    report.pass = false;
  }
  report.plan = plan_identity(plan, overrides.shard, std::string(to_string(gate.require)),
                              gate.skip_without_golden);
  attach_cell_metrics(report, result.runs);

  std::vector<HistoryRow> recent;
  if (!options.no_history && !overrides.shard) {
    // The history is a record, not part of the verdict: a locked or broken history file
    // costs its row, never the run's exit code.
    try {
      History history(default_history_path(setup.root));
      history.append(history_row(report, report_time()));
      if (!options.html.empty()) {
        recent = history.last(plan.suite.name, 60);
      }
    } catch (const Error& e) {
      std::cerr << "repro-check: warning: no history row written: " << e.what() << "\n";
    }
  }

  // Report files first, so the verdict line printed below is the exit code returned.
  std::optional<Error> write_failure;
  try {
    ReportFiles files{options.json, options.junit, options.markdown, options.html,
                      options.markdown_append};
    write_report_files(report, files, recent);
  } catch (const Error& e) {
    write_failure = e;
  }
  RunReport shown = report;
  if (write_failure) {
    shown.exit_code = k_exit_usage;
    shown.pass = false;
  }

  TerminalOptions terminal;
  terminal.colour = colour_wanted(STDOUT_FILENO);
  terminal.quiet = common.quiet;
  write_terminal_report(std::cout, shown, terminal);
  std::cout << std::flush;
  if (github_actions_enabled()) {
    write_github_annotations(std::cout, shown);
    std::cout << std::flush;
  }
  if (write_failure) {
    std::cerr << "repro-check: error: " << write_failure->what() << "\n";
  }

  finish_run_directory(run_dir, result.runs, options.keep_runs, std::cerr);
  return shown.exit_code;
}

}  // namespace repro
