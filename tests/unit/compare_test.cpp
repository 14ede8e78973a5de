// compare_traces: identical runs, the exact first divergence, symmetry, magnitudes.
#include "harness/verdict/compare.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/support/synthetic_traces.hpp"

namespace repro {
namespace {

using test::diverge;
using test::make_trace;

void expect_same_place(const Comparison& ab, const Comparison& ba) {
  ASSERT_TRUE(ab.first_divergence.has_value());
  ASSERT_TRUE(ba.first_divergence.has_value());
  EXPECT_EQ(ab.first_divergence->step, ba.first_divergence->step);
  EXPECT_EQ(ab.first_divergence->tensor, ba.first_divergence->tensor);
  EXPECT_EQ(ab.first_divergence->kind, ba.first_divergence->kind);
  EXPECT_EQ(ab.identical, ba.identical);
  EXPECT_EQ(ab.diverged_steps, ba.diverged_steps);
  EXPECT_EQ(ab.first_data_order_step, ba.first_data_order_step);
  EXPECT_EQ(ab.first_loss_step, ba.first_loss_step);
  EXPECT_EQ(ab.only_in_reference, ba.only_in_candidate);
}

TEST(CompareTraces, IdenticalTracesAreIdentical) {
  Trace a = make_trace(4);
  Trace b = make_trace(4);
  Comparison c = compare_traces(a, b);
  EXPECT_TRUE(c.identical);
  EXPECT_FALSE(c.first_divergence.has_value());
  EXPECT_EQ(c.diverged_steps, 0);
  EXPECT_EQ(c.reference_steps, 4);
  EXPECT_EQ(c.describe(), "identical (4 steps)");
}

struct Place {
  int step;
  std::string tensor;
  TensorKind kind;
};

void PrintTo(const Place& place, std::ostream* os) {
  *os << "step " << place.step << " " << place.tensor << " (" << to_string(place.kind) << ")";
}

class CompareAtEveryPlace : public ::testing::TestWithParam<Place> {};

TEST_P(CompareAtEveryPlace, FindsExactStepTensorAndKind) {
  const Place& place = GetParam();
  Trace a = make_trace(4);
  Trace b = make_trace(4);
  diverge(b, place.step, place.tensor);
  Comparison c = compare_traces(a, b);
  ASSERT_FALSE(c.identical);
  ASSERT_TRUE(c.first_divergence.has_value());
  EXPECT_EQ(c.first_divergence->step, place.step);
  EXPECT_EQ(c.first_divergence->tensor, place.tensor);
  EXPECT_EQ(c.first_divergence->kind, place.kind);
  EXPECT_EQ(c.diverged_steps, 4 - place.step);
  expect_same_place(c, compare_traces(b, a));
}

INSTANTIATE_TEST_SUITE_P(Places, CompareAtEveryPlace,
                         ::testing::Values(Place{0, "batch.images", TensorKind::batch},
                                           Place{0, "enc1.conv1.weight.grad", TensorKind::grad},
                                           Place{1, "enc1.bn1.running_mean", TensorKind::buffer},
                                           Place{2, "loss", TensorKind::loss},
                                           Place{2, "dec1.conv1.weight", TensorKind::param},
                                           Place{3, "enc1.conv1.weight.exp_avg_sq",
                                                 TensorKind::optimizer}));

TEST(CompareTraces, LaterChangesDoNotHideTheFirst) {
  Trace a = make_trace(5);
  Trace b = make_trace(5);
  test::mutate_tensor(b, 3, "batch.images");
  test::mutate_tensor(b, 1, "dec1.conv1.weight.grad");
  Comparison c = compare_traces(a, b);
  EXPECT_EQ(c.first_divergence->step, 1);
  EXPECT_EQ(c.first_divergence->tensor, "dec1.conv1.weight.grad");
  EXPECT_EQ(c.diverged_steps, 2);
}

TEST(CompareTraces, FewerStepsDivergeAtTheFirstMissingStep) {
  Trace a = make_trace(4);
  Trace b = make_trace(2);
  Comparison c = compare_traces(a, b);
  EXPECT_FALSE(c.identical);
  EXPECT_EQ(c.first_divergence->step, 2);
  EXPECT_EQ(c.first_divergence->tensor, "");
  EXPECT_FALSE(c.first_divergence->kind.has_value());
  EXPECT_EQ(c.reference_steps, 4);
  EXPECT_EQ(c.candidate_steps, 2);
  expect_same_place(c, compare_traces(b, a));
  EXPECT_NE(c.describe().find("4 and 2 steps"), std::string::npos) << c.describe();
}

TEST(CompareTraces, DataOrderChangeIsReported) {
  Trace a = make_trace(3);
  Trace b = make_trace(3);
  test::reorder_batch(b, 1);
  Comparison c = compare_traces(a, b);
  EXPECT_FALSE(c.identical);
  EXPECT_EQ(c.first_data_order_step, 1);
  EXPECT_EQ(c.first_divergence->step, 1);
  EXPECT_EQ(c.first_divergence->tensor, "batch_ids");
  EXPECT_EQ(c.first_divergence->kind, TensorKind::batch);
  expect_same_place(c, compare_traces(b, a));
}

TEST(CompareTraces, DataOrderNotedAlongsideTheTensorThatDiffers) {
  Trace a = make_trace(3);
  Trace b = make_trace(3);
  diverge(b, 1, "batch.images");
  test::reorder_batch(b, 1);
  Comparison c = compare_traces(a, b);
  EXPECT_EQ(c.first_divergence->tensor, "batch.images");
  EXPECT_EQ(c.first_data_order_step, 1);
  EXPECT_EQ(c.first_loss_step, 1);
  EXPECT_NE(c.describe().find("data order changed at step 1"), std::string::npos);
}

TEST(CompareTraces, LossBitsOnlyDifference) {
  Trace a = make_trace(2);
  Trace b = make_trace(2);
  b.steps[1].loss_bits = "00000001";
  Comparison c = compare_traces(a, b);
  EXPECT_EQ(c.first_divergence->tensor, "loss_bits");
  EXPECT_EQ(c.first_loss_step, 1);
  expect_same_place(c, compare_traces(b, a));
}

TEST(CompareTraces, MissingTensorIsNamedFromEitherSide) {
  Trace a = make_trace(2);
  Trace b = make_trace(2);
  auto& tensors = b.steps[0].tensors;
  tensors.erase(tensors.begin() + 4);  // enc1.conv1.weight.grad
  test::refresh(b);
  Comparison c = compare_traces(a, b);
  EXPECT_EQ(c.first_divergence->step, 0);
  EXPECT_EQ(c.first_divergence->tensor, "enc1.conv1.weight.grad");
  EXPECT_EQ(c.first_divergence->kind, TensorKind::grad);
  EXPECT_EQ(c.only_in_reference, std::vector<std::string>{"enc1.conv1.weight.grad"});
  EXPECT_TRUE(c.only_in_candidate.empty());
  expect_same_place(c, compare_traces(b, a));
}

TEST(CompareTraces, ReorderedTensorsAreResolvedSymmetrically) {
  Trace a = make_trace(1);
  Trace b = make_trace(1);
  std::swap(b.steps[0].tensors[5], b.steps[0].tensors[6]);
  test::refresh(b);
  Comparison c = compare_traces(a, b);
  EXPECT_FALSE(c.identical);
  EXPECT_EQ(c.first_divergence->tensor, "dec1.conv1.weight.grad");  // the smaller name
  expect_same_place(c, compare_traces(b, a));
}

TEST(CompareTraces, RenamedTensorIsResolvedSymmetrically) {
  Trace a = make_trace(1);
  Trace b = make_trace(1);
  b.steps[0].tensors[6].name = "aaa.renamed";
  test::refresh(b);
  Comparison ab = compare_traces(a, b);
  EXPECT_EQ(ab.first_divergence->tensor, "aaa.renamed");
  expect_same_place(ab, compare_traces(b, a));
}

TEST(AddMagnitude, MeasuresTheFirstDivergentTensor) {
  Trace a = make_trace(2);
  Trace b = make_trace(2);
  diverge(b, 0, "enc1.conv1.weight.grad");
  Comparison c = compare_traces(a, b);
  TensorDump ref;
  ref.step = 0;
  ref.tensors = {
      test::float_tensor("enc1.conv1.weight.grad", TensorKind::grad, {1.0f, 2.0f, 3.0f})};
  TensorDump cand = ref;
  float moved = std::nextafter(std::nextafter(2.0f, 3.0f), 3.0f);  // 2 ULP up
  cand.tensors = {
      test::float_tensor("enc1.conv1.weight.grad", TensorKind::grad, {1.0f, moved, 3.0f})};
  ASSERT_TRUE(add_magnitude(c, ref, cand));
  const FirstDivergence& fd = *c.first_divergence;
  EXPECT_EQ(fd.max_ulp, 2u);
  EXPECT_EQ(fd.differing_elements, 1);
  EXPECT_DOUBLE_EQ(*fd.max_abs_diff, static_cast<double>(moved) - 2.0);
  EXPECT_EQ(fd.magnitude_note, "");
  EXPECT_EQ(describe(fd), "at step 0 in enc1.conv1.weight.grad (max |Δ| 4.8e-07, 2 ULP)");
}

TEST(AddMagnitude, NotesATensorMissingFromADump) {
  Trace a = make_trace(1);
  Trace b = make_trace(1);
  diverge(b, 0, "loss");
  Comparison c = compare_traces(a, b);
  TensorDump empty;
  EXPECT_FALSE(add_magnitude(c, empty, empty));
  EXPECT_FALSE(c.first_divergence->max_abs_diff.has_value());
  EXPECT_NE(c.first_divergence->magnitude_note.find("missing"), std::string::npos);
}

TEST(AddMagnitude, NotesShapeMismatch) {
  Trace a = make_trace(1);
  Trace b = make_trace(1);
  diverge(b, 0, "loss");
  Comparison c = compare_traces(a, b);
  TensorDump ra;
  ra.tensors = {test::float_tensor("loss", TensorKind::loss, {1.0f})};
  TensorDump rb;
  rb.tensors = {test::float_tensor("loss", TensorKind::loss, {1.0f, 2.0f})};
  EXPECT_FALSE(add_magnitude(c, ra, rb));
  EXPECT_NE(c.first_divergence->magnitude_note.find("float32[1] vs float32[2]"), std::string::npos);
}

TEST(AddMagnitude, ProviderFailureIsNotedNotThrown) {
  Trace a = make_trace(1);
  Trace b = make_trace(1);
  diverge(b, 0, "loss");
  Comparison c = compare_traces(a, b);
  test::FakeDumpProvider dumps;
  Cell ref = test::make_cell({{"threads", "1"}}, CellRole::baseline);
  Cell cand = test::make_cell({{"threads", "2"}});
  EXPECT_FALSE(add_magnitude(c, dumps, ref, cand));
  EXPECT_NE(c.first_divergence->magnitude_note.find("no dump of threads=1"), std::string::npos);
  ASSERT_EQ(dumps.requests().size(), 1u);
  EXPECT_EQ(dumps.requests()[0], std::make_pair(std::string("threads=1"), 0));
}

TEST(AddMagnitude, IdenticalComparisonIsANoOp) {
  Comparison c = compare_traces(make_trace(1), make_trace(1));
  EXPECT_FALSE(add_magnitude(c, TensorDump{}, TensorDump{}));
}

TEST(FormatAbsDiff, UsesOneDecimalScientific) {
  EXPECT_EQ(format_abs_diff(3.0e-9), "3.0e-09");
  EXPECT_EQ(format_abs_diff(0.0), "0.0e+00");
  EXPECT_EQ(format_abs_diff(std::numeric_limits<double>::infinity()), "inf");
}

}  // namespace
}  // namespace repro
