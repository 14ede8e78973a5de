// attribute: names the changed axis and step; repeat and seed verdicts; interactions.
#include "harness/verdict/attribute.hpp"

#include <gtest/gtest.h>

#include "harness/verdict/remedy.hpp"
#include "tests/support/synthetic_traces.hpp"

namespace repro {
namespace {

using test::make_cell;
using test::make_trace;

const Settings k_baseline = {{"blas", "openblas-pthread"}, {"seed", "1"}, {"threads", "1"}};

Settings with(Settings s, const std::map<std::string, std::string>& changes) {
  for (const auto& [axis, value] : changes) {
    s[axis] = value;
  }
  return s;
}

// An outcome whose trace diverges from the baseline's at (step, tensor), or not at all.
CellOutcome outcome(const Settings& settings, int step = -1, const std::string& tensor = "",
                    CellRole role = CellRole::variant) {
  Trace base = make_trace(3);
  Trace mine = make_trace(3);
  if (step >= 0) {
    test::diverge(mine, step, tensor);
  }
  return {make_cell(settings, role), RunStatus::ran, compare_traces(base, mine)};
}

TEST(Attribute, OfatNamesExactlyTheChangedAxisAndStep) {
  Cell baseline = make_cell(k_baseline, CellRole::baseline);
  std::vector<CellOutcome> outcomes = {
      outcome(k_baseline, -1, "", CellRole::repeat),
      outcome(with(k_baseline, {{"threads", "2"}}), 1, "enc1.conv1.weight.grad"),
      outcome(with(k_baseline, {{"blas", "atlas"}})),
      outcome(with(k_baseline, {{"seed", "2"}}), 0, "batch.images"),
  };
  Attribution a = attribute(baseline, outcomes, {"threads"});
  EXPECT_EQ(a.repeatable, true);
  ASSERT_EQ(a.axes.size(), 3u);
  EXPECT_EQ(a.axes[0].axis, "threads");
  EXPECT_EQ(a.axes[0].from, "1");
  EXPECT_EQ(a.axes[0].to, "2");
  EXPECT_TRUE(a.axes[0].breaks);
  EXPECT_TRUE(a.axes[0].must_hold);
  EXPECT_EQ(a.axes[0].first_divergence->step, 1);
  EXPECT_EQ(a.axes[0].first_divergence->tensor, "enc1.conv1.weight.grad");
  EXPECT_EQ(a.axes[1].axis, "blas");
  EXPECT_FALSE(a.axes[1].breaks);
  EXPECT_FALSE(a.axes[1].must_hold);
  EXPECT_FALSE(a.axes[1].first_divergence.has_value());
  EXPECT_TRUE(a.axes[2].breaks);
  EXPECT_TRUE(a.interactions.empty());
  EXPECT_TRUE(a.findings.empty());
  ASSERT_GE(a.summary_lines.size(), 3u);
  EXPECT_EQ(a.summary_lines[0],
            "threads 1→2 breaks bit-equality at step 1 in enc1.conv1.weight.grad (declared "
            "invariant) → " +
                remedy_for_axis("threads"));
  EXPECT_EQ(a.summary_lines[1], "seed 1→2 breaks bit-equality at step 0 in batch.images");
  EXPECT_EQ(a.summary_lines[2], "invariant: blas openblas-pthread→atlas");
}

TEST(Attribute, SummaryLineCarriesMagnitudes) {
  AxisAttribution a;
  a.axis = "threads";
  a.from = "1";
  a.to = "2";
  a.breaks = true;
  FirstDivergence fd;
  fd.step = 0;
  fd.tensor = "enc1.conv1.weight.grad";
  fd.kind = TensorKind::grad;
  fd.max_abs_diff = 3.0e-9;
  fd.max_ulp = 2;
  a.first_divergence = fd;
  EXPECT_EQ(a.summary(),
            "threads 1→2 breaks bit-equality at step 0 in enc1.conv1.weight.grad (max |Δ| "
            "3.0e-09, 2 ULP)");
}

TEST(Attribute, RepeatThatDiffersIsNotReproducible) {
  Cell baseline = make_cell(k_baseline, CellRole::baseline);
  std::vector<CellOutcome> outcomes = {outcome(k_baseline, 2, "loss", CellRole::repeat)};
  Attribution a = attribute(baseline, outcomes, {});
  EXPECT_EQ(a.repeatable, false);
  ASSERT_TRUE(a.repeat_divergence.has_value());
  EXPECT_EQ(a.repeat_divergence->step, 2);
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].code, "not_reproducible");
  EXPECT_EQ(a.findings[0].severity, Severity::critical);
  ASSERT_FALSE(a.summary_lines.empty());
  EXPECT_EQ(a.summary_lines[0],
            "not reproducible under identical settings: the repeat differs from the baseline at "
            "step 2 in loss → " +
                remedy_for_repeat(""));
}

TEST(Attribute, NoRepeatLeavesRepeatableUnknown) {
  Cell baseline = make_cell(k_baseline, CellRole::baseline);
  Attribution a = attribute(baseline, {outcome(with(k_baseline, {{"threads", "2"}}))}, {});
  EXPECT_FALSE(a.repeatable.has_value());
}

TEST(Attribute, SeedWithoutEffectIsAFinding) {
  Cell baseline = make_cell(k_baseline, CellRole::baseline);
  Attribution a = attribute(baseline, {outcome(with(k_baseline, {{"seed", "2"}}))}, {});
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].code, "seed_no_effect");
  EXPECT_EQ(a.findings[0].severity, Severity::warning);
  EXPECT_NE(a.findings[0].message.find("seed has no effect"), std::string::npos);
}

