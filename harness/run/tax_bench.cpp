// TaxBench: paired fresh worker runs per thread count, medians, paired bootstrap.
#include "harness/run/tax_bench.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "harness/run/worker_exit.hpp"
#include "harness/trace/trace.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/str_cat.hpp"
#include "harness/util/subprocess.hpp"

namespace repro {
namespace {

// One fresh worker run of `mode` at `threads`; the median of its measured steps (ms).
double timed_run(const TaxBenchOptions& o, const std::string& mode, int threads, int pair) {
  Settings settings = {{"threads", std::to_string(threads)}};
  WorkerConfig config = cell_config(o.workload, settings);
  config.train.mode = mode;
  config.train.steps = o.warmup_steps + o.measured_steps;
  config.eval.enabled = false;
  const auto dir =
      o.work_dir / str_cat("t", std::to_string(threads), "-", mode, "-", std::to_string(pair));
  std::error_code ec;
  std::filesystem::create_directories(dir / "tmp", ec);
  if (ec) {
    throw Error(dir.string(), "", "cannot create the run folder: " + ec.message());
  }
  write_file_atomic(dir / k_cell_config_file, to_json(config).dump(2) + "\n", Durability::scratch);
  ProcessSpec spec;
  spec.program = o.launch.default_worker;
  spec.args = {"--config", (dir / k_cell_config_file).string(), "--trace",
               (dir / k_cell_trace_file).string(), "--quiet"};
  spec.env = cell_environment(settings, config, o.launch);
  spec.env["TMPDIR"] = (dir / "tmp").string();
  spec.stdout_path = dir / "stdout";
  spec.stderr_path = dir / "stderr";
  spec.timeout = o.timeout;
  ProcessResult r = run_process(spec, o.cancelled);
  if (r.cancelled) {
    throw Error(dir.string(), "", "interrupted");
  }
  if (!r.started || r.timed_out || r.signal != 0 || r.exit_code != 0) {
    const std::string tail = stderr_summary(spec.stderr_path);
    throw Error(dir.string(), mode + "@" + std::to_string(threads),
                "the worker failed: " + r.describe() + (tail.empty() ? "" : ": " + tail));
  }
  const Trace trace = read_trace(dir / k_cell_trace_file);
  std::vector<double> measured;
  for (size_t step = static_cast<size_t>(o.warmup_steps); step < trace.step_time_ms.size();
       ++step) {
    measured.push_back(trace.step_time_ms[step]);
  }
  if (measured.size() != static_cast<size_t>(o.measured_steps)) {
    throw Error((dir / k_cell_trace_file).string(), "timing",
                "expected " + std::to_string(o.measured_steps) + " measured step timings, found " +
                    std::to_string(measured.size()));
  }
  const double median = median_of(measured);
  if (o.progress) {
    char line[160];
    std::snprintf(line, sizeof line, "pair %d/%d  threads=%d  %-6s  median step %.2f ms", pair + 1,
                  o.pairs, threads, mode.c_str(), median);
    o.progress(line);
  }
  return median;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return in ? one + " " + five + " " + fifteen : "";
}

}  // namespace

TaxBenchResult run_tax_bench(const TaxBenchOptions& o) {
  TaxBenchResult result;
  for (int threads : o.threads) {
    TaxRow row;
    row.threads = threads;
    for (int pair = 0; pair < o.pairs; ++pair) {
      // Alternate which mode goes first, so a drift in machine load favours neither.
      if (pair % 2 == 0) {
        row.fast_ms.push_back(timed_run(o, "fast", threads, pair));
        row.strict_ms.push_back(timed_run(o, "strict", threads, pair));
      } else {
        row.strict_ms.push_back(timed_run(o, "strict", threads, pair));
        row.fast_ms.push_back(timed_run(o, "fast", threads, pair));
      }
    }
    row.strict_over_fast =
        paired_bootstrap_ratio(row.fast_ms, row.strict_ms, o.resamples, o.confidence);
    result.rows.push_back(std::move(row));
  }
  return result;
}

nlohmann::json tax_bench_json(const TaxBenchOptions& o, const TaxBenchResult& result,
                              const std::string& created_utc) {
  nlohmann::json j;
  j["format_version"] = k_tax_bench_format_version;
  j["created_utc"] = created_utc;
  j["suite"] = o.suite;
  j["workload"] = to_json(o.workload);
  j["protocol"] = {{"pairs", o.pairs},
                   {"warmup_steps", o.warmup_steps},
                   {"measured_steps", o.measured_steps},
                   {"statistic", "median measured step time per run; ratio of means over pairs"},
                   {"interval", "paired percentile bootstrap"},
                   {"resamples", o.resamples},
                   {"confidence", o.confidence}};
  j["load_average_after"] = load_average();
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : result.rows) {
    rows.push_back({{"threads", row.threads},
                    {"fast_ms", row.fast_ms},
                    {"strict_ms", row.strict_ms},
                    {"strict_over_fast", row.strict_over_fast.ratio},
                    {"low", row.strict_over_fast.low},
                    {"high", row.strict_over_fast.high}});
  }
  j["rows"] = std::move(rows);
  return j;
}

std::string tax_bench_table(const TaxBenchOptions& o, const TaxBenchResult& result) {
  std::ostringstream out;
  char line[200];
  std::snprintf(line, sizeof line, "  %-7s  %12s  %12s  %s\n", "THREADS", "FAST MS", "STRICT MS",
                "STRICT/FAST");
  out << line;
  for (const auto& row : result.rows) {
    const auto& r = row.strict_over_fast;
    std::snprintf(line, sizeof line, "  %-7d  %12.2f  %12.2f  %.3f [%.3f, %.3f]\n", row.threads,
                  median_of(row.fast_ms), median_of(row.strict_ms), r.ratio, r.low, r.high);
    out << line;
  }
  std::snprintf(line, sizeof line,
                "  (%d pairs of fresh processes per row, %d warm-up + %d measured steps; medians "
                "of the pairs; %.0f%% paired bootstrap interval, %d resamples)\n",
                o.pairs, o.warmup_steps, o.measured_steps, 100 * o.confidence, o.resamples);
  out << line;
  return out.str();
}

}  // namespace repro
