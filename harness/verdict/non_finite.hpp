// NonFinite: where a run's trace first holds NaN or ±Inf, reported as a finding, not a crash.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/trace/trace.hpp"
#include "harness/verdict/attribute.hpp"

namespace repro {

// The first non-finite values of one trace.
struct NonFiniteOrigin {
  std::optional<int> loss_step;  // first step whose loss is NaN or ±Inf
  int step = 0;                  // first step with a non-finite tensor or loss
  std::string tensor;            // the first such tensor of that step, in trace order
  std::string loss_value;        // the loss at loss_step: "nan", "inf" or "-inf"
};

// nullopt when every loss is finite and no tensor carries the non-finite marker.
std::optional<NonFiniteOrigin> first_non_finite(const Trace& trace);

// "loss non-finite from step 1 (cell worker=debian13): nan; the first non-finite value is
// at step 1 in dec1.conv1.weight.grad (grad)", or "non-finite values from step 3 in x (cell
// ...), the loss stays finite".
std::string describe_non_finite(const NonFiniteOrigin& origin, const std::string& cell_id);

// One "non_finite" finding (warning) per cell whose trace holds non-finite values, in
// cell order. Non-finite values alone fail nothing: a cell fails when it diverges where
// it must not, like any other cell.
std::vector<Finding> non_finite_findings(const std::vector<CellRun>& runs);

}  // namespace repro
