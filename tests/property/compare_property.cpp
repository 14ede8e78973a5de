// Comparison and attribution properties on synthetic traces.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/verdict/attribute.hpp"
#include "harness/verdict/compare.hpp"
#include "tests/support/synthetic_traces.hpp"

namespace repro {
namespace {

std::string tensor_at(size_t index) {
  return test::unet_tensors().at(index).name;
}

RC_GTEST_PROP(CompareProperty, ReportsTheSamePlaceInBothDirections, ()) {
  auto steps = *rc::gen::inRange(1, 6);
  Trace a = test::make_trace(steps);
  Trace b = test::make_trace(steps);
  auto edits = *rc::gen::inRange(0, 4);
  for (int e = 0; e < edits; ++e) {
    auto step = *rc::gen::inRange(0, steps);
    auto index = *rc::gen::inRange<size_t>(0, test::unet_tensors().size());
    auto kind = *rc::gen::inRange(0, 3);
    Trace& target = *rc::gen::arbitrary<bool>() ? a : b;
    if (kind == 0) {
      test::mutate_tensor(target, step, tensor_at(index), static_cast<std::uint64_t>(e + 1));
    } else if (kind == 1) {
      test::diverge(target, step, tensor_at(index), static_cast<std::uint64_t>(e + 7));
    } else {
      test::reorder_batch(target, step);
    }
  }
  if (*rc::gen::arbitrary<bool>() && steps > 1) {
    b.steps.pop_back();  // one run stopped early
    b.step_time_ms.clear();
  }
  Comparison ab = compare_traces(a, b);
  Comparison ba = compare_traces(b, a);
  RC_ASSERT(ab.identical == ba.identical);
  if (!ab.identical) {
    RC_ASSERT(ab.first_divergence->same_place(*ba.first_divergence));
    RC_ASSERT(ab.diverged_steps == ba.diverged_steps);
  }
  RC_ASSERT(compare_traces(a, a).identical);
}

// Exactly one axis changes a tensor at step k: attribution names that axis and step k,
// and every other axis is invariant.
RC_GTEST_PROP(AttributeProperty, NamesExactlyTheAxisThatChangedAndItsStep, ()) {
  const std::vector<std::string> axes = {"blas", "cpu_capability", "seed", "threads"};
  auto culprit = *rc::gen::inRange<size_t>(0, axes.size());
  auto steps = *rc::gen::inRange(1, 6);
  auto k = *rc::gen::inRange(0, steps);
  auto index = *rc::gen::inRange<size_t>(0, test::unet_tensors().size());

  Settings base;
  for (const auto& axis : axes) {
    base[axis] = "a";
  }
  Cell baseline = test::make_cell(base, CellRole::baseline);
  Trace reference = test::make_trace(steps);
  std::vector<CellOutcome> outcomes;
  outcomes.push_back({test::make_cell(base, CellRole::repeat), RunStatus::ran,
                      compare_traces(reference, test::make_trace(steps))});
  for (size_t i = 0; i < axes.size(); ++i) {
    Settings s = base;
    s[axes[i]] = "b";
    Trace t = test::make_trace(steps);
    if (i == culprit) {
      test::diverge(t, k, tensor_at(index));
    }
    outcomes.push_back({test::make_cell(s, CellRole::variant, axes[i]), RunStatus::ran,
                        compare_traces(reference, t)});
  }
  Attribution result = attribute(baseline, outcomes, {});
  RC_ASSERT(result.repeatable == std::optional<bool>(true));
  int breaking = 0;
  for (const auto& entry : result.axes) {
    if (entry.breaks) {
      ++breaking;
      RC_ASSERT(entry.axis == axes[culprit]);
      RC_ASSERT(entry.first_divergence->step == k);
      RC_ASSERT(entry.first_divergence->tensor == tensor_at(index));
    }
  }
  RC_ASSERT(breaking == 1);
}

}  // namespace
}  // namespace repro
