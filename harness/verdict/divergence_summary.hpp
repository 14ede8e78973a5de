// DivergenceSummary: everything that differs at the first divergent step, grouped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/trace/tensor_dump.hpp"
#include "harness/trace/trace.hpp"

namespace repro {

// The tensors of one kind (batch, buffer, loss, grad, param, optimizer) at that step.
struct KindSummary {
  TensorKind kind = TensorKind::param;
  int total = 0;                     // tensors of this kind in both traces
  int differing = 0;                 // of those, with different digests
  std::vector<std::string> modules;  // modules with a differing tensor, first-differing first
  std::vector<std::string> identical_names;  // listed when few (<= 3) are identical
  std::string first;                         // the causally first differing tensor ("" if none)
  // Largest |Δ| and ULP over this kind's differing tensors, when dumps were given.
  std::optional<double> max_abs_diff;
  std::optional<std::uint64_t> max_ulp;
};

struct DivergenceSummary {
  int step = 0;
  std::vector<KindSummary> kinds;  // in causal order, every kind present in the traces
  bool loss_differs = false;
  bool batch_ids_differ = false;
  // Where the divergence starts, by the causal order of kinds: "data" (batch),
  // "forward" (buffers or loss), "backward" (gradients), "optimizer" (params, state).
  std::string starts_in;
  std::string start_module;  // module of the first differing tensor of that kind
  // Whether any differing tensor was measured (dumps given and matching the traces).
  bool measured = false;

  // "35 of 36 gradients differ (all except head.weight.grad); batch, buffers and loss
  // identical → the divergence starts in backward at head"
  std::string describe() const;
  // One line per kind with a difference: "grad: 35 of 36 differ in 20 modules (first
  // head.bias.grad), max |Δ| 6.0e-08, 7045 ULP".
  std::vector<std::string> detail_lines() const;
};

// The module of a tensor name: "enc1.conv1.weight.grad" -> "enc1.conv1",
// "batch.images" -> "batch", "loss" -> "loss".
std::string module_of(const std::string& tensor_name, TensorKind kind);

// Summarises step `step` of both traces (both must have it). `reference_dump` and
// `candidate_dump` may be null; when both are given, each differing tensor's |Δ|/ULP
// is measured from them (callers pass only dumps verified against the traces).
DivergenceSummary summarize_divergence(const StepRecord& reference, const StepRecord& candidate,
                                       const TensorDump* reference_dump = nullptr,
                                       const TensorDump* candidate_dump = nullptr);

}  // namespace repro
