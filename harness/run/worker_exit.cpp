// WorkerExit: classifies a finished worker from its exit, its stderr and its trace.
#include "harness/run/worker_exit.hpp"

#include <algorithm>
#include <optional>
#include <sstream>

#include "harness/run/cell_launch.hpp"
#include "harness/trace/trace.hpp"
#include "harness/util/error.hpp"
#include "harness/util/printable.hpp"

namespace repro {
namespace {

constexpr size_t k_stderr_lines = 6;

// Reads a trace that may be absent or torn; nullopt (with `error`) when unreadable.
std::optional<Trace> try_read_trace(const std::filesystem::path& path, std::string* error) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    *error = "no trace at " + path.string();
    return std::nullopt;
  }
  try {
    return read_trace(path);
  } catch (const Error& e) {
    *error = std::string("trace unreadable: ") + e.what();
    return std::nullopt;
  } catch (const std::exception& e) {
    // Never lose the run to one cell's trace (out of memory, a library's exception).
    *error = "trace unreadable: " + path.string() + ": " + e.what();
    return std::nullopt;
  }
}

}  // namespace

std::string stderr_summary(const std::filesystem::path& path) {
  std::string tail = file_tail(path, 4000);
  std::vector<std::string> lines;
  std::istringstream in(tail);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
      line.pop_back();
    }
    if (!line.empty()) {
      lines.push_back(printable(line));  // no ANSI escapes or raw bytes into reports
    }
  }
  if (lines.size() > k_stderr_lines) {
    lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(k_stderr_lines));
  }
  std::string out;
  for (const auto& l : lines) {
    out += (out.empty() ? "" : " | ") + l;
  }
  return out;
}

std::string describe_exit(const ProcessResult& result) {
  std::string text = printable(result.describe());
  if (result.started && !result.timed_out && result.signal == 0) {
    if (result.exit_code == 2) {
      text += " (input error: the worker rejected its config or an input file)";
    } else if (result.exit_code == 3) {
      text += " (worker runtime failure, e.g. an output file could not be written)";
    }
  }
  return text;
}

std::string skip_line_reason(const std::string& stderr_text) {
  std::istringstream in(stderr_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("skip:", 0) == 0) {
      line.erase(0, 5);
      while (!line.empty() && (line.front() == ' ')) {
        line.erase(0, 1);
      }
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
        line.pop_back();
      }
      return line;
    }
  }
  return "";
}

double median_step_time_ms(const std::vector<double>& step_time_ms) {
  std::vector<double> times;
  for (double t : step_time_ms) {
    if (t > 0) {
      times.push_back(t);
    }
  }
  if (times.empty()) {
    return 0;
  }
  std::sort(times.begin(), times.end());
  size_t mid = times.size() / 2;
  return times.size() % 2 == 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
}

CellRun cell_run_from_exit(const Cell& cell, const std::filesystem::path& dir,
                           const ProcessResult& result, std::chrono::milliseconds cell_timeout) {
  CellRun run;
  run.cell = cell;
  run.trace_path = dir / k_cell_trace_file;
  run.wall_seconds = result.wall_seconds;
  auto stderr_path = dir / "stderr";
  auto with_stderr = [&](std::string text) {
    std::string tail = stderr_summary(stderr_path);
    return tail.empty() ? text : text + ": " + tail;
  };
  // What a crashed or killed worker left behind is still worth showing.
  auto attach_partial = [&] {
    std::string ignored;
    auto partial = dir / (std::string(k_cell_trace_file) + ".partial");
    run.trace = try_read_trace(partial, &ignored);
    if (!run.trace) {
      run.trace = try_read_trace(run.trace_path, &ignored);
    }
  };

  if (result.timed_out) {
    run.status = RunStatus::timeout;
    run.reason = "no result within the suite's cell_timeout_s (" +
                 std::to_string(cell_timeout.count() / 1000) + " s)";
    attach_partial();
    return run;
  }
  if (!result.started) {
    run.status = RunStatus::crashed;
    run.reason = printable(result.describe());
    return run;
  }
  if (result.signal == 0 && result.exit_code == 77) {
    run.status = RunStatus::skipped;
    std::string reason = skip_line_reason(file_tail(stderr_path, 1 << 16));
    run.reason =
        reason.empty() ? "the worker cannot run this cell here (exit 77, no skip line)" : reason;
    return run;
  }
  if (result.signal != 0 || result.exit_code != 0) {
    run.status = RunStatus::crashed;
    run.input_error = result.signal == 0 && result.exit_code == 2;
    run.reason = with_stderr(describe_exit(result));
    attach_partial();
    return run;
  }
  std::string error;
  run.trace = try_read_trace(run.trace_path, &error);
  run.status = RunStatus::crashed;
  if (!run.trace) {
    run.reason = with_stderr("exit 0 but " + error);
    attach_partial();
    return run;
  }
  if (!run.trace->complete) {
    run.reason = "exit 0 but the trace has no end record";
    return run;
  }
  if (run.trace->end_status != "ok") {
    run.reason = "the worker ended its trace with status '" + run.trace->end_status + "'";
    return run;
  }
  run.step_time_ms = median_step_time_ms(run.trace->step_time_ms);
  try {
    Fingerprint fp =
        fingerprint_from_json(run.trace->header.fingerprint, run.trace_path.string() + ": header");
    if (auto mismatch = settings_mismatch(cell.settings, fp)) {
      run.reason = "settings did not take effect: " + *mismatch;
      return run;
    }
  } catch (const Error& e) {
    run.reason = std::string("trace header fingerprint unreadable: ") + e.what();
    return run;
  }
  run.status = RunStatus::ran;
  return run;
}

}  // namespace repro
