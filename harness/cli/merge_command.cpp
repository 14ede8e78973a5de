// `repro-check merge`: reads shard reports, merges them, renders every format.
#include "harness/cli/merge_command.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "harness/report/github_annotations.hpp"
#include "harness/report/history.hpp"
#include "harness/report/json_report_reader.hpp"
#include "harness/report/report_files.hpp"
#include "harness/report/shard_merge.hpp"
#include "harness/report/terminal_report.hpp"

namespace repro {

namespace {

constexpr const char* k_merge_examples = R"TEXT(
Examples:
  repro-check run --suite nightly --shard 0/2 --json s0.json     (one machine)
  repro-check run --suite nightly --shard 1/2 --json s1.json     (another)
  repro-check merge s0.json s1.json --json nightly.json --junit nightly.xml \
      --markdown "$GITHUB_STEP_SUMMARY" --history .repro/history.sqlite
      the report an unsharded run gives: every cell once (the baseline from shard 0),
      attribution, culprit and exit code decided over the whole matrix

Every shard must come from the same plan (same suite, overrides and --require-golden:
the reports' plan.hash) and the same environment class, and every shard 0..N-1 must be
given exactly once; merge refuses anything else (exit 2). Exit code: the merged run's.)TEXT";

}  // namespace

void add_merge_command(CLI::App& app, MergeOptions& options) {
  auto* cmd = app.add_subcommand(
      "merge",
      "Merge the JSON reports of `run --shard i/N` into the report of the whole matrix, "
      "exactly as one unsharded run would have reported it");
  cmd->add_option("reports", options.inputs, "Shard JSON reports (run --shard i/N --json FILE)")
      ->type_name("SHARD.json")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--json", options.json, "Write the merged JSON report to FILE")
      ->type_name("FILE");
  cmd->add_option("--junit", options.junit, "Write a JUnit XML report to FILE")->type_name("FILE");
  cmd->add_option("--markdown", options.markdown,
                  "Write a Markdown summary to FILE (appended when FILE is $GITHUB_STEP_SUMMARY)")
      ->type_name("FILE");
  cmd->add_flag("--markdown-append", options.markdown_append,
                "Append the Markdown summary instead of replacing FILE");
  cmd->add_option("--html", options.html, "Write a self-contained HTML report to FILE")
      ->type_name("FILE");
  cmd->add_option("--history", options.history,
                  "Append the merged run (one row, not one per shard) to this history database")
      ->type_name("DB");
  cmd->footer(k_merge_examples);
}

int run_merge(const CommonOptions& common, const MergeOptions& options) {
  std::vector<ShardReport> shards;
  for (const auto& file : options.inputs) {
    shards.push_back({file, load_json_report(file)});
  }
  RunReport report = merge_shard_reports(shards);

  TerminalOptions terminal;
  terminal.colour = colour_wanted(STDOUT_FILENO);
  terminal.quiet = common.quiet;
  write_terminal_report(std::cout, report, terminal);
  if (github_actions_enabled()) {
    write_github_annotations(std::cout, report);
  }
  std::cout << std::flush;

  std::vector<HistoryRow> recent;
  if (!options.history.empty()) {
    History history(options.history);
    history.append(history_row(report, report_time()));
    recent = history.last(report.suite, 60);
  }
  ReportFiles files{options.json, options.junit, options.markdown, options.html,
                    options.markdown_append};
  write_report_files(report, files, recent);
  return report.exit_code;
}

}  // namespace repro
