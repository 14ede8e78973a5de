// OpTraceRunner: worker re-runs that write op traces and one op's output dump.
#include "harness/run/op_trace_runner.hpp"

#include "harness/run/worker_exit.hpp"
#include "harness/run/worker_process.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"

namespace repro {

std::string OpTraceRunner::run_worker(const Cell& cell, const std::filesystem::path& dir, int step,
                                      const std::vector<std::string>& extra) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return "cannot create " + dir.string() + ": " + ec.message();
  }
  const auto config_path = dir / k_cell_config_file;
  const auto trace_path = dir / k_cell_trace_file;
  CellLaunch launch =
      plan_cell_launch(cell, m_options.workload, m_options.launch, config_path, trace_path);
  write_file_atomic(config_path, to_json(launch.config).dump(2) + "\n", Durability::scratch);
  ProcessSpec spec;
  spec.program = launch.program;
  // Through the cell's worker environment (e.g. bwrap into the debian13 root), like the cell.
  spec.args = launch.wrapper_args;
  for (const std::string& arg :
       {std::string("--config"), config_path.string(), std::string("--trace"), trace_path.string(),
        std::string("--op-trace-step"), std::to_string(step), std::string("--op-trace"),
        (dir / "ops.jsonl").string(), std::string("--stop-after-dump"), std::string("--quiet")}) {
    spec.args.push_back(arg);
  }
  spec.args.insert(spec.args.end(), extra.begin(), extra.end());
  spec.env = launch.env;
  spec.stdout_path = dir / "stdout";
  spec.stderr_path = dir / "stderr";
  spec.timeout = m_options.cell_timeout;
  if (m_options.cancelled && m_options.cancelled()) {
    return "interrupted";
  }
  auto process = start_worker_process(spec, m_options.fork_servers.get());
  const std::optional<ProcessResult> ended = wait_worker_process(*process, m_options.cancelled);
  if (!ended) {
    return "interrupted";
  }
  if (!ended->started || ended->timed_out || ended->signal != 0 || ended->exit_code != 0) {
    std::string tail = stderr_summary(spec.stderr_path);
    return describe_exit(*ended) + (tail.empty() ? "" : ": " + tail);
  }
  return "";
}

std::optional<OpTrace> OpTraceRunner::op_trace(const Cell& cell, int step, std::string* error) {
  auto key = std::make_pair(cell.id, step);
  if (auto it = m_traces.find(key); it != m_traces.end()) {
    return it->second;
  }
  const auto dir = m_runner.cell_dir(cell) / ("op-trace-step-" + std::to_string(step));
  try {
    if (std::string why = run_worker(cell, dir, step, {}); !why.empty()) {
      *error = "cannot op-trace step " + std::to_string(step) + " of " + cell.id + ": " + why;
      return std::nullopt;
    }
    OpTrace trace = read_op_trace(dir / "ops.jsonl");
    m_traces.emplace(key, trace);
    return trace;
  } catch (const Error& e) {
    *error = e.what();
    return std::nullopt;
  }
}

const OpTrace* OpTraceRunner::cached_op_trace(const Cell& cell, int step) const {
  auto it = m_traces.find(std::make_pair(cell.id, step));
  return it == m_traces.end() ? nullptr : &it->second;
}

void OpTraceRunner::store_op_outputs(const Cell& cell, int step, int lane, int index,
                                     TensorDump dump, OpTrace trace) {
  m_outputs.insert_or_assign(std::make_tuple(cell.id, step, lane, index),
                             std::make_pair(std::move(dump), std::move(trace)));
}

std::optional<TensorDump> OpTraceRunner::op_outputs(const Cell& cell, int step, int lane, int index,
                                                    OpTrace* trace, std::string* error) {
  if (auto it = m_outputs.find(std::make_tuple(cell.id, step, lane, index));
      it != m_outputs.end()) {
    *trace = it->second.second;
    return it->second.first;
  }
  const std::string op = std::to_string(lane) + ":" + std::to_string(index);
  const auto dir = m_runner.cell_dir(cell) / ("op-dump-step-" + std::to_string(step));
  try {
    std::string why =
        run_worker(cell, dir, step, {"--op-dump", op, "--op-dump-dir", (dir / "op").string()});
    if (!why.empty()) {
      *error = "cannot dump op " + op + " of " + cell.id + ": " + why;
      return std::nullopt;
    }
    *trace = read_op_trace(dir / "ops.jsonl");
    return read_tensor_dump(dir / "op");
  } catch (const Error& e) {
    *error = e.what();
    return std::nullopt;
  }
}

}  // namespace repro
