// OpTraceProvider: re-runs a cell with op tracing at one step (for the first divergent op).
#pragma once

#include <optional>
#include <string>

#include "harness/plan/cell.hpp"
#include "harness/trace/op_trace.hpp"
#include "harness/trace/tensor_dump.hpp"

namespace repro {

// Implemented by the runner (it re-runs the cell's worker with --op-trace-step) and by
// test fakes.
class OpTraceProvider {
 public:
  virtual ~OpTraceProvider() = default;
  // The op trace of `cell` at `step`; nullopt with `*error` set when it cannot.
  virtual std::optional<OpTrace> op_trace(const Cell& cell, int step, std::string* error) = 0;
  // The outputs of op (lane, index) of `cell` at `step` (names "output.K"), from a
  // re-run that also writes the op trace into `*trace` (so the caller can check that
  // the re-run reproduced the traced digests); nullopt with `*error` set when it cannot.
  virtual std::optional<TensorDump> op_outputs(const Cell& cell, int step, int lane, int index,
                                               OpTrace* trace, std::string* error) = 0;
};

}  // namespace repro
