// `repro-check bench`: suite workload -> paired fast/strict runs -> table and JSON record.
#include "harness/cli/bench_command.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "harness/plan/suite.hpp"
#include "harness/run/process_runner.hpp"
#include "harness/run/tax_bench.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/util/subprocess.hpp"
#include "harness/util/utc_time.hpp"

namespace repro {

void add_bench_command(CLI::App& app, BenchOptions& options) {
  auto* cmd = app.add_subcommand(
      "bench",
      "Measure the determinism tax: for each thread count, fast and strict mode as paired "
      "fresh worker processes (warm-up steps, then measured steps), strict/fast with a paired "
      "bootstrap confidence interval (Megatron-LM's protocol; docs/benchmarks.md)");
  cmd->add_option("--suite", options.suite, "Suite whose workload is measured (suites/NAME.json)")
      ->type_name("NAME")
      ->capture_default_str();
  cmd->add_option("--threads", options.threads,
                  "Thread counts, comma-separated (default: the suite's threads axis, else 1,2)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber)
      ->type_name("T1,T2");
  cmd->add_option("--pairs", options.pairs, "fast/strict pairs per thread count")
      ->check(CLI::Range(2, 100))
      ->capture_default_str();
  cmd->add_option("--warmup", options.warmup, "Warm-up steps per run (not measured)")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  cmd->add_option("--steps", options.steps, "Measured steps per run")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--json", options.json,
                  "Write the record here (default ROOT/.repro/bench/<UTC>-<suite>.json)")
      ->type_name("FILE");
  cmd->add_flag("--keep-runs", options.keep_runs,
                "Keep the runs' folders (configs, traces, logs) under .repro/runs/");
  cmd->footer(
      "\nExamples:\n"
      "  repro-check bench --suite nightly                 5 pairs at 1 and 2 threads, 20+50 "
      "steps\n"
      "  repro-check bench --suite smoke --pairs 3 --warmup 2 --steps 10 --threads 1,2\n"
      "\nPrints per thread count the median fast and strict step times and strict/fast with its\n"
      "95% interval; below 1, strict mode (bit-identical across thread counts) is faster.");
}

int run_bench(const CommonOptions& common, const BenchOptions& options) {
  const auto root = project_root(common);
  Suite suite = find_suite(root, options.suite);
  TaxBenchOptions bench;
  bench.suite = suite.name;
  bench.workload = suite.workload;
  bench.launch.default_worker = worker_path(common);
  bench.launch.parent_env = current_environment();
  bench.threads = options.threads;
  if (bench.threads.empty()) {
    for (const auto& axis : suite.axes) {
      if (axis.name == "threads") {
        for (const auto& value : axis.values) {
          bench.threads.push_back(std::stoi(value));
        }
      }
    }
  }
  if (bench.threads.empty()) {
    bench.threads = {1, 2};
  }
  bench.pairs = options.pairs;
  bench.warmup_steps = options.warmup;
  bench.measured_steps = options.steps;
  bench.timeout = std::chrono::seconds(suite.cell_timeout_s);
  const auto now = std::chrono::system_clock::now();
  bench.work_dir = create_run_directory(root, "bench-" + suite.name, now);
  const std::filesystem::path json_path =
      options.json.empty() ? root / ".repro" / "bench" /
                                 (sanitize_cell_id(bench.work_dir.filename().string()) + ".json")
                           : std::filesystem::path(options.json);
  install_interrupt_handler();
  bench.cancelled = [] { return interrupted(); };
  if (!common.quiet) {
    bench.progress = [](const std::string& line) { std::cerr << "repro-check: " << line << "\n"; };
    std::cerr << "repro-check: bench " << suite.name << ": " << bench.pairs
              << " fast/strict pairs per thread count, " << bench.warmup_steps << " warm-up + "
              << bench.measured_steps << " measured steps per run\n";
  }
  TaxBenchResult result;
  try {
    result = run_tax_bench(bench);
  } catch (const Error& e) {
    std::cerr << "repro-check: error: " << e.what() << " (runs kept in " << bench.work_dir.string()
              << ")\n";
    return interrupted() ? interrupted_exit_code() : k_exit_infrastructure;
  }
  std::cout << "determinism tax, suite " << suite.name << " (strict/fast step time)\n"
            << tax_bench_table(bench, result);
  std::error_code ec;
  std::filesystem::create_directories(json_path.parent_path(), ec);
  write_file_atomic(json_path, tax_bench_json(bench, result, utc_iso8601(now)).dump(2) + "\n");
  std::cout << "record: " << json_path.string() << "\n";
  if (!options.keep_runs) {
    std::filesystem::remove_all(bench.work_dir, ec);
  }
  return k_exit_ok;
}

}  // namespace repro
