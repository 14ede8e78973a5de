// OpTraceRunner: re-runs a cell's worker with --op-trace-step (and --op-dump) for localization.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "harness/run/process_runner.hpp"
#include "harness/verdict/op_trace_provider.hpp"

namespace repro {

// Each re-run goes into CELL_DIR/op-trace-step-K[-LANE_INDEX]/ with the cell's config and
// environment, stops right after step K (--stop-after-dump), and is read back; op traces
// are cached per (cell, step).
class OpTraceRunner : public OpTraceProvider {
 public:
  // `runner` gives the cell folders; `options` the workload, launch context and limits.
  OpTraceRunner(const ProcessRunner& runner, ProcessRunnerOptions options)
      : m_runner(runner), m_options(std::move(options)) {}

  std::optional<OpTrace> op_trace(const Cell& cell, int step, std::string* error) override;
  std::optional<TensorDump> op_outputs(const Cell& cell, int step, int lane, int index,
                                       OpTrace* trace, std::string* error) override;

  // Stores an op trace of `cell` at `step` made elsewhere (harness/run/rerun_batch.hpp) in
  // the cache op_trace() answers from.
  void store_op_trace(const Cell& cell, int step, OpTrace trace) {
    m_traces.insert_or_assign(std::make_pair(cell.id, step), std::move(trace));
  }
  // The op trace of `cell` at `step` if one is cached (never runs a worker), else nullptr.
  const OpTrace* cached_op_trace(const Cell& cell, int step) const;
  // Stores the dump of op LANE:INDEX of `cell` at `step` and the op trace of the run that
  // made it (harness/run/rerun_batch.hpp) in the cache op_outputs() answers from.
  void store_op_outputs(const Cell& cell, int step, int lane, int index, TensorDump dump,
                        OpTrace trace);

 private:
  // Runs the worker with `extra` args into `dir`; "" on success, else why not.
  std::string run_worker(const Cell& cell, const std::filesystem::path& dir, int step,
                         const std::vector<std::string>& extra);

  const ProcessRunner& m_runner;
  ProcessRunnerOptions m_options;
  std::map<std::pair<std::string, int>, OpTrace> m_traces;
  // (cell id, step, lane, index) -> the op's dump and the op trace of its run
  std::map<std::tuple<std::string, int, int, int>, std::pair<TensorDump, OpTrace>> m_outputs;
};

}  // namespace repro
