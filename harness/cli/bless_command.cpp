// `repro-check bless`: run (or read a report), refuse unless reproducible, write per class.
#include "harness/cli/bless_command.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "harness/cli/run_setup.hpp"
#include "harness/report/terminal_report.hpp"
#include "harness/run/suite_run.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/util/git_head.hpp"
#include "harness/util/output_target.hpp"
#include "harness/util/utc_time.hpp"
#include "harness/verdict/golden_json.hpp"
#include "harness/verdict/golden_store.hpp"
#include "harness/verdict/run_report.hpp"

namespace repro {
namespace {

constexpr const char* k_bless_examples = R"TEXT(
Examples:
  repro-check bless --suite pr --reason "initial goldens for this machine"
  repro-check bless --suite pr --axis blas=openblas-pthread,atlas --reason "new BLAS cells"
      --axis and --design work exactly as in `run`: only the cells of that plan are
      blessed; every other cell already in the golden files stays as it is
  repro-check bless --suite smoke --axis device=cpu --axis seed=1 --axis threads=1 \
      --reason "learning rate 0.001 -> 0.002 (#123)"
      one cell (the command a golden mismatch prints to accept it)
  repro-check bless --from-report pr.json --reason "goldens for the CI runner's CPU"
      bless the digests a CI run's JSON report carries (its artifact): adds the goldens of
      that machine's classes without that machine
  git diff golden/    # one digest per line: review what changed, then commit

Each cell is stored under its own environment class (golden/<suite>/<class>.json): the
fingerprint fields that can change that cell's bits (docs/goldens.md). Every cell records
its provenance: time, reason, git commit, source and the fingerprint it ran with, plus the
workload config and its hash (a later workload change is reported field by field). bless
refuses when the repeat differs from the baseline: a run that is not reproducible under
identical settings has nothing to bless.)TEXT";

constexpr std::uintmax_t k_max_report_bytes = 256u << 20;

std::string list(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) {
    out += (out.empty() ? "" : "; ") + k;
  }
  return out;
}

RunOverrides bless_overrides(const BlessOptions& options) {
  RunOverrides o;
  for (const auto& axis : options.axes) {
    o.axes.push_back(parse_axis_option(axis));
  }
  if (!options.design.empty()) {
    o.design = design_from_string(options.design, "--design", "");
  }
  return o;
}

void write_blessed(const GoldenStore& store, const std::vector<GoldenFile>& goldens, bool force) {
  for (const auto& golden : goldens) {
    BlessResult blessed = store.bless(golden, force);
    std::cout << "blessed " << blessed.path.string() << ": " << golden.cells.size() << " cell(s)"
              << (blessed.replaced_corrupt ? " (replaced an unreadable golden)" : "") << "\n";
    if (!blessed.added.empty()) {
      std::cout << "  added: " << list(blessed.added) << "\n";
    }
    if (!blessed.changed.empty()) {
      std::cout << "  replaced (digests or workload changed): " << list(blessed.changed) << "\n";
    }
    if (!blessed.kept.empty()) {
      std::cout << "  kept as they were: " << list(blessed.kept) << "\n";
    }
  }
}

GoldenProvenance provenance(const std::filesystem::path& root, const std::string& reason,
                            const std::string& source) {
  GoldenProvenance p;
  p.blessed_at = utc_now_iso8601();
  p.reason = reason;
  p.commit = git_head_commit(root);
  p.source = source;
  return p;
}

