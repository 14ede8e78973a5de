// TaxBench: the determinism tax, measured as Megatron-LM measures it: for each thread count,
// fast and strict mode as paired fresh worker processes, warm-up steps then measured steps,
// strict/fast with a paired bootstrap confidence interval.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/cell_launch.hpp"
#include "harness/run/paired_bootstrap.hpp"
#include "harness/trace/worker_config.hpp"

namespace repro {

inline constexpr int k_tax_bench_format_version = 1;

struct TaxBenchOptions {
  std::string suite;      // for the report
  WorkerConfig workload;  // the suite's; mode, steps and evaluation are set per run
  LaunchContext launch;   // the default worker runs every process, fresh (no fork server)
  std::vector<int> threads = {1, 2};
  int pairs = 5;            // fast/strict pairs per thread count (order alternates per pair)
  int warmup_steps = 20;    // not measured
  int measured_steps = 50;  // each run's value: the median of these steps' times
  int resamples = 10000;
  double confidence = 0.95;
  std::filesystem::path work_dir;  // per-run folders (config, trace, logs)
  std::chrono::milliseconds timeout{std::chrono::seconds(1200)};  // per worker run
  std::function<bool()> cancelled;                                // may be empty
  std::function<void(const std::string&)> progress;               // one line per run; may be empty
};

struct TaxRow {
  int threads = 0;
  std::vector<double> fast_ms;    // per pair: median measured step time of the fast run
  std::vector<double> strict_ms;  // per pair: the strict run's
  RatioInterval strict_over_fast;
};

struct TaxBenchResult {
  std::vector<TaxRow> rows;  // one per thread count, in the order asked
};

// Runs the protocol. Throws repro::Error when a worker run fails (naming the run folder and
// the worker's last stderr lines) or is cancelled.
TaxBenchResult run_tax_bench(const TaxBenchOptions& options);

// The versioned record (docs/benchmarks.md, "Determinism tax"): format_version, time, suite,
// workload, protocol, rows (threads, per-pair medians, ratio, interval), load averages.
nlohmann::json tax_bench_json(const TaxBenchOptions& options, const TaxBenchResult& result,
                              const std::string& created_utc);

// The table the command prints: one line per thread count, "strict/fast 0.48 [0.44, 0.53]".
std::string tax_bench_table(const TaxBenchOptions& options, const TaxBenchResult& result);

}  // namespace repro
