// ProcessRunner: starts workers with posix_spawn (util/subprocess), polls them, classifies the end.
#include "harness/process_runner.hpp"

#include <sched.h>

#include <algorithm>
#include <ctime>
#include <deque>
#include <memory>
#include <sstream>
#include <thread>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"

namespace repro {
namespace {

constexpr const char* k_config_file = "config.json";
constexpr const char* k_trace_file = "trace.jsonl";
constexpr size_t k_stderr_lines = 6;

// The last few non-empty lines of a worker's stderr, joined with " | " for a one-line reason.
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
      lines.push_back(line);
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

// What the worker's exit codes mean (docs/trace-format.md).
std::string describe_exit(const ProcessResult& result) {
  std::string text = result.describe();
  if (result.started && !result.timed_out && result.signal == 0) {
    if (result.exit_code == 2) {
      text += " (worker rejected its config)";
    } else if (result.exit_code == 3) {
      text += " (worker runtime failure)";
    }
  }
  return text;
}

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
  }
}

}  // namespace

std::string sanitize_cell_id(std::string_view id) {
  std::string out;
  for (char c : id) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '=' || c == '+' || c == '-';
    out += keep ? c : '_';
    if (out.size() == 80) {
      break;
    }
  }
  return out.empty() ? "cell" : out;
}

std::filesystem::path create_run_directory(const std::filesystem::path& root,
                                           const std::string& suite,
                                           std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  auto runs = root / ".repro" / "runs";
  std::error_code ec;
  std::filesystem::create_directories(runs, ec);
  if (ec) {
    throw Error(runs.string(), "", "cannot create the runs folder: " + ec.message());
  }
  std::string base = std::string(stamp) + "-" + sanitize_cell_id(suite);
  for (int n = 1;; ++n) {
    auto dir = runs / (n == 1 ? base : base + "-" + std::to_string(n));
    // create_directory is atomic: two runs started in the same second get different folders.
    if (std::filesystem::create_directory(dir, ec)) {
      return dir;
    }
    if (ec) {
      throw Error(dir.string(), "", "cannot create the run folder: " + ec.message());
    }
  }
}

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    return std::max(1, CPU_COUNT(&set));
  }
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

