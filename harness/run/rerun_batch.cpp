// ReRunBatch: predicts the checker's dump and op-trace re-runs and runs them beside the cells.
#include "harness/run/rerun_batch.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include "harness/run/op_trace_runner.hpp"
#include "harness/run/worker_exit.hpp"
#include "harness/run/worker_process.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/verdict/compare.hpp"
#include "harness/verdict/localization_plan.hpp"
#include "harness/verdict/op_localization.hpp"

namespace repro {

// One worker re-run of a cell: the worker options after --config/--trace, and what to do
// with its folder once it exited 0.
struct ReRunScheduler::Job {
  Cell cell;
  std::filesystem::path dir;                   // created afresh; config, trace, outputs
  std::vector<std::string> options;            // paths under `dir` made absolute if wrapped
  std::vector<std::filesystem::path> folders;  // output folders, created before it starts
  std::function<void(const std::filesystem::path&)> collect;  // throws repro::Error
};

struct ReRunScheduler::Started {
  std::unique_ptr<Job> job;
  int threads = 1;
  std::unique_ptr<WorkerProcess> process;
};

namespace {

std::string seed_of(const Cell& cell) {
  auto it = cell.settings.find("seed");
  return it == cell.settings.end() ? std::string() : it->second;
}

const CellRun* find_baseline(const std::vector<const CellRun*>& runs) {
  for (const CellRun* run : runs) {
    if (run->cell.role == CellRole::baseline) {
      return run->trace ? run : nullptr;
    }
  }
  return nullptr;
}

// plan_reruns over the runs that ended (pointers: the runs stay where the runner keeps them).
std::vector<ReRunRequest> plan_requests(const std::vector<const CellRun*>& runs, bool dumps,
                                        bool op_traces) {
  std::vector<ReRunRequest> out;
  const CellRun* baseline = find_baseline(runs);
  if (baseline == nullptr || (!dumps && !op_traces)) {
    return out;
  }
  std::map<std::pair<std::string, int>, size_t> index;  // (cell id, step) -> position in out
  auto want = [&](const Cell& cell, int step, bool dump, bool trace) {
    auto [it, fresh] = index.emplace(std::make_pair(cell.id, step), out.size());
    if (fresh) {
      out.push_back({cell, step, false, false});
    }
    out[it->second].dump = out[it->second].dump || dump;
    out[it->second].op_trace = out[it->second].op_trace || trace;
  };
  for (const CellRun* run : runs) {
    if (run == baseline || !run->trace) {
      continue;
    }
    const Comparison comparison = compare_traces(*baseline->trace, *run->trace);
    if (comparison.identical || !comparison.first_divergence) {
      continue;
    }
    const FirstDivergence& fd = *comparison.first_divergence;
    const bool tensor = fd.kind.has_value() && fd.tensor != "batch_ids" && fd.tensor != "loss_bits";
    // Localization skips a changed seed (new data: every op differs) and root-only steps.
    const bool localizable =
        !fd.tensor.empty() && fd.tensor != "root" && seed_of(baseline->cell) == seed_of(run->cell);
    const bool dump = dumps && tensor;
    const bool trace = op_traces && localizable;
    if (dump || trace) {
      want(baseline->cell, fd.step, dump, trace);
      want(run->cell, fd.step, dump, trace);
    }
  }
  return out;
}

// Answers `request` from the first-step records its cell's own run wrote, when it can.
bool take_first_step_records(const ReRunRequest& request, ProcessRunner& runner,
                             OpTraceRunner* op_traces) {
  if (request.step != 0) {
    return false;
  }
  const auto records = runner.first_step_records(request.cell);
  if (!records) {
    return false;
  }
  try {
    std::optional<TensorDump> dump;
    std::optional<OpTrace> trace;
    if (request.dump) {
      dump = read_tensor_dump(*records / "dump");
    }
    if (request.op_trace && op_traces != nullptr) {
      trace = read_op_trace(*records / "ops.jsonl");
    }
    if (dump) {
      runner.store_dump(request.cell, request.step, std::move(*dump));
    }
    if (trace) {
      op_traces->store_op_trace(request.cell, request.step, std::move(*trace));
    }
    return true;
  } catch (const Error&) {
    return false;  // not written (e.g. the worker stopped early): re-run it
  }
}

}  // namespace

std::vector<ReRunRequest> plan_reruns(const std::vector<CellRun>& runs, bool dumps,
                                      bool op_traces) {
  std::vector<const CellRun*> pointers;
  for (const auto& run : runs) {
    pointers.push_back(&run);
  }
  return plan_requests(pointers, dumps, op_traces);
}

ReRunScheduler::ReRunScheduler(ProcessRunner& runner, OpTraceRunner* op_traces, bool dumps,
                               double localize_budget_seconds)
    : m_runner(runner),
      m_op_traces(op_traces),
      m_dumps(dumps),
      m_budget_seconds(localize_budget_seconds) {}

ReRunScheduler::~ReRunScheduler() {
  kill_all();
}

void ReRunScheduler::cells_ended(const std::vector<CellRun>& runs,
                                 const std::vector<bool>& finished) {
  std::vector<const CellRun*> ended;
  for (size_t i = 0; i < runs.size() && i < finished.size(); ++i) {
    if (finished[i]) {
      ended.push_back(&runs[i]);
    }
  }
  plan(ended);
}

void ReRunScheduler::plan(const std::vector<const CellRun*>& ended) {
  const CellRun* baseline = find_baseline(ended);
  if (baseline == nullptr) {
    return;  // nothing to compare with yet
  }
  if (!m_baseline) {
    m_baseline = baseline->cell;
    m_baseline_wall_seconds = baseline->wall_seconds;
    m_baseline_steps = baseline->trace->steps.size();
  }
  // Each cell is judged once, against the baseline, when both have ended.
  std::vector<const CellRun*> fresh = {baseline};
  for (const CellRun* run : ended) {
    if (run != baseline && m_judged.insert(run->cell.id).second) {
      fresh.push_back(run);
    }
  }
  for (ReRunRequest request : plan_requests(fresh, m_dumps, m_op_traces != nullptr)) {
    // The baseline's request is shared by every pair at that step: plan only what no
    // earlier pair asked for (a seed change wants its dump, a threads change its op trace).
    auto& [dump, op_trace] = m_planned[std::make_pair(request.cell.id, request.step)];
    request.dump = request.dump && !dump;
    request.op_trace = request.op_trace && !op_trace;
    if (!request.dump && !request.op_trace) {
      continue;
    }
    dump = dump || request.dump;
    op_trace = op_trace || request.op_trace;
    m_requests.push_back(request);
    if (take_first_step_records(request, m_runner, m_op_traces)) {
      ++m_answered;
      continue;
    }
    const std::string step = std::to_string(request.step);
    auto job = std::make_unique<Job>();
    job->cell = request.cell;
    job->dir = m_runner.cell_dir(request.cell) / ("rerun-step-" + step);
    const bool trace = request.op_trace && m_op_traces != nullptr;
    if (request.dump) {
      job->options = {"--dump-step", step, "--dump-dir", (job->dir / "dump").string()};
      job->folders = {job->dir / "dump"};
    }
    if (trace) {
      for (const std::string& arg :
           {std::string("--op-trace-step"), step, std::string("--op-trace"),
            (job->dir / "ops.jsonl").string()}) {
        job->options.push_back(arg);
      }
    }
    if (job->options.empty()) {
      continue;
    }
    ProcessRunner& runner = m_runner;
    OpTraceRunner* op_traces = m_op_traces;
    job->collect = [&runner, op_traces, request, trace](const std::filesystem::path& dir) {
      if (request.dump) {
        runner.store_dump(request.cell, request.step, read_tensor_dump(dir / "dump"));
      }
      if (trace) {
        op_traces->store_op_trace(request.cell, request.step, read_op_trace(dir / "ops.jsonl"));
      }
    };
    m_queue.push_back(std::move(job));
  }
  plan_op_dumps();
}

void ReRunScheduler::plan_op_dumps() {
  if (m_op_traces == nullptr || !m_baseline || m_baseline_steps == 0) {
    return;
  }
  for (const ReRunRequest& request : m_requests) {
    if (!request.op_trace || request.cell.role == CellRole::baseline) {
      continue;
    }
    const OpTrace* a = m_op_traces->cached_op_trace(*m_baseline, request.step);
    const OpTrace* b = m_op_traces->cached_op_trace(request.cell, request.step);
    if (a == nullptr || b == nullptr) {
      continue;  // not yet: a re-run still runs
    }
    // What add_diagnosis localizes: within the budget, and only the first repeat.
    const double estimate = k_localize_cost_factor * m_baseline_wall_seconds *
                            static_cast<double>(request.step + 1) /
                            static_cast<double>(m_baseline_steps);
    if (m_budget_seconds >= 0 && estimate > m_budget_seconds) {
      continue;
    }
    const OpLocalization loc = first_divergent_op(*a, *b);
    if (loc.status != "op") {
      continue;
    }
    if (request.cell.role == CellRole::repeat) {
      if (m_repeat_localized) {
        continue;
      }
      m_repeat_localized = true;
    }
    const Cell& baseline = *m_baseline;
    // The op's index is each run's own: other library versions run other ops before it.
    for (const auto& [cell, index] :
         {std::pair{&baseline, loc.index}, std::pair{&request.cell, loc.candidate_index}}) {
      if (!m_op_dumps.emplace(cell->id, request.step, loc.lane, index).second) {
        continue;
      }
      const std::string op = std::to_string(loc.lane) + ":" + std::to_string(index);
      auto job = std::make_unique<Job>();
      job->cell = *cell;
      job->dir =
          m_runner.cell_dir(*cell) / ("op-dump-step-" + std::to_string(request.step) + "-" +
                                      std::to_string(loc.lane) + "-" + std::to_string(index));
      job->options = {"--op-trace-step", std::to_string(request.step),
                      "--op-trace",      (job->dir / "ops.jsonl").string(),
                      "--op-dump",       op,
                      "--op-dump-dir",   (job->dir / "op").string()};
      job->folders = {job->dir / "op"};
      OpTraceRunner* op_traces = m_op_traces;
      job->collect = [op_traces, cell = *cell, step = request.step, lane = loc.lane,
                      index = index](const std::filesystem::path& dir) {
        op_traces->store_op_outputs(cell, step, lane, index, read_tensor_dump(dir / "op"),
                                    read_op_trace(dir / "ops.jsonl"));
      };
      m_queue.push_back(std::move(job));
    }
  }
}

void ReRunScheduler::start_ready(const std::function<bool(int threads)>& may_start) {
  const ProcessRunnerOptions& options = m_runner.options();
  while (!m_queue.empty()) {
    if (options.cancelled && options.cancelled()) {
      return;
    }
    const int threads =
        std::max(1, cell_config(options.workload, m_queue.front()->cell.settings).settings.threads);
    if (!may_start(threads)) {
      return;
    }
    std::unique_ptr<Job> job = std::move(m_queue.front());
    m_queue.pop_front();
    try {
      std::error_code ec;
      std::filesystem::remove_all(job->dir, ec);
      std::filesystem::create_directories(job->dir, ec);
      for (const auto& folder : job->folders) {
        if (!ec) {
          std::filesystem::create_directories(folder, ec);
        }
      }
      if (ec) {
        continue;  // the checker's own request says why
      }
      const auto config_path = job->dir / k_cell_config_file;
      const auto trace_path = job->dir / k_cell_trace_file;
      CellLaunch launch =
          plan_cell_launch(job->cell, options.workload, options.launch, config_path, trace_path);
      write_file_atomic(config_path, to_json(launch.config).dump(2) + "\n", Durability::scratch);
      // A wrapped worker (worker environment) needs absolute paths and its wrapper first.
      auto path_arg = [&](const std::string& p) {
        const bool ours = p.rfind(job->dir.string(), 0) == 0;
        return ours && !launch.wrapper_args.empty() ? std::filesystem::absolute(p).string() : p;
      };
      ProcessSpec spec;
      spec.program = launch.program;
      spec.args = launch.wrapper_args;
      for (const std::string& arg : {std::string("--config"), config_path.string(),
                                     std::string("--trace"), trace_path.string()}) {
        spec.args.push_back(path_arg(arg));
      }
      for (const std::string& arg : job->options) {
        spec.args.push_back(path_arg(arg));
      }
      spec.args.emplace_back("--stop-after-dump");
      spec.args.emplace_back("--quiet");
      spec.env = launch.env;
      spec.stdout_path = job->dir / "stdout";
      spec.stderr_path = job->dir / "stderr";
      spec.timeout = options.cell_timeout;
      auto started = std::make_unique<Started>();
      started->threads = std::max(1, launch.config.settings.threads);
      started->process = start_worker_process(spec, options.fork_servers.get());
      started->job = std::move(job);
      if (started->process->started()) {
        m_active.push_back(std::move(started));
      }
    } catch (const Error&) {
      // e.g. a BLAS build gone: the checker's own request reports it
    }
  }
}

bool ReRunScheduler::poll() {
  bool any = false;
  for (auto it = m_active.begin(); it != m_active.end();) {
    if (auto result = (*it)->process->poll()) {
      const bool ok =
          result->started && !result->timed_out && result->signal == 0 && result->exit_code == 0;
      if (ok) {
        try {
          (*it)->job->collect((*it)->job->dir);
          ++m_answered;
        } catch (const Error&) {
          // unreadable output: likewise left to the checker's own request
        }
      }
      it = m_active.erase(it);
      any = true;
    } else {
      ++it;
    }
  }
  if (any) {
    plan_op_dumps();  // a pair's second op trace may just have arrived
  }
  return any;
}

int ReRunScheduler::running_threads() const {
  int sum = 0;
  for (const auto& a : m_active) {
    sum += a->threads;
  }
  return sum;
}

size_t ReRunScheduler::running() const {
  return m_active.size();
}

void ReRunScheduler::kill_all() {
  for (auto& a : m_active) {
    a->process->kill();
  }
  m_active.clear();
  m_queue.clear();
}

int ReRunScheduler::finish(const std::vector<CellRun>& runs) {
  std::vector<const CellRun*> ended;
  for (const auto& run : runs) {
    ended.push_back(&run);
  }
  plan(ended);
  const ProcessRunnerOptions& options = m_runner.options();
  while (!m_queue.empty() || !m_active.empty()) {
    if (options.cancelled && options.cancelled()) {
      kill_all();
      break;
    }
    start_ready([&](int threads) {
      return m_active.size() < static_cast<size_t>(options.jobs) &&
             within_thread_budget(running_threads(), threads, options.thread_budget);
    });
    if (!poll() && !m_active.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return m_answered;
}

}  // namespace repro
