// Diagnosis: divergence summaries, remedies, trace consistency, loss magnitudes.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/verdict/divergence_summary.hpp"
#include "harness/verdict/magnitude_probe.hpp"
#include "harness/verdict/remedy.hpp"
#include "harness/verdict/trace_consistency.hpp"
#include "tests/support/synthetic_traces.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

// A step like the U-Net's in version-2 order: head's gradients first.
std::vector<test::TensorSpec> causal_tensors() {
  return {{"batch.images", TensorKind::batch},
          {"batch.labels", TensorKind::batch},
          {"enc1.bn1.running_mean", TensorKind::buffer},
          {"loss", TensorKind::loss},
          {"head.bias.grad", TensorKind::grad},
          {"head.weight.grad", TensorKind::grad},
          {"dec1.conv1.weight.grad", TensorKind::grad},
          {"enc1.conv1.weight.grad", TensorKind::grad},
          {"head.weight", TensorKind::param}};
}

void change(StepRecord& step, const std::string& name) {
  for (auto& t : step.tensors) {
    if (t.name == name) {
      t.digest.low ^= 1;
    }
  }
}

TEST(DivergenceSummary, GradientsOnlyPointsAtBackwardAndItsFirstModule) {
  Trace a = test::make_trace(1, causal_tensors(), 1);
  Trace b = a;
  for (const char* name :
       {"head.bias.grad", "dec1.conv1.weight.grad", "enc1.conv1.weight.grad", "head.weight"}) {
    change(b.steps[0], name);
  }
  DivergenceSummary s = summarize_divergence(a.steps[0], b.steps[0]);
  EXPECT_EQ(s.starts_in, "backward");
  EXPECT_EQ(s.start_module, "head");
  EXPECT_EQ(s.describe(),
            "3 of 4 gradients differ (all except head.weight.grad); 1 of 1 parameter differs; "
            "batch tensors, buffers, loss identical → the divergence starts in backward at head");
  ASSERT_EQ(s.detail_lines().size(), 2u);
  EXPECT_EQ(s.detail_lines()[0], "grad: 3 of 4 differ in 3 modules (first head.bias.grad)");
}

TEST(DivergenceSummary, BufferDifferenceStartsInForward) {
  Trace a = test::make_trace(1, causal_tensors(), 1);
  Trace b = a;
  change(b.steps[0], "enc1.bn1.running_mean");
  change(b.steps[0], "enc1.conv1.weight.grad");
  DivergenceSummary s = summarize_divergence(a.steps[0], b.steps[0]);
  EXPECT_EQ(s.starts_in, "forward");
  EXPECT_EQ(s.start_module, "enc1.bn1");
}

TEST(DivergenceSummary, MeasuresTheLargestDifferencePerKind) {
  Trace a = test::make_trace(1, {{"w.grad", TensorKind::grad}, {"v.grad", TensorKind::grad}}, 1);
  Trace b = a;
  change(b.steps[0], "w.grad");
  change(b.steps[0], "v.grad");
  TensorDump da;
  TensorDump db;
  da.tensors = {test::float_tensor("w.grad", TensorKind::grad, {1.0f, 2.0f}),
                test::float_tensor("v.grad", TensorKind::grad, {1.0f})};
  db.tensors = {test::float_tensor("w.grad", TensorKind::grad, {1.0f, 2.5f}),
                test::float_tensor("v.grad", TensorKind::grad, {3.0f})};
  DivergenceSummary s = summarize_divergence(a.steps[0], b.steps[0], &da, &db);
  ASSERT_EQ(s.kinds.size(), 1u);
  EXPECT_DOUBLE_EQ(*s.kinds[0].max_abs_diff, 2.0);
  EXPECT_TRUE(s.measured);
}

TEST(DivergenceSummary, ModuleOfStripsStateSuffixes) {
  EXPECT_EQ(module_of("enc1.conv1.weight.grad", TensorKind::grad), "enc1.conv1");
  EXPECT_EQ(module_of("head.bias.exp_avg_sq", TensorKind::optimizer), "head");
  EXPECT_EQ(module_of("batch.images", TensorKind::batch), "batch");
}