TEST(Attribute, SeedThatChangesResultsIsNoFinding) {
  Cell baseline = make_cell(k_baseline, CellRole::baseline);
  Attribution a = attribute(baseline, {outcome(with(k_baseline, {{"seed", "2"}}), 0, "loss")}, {});
  EXPECT_TRUE(a.findings.empty());
}

TEST(Attribute, CellsThatDidNotRunTakeNoPart) {
  Cell baseline = make_cell(k_baseline, CellRole::baseline);
  CellOutcome skipped{make_cell(with(k_baseline, {{"threads", "2"}})), RunStatus::skipped,
                      std::nullopt};
  CellOutcome crashed{make_cell(with(k_baseline, {{"blas", "atlas"}})), RunStatus::crashed,
                      std::nullopt};
  Attribution a = attribute(baseline, {skipped, crashed}, {"threads"});
  EXPECT_TRUE(a.axes.empty());
  EXPECT_TRUE(a.summary_lines.empty());
}

TEST(Attribute, FullDesignFindsInteractionWhosePartsAreInvariant) {
  Cell baseline = make_cell(k_baseline, CellRole::baseline);
  std::vector<CellOutcome> outcomes = {
      outcome(with(k_baseline, {{"threads", "2"}})),
      outcome(with(k_baseline, {{"blas", "atlas"}})),
      outcome(with(k_baseline, {{"threads", "2"}, {"blas", "atlas"}}), 1, "loss"),
  };
  Attribution a = attribute(baseline, outcomes, {});
  ASSERT_EQ(a.interactions.size(), 1u);
  const Interaction& in = a.interactions[0];
  EXPECT_EQ(in.axes, (std::vector<std::string>{"blas", "threads"}));
  EXPECT_TRUE(in.breaks);
  EXPECT_EQ(in.first_divergence->step, 1);
  EXPECT_EQ(in.explanation, "each change alone is invariant");
  EXPECT_EQ(in.summary(),
            "blas openblas-pthread→atlas + threads 1→2 breaks bit-equality at step 1 in loss: "
            "each change alone is invariant");
}

TEST(Attribute, FullDesignCombinationExplainedByAPartIsNoInteraction) {
  Cell baseline = make_cell(k_baseline, CellRole::baseline);
  std::vector<CellOutcome> outcomes = {
      outcome(with(k_baseline, {{"threads", "2"}}), 0, "enc1.conv1.weight.grad"),
      outcome(with(k_baseline, {{"blas", "atlas"}})),
      outcome(with(k_baseline, {{"threads", "2"}, {"blas", "atlas"}}), 0, "enc1.conv1.weight.grad"),
  };
  Attribution a = attribute(baseline, outcomes, {});
  EXPECT_TRUE(a.interactions.empty());
}

TEST(Attribute, FullDesignCombinationBreakingElsewhereIsAnInteraction) {
  Cell baseline = make_cell(k_baseline, CellRole::baseline);
  std::vector<CellOutcome> outcomes = {
      outcome(with(k_baseline, {{"threads", "2"}}), 2, "enc1.conv1.weight.grad"),
      outcome(with(k_baseline, {{"blas", "atlas"}})),
      outcome(with(k_baseline, {{"threads", "2"}, {"blas", "atlas"}}), 0, "loss"),
  };
  Attribution a = attribute(baseline, outcomes, {});
  ASSERT_EQ(a.interactions.size(), 1u);
  EXPECT_NE(a.interactions[0].explanation.find("threads 1→2 alone breaks at step 2"),
            std::string::npos)
      << a.interactions[0].explanation;
}

TEST(Attribute, FullDesignMaskingIsAnInteractionReportedOnce) {
  Settings base = with(k_baseline, {{"deterministic", "off"}});
  Cell baseline = make_cell(base, CellRole::baseline);
  std::vector<CellOutcome> outcomes = {
      outcome(with(base, {{"threads", "2"}}), 0, "loss"),
      outcome(with(base, {{"deterministic", "on"}})),
      outcome(with(base, {{"blas", "atlas"}})),
      outcome(with(base, {{"threads", "2"}, {"deterministic", "on"}})),
      outcome(with(base, {{"threads", "2"}, {"blas", "atlas"}}), 0, "loss"),
      outcome(with(base, {{"deterministic", "on"}, {"blas", "atlas"}})),
      outcome(with(base, {{"threads", "2"}, {"deterministic", "on"}, {"blas", "atlas"}})),
  };
  Attribution a = attribute(baseline, outcomes, {});
  ASSERT_EQ(a.interactions.size(), 1u);
  EXPECT_FALSE(a.interactions[0].breaks);
  EXPECT_EQ(a.interactions[0].axes, (std::vector<std::string>{"deterministic", "threads"}));
  EXPECT_NE(a.interactions[0].summary().find("bit-identical to the baseline although threads "
                                             "1→2 alone breaks"),
            std::string::npos);
}

TEST(ChangedAxes, ListsDifferingAndOneSidedAxesInOrder) {
  EXPECT_EQ(changed_axes({{"a", "1"}, {"b", "1"}}, {{"a", "2"}, {"b", "1"}, {"c", "x"}}),
            (std::vector<std::string>{"a", "c"}));
  EXPECT_TRUE(changed_axes(k_baseline, k_baseline).empty());
}

}  // namespace
}  // namespace repro
