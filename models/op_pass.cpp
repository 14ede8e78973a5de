// OpPass: thread-local pass and lane markers set by the trainer and the shard tasks.
#include "models/op_pass.hpp"

namespace repro {
namespace {

thread_local OpPass t_pass = OpPass::none;
thread_local int t_lane = -1;

}  // namespace

std::string_view to_string(OpPass pass) {
  switch (pass) {
    case OpPass::forward:
      return "forward";
    case OpPass::backward:
      return "backward";
    case OpPass::combine:
      return "combine";
    case OpPass::optimizer:
      return "optimizer";
    case OpPass::none:
      break;
  }
  return "none";
}

OpPass current_op_pass() {
  return t_pass;
}

int current_op_lane() {
  return t_lane;
}

OpPassScope::OpPassScope(OpPass pass) : m_previous(t_pass) {
  t_pass = pass;
}

OpPassScope::~OpPassScope() {
  t_pass = m_previous;
}

OpLaneScope::OpLaneScope(int lane) : m_previous(t_lane) {
  t_lane = lane;
}

OpLaneScope::~OpLaneScope() {
  t_lane = m_previous;
}

}  // namespace repro
