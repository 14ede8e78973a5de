// OpLocalization: the first ATen op whose inputs agree in two runs but whose outputs differ.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/trace/op_trace.hpp"
#include "harness/verdict/op_trace_provider.hpp"

namespace repro {

struct OpLocalization {
  // "op": the first op with bit-identical inputs and differing outputs was found;
  // "inputs_differ": the first op whose outputs differ already has differing inputs
  // (the values came from outside the traced ops: data, initialisation, an earlier
  // step); "sequence_differs": the two runs executed different ops; "identical": no op
  // differs (the re-runs did not reproduce the divergence); "unavailable": no op traces;
  // "not_localized": skipped, its estimated cost (`seconds`) was over the budget.
  std::string status = "unavailable";
  int step = 0;
  int lane = -1;
  int index = 0;            // the op's index in the reference run's trace
  int candidate_index = 0;  // the same op's index in the candidate's (other library versions
                            // run other ops before it: libtorch 1.13 and 2.6 differ)
  std::string op;           // "aten::convolution"
  std::string module;       // "up2"
  std::string pass;         // "forward", "backward", "combine", "optimizer"
  std::vector<OpTensor> inputs;
  std::vector<OpTensor> outputs;  // the reference run's
  int output = 0;                 // the first differing output
  std::string other_op;           // sequence_differs: the candidate's op at that place
  // |Δ| and ULP of that output, measured from re-run dumps that reproduced the traced
  // digests; nullopt otherwise, with the reason in magnitude_note.
  std::optional<double> max_abs_diff;
  std::optional<std::uint64_t> max_ulp;
  std::string magnitude_note;
  std::string note;    // why unavailable; for "op": that the kernels inside it differ
  double seconds = 0;  // what localizing cost (worker re-runs); the estimate if skipped
  int ops_compared = 0;

  // "the first divergent op is aten::convolution_backward in head (backward, step 0):
  // inputs bit-identical, output 1 float32[3,8,1,1] differs by max |Δ| 2.0e-08, 3 ULP"
  std::string describe() const;
};

// Compares two op traces of the same step, lane by lane: the call trees (rebuilt from
// completion order and depth) are walked top-level op by top-level op; the first op whose
// outputs differ is refined to the innermost op below it with bit-identical inputs and
// differing outputs. Across lanes the earliest by pass wins (forward, backward, combine,
// optimizer), then the lowest lane.
OpLocalization first_divergent_op(const OpTrace& reference, const OpTrace& candidate);

// Runs both cells with op tracing at `step`, localizes, and measures the op's output
// from re-run dumps (only when the re-runs reproduce the traced digests). Never throws.
OpLocalization localize(OpTraceProvider& provider, const Cell& reference, const Cell& candidate,
                        int step);

}  // namespace repro
