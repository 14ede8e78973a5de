// OpTracer: digests the inputs and outputs of every ATen op of one training step.
//
// Opt-in (repro-worker --op-trace-step K --op-trace FILE): while armed, a global
// at::RecordFunction callback (with inputs and outputs, so it also sees strict mode's
// TBB shard threads) digests each op's tensor inputs at its start and its tensor
// outputs at its end, and appends the op to its lane in completion order. Only
// threads inside a training pass (OpPassScope) are traced: kernels' own worker
// threads never dispatch ops that matter to the order. Each op is attributed to a
// module: the module owning a parameter, buffer, gradient or optimizer state among
// its inputs; a backward function to the module of the forward op that created its
// autograd node (sequence number); otherwise the enclosing backward function's module,
// or the last module seen on the lane. The same callback plants the test-only
// "op-ulp:PASS:OP" fault (docs/diagnosis.md): one ULP added to every element of the
// floating outputs of the first OP in PASS at the fault's step.
#pragma once

#include <ATen/core/Tensor.h>
#include <ATen/record_function.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/trace/op_trace.hpp"
#include "harness/trace/tensor_dump.hpp"
#include "models/planted_fault.hpp"

namespace repro {

// Which op's outputs to dump while tracing (re-runs that measure |Δ| and ULP).
struct OpDumpRequest {
  int lane = -1;
  int index = 0;
};

// Parses "LANE:INDEX" ("-1:345", "0:12"). Throws repro::Error(source, field, ...).
OpDumpRequest parse_op_dump_request(const std::string& text, const std::string& source,
                                    const std::string& field);

// The op-ulp fault's target, parsed from a PlantedFault of kind "op-ulp".
struct OpUlpFault {
  std::string pass;  // "forward", "backward", "optimizer", "combine"
  std::string op;    // "aten::convolution"
};

class OpTracer {
 public:
  // `trace_step`: the step to trace (nullopt: none). `fault`: planted fault (op-ulp acts
  // here; others are ignored). `dump`: which op's outputs to keep (needs trace_step).
  OpTracer(std::optional<int> trace_step, const PlantedFault& fault,
           std::optional<OpDumpRequest> dump, std::string producer);
  ~OpTracer();
  OpTracer(const OpTracer&) = delete;
  OpTracer& operator=(const OpTracer&) = delete;

  // Whether anything happens at `step` (tracing or the fault).
  bool active_at(int step) const;

  // Names tensors for module attribution: `name` is "enc1.conv1.weight",
  // "enc1.conv1.weight.grad", ...; its module is the name without the last component
  // (without ".grad"/".exp_avg"/".exp_avg_sq" first). Call before and during a step.
  void name_tensor(const at::Tensor& tensor, const std::string& name);

  // Arms the callbacks for `step` when active_at(step); no-op otherwise.
  void begin_step(int step);
  // Disarms; returns the op trace when this step was traced.
  std::optional<OpTrace> end_step();
  // The dumped outputs of the requested op (after end_step of the traced step);
  // nullopt when that op did not occur.
  const std::optional<TensorDump>& op_dump() const { return m_dump; }

  // Callback plumbing (public for the C callbacks; not for other callers).
  struct Context;
  std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn);
  void on_end(const at::RecordFunction& fn, at::ObserverContext* context);

 private:
  struct LaneState;
  LaneState& lane_state(int lane);
  std::string module_of(const std::vector<const at::TensorImpl*>& impls) const;

  std::optional<int> m_trace_step;
  std::optional<OpUlpFault> m_fault;
  std::optional<int> m_fault_step;  // nullopt: every step
  std::optional<OpDumpRequest> m_dump_request;
  std::string m_producer;

  int m_step = -1;
  bool m_tracing = false;
  bool m_planting = false;
  std::atomic<bool> m_fault_done{false};
  std::optional<std::uint64_t> m_handle;

  mutable std::mutex m_mutex;
  std::map<const at::TensorImpl*, std::string> m_modules;
  std::map<int, std::unique_ptr<LaneState>> m_lanes;
  std::optional<TensorDump> m_dump;
};

}  // namespace repro
