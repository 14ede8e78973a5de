// OpTrace: the digests of every ATen op's inputs and outputs at one step (docs/op-trace.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/trace/digest.hpp"

namespace repro {

inline constexpr int k_op_trace_format_version = 1;

// One tensor argument or result of an op. `digest` is empty (nullopt-like: has_digest
// false) for a tensor the digest cannot cover (an opaque layout, an unnamed dtype).
struct OpTensor {
  std::string dtype;  // trace dtype name, or libtorch's name when the trace has none
  std::vector<std::int64_t> shape;
  bool has_digest = false;
  Digest digest;  // meaningful only when has_digest
  // Same dtype and shape, and the same digest when both have one (a digest that is not
  // there does not take part).
  friend bool operator==(const OpTensor& a, const OpTensor& b) {
    return a.dtype == b.dtype && a.shape == b.shape && a.has_digest == b.has_digest &&
           (!a.has_digest || a.digest == b.digest);
  }
};

// One op, in the order ops completed on its lane (inner ops before the op that called
// them, so the first op whose outputs differ is the innermost one).
struct OpRecord {
  int lane = -1;                  // -1: the training step's thread; k: strict-mode shard k
  int index = 0;                  // position on its lane, 0, 1, 2, ...
  std::string name;               // "aten::convolution", "autograd::engine::evaluate_function: ..."
  std::string pass;               // "forward", "backward", "combine", "optimizer"
  std::string module;             // "enc1.conv1"; "" when no module is known
  int depth = 0;                  // nesting depth on its lane (0: called by the training code)
  std::vector<OpTensor> inputs;   // tensor arguments, at the op's start
  std::vector<OpTensor> outputs;  // tensor results
};

struct OpTrace {
  int format_version = k_op_trace_format_version;
  std::string producer;
  int step = 0;
  std::vector<OpRecord> ops;  // lane by lane (-1 first), each lane in completion order
  // The ops of `lane`, in order.
  std::vector<const OpRecord*> lane(int lane) const;
  // The lanes present, ascending.
  std::vector<int> lanes() const;
};

// Serializes to JSON Lines: a header, one "op" record per op, an "end" record.
std::string op_trace_text(const OpTrace& trace);

// Writes atomically.
void write_op_trace(const std::filesystem::path& path, const OpTrace& trace);

// Reads and validates (format_version, field types, lane indices consecutive, the
// end record's count, at most k_max_ops ops). Throws repro::Error(file, field, ...).
OpTrace read_op_trace(const std::filesystem::path& path);

inline constexpr std::size_t k_max_ops = 2'000'000;

// "float32[2,8,16,16]"
std::string describe(const OpTensor& tensor);

}  // namespace repro
