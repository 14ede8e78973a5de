// NonFinite: first NaN/±Inf in a trace (loss bits, tensor markers) and its finding.
#include "harness/verdict/non_finite.hpp"

#include <cmath>

#include "harness/trace/trace_value.hpp"

namespace repro {
namespace {

bool loss_non_finite(const StepRecord& step) {
  if (auto from_bits = loss_bits_non_finite(step.loss_dtype, step.loss_bits)) {
    return *from_bits;
  }
  return !std::isfinite(step.loss_value);
}

std::string loss_word(const StepRecord& step) {
  if (std::isnan(step.loss_value)) {
    return "nan";
  }
  if (std::isinf(step.loss_value)) {
    return step.loss_value > 0 ? "inf" : "-inf";
  }
  return "non-finite";
}

}  // namespace

std::optional<NonFiniteOrigin> first_non_finite(const Trace& trace) {
  std::optional<NonFiniteOrigin> origin;
  for (const auto& step : trace.steps) {
    if (!origin) {
      for (const auto& t : step.tensors) {
        if (t.non_finite) {
          origin = NonFiniteOrigin{std::nullopt, step.step,
                                   t.name + " (" + std::string(to_string(t.kind)) + ")", ""};
          break;
        }
      }
      if (!origin && loss_non_finite(step)) {
        origin = NonFiniteOrigin{std::nullopt, step.step, "loss (loss)", ""};
      }
    }
    if (origin && loss_non_finite(step)) {
      origin->loss_step = step.step;
      origin->loss_value = loss_word(step);
      break;
    }
  }
  return origin;
}

std::string describe_non_finite(const NonFiniteOrigin& origin, const std::string& cell_id) {
  std::string where = "at step " + std::to_string(origin.step) + " in " + origin.tensor;
  if (origin.loss_step) {
    return "loss non-finite from step " + std::to_string(*origin.loss_step) + " (cell " + cell_id +
           "): " + origin.loss_value + "; the first non-finite value is " + where;
  }
  return "non-finite values from step " + std::to_string(origin.step) + " (cell " + cell_id +
         "): the first is " + where + "; the loss stays finite";
}

std::vector<Finding> non_finite_findings(const std::vector<CellRun>& runs) {
  std::vector<Finding> out;
  for (const auto& run : runs) {
    if (!run.trace) {
      continue;
    }
    if (auto origin = first_non_finite(*run.trace)) {
      out.push_back({"non_finite", Severity::warning, describe_non_finite(*origin, run.cell.id)});
    }
  }
  return out;
}

}  // namespace repro
