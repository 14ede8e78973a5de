// ReRunBatch: predicts the checker's dump and op-trace re-runs and runs them side by side.
#include "harness/run/rerun_batch.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

#include "harness/run/op_trace_runner.hpp"
#include "harness/run/process_runner.hpp"
#include "harness/run/worker_exit.hpp"
#include "harness/run/worker_process.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/verdict/compare.hpp"
#include "harness/verdict/localization_plan.hpp"
#include "harness/verdict/op_localization.hpp"

namespace repro {
namespace {

const CellRun* find_baseline(const std::vector<CellRun>& runs) {
  for (const auto& run : runs) {
    if (run.cell.role == CellRole::baseline) {
      return run.trace ? &run : nullptr;
    }
  }
  return nullptr;
}

// One worker re-run of a cell: the worker options after --config/--trace, and what to do
// with its folder once it exited 0.
struct ReRunJob {
  Cell cell;
  std::filesystem::path dir;                   // created afresh; config, trace, outputs
  std::vector<std::string> options;            // paths in them are taken as given
  std::vector<std::filesystem::path> folders;  // output folders, created before it starts
  std::function<bool(const std::filesystem::path&)> collect;  // true: useful
};

// A started re-run.
struct Started {
  const ReRunJob* job = nullptr;
  int threads = 1;
  std::unique_ptr<WorkerProcess> process;
};

// Runs `jobs` through `runner`'s launch context and fork servers, at most
// runner.options().jobs at a time and within its thread budget; returns how many ran and
// were collected. A job whose worker fails is left to the checker's own request.
int run_jobs(const std::vector<ReRunJob>& jobs, ProcessRunner& runner) {
  const ProcessRunnerOptions& options = runner.options();
  std::vector<Started> active;
  size_t next = 0;
  int succeeded = 0;
  auto running_threads = [&] {
    int sum = 0;
    for (const auto& a : active) {
      sum += a.threads;
    }
    return sum;
  };
  auto start = [&](const ReRunJob& job) -> std::optional<Started> {
    std::error_code ec;
    std::filesystem::remove_all(job.dir, ec);
    std::filesystem::create_directories(job.dir, ec);
    for (const auto& folder : job.folders) {
      if (!ec) {
        std::filesystem::create_directories(folder, ec);
      }
    }
    if (ec) {
      return std::nullopt;
    }
    const auto config_path = job.dir / k_cell_config_file;
    const auto trace_path = job.dir / k_cell_trace_file;
    CellLaunch launch =
        plan_cell_launch(job.cell, options.workload, options.launch, config_path, trace_path);
    write_file_atomic(config_path, to_json(launch.config).dump(2) + "\n", Durability::scratch);
    // A wrapped worker (worker environment) needs absolute paths and its wrapper first.
    auto path_arg = [&](const std::filesystem::path& p) {
      return (launch.wrapper_args.empty() ? p : std::filesystem::absolute(p)).string();
    };
    ProcessSpec spec;
    spec.program = launch.program;
    spec.args = launch.wrapper_args;
    for (const std::string& arg : {std::string("--config"), path_arg(config_path),
                                   std::string("--trace"), path_arg(trace_path)}) {
      spec.args.push_back(arg);
    }
    for (const std::string& arg : job.options) {
      spec.args.push_back(arg.rfind(job.dir.string(), 0) == 0 ? path_arg(arg) : arg);
    }
    spec.args.emplace_back("--stop-after-dump");
    spec.args.emplace_back("--quiet");
    spec.env = launch.env;
    spec.stdout_path = job.dir / "stdout";
    spec.stderr_path = job.dir / "stderr";
    spec.timeout = options.cell_timeout;
    Started s;
    s.job = &job;
    s.threads = std::max(1, launch.config.settings.threads);
    s.process = start_worker_process(spec, options.fork_servers.get());
    return s;
  };

  while (next < jobs.size() || !active.empty()) {
    if (options.cancelled && options.cancelled()) {
      for (auto& a : active) {
        a.process->kill();
      }
      break;
    }
    while (next < jobs.size() && active.size() < static_cast<size_t>(options.jobs)) {
      const int threads =
          std::max(1, cell_config(options.workload, jobs[next].cell.settings).settings.threads);
      if (!within_thread_budget(running_threads(), threads, options.thread_budget)) {
        break;
      }
      std::optional<Started> s;
      try {
        s = start(jobs[next]);
      } catch (const Error&) {
        s.reset();  // e.g. a BLAS build gone: the checker's request reports it
      }
      ++next;
      if (s && s->process->started()) {
        active.push_back(std::move(*s));
      }
    }
    bool any = false;
    for (auto it = active.begin(); it != active.end();) {
      if (auto result = it->process->poll()) {
        const bool ok =
            result->started && !result->timed_out && result->signal == 0 && result->exit_code == 0;
        try {
          succeeded += ok && it->job->collect(it->job->dir) ? 1 : 0;
        } catch (const Error&) {
          // unreadable output: likewise left to the checker's own request
        }
        it = active.erase(it);
        any = true;
      } else {
        ++it;
      }
    }
    if (!any && !active.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return succeeded;
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

const CellRun* find_run(const std::vector<CellRun>& runs, const std::string& id) {
  for (const auto& run : runs) {
    if (run.cell.id == id) {
      return &run;
    }
  }
  return nullptr;
}

// The op-output dumps localization will ask for: for each pair (baseline, cell) whose op
// traces are cached, the first divergent op of both (one per repeat at most, none over the
// budget: what add_diagnosis would skip).
std::vector<ReRunJob> plan_op_dumps(const std::vector<ReRunRequest>& requests,
                                    const std::vector<CellRun>& runs, ProcessRunner& runner,
                                    OpTraceRunner& op_traces, double budget_seconds) {
  std::vector<ReRunJob> jobs;
  std::set<std::tuple<std::string, int, int, int>> wanted;
  bool repeat_done = false;
  for (const auto& request : requests) {
    if (!request.op_trace || request.cell.role == CellRole::baseline) {
      continue;
    }
    if (request.cell.role == CellRole::repeat && std::exchange(repeat_done, true)) {
      continue;
    }
    const ReRunRequest* base = nullptr;
    for (const auto& r : requests) {
      if (r.cell.role == CellRole::baseline && r.step == request.step) {
        base = &r;
      }
    }
    const CellRun* base_run = base != nullptr ? find_run(runs, base->cell.id) : nullptr;
    if (base_run == nullptr || !base_run->trace || base_run->trace->steps.empty()) {
      continue;
    }
    const double estimate = k_localize_cost_factor * base_run->wall_seconds *
                            static_cast<double>(request.step + 1) /
                            static_cast<double>(base_run->trace->steps.size());
    if (budget_seconds >= 0 && estimate > budget_seconds) {
      continue;
    }
    const OpTrace* a = op_traces.cached_op_trace(base->cell, request.step);
    const OpTrace* b = op_traces.cached_op_trace(request.cell, request.step);
    if (a == nullptr || b == nullptr) {
      continue;
    }
    const OpLocalization loc = first_divergent_op(*a, *b);
    if (loc.status != "op") {
      continue;
    }
    for (const Cell* cell : {&base->cell, &request.cell}) {
      if (!wanted.emplace(cell->id, request.step, loc.lane, loc.index).second) {
        continue;
      }
      const std::string op = std::to_string(loc.lane) + ":" + std::to_string(loc.index);
      ReRunJob job;
      job.cell = *cell;
      job.dir =
          runner.cell_dir(*cell) / ("op-dump-step-" + std::to_string(request.step) + "-" +
                                    std::to_string(loc.lane) + "-" + std::to_string(loc.index));
      job.options = {"--op-trace-step", std::to_string(request.step),
                     "--op-trace",      (job.dir / "ops.jsonl").string(),
                     "--op-dump",       op,
                     "--op-dump-dir",   (job.dir / "op").string()};
      job.folders = {job.dir / "op"};
      const int step = request.step;
      const int lane = loc.lane;
      const int index = loc.index;
      job.collect = [&op_traces, cell = *cell, step, lane,
                     index](const std::filesystem::path& dir) {
        op_traces.store_op_outputs(cell, step, lane, index, read_tensor_dump(dir / "op"),
                                   read_op_trace(dir / "ops.jsonl"));
        return true;
      };
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

std::string seed_of(const Cell& cell) {
  auto it = cell.settings.find("seed");
  return it == cell.settings.end() ? std::string() : it->second;
}

}  // namespace

std::vector<ReRunRequest> plan_reruns(const std::vector<CellRun>& runs, bool dumps,
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
  for (const auto& run : runs) {
    if (&run == baseline || !run.trace) {
      continue;
    }
    const Comparison comparison = compare_traces(*baseline->trace, *run.trace);
    if (comparison.identical || !comparison.first_divergence) {
      continue;
    }
    const FirstDivergence& fd = *comparison.first_divergence;
    const bool tensor = fd.kind.has_value() && fd.tensor != "batch_ids" && fd.tensor != "loss_bits";
    // Localization skips a changed seed (new data: every op differs) and root-only steps.
    const bool localizable =
        !fd.tensor.empty() && fd.tensor != "root" && seed_of(baseline->cell) == seed_of(run.cell);
    const bool dump = dumps && tensor;
    const bool trace = op_traces && localizable;
    if (dump || trace) {
      want(baseline->cell, fd.step, dump, trace);
      want(run.cell, fd.step, dump, trace);
    }
  }
  return out;
}

int run_reruns(const std::vector<ReRunRequest>& requests, const std::vector<CellRun>& runs,
               ProcessRunner& runner, OpTraceRunner* op_traces, double localize_budget_seconds) {
  int succeeded = 0;
  std::vector<ReRunJob> jobs;
  for (const auto& request : requests) {
    if (take_first_step_records(request, runner, op_traces)) {
      ++succeeded;
      continue;
    }
    const std::string step = std::to_string(request.step);
    ReRunJob job;
    job.cell = request.cell;
    job.dir = runner.cell_dir(request.cell) / ("rerun-step-" + step);
    const bool trace = request.op_trace && op_traces != nullptr;
    if (request.dump) {
      job.options = {"--dump-step", step, "--dump-dir", (job.dir / "dump").string()};
      job.folders = {job.dir / "dump"};
    }
    if (trace) {
      for (const std::string& arg : {std::string("--op-trace-step"), step,
                                     std::string("--op-trace"), (job.dir / "ops.jsonl").string()}) {
        job.options.push_back(arg);
      }
    }
    if (job.options.empty()) {
      continue;
    }
    job.collect = [&runner, op_traces, request, trace](const std::filesystem::path& dir) {
      if (request.dump) {
        runner.store_dump(request.cell, request.step, read_tensor_dump(dir / "dump"));
      }
      if (trace) {
        op_traces->store_op_trace(request.cell, request.step, read_op_trace(dir / "ops.jsonl"));
      }
      return true;
    };
    jobs.push_back(std::move(job));
  }
  succeeded += run_jobs(jobs, runner);
  if (op_traces != nullptr) {
    succeeded += run_jobs(
        plan_op_dumps(requests, runs, runner, *op_traces, localize_budget_seconds), runner);
  }
  return succeeded;
}

}  // namespace repro
