// Trace: write/read round trip, crash-safe partial traces, and validation errors.
#include "harness/trace/trace.hpp"

#include <gtest/gtest.h>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

StepRecord make_step(int step, std::uint64_t salt) {
  StepRecord s;
  s.step = step;
  s.loss_bits = "3f8ccccd";
  s.loss_value = 1.100000023841858;
  s.batch_ids = {"Abyssinian_1", "yorkshire_terrier_3"};
  s.tensors = {{"batch.images", TensorKind::batch, Digest{1, salt}},
               {"enc1.bn1.running_mean", TensorKind::buffer, Digest{2, salt}},
               {"loss", TensorKind::loss, Digest{3, salt}},
               {"enc1.conv1.weight.grad", TensorKind::grad, Digest{4, salt}},
               {"enc1.conv1.weight", TensorKind::param, Digest{5, salt}},
               {"enc1.conv1.weight.exp_avg", TensorKind::optimizer, Digest{6, salt}}};
  s.root = compute_root(s);
  return s;
}

TraceHeader make_header() {
  TraceHeader h;
  h.producer = "test 1.0";
  h.config = {{"train", {{"steps", 2}}}};
  h.fingerprint = {{"format_version", 1}, {"libtorch_version", "1.13.0"}};
  return h;
}

std::string write_sample(const std::filesystem::path& path) {
  TraceWriter w(path);
  w.write_header(make_header());
  w.write_step(make_step(0, 10));
  w.write_timing(0, 12.5);
  w.write_step(make_step(1, 11));
  w.write_timing(1, 13.25);
  w.write_eval({{"mean_iou", 0.5}});
  w.finish(2);
  return read_file(path);
}

TEST(Trace, RoundTripsEveryField) {
  test::TempDir dir;
  write_sample(dir / "t.jsonl");
  Trace t = read_trace(dir / "t.jsonl");
  EXPECT_TRUE(t.complete);
  EXPECT_EQ(t.end_status, "ok");
  EXPECT_EQ(t.header.producer, "test 1.0");
  EXPECT_EQ(t.header.config["train"]["steps"], 2);
  ASSERT_EQ(t.steps.size(), 2u);
  StepRecord want = make_step(1, 11);
  EXPECT_EQ(t.steps[1].loss_bits, want.loss_bits);
  EXPECT_EQ(t.steps[1].batch_ids, want.batch_ids);
  EXPECT_EQ(t.steps[1].tensors, want.tensors);
  EXPECT_EQ(t.steps[1].root, want.root);
  ASSERT_EQ(t.step_time_ms.size(), 2u);
  EXPECT_DOUBLE_EQ(t.step_time_ms[1], 13.25);
  ASSERT_TRUE(t.eval);
  EXPECT_EQ((*t.eval)["mean_iou"], 0.5);
}

TEST(Trace, StepLinesAreByteStable) {
  EXPECT_EQ(step_line(make_step(0, 10)), step_line(make_step(0, 10)));
  EXPECT_NE(step_line(make_step(0, 10)), step_line(make_step(0, 11)));
}

TEST(Trace, UnfinishedWriterLeavesReadablePartialFileOnly) {
  test::TempDir dir;
  {
    TraceWriter w(dir / "t.jsonl");
    w.write_header(make_header());
    w.write_step(make_step(0, 10));
  }  // "crash": never finished
  EXPECT_FALSE(std::filesystem::exists(dir / "t.jsonl"));
  Trace t = read_trace(dir / "t.jsonl.partial");
  EXPECT_FALSE(t.complete);
  EXPECT_EQ(t.steps.size(), 1u);
}

TEST(Trace, TornLastLineOfPartialTraceIsDropped) {
  std::string text = header_line(make_header()) + step_line(make_step(0, 1));
  std::string torn = step_line(make_step(1, 2));
  text += torn.substr(0, torn.size() / 2);
  Trace t = parse_trace(text, "crashed.jsonl.partial");
  EXPECT_FALSE(t.complete);
  EXPECT_EQ(t.steps.size(), 1u);
}

void expect_error(const std::string& text, const std::string& fragment) {
  try {
    parse_trace(text, "bad.jsonl");
    FAIL() << "accepted: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "bad.jsonl");
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Trace, RejectsNewerFormatVersion) {
  TraceHeader h = make_header();
  h.format_version = 99;
  expect_error(header_line(h), "too new");
}

TEST(Trace, RejectsOlderFormatVersion) {
  TraceHeader h = make_header();
  h.format_version = 0;
  expect_error(header_line(h), "too old");
}

TEST(Trace, RejectsMissingHeader) {
  expect_error(step_line(make_step(0, 1)), "header");
}

TEST(Trace, RejectsStepsOutOfOrder) {
  expect_error(header_line(make_header()) + step_line(make_step(1, 1)), "expected step 0");
}

TEST(Trace, RejectsRootThatDoesNotMatchTensors) {
  StepRecord s = make_step(0, 1);
  s.tensors[2].digest = Digest{9, 9};
  expect_error(header_line(make_header()) + step_line(s), "root does not match");
}

TEST(Trace, RejectsUnknownTensorKind) {
  std::string line = step_line(make_step(0, 1));
  line.replace(line.find("\"param\""), 7, "\"weird\"");
  expect_error(header_line(make_header()) + line, "unknown tensor kind");
}

TEST(Trace, RejectsEndRecordWithWrongStepCount) {
  expect_error(header_line(make_header()) + step_line(make_step(0, 1)) + end_line(3, "ok"),
               "end record says 3 steps");
}

TEST(Trace, RejectsGarbageInTheMiddle) {
  expect_error(header_line(make_header()) + "{not json\n" + step_line(make_step(0, 1)), "line 2");
}

}  // namespace
}  // namespace repro
