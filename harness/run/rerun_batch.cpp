// ReRunBatch: predicts the checker's dump and op-trace re-runs and runs them side by side.
#include "harness/run/rerun_batch.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <thread>
#include <utility>

#include "harness/run/op_trace_runner.hpp"
#include "harness/run/process_runner.hpp"
#include "harness/run/worker_exit.hpp"
#include "harness/run/worker_process.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/verdict/compare.hpp"

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

// A started re-run and where its outputs go.
struct Started {
  const ReRunRequest* request = nullptr;
  std::filesystem::path dir;
  int threads = 1;
  std::unique_ptr<WorkerProcess> process;
};

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

int run_reruns(const std::vector<ReRunRequest>& requests, ProcessRunner& runner,
               OpTraceRunner* op_traces) {
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
  auto start = [&](const ReRunRequest& request) -> std::optional<Started> {
    const auto dir = runner.cell_dir(request.cell) / ("rerun-step-" + std::to_string(request.step));
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir / "dump", ec);
    if (ec) {
      return std::nullopt;
    }
    const auto config_path = dir / k_cell_config_file;
    const auto trace_path = dir / k_cell_trace_file;
    CellLaunch launch =
        plan_cell_launch(request.cell, options.workload, options.launch, config_path, trace_path);
    write_file_atomic(config_path, to_json(launch.config).dump(2) + "\n");
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
    const std::string step = std::to_string(request.step);
    if (request.dump) {
      for (const std::string& arg :
           {std::string("--dump-step"), step, std::string("--dump-dir"), path_arg(dir / "dump")}) {
        spec.args.push_back(arg);
      }
    }
    if (request.op_trace) {
      for (const std::string& arg : {std::string("--op-trace-step"), step,
                                     std::string("--op-trace"), path_arg(dir / "ops.jsonl")}) {
        spec.args.push_back(arg);
      }
    }
    spec.args.emplace_back("--stop-after-dump");
    spec.args.emplace_back("--quiet");
    spec.env = launch.env;
    spec.stdout_path = dir / "stdout";
    spec.stderr_path = dir / "stderr";
    spec.timeout = options.cell_timeout;
    Started s;
    s.request = &request;
    s.dir = dir;
    s.threads = std::max(1, launch.config.settings.threads);
    s.process = start_worker_process(spec, options.fork_servers.get());
    return s;
  };
  auto collect = [&](const Started& s, const ProcessResult& result) {
    if (!result.started || result.timed_out || result.signal != 0 || result.exit_code != 0) {
      return;  // the checker's own request re-runs it and says why it failed
    }
    const ReRunRequest& r = *s.request;
    try {
      if (r.dump) {
        runner.store_dump(r.cell, r.step, read_tensor_dump(s.dir / "dump"));
      }
      if (r.op_trace && op_traces != nullptr) {
        op_traces->store_op_trace(r.cell, r.step, read_op_trace(s.dir / "ops.jsonl"));
      }
      ++succeeded;
    } catch (const Error&) {
      // unreadable output: likewise left to the checker's own request
    }
  };

  while (next < requests.size() || !active.empty()) {
    if (options.cancelled && options.cancelled()) {
      for (auto& a : active) {
        a.process->kill();
      }
      break;
    }
    while (next < requests.size() && active.size() < static_cast<size_t>(options.jobs)) {
      const int threads =
          std::max(1, cell_config(options.workload, requests[next].cell.settings).settings.threads);
      if (!within_thread_budget(running_threads(), threads, options.thread_budget)) {
        break;
      }
      std::optional<Started> s;
      try {
        s = start(requests[next]);
      } catch (const Error&) {
        s.reset();  // e.g. a BLAS build gone: the checker's request reports it
      }
      ++next;
      if (!s) {
        continue;
      }
      if (!s->process->started()) {
        continue;
      }
      active.push_back(std::move(*s));
    }
    bool any = false;
    for (auto it = active.begin(); it != active.end();) {
      if (auto result = it->process->poll()) {
        collect(*it, *result);
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

}  // namespace repro
