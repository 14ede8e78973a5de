// OpPass: which pass of a training step (and which strict-mode shard) the current thread runs.
#pragma once

#include <string_view>

namespace repro {

// The pass an ATen op belongs to, as the op tracer and op-ulp planted faults see it.
enum class OpPass { none, forward, backward, combine, optimizer };

// "forward", "backward", "combine" (strict mode's ordered mean of shard results),
// "optimizer", "none".
std::string_view to_string(OpPass pass);

// The calling thread's current pass (OpPass::none outside a training step).
OpPass current_op_pass();

// The calling thread's lane: -1 for the step's own thread, k for strict-mode shard k.
int current_op_lane();

// Sets the calling thread's pass for its lifetime (restores the previous one).
class OpPassScope {
 public:
  explicit OpPassScope(OpPass pass);
  ~OpPassScope();
  OpPassScope(const OpPassScope&) = delete;
  OpPassScope& operator=(const OpPassScope&) = delete;

 private:
  OpPass m_previous;
};

// Sets the calling thread's lane for its lifetime (restores the previous one).
class OpLaneScope {
 public:
  explicit OpLaneScope(int lane);
  ~OpLaneScope();
  OpLaneScope(const OpLaneScope&) = delete;
  OpLaneScope& operator=(const OpLaneScope&) = delete;

 private:
  int m_previous;
};

}  // namespace repro