int default_jobs(const std::vector<Cell>& cells, const WorkerConfig& workload, int cores) {
  int most = 1;
  for (const auto& cell : cells) {
    most = std::max(most, cell_config(workload, cell.settings).settings.threads);
  }
  return std::max(1, cores / most);
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

ProcessRunner::ProcessRunner(ProcessRunnerOptions options) : m_options(std::move(options)) {
  m_options.jobs = std::max(1, m_options.jobs);
}

std::filesystem::path ProcessRunner::cell_dir(const Cell& cell) const {
  if (auto it = m_cell_dirs.find(cell.id); it != m_cell_dirs.end()) {
    return it->second;
  }
  return m_options.run_dir / sanitize_cell_id(cell.id);
}

CellRun ProcessRunner::finish_cell(const Cell& cell, const std::filesystem::path& dir,
                                   const ProcessResult& result) const {
  CellRun run;
  run.cell = cell;
  run.trace_path = dir / k_trace_file;
  run.wall_seconds = result.wall_seconds;
  auto stderr_path = dir / "stderr";
  auto with_stderr = [&](std::string text) {
    std::string tail = stderr_summary(stderr_path);
    return tail.empty() ? text : text + ": " + tail;
  };
  // What a crashed or killed worker left behind is still worth showing.
  auto attach_partial = [&] {
    std::string ignored;
    auto partial = dir / (std::string(k_trace_file) + ".partial");
    run.trace = try_read_trace(partial, &ignored);
    if (!run.trace) {
      run.trace = try_read_trace(run.trace_path, &ignored);
    }
  };

  if (result.timed_out) {
    run.status = RunStatus::timeout;
    run.reason = "no result within the suite's cell_timeout_s (" +
                 std::to_string(m_options.cell_timeout.count() / 1000) + " s)";
    attach_partial();
    return run;
  }
  if (!result.started) {
    run.status = RunStatus::crashed;
    run.reason = result.describe();
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

std::vector<CellRun> ProcessRunner::run(const std::vector<Cell>& cells,
                                        const ProgressCallback& progress) {
  struct Active {
    size_t index;
    std::filesystem::path dir;
    std::unique_ptr<Process> process;
  };
  std::vector<CellRun> runs(cells.size());
  std::vector<bool> finished(cells.size(), false);
  std::deque<size_t> pending;
  std::vector<Active> active;
  RunProgress state;
  state.total = cells.size();

  auto report = [&](size_t index, bool just_finished) {
    if (progress) {
      RunProgress p = state;
      p.cell = &cells[index];
      p.finished = just_finished ? &runs[index] : nullptr;
      progress(p);
    }
  };
  auto complete = [&](size_t index, CellRun run) {
    runs[index] = std::move(run);
    finished[index] = true;
    ++state.done;
    report(index, /*just_finished=*/true);
  };

  std::filesystem::create_directories(m_options.run_dir);
  int width = cells.size() > 99 ? 3 : 2;
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string number = std::to_string(i);
    number.insert(0, static_cast<size_t>(std::max(0, width - static_cast<int>(number.size()))),
                  '0');
    m_cell_dirs[cells[i].id] = m_options.run_dir / (number + "-" + sanitize_cell_id(cells[i].id));
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    std::optional<std::string> reason;
    if (m_options.skip_reason) {
      reason = m_options.skip_reason(cells[i]);
    }
    if (reason) {
      CellRun run;
      run.cell = cells[i];
      run.status = RunStatus::skipped;
      run.reason = *reason;
      complete(i, std::move(run));
    } else {
      pending.push_back(i);
    }
  }

  auto start = [&](size_t index) {
    const Cell& cell = cells[index];
    auto dir = m_cell_dirs.at(cell.id);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      throw Error(dir.string(), "", "cannot create the cell folder: " + ec.message());
    }
    CellLaunch launch;
    try {
      launch = plan_cell_launch(cell, m_options.workload, m_options.launch, dir / k_config_file,
                                dir / k_trace_file);
    } catch (const Error& e) {
      CellRun run;
      run.cell = cell;
      run.status = RunStatus::skipped;
      run.reason = e.what();
      complete(index, std::move(run));
      return;
    }
    write_file_atomic(dir / k_config_file, to_json(launch.config).dump(2) + "\n");
    ProcessSpec spec;
    spec.program = launch.program;
    spec.args = launch.args;
    spec.env = launch.env;
    spec.stdout_path = dir / "stdout";
    spec.stderr_path = dir / "stderr";
    spec.timeout = m_options.cell_timeout;
    auto process = std::make_unique<Process>(spec);
    if (!process->started()) {
      complete(index, finish_cell(cell, dir, process->wait()));
      return;
    }
    active.push_back({index, dir, std::move(process)});
    ++state.running;
    report(index, /*just_finished=*/false);
  };

  while (!pending.empty() || !active.empty()) {
    if (m_options.cancelled && m_options.cancelled()) {
      for (auto& a : active) {
        a.process.reset();  // SIGKILL to the worker's process group, then reaped
        pending.push_back(a.index);
      }
      state.running = 0;
      active.clear();
      for (size_t index : pending) {
        CellRun run;
        run.cell = cells[index];
        run.status = RunStatus::crashed;
        run.reason = "interrupted";
        complete(index, std::move(run));
      }
      pending.clear();
      break;
    }
    while (!pending.empty() && active.size() < static_cast<size_t>(m_options.jobs)) {
      size_t index = pending.front();
      pending.pop_front();
      start(index);
    }
    bool any_finished = false;
    for (auto it = active.begin(); it != active.end();) {
      if (auto result = it->process->poll()) {
        size_t index = it->index;
        CellRun run = finish_cell(cells[index], it->dir, *result);
        it = active.erase(it);
        --state.running;
        complete(index, std::move(run));
        any_finished = true;
      } else {
        ++it;
      }
    }
    if (!any_finished && !active.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return runs;
}

std::optional<TensorDump> ProcessRunner::dump(const Cell& cell, int step, std::string* error) {
  auto key = std::make_pair(cell.id, step);
  if (auto it = m_dumps.find(key); it != m_dumps.end()) {
    return it->second;
  }
  auto dir = cell_dir(cell);
  auto dump_dir = dir / ("dump-step-" + std::to_string(step));
  auto fail = [&](const std::string& why) -> std::optional<TensorDump> {
    if (error != nullptr) {
      *error = "cannot dump step " + std::to_string(step) + " of " + cell.id + ": " + why;
    }
    return std::nullopt;
  };
  try {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::filesystem::remove_all(dump_dir, ec);
    std::filesystem::create_directories(dump_dir, ec);
    if (ec) {
      return fail("cannot create " + dump_dir.string() + ": " + ec.message());
    }
    auto config_path = dir / k_config_file;
    CellLaunch launch = plan_cell_launch(cell, m_options.workload, m_options.launch, config_path,
                                         dump_dir / k_trace_file);
    write_file_atomic(config_path, to_json(launch.config).dump(2) + "\n");
    ProcessSpec spec;
    spec.program = launch.program;
    spec.args = dump_args(config_path, dump_dir / k_trace_file, step, dump_dir);
    spec.env = launch.env;
    spec.stdout_path = dump_dir / "stdout";
    spec.stderr_path = dump_dir / "stderr";
    spec.timeout = m_options.cell_timeout;
    if (m_options.cancelled && m_options.cancelled()) {
      return fail("interrupted");
    }
    Process process(spec);
    std::optional<ProcessResult> ended;
    while (!(ended = process.poll())) {
      if (m_options.cancelled && m_options.cancelled()) {
        return fail("interrupted");  // ~Process kills the worker's process group
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const ProcessResult& result = *ended;
    if (!result.started || result.timed_out || result.signal != 0 || result.exit_code != 0) {
      std::string tail = stderr_summary(spec.stderr_path);
      return fail(describe_exit(result) + (tail.empty() ? "" : ": " + tail));
    }
    TensorDump dump = read_tensor_dump(dump_dir);
    m_dumps.emplace(key, dump);
    return dump;
  } catch (const Error& e) {
    return fail(e.what());
  }
}

}  // namespace repro
