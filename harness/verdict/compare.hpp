// Comparison of two traces: identical, or the first divergence (step, tensor, kind).
//
// "First" follows the trace's causal order (docs/trace-format.md): the first step
// whose content differs, then the first tensor in trace order whose digest differs.
// The comparison is symmetric: compare_traces(a, b) and compare_traces(b, a) name
// the same step, tensor and kind; only the reference/candidate sides swap.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/trace/tensor_dump.hpp"
#include "harness/trace/trace.hpp"
#include "harness/verdict/dump_provider.hpp"

namespace repro {

// Where two runs first stop being bit-identical, and by how much (when measured).
struct FirstDivergence {
  int step = 0;
  // The first differing tensor in trace order. Special names when no tensor digest
  // differs: "batch_ids" (data order only), "loss_bits" (loss bits only), "" when
  // one trace simply has fewer steps (see Comparison::reference_steps), and "root"
  // for a hand-made step whose root disagrees with its own tensors.
  std::string tensor;
  std::optional<TensorKind> kind;  // nullopt for "" and "root" (no tensor to name)
  // Magnitudes, filled by add_magnitude() from raw tensor dumps; nullopt when not
  // measured (no dumps, or a tensor that cannot be measured: see magnitude_note).
  std::optional<double> max_abs_diff;
  std::optional<std::uint64_t> max_ulp;  // floating dtypes only
  std::optional<std::int64_t> differing_elements;
  std::string magnitude_note;  // why magnitudes are missing, "" when present or not asked

  // Same step, tensor and kind (magnitudes are not compared).
  bool same_place(const FirstDivergence& other) const {
    return step == other.step && tensor == other.tensor && kind == other.kind;
  }
};

// The result of comparing a candidate trace with a reference trace.
struct Comparison {
  bool identical = true;
  std::optional<FirstDivergence> first_divergence;  // set exactly when !identical
  int reference_steps = 0;
  int candidate_steps = 0;
  int diverged_steps = 0;  // steps (in the common prefix) whose content differs
  // First step whose batch ids differ: the data order changed.
  std::optional<int> first_data_order_step;
  // First step whose loss bits differ.
  std::optional<int> first_loss_step;
  // At the first divergent step: tensor names present on one side only.
  std::vector<std::string> only_in_reference;
  std::vector<std::string> only_in_candidate;

  // One line for people: "identical (4 steps)" or "step 0 in enc1.conv1.weight.grad
  // (grad), max |Δ| 3.0e-09, 2 ULP; data order changed at step 1; ...".
  std::string describe() const;
};

// Compares two traces (normally: the baseline cell and another cell). A step
// differs when its root, its loss bits or its batch ids differ; the first differing
// tensor is found by walking both tensor lists in order (see compare.cpp for how a
// position where the names themselves differ is resolved symmetrically). Never throws.
Comparison compare_traces(const Trace& reference, const Trace& candidate);

// Fills max_abs_diff, max_ulp and differing_elements of the first divergence from the
// two dumps of that step. When the tensor is missing from a dump, has another dtype or
// shape, or is not a tensor (batch_ids, a missing step), leaves them unset and says why
// in magnitude_note. Returns true when the magnitudes were filled. No-op on identical.
bool add_magnitude(Comparison& comparison, const TensorDump& reference,
                   const TensorDump& candidate);

// Asks `dumps` for both cells' tensors at the first divergent step and calls the
// overload above; a provider failure is recorded in magnitude_note, never thrown.
bool add_magnitude(Comparison& comparison, DumpProvider& dumps, const Cell& reference,
                   const Cell& candidate);

// "3.0e-09" style text used in every report for a max |Δ|.
std::string format_abs_diff(double value);

// Where, for summary lines: "at step 0 in enc1.conv1.weight.grad (max |Δ| 3.0e-09, 2 ULP)",
// "at step 2 in batch_ids (data order)", "at step 3 (one run has fewer steps)".
std::string describe(const FirstDivergence& divergence);

// GoogleTest printers.
void PrintTo(const FirstDivergence& divergence, std::ostream* os);
void PrintTo(const Comparison& comparison, std::ostream* os);

}  // namespace repro