TEST(Remedy, EveryAxisAndRepeatHasOne) {
  EXPECT_NE(remedy_for_axis("threads").find("strict mode"), std::string::npos);
  EXPECT_NE(remedy_for_axis("blas").find("pin the BLAS build"), std::string::npos);
  EXPECT_NE(remedy_for_axis("cpu_capability").find("ATEN_CPU_CAPABILITY"), std::string::npos);
  EXPECT_EQ(remedy_for_repeat("aten::bernoulli_"),
            "seed the generator used by aten::bernoulli_ (dropout)");
  EXPECT_EQ(remedy_for_repeat("aten::add"), remedy_for_axis("repeat"));
}

TEST(Remedy, DocsHoldTheSameTable) {
  std::ifstream in(test::source_dir() / "docs" / "diagnosis.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& entry : remedy_table()) {
    const std::string row =
        "| `" + std::string(entry.cause) + "` | " + std::string(entry.remedy) + " |";
    EXPECT_NE(text.str().find(row), std::string::npos) << row;
  }
}

TEST(TraceConsistency, LossBitsMustMatchTheLossTensor) {
  Trace t = test::make_trace(2, test::unet_tensors(), 1);
  EXPECT_EQ(trace_inconsistency(t), "");
  t.steps[1].loss_bits = "3f800001";
  EXPECT_EQ(trace_inconsistency(t),
            "step 1: the loss bits 3f800001 disagree with the digest of its 'loss' tensor");
}

TEST(MagnitudeProbe, LossBitsGiveTheLossMagnitude) {
  auto m = loss_bits_magnitude("float32", "3f800000", "3f800001");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->max_ulp, 1u);
  EXPECT_GT(m->max_abs_diff, 0.0);
  EXPECT_FALSE(loss_bits_magnitude("float64", "3f800000", "3f800001"));
}

// Serves dumps whose values need not match the traces.
class StaleDumps : public DumpProvider {
 public:
  std::optional<TensorDump> dump(const Cell&, int step, std::string*) override {
    TensorDump d;
    d.step = step;
    d.tensors = {test::float_tensor("w.grad", TensorKind::grad, {1.0f, 2.0f})};
    return d;
  }
};

TEST(MagnitudeProbe, ARerunThatDoesNotReproduceGivesNoMagnitude) {
  Trace a = test::make_trace(1, {{"w.grad", TensorKind::grad}}, 1);
  Trace b = a;
  change(b.steps[0], "w.grad");
  test::refresh(b);
  Comparison c = compare_traces(a, b);
  ASSERT_FALSE(c.identical);
  StaleDumps dumps;
  Cell base;
  base.id = "baseline";
  Cell other;
  other.id = "threads=2";
  MagnitudeProbe probe(dumps, base, a);
  probe.measure(c, other, b);
  EXPECT_FALSE(c.first_divergence->max_abs_diff);
  EXPECT_FALSE(c.first_divergence->max_ulp);
  EXPECT_EQ(c.first_divergence->magnitude_note.rfind(k_not_reproduced_note, 0), 0u)
      << c.first_divergence->magnitude_note;
  EXPECT_EQ(describe(*c.first_divergence).find("ULP"), std::string::npos);
}

TEST(MagnitudeProbe, DumpMatchingTheTraceIsAccepted) {
  TensorDump d;
  d.tensors = {test::float_tensor("w.grad", TensorKind::grad, {1.0f, 2.0f})};
  StepRecord step;
  step.tensors = {{"w.grad", TensorKind::grad,
                   digest_tensor(d.tensors[0].dtype, d.tensors[0].shape, d.tensors[0].bytes)}};
  std::string why;
  EXPECT_TRUE(dump_matches_trace(d, step, &why)) << why;
  step.tensors[0].digest.low ^= 1;
  EXPECT_FALSE(dump_matches_trace(d, step, &why));
  EXPECT_EQ(why, "w.grad differs from its traced digest");
}

}  // namespace
}  // namespace repro