int bless_from_report(const std::filesystem::path& root, const BlessOptions& options) {
  std::string file = options.from_report;
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    throw Error(file, "", "cannot read the report: " + ec.message());
  }
  if (size > k_max_report_bytes) {
    throw Error(file, "", "larger than 256 MiB: not a repro-check JSON report");
  }
  nlohmann::ordered_json report;
  try {
    report = nlohmann::ordered_json::parse(read_file(file));
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(file, "", "not valid JSON at byte " + std::to_string(e.byte));
  }
  JsonPath at{file, ""};
  if (!report.is_object() || !report.contains("format_version") ||
      !report["format_version"].is_number_integer() ||
      report["format_version"].get<int>() != k_run_report_format_version) {
    throw Error(file, "format_version",
                "expected a repro-check JSON report of format " +
                    std::to_string(k_run_report_format_version) + " (run --json FILE)");
  }
  if (!report.contains("suite") || !report["suite"].is_string()) {
    throw Error(file, "suite", "expected the suite name");
  }
  std::string suite = report["suite"].get<std::string>();
  if (!options.suite.empty() && options.suite != suite) {
    throw Error(file, "suite", "is '" + suite + "', but --suite says '" + options.suite + "'");
  }
  find_suite(root, suite);  // the suite must exist here
  if (report.contains("repeatable") && report["repeatable"].is_boolean() &&
      !report["repeatable"].get<bool>()) {
    std::cerr << "repro-check: not blessed: the report says the repeat differs from the "
                 "baseline: not reproducible under identical settings\n";
    return k_exit_determinism_broken;
  }
  if (!report.contains("cells") || !report["cells"].is_array()) {
    throw Error(file, "cells", "expected an array of cells");
  }
  std::vector<GoldenCandidate> candidates;
  for (size_t i = 0; i < report["cells"].size(); ++i) {
    const auto& cell = report["cells"][i];
    JsonPath cat = at.child("cells").index(i);
    if (!cell.is_object()) {
      throw Error(file, cat.field, "expected an object");
    }
    auto it = cell.find("golden_cell");
    if (it == cell.end() || it->is_null()) {
      continue;  // the repeat, or a cell that did not finish: nothing to bless
    }
    candidates.push_back(golden_candidate_from_json(*it, cat.child("golden_cell")));
  }
  if (candidates.empty()) {
    throw Error(file, "cells",
                "no cell carries digests (golden_cell): was the report written by a "
                "repro-check that records them, and did any cell finish?");
  }
  GoldenStore store(root / "golden");
  if (!options.force) {
    validate_goldens(store, suite);
  }
  std::string source = "report " + std::filesystem::path(file).filename().string();
  write_blessed(store, make_goldens(suite, candidates, provenance(root, options.reason, source)),
                options.force);
  return k_exit_ok;
}

}  // namespace

void add_bless_command(CLI::App& app, BlessOptions& options) {
  auto* cmd = app.add_subcommand(
      "bless",
      "Record a suite's digests as golden, each cell under its own environment class "
      "(golden/<suite>/<class>.json, written atomically, other cells kept); refuses when "
      "the repeat differs from the baseline");
  cmd->add_option("--suite", options.suite, "Suite to bless: suites/NAME.json")->type_name("NAME");
  cmd->add_option("--reason", options.reason,
                  "Why these digests are right (required; stored with every cell, shown in "
                  "reviews)")
      ->required();
  cmd->add_option("--axis", options.axes,
                  "NAME=V1,V2: replace (or add) an axis's values, as in `run`; repeatable")
      ->type_name("NAME=V1,V2")
      ->allow_extra_args(false);
  cmd->add_option("--design", options.design, "ofat or full (default: the suite's), as in `run`")
      ->check(CLI::IsMember({"ofat", "full"}));
  cmd->add_option("--from-report", options.from_report,
                  "Bless the digests of a JSON report (`run --json FILE`, e.g. a CI artifact) "
                  "instead of running")
      ->type_name("RUN.json");
  cmd->add_option(
         "--jobs,-j", options.jobs,
         "Workers at a time (default: one per core, while the running cells' threads fit the "
         "cores: a threads=2 cell runs alone on 2 cores)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--keep-runs", options.keep_runs,
                "Keep .repro/runs/<time>-<suite>/ (configs, traces, worker logs)");
  cmd->add_flag("--force", options.force,
                "Replace a golden file of this suite that is corrupt or of an older format "
                "(its cells are lost), and skip the up-front check of the other goldens");
  cmd->footer(k_bless_examples);
}

int run_bless(const CommonOptions& common, const BlessOptions& options) {
  std::filesystem::path root = project_root(common);
  if (options.reason.empty()) {
    throw Error("--reason", "", "say why these digests are right (it is stored with each cell)");
  }
  if (!options.from_report.empty()) {
    if (!options.axes.empty() || !options.design.empty()) {
      throw Error("--from-report", "",
                  "takes the report's cells: --axis and --design do not apply");
    }
    return bless_from_report(root, options);
  }
  if (options.suite.empty()) {
    throw Error("--suite", "", "required (or --from-report RUN.json)");
  }
  RunOverrides overrides = bless_overrides(options);
  Suite suite = find_suite(root, options.suite);
  GoldenStore store(root / "golden");
  check_output_directory(store.directory() / suite.name, "golden");
  if (!options.force) {
    validate_goldens(store, suite.name);
  }
  const std::optional<RunPlan> provisional = provisional_plan(suite, overrides);
  RunSetup setup =
      prepare_run_setup(common, suite.workload, true, provisional ? &*provisional : nullptr);
  RunPlan plan =
      plan_run(std::move(suite), overrides, setup.availability ? &*setup.availability : nullptr);
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
  std::vector<GoldenCandidate> candidates = golden_candidates(result.runs, *fingerprint);
  write_blessed(store,
                make_goldens(plan.suite.name, candidates, provenance(root, options.reason, "run")),
                options.force);
  return k_exit_ok;
}

}  // namespace repro
