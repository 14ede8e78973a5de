// ProcessRunner: spawns and polls workers; how each ended is judged by worker_exit.hpp.
#include "harness/run/process_runner.hpp"

#include <sched.h>

#include <algorithm>
#include <ctime>
#include <deque>
#include <memory>
#include <thread>

#include "harness/run/start_stagger.hpp"
#include "harness/run/worker_exit.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"

namespace repro {

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

bool within_thread_budget(int running, int threads, int budget) {
  return budget <= 0 || running == 0 || running + threads <= budget;
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

std::vector<CellRun> ProcessRunner::run(const std::vector<Cell>& cells,
                                        const ProgressCallback& progress) {
  struct Active {
    size_t index;
    std::filesystem::path dir;
    std::unique_ptr<WorkerProcess> process;
    int threads;
  };
  std::vector<CellRun> runs(cells.size());
  std::vector<bool> finished(cells.size(), false);
  std::deque<size_t> pending;
  std::vector<Active> active;
  RunProgress state;
  state.total = cells.size();
  StartStagger stagger;

  auto report = [&](size_t index, bool just_finished) {
    if (progress) {
      RunProgress p = state;
      p.cell = &cells[index];
      p.finished = just_finished ? &runs[index] : nullptr;
      progress(p);
    }
  };
  SideWork* side = m_side_work;
  auto complete = [&](size_t index, CellRun run) {
    runs[index] = std::move(run);
    finished[index] = true;
    ++state.done;
    report(index, /*just_finished=*/true);
    if (side != nullptr) {
      side->cells_ended(runs, finished);
    }
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
      launch = plan_cell_launch(cell, m_options.workload, m_options.launch,
                                dir / k_cell_config_file, dir / k_cell_trace_file);
    } catch (const Error& e) {
      CellRun run;
      run.cell = cell;
      run.status = RunStatus::skipped;
      run.reason = e.what();
      complete(index, std::move(run));
      return;
    }
    write_file_atomic(dir / k_cell_config_file, to_json(launch.config).dump(2) + "\n",
                      Durability::scratch);
    ProcessSpec spec;
    spec.program = launch.program;
    spec.args = launch.args;
    const bool own_worker = launch.wrapper_args.empty() &&
                            launch.program == m_options.launch.default_worker &&
                            launch.program.filename() == "repro-worker";
    if (own_worker && (m_options.first_step_dump || m_options.first_step_op_trace)) {
      const auto records = dir / k_first_step_folder;
      std::filesystem::remove_all(records, ec);
      std::filesystem::create_directories(records / "dump", ec);
      if (!ec) {
        if (m_options.first_step_dump) {
          for (const std::string& arg : {std::string("--dump-step"), std::string("0"),
                                         std::string("--dump-dir"), (records / "dump").string()}) {
            spec.args.push_back(arg);
          }
        }
        if (m_options.first_step_op_trace) {
          for (const std::string& arg :
               {std::string("--op-trace-step"), std::string("0"), std::string("--op-trace"),
                (records / "ops.jsonl").string()}) {
            spec.args.push_back(arg);
          }
        }
        m_first_step[cell.id] = records;
      }
    }
    spec.env = launch.env;
    // Each cell its own temporary folder: repeats differ in temp paths like real reruns.
    std::filesystem::create_directories(dir / "tmp", ec);
    if (!ec) {
      spec.env["TMPDIR"] = (dir / "tmp").string();
    }
    spec.stdout_path = dir / "stdout";
    spec.stderr_path = dir / "stderr";
    spec.timeout = m_options.cell_timeout;
    auto process = start_worker_process(spec, m_options.fork_servers.get());
    if (!process->started()) {
      complete(index, cell_run_from_exit(cell, dir, *process->poll(), m_options.cell_timeout));
      return;
    }
    active.push_back({index, dir, std::move(process), std::max(1, launch.config.settings.threads)});
    ++state.running;
    report(index, /*just_finished=*/false);
  };

  if (m_options.fork_servers) {
    // Every environment's server starts loading now, while the first cells run.
    for (size_t index : pending) {
      try {
        CellLaunch launch = plan_cell_launch(cells[index], m_options.workload, m_options.launch,
                                             k_cell_config_file, k_cell_trace_file);
        ProcessSpec spec;
        spec.program = launch.program;
        spec.env = launch.env;
        m_options.fork_servers->prestart(spec);
      } catch (const Error&) {
        // start() reports it as the cell's skip reason
      }
    }
  }

  while (!pending.empty() || !active.empty()) {
    if (m_options.cancelled && m_options.cancelled()) {
      auto not_run = [&](size_t index, const std::string& reason, double wall_seconds) {
        CellRun run;
        run.cell = cells[index];
        run.status = RunStatus::not_run;
        run.reason = reason;
        run.wall_seconds = wall_seconds;
        complete(index, std::move(run));
      };
      if (side != nullptr) {
        side->kill_all();
      }
      for (auto& a : active) {
        // SIGKILL to the worker's process group, then reaped: its half-written trace
        // proves nothing, so the cell is not run rather than crashed.
        ProcessResult killed = a.process->kill();
        --state.running;
        not_run(a.index, "interrupted while running (worker killed)", killed.wall_seconds);
      }
      active.clear();
      for (size_t index : pending) {
        not_run(index, "interrupted before it started", 0);
      }
      pending.clear();
      break;
    }
    auto running_threads = [&] {
      int sum = side != nullptr ? side->running_threads() : 0;
      for (const auto& a : active) {
        sum += a.threads;
      }
      return sum;
    };
    auto running = [&] { return active.size() + (side != nullptr ? side->running() : 0); };
    // The first pending cell that may start now (repeats are staggered, docs/diagnosis.md).
    bool cell_waits_for_a_core = false;
    for (auto it = pending.begin(); it != pending.end();) {
      const auto now = StartStagger::Clock::now();
      if (!stagger.may_start(cells[*it], now)) {
        ++it;
        continue;
      }
      const int threads =
          std::max(1, cell_config(m_options.workload, cells[*it].settings).settings.threads);
      if (running() >= static_cast<size_t>(m_options.jobs) ||
          !within_thread_budget(running_threads(), threads, m_options.thread_budget)) {
        cell_waits_for_a_core = true;
        ++it;  // a smaller cell may still fit; this one starts once enough have ended
        continue;
      }
      size_t index = *it;
      it = pending.erase(it);
      stagger.started(cells[index], now);
      start(index);
    }
    if (side != nullptr && !cell_waits_for_a_core) {
      side->start_ready([&](int threads) {
        return running() < static_cast<size_t>(m_options.jobs) &&
               within_thread_budget(running_threads(), threads, m_options.thread_budget);
      });
    }
    bool any_finished = side != nullptr && side->poll();
    for (auto it = active.begin(); it != active.end();) {
      if (auto result = it->process->poll()) {
        size_t index = it->index;
        CellRun run = cell_run_from_exit(cells[index], it->dir, *result, m_options.cell_timeout);
        it = active.erase(it);
        --state.running;
        complete(index, std::move(run));
        any_finished = true;
      } else {
        ++it;
      }
    }
    if (!any_finished && (running() > 0 || !pending.empty())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  reap_orphans();  // whatever a worker daemonized (no-op unless orphan reaping is enabled)
  return runs;
}

std::optional<std::filesystem::path> ProcessRunner::first_step_records(const Cell& cell) const {
  if (auto it = m_first_step.find(cell.id); it != m_first_step.end()) {
    return it->second;
  }
  return std::nullopt;
}

void ProcessRunner::store_dump(const Cell& cell, int step, TensorDump dump) {
  m_dumps.insert_or_assign(std::make_pair(cell.id, step), std::move(dump));
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
    auto config_path = dir / k_cell_config_file;
    CellLaunch launch = plan_cell_launch(cell, m_options.workload, m_options.launch, config_path,
                                         dump_dir / k_cell_trace_file);
    write_file_atomic(config_path, to_json(launch.config).dump(2) + "\n", Durability::scratch);
    ProcessSpec spec;
    spec.program = launch.program;
    // A wrapped worker (worker environment) needs absolute paths and its wrapper first.
    auto path_arg = [&](const std::filesystem::path& p) {
      return launch.wrapper_args.empty() ? p : std::filesystem::absolute(p);
    };
    spec.args = launch.wrapper_args;
    for (auto& arg : dump_args(path_arg(config_path), path_arg(dump_dir / k_cell_trace_file), step,
                               path_arg(dump_dir))) {
      spec.args.push_back(std::move(arg));
    }
    spec.env = launch.env;
    spec.stdout_path = dump_dir / "stdout";
    spec.stderr_path = dump_dir / "stderr";
    spec.timeout = m_options.cell_timeout;
    if (m_options.cancelled && m_options.cancelled()) {
      return fail("interrupted");
    }
    auto process = start_worker_process(spec, m_options.fork_servers.get());
    const std::optional<ProcessResult> ended = wait_worker_process(*process, m_options.cancelled);
    if (!ended) {
      return fail("interrupted");
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
