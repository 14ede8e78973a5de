// WorkerExit: what a finished worker process means for its cell (ran, skipped, crashed, timeout).
//
// A cell's folder holds config.json (written by the runner), trace.jsonl (written by the
// worker through trace.jsonl.partial), stdout and stderr. Given how the worker ended:
//   exit 0 and a complete trace whose fingerprint shows the settings took effect -> ran;
//   exit 77 -> skipped, with the worker's "skip: <reason>" stderr line as reason;
//   killed at the time limit -> timeout; anything else (another exit code, a signal, could
//   not start, a missing, torn or unreadable trace, settings that did not take effect)
//   -> crashed, with the reason and the tail of stderr.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/util/subprocess.hpp"

namespace repro {

inline constexpr const char* k_cell_config_file = "config.json";
inline constexpr const char* k_cell_trace_file = "trace.jsonl";

// The CellRun of `cell` whose worker ran in `dir` and ended with `result`; `cell_timeout` is
// the limit it ran under (for the timeout reason). Never throws: an unreadable trace is a
// crash reason. A crashed or timed-out cell keeps whatever partial trace could be read.
CellRun cell_run_from_exit(const Cell& cell, const std::filesystem::path& dir,
                           const ProcessResult& result, std::chrono::milliseconds cell_timeout);

// result.describe() plus what the worker's exit codes mean (2: rejected its config, 3:
// runtime failure; docs/trace-format.md).
std::string describe_exit(const ProcessResult& result);

// The last few non-empty lines of a stderr file, joined with " | " (one-line reasons).
std::string stderr_summary(const std::filesystem::path& path);

// The reason text of a worker's "skip: <reason>" stderr line, or "" when there is none.
std::string skip_line_reason(const std::string& stderr_text);

// The median of the positive entries (steps without a timing are 0), 0 when none.
double median_step_time_ms(const std::vector<double>& step_time_ms);

}  // namespace repro
