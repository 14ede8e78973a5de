// Non-finite values in traces: NaN/±Inf loss values and tensor markers round-trip exactly;
// findings.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "harness/trace/trace.hpp"
#include "harness/trace/trace_value.hpp"
#include "harness/util/error.hpp"
#include "harness/verdict/compare.hpp"
#include "harness/verdict/non_finite.hpp"

namespace repro {
namespace {

constexpr double k_inf = std::numeric_limits<double>::infinity();

StepRecord make_step(int step, std::string bits, double value, bool grad_non_finite) {
  StepRecord s;
  s.step = step;
  s.loss_bits = std::move(bits);
  s.loss_value = value;
  s.batch_ids = {"Abyssinian_1"};
  s.tensors = {{"batch.images", TensorKind::batch, Digest{1, 2}, false},
               {"loss", TensorKind::loss, Digest{3, 4}, std::isnan(value)},
               {"enc1.conv1.weight.grad", TensorKind::grad, Digest{5, 6}, grad_non_finite}};
  s.root = compute_root(s);
  return s;
}

std::string trace_text(const std::vector<StepRecord>& steps, int version = k_trace_format_version) {
  TraceHeader h;
  h.format_version = version;
  h.producer = "test";
  std::string text = header_line(h);
  for (const auto& s : steps) {
    text += step_line(s);
  }
  return text + end_line(static_cast<int>(steps.size()), "ok");
}

TEST(TraceValue, NonFiniteLossValuesAreStrings) {
  EXPECT_EQ(loss_value_to_json(std::nan("")), "nan");
  EXPECT_EQ(loss_value_to_json(k_inf), "inf");
  EXPECT_EQ(loss_value_to_json(-k_inf), "-inf");
  EXPECT_EQ(loss_value_to_json(1.5), 1.5);
  JsonPath at{"t.jsonl", "line 2.loss.value"};
  EXPECT_TRUE(std::isnan(loss_value_from_json("nan", at)));
  EXPECT_EQ(loss_value_from_json("-inf", at), -k_inf);
  EXPECT_THROW(loss_value_from_json(nullptr, at), Error);
  EXPECT_THROW(loss_value_from_json("NaN", at), Error);
}

TEST(TraceValue, LossBitsClassifyNonFinite) {
  EXPECT_EQ(loss_bits_non_finite("float32", "7fc00000"), true);
  EXPECT_EQ(loss_bits_non_finite("float32", "ff800000"), true);
  EXPECT_EQ(loss_bits_non_finite("float32", "3f8581ac"), false);
  EXPECT_EQ(loss_bits_non_finite("float64", "7ff0000000000000"), true);
  EXPECT_EQ(loss_bits_non_finite("float32", "7fc0"), std::nullopt);
  EXPECT_EQ(loss_bits_non_finite("int8", "00"), std::nullopt);
}

TEST(NonFiniteTrace, NanLossAndInfTensorRoundTripBitForBit) {
  std::vector<StepRecord> steps = {make_step(0, "3f8581ac", 1.0431, false),
                                   make_step(1, "ff800000", -k_inf, true),
                                   make_step(2, "7fc00001", std::nan(""), true)};
  std::string text = trace_text(steps);
  EXPECT_NE(text.find(R"("value":"-inf")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("value":"nan")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(,"nonfinite"])"), std::string::npos) << text;
  Trace t = parse_trace(text, "t.jsonl");
  ASSERT_EQ(t.steps.size(), 3u);
  EXPECT_EQ(t.steps[1].loss_value, -k_inf);
  EXPECT_TRUE(std::isnan(t.steps[2].loss_value));
  EXPECT_EQ(t.steps[2].loss_bits, "7fc00001");  // the payload survives: bits are the truth
  EXPECT_FALSE(t.steps[0].tensors[2].non_finite);
  EXPECT_TRUE(t.steps[1].tensors[2].non_finite);
  // Written again, the same bytes: compared bit for bit like any other trace.
  std::string again;
  for (const auto& s : t.steps) {
    again += step_line(s);
  }
  EXPECT_NE(text.find(again), std::string::npos);
  EXPECT_TRUE(compare_traces(t, parse_trace(text, "u.jsonl")).identical);
}

TEST(NonFiniteTrace, DifferentNanPayloadsDiverge) {
  Trace a = parse_trace(trace_text({make_step(0, "7fc00000", std::nan(""), false)}), "a");
  Trace b = parse_trace(trace_text({make_step(0, "ffc00000", std::nan(""), false)}), "b");
  Comparison c = compare_traces(a, b);
  ASSERT_FALSE(c.identical);
  EXPECT_EQ(c.first_divergence->tensor, "loss_bits");
}

TEST(NonFiniteTrace, ValueThatContradictsTheBitsIsRejected) {
  StepRecord s = make_step(0, "3f8581ac", std::nan(""), false);
  try {
    parse_trace(trace_text({s}), "t.jsonl");
    FAIL() << "accepted a NaN value with finite bits";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "line 2.loss.value");
  }
}

TEST(NonFiniteTrace, VersionOneTracesKeepTheirRules) {
  // A version 1 trace has no string values and no markers: a marker is malformed there.
  std::string text = trace_text({make_step(0, "3f8581ac", 1.0, true)}, 1);
  EXPECT_THROW(parse_trace(text, "t.jsonl"), Error);
  EXPECT_NO_THROW(parse_trace(trace_text({make_step(0, "3f8581ac", 1.0, false)}, 1), "t.jsonl"));
}

TEST(NonFiniteFinding, NamesTheFirstLossStepAndTheFirstTensor) {
  Trace t = parse_trace(
      trace_text({make_step(0, "3f8581ac", 1.0431, false), make_step(1, "3f800000", 1.0, true),
                  make_step(2, "7fc00000", std::nan(""), true)}),
      "t.jsonl");
  auto origin = first_non_finite(t);
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->step, 1);
  EXPECT_EQ(origin->loss_step, 2);
  EXPECT_EQ(origin->tensor, "enc1.conv1.weight.grad (grad)");
  EXPECT_EQ(describe_non_finite(*origin, "worker=debian13"),
            "loss non-finite from step 2 (cell worker=debian13): nan; the first non-finite value "
            "is at step 1 in enc1.conv1.weight.grad (grad)");
  Trace finite = parse_trace(trace_text({make_step(0, "3f8581ac", 1.0431, false)}), "f");
  EXPECT_FALSE(first_non_finite(finite));
}

TEST(NonFiniteFinding, OneWarningPerCellWithNonFiniteValues) {
  CellRun ok;
  ok.cell.id = "baseline";
  ok.status = RunStatus::ran;
  ok.trace = parse_trace(trace_text({make_step(0, "3f8581ac", 1.0431, false)}), "a");
  CellRun nan = ok;
  nan.cell.id = "worker=debian13";
  nan.trace = parse_trace(trace_text({make_step(0, "7fc00000", std::nan(""), false)}), "b");
  auto findings = non_finite_findings({ok, nan});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].code, "non_finite");
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].message,
            "loss non-finite from step 0 (cell worker=debian13): nan; the first non-finite value "
            "is at step 0 in loss (loss)");
}

}  // namespace
}  // namespace repro
