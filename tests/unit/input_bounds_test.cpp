// Hostile input files: out-of-range numbers, duplicate keys, huge counts, escaping paths.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "harness/plan/suite.hpp"
#include "harness/run/worker_exit.hpp"
#include "harness/trace/tensor_dump.hpp"
#include "harness/trace/trace.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/json_parse.hpp"
#include "harness/util/printable.hpp"
#include "harness/verdict/golden_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

void put(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The message of the repro::Error `f` throws; fails the test when it throws anything else.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a repro::Error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no error";
  return "";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string valid_header() {
  TraceHeader h;
  h.producer = "test";
  return header_line(h);
}

std::string valid_step(int index) {
  StepRecord s;
  s.step = index;
  s.loss_bits = "3f800000";
  s.loss_value = 1.0;
  s.batch_ids = {"Abyssinian_1"};
  s.tensors = {{"w", TensorKind::param, *Digest::from_hex(std::string(32, 'a'))}};
  s.root = compute_root(s);
  return step_line(s);
}

// Finding 1: a number out of double range is an input error, not an abort.
TEST(StrictJson, NumberOutOfRangeIsAnErrorNamingTheFile) {
  std::string what = error_of([] { parse_json(R"({"a": {"b": 1e400}})", "in.json"); });
  EXPECT_TRUE(has(what, "in.json")) << what;
  EXPECT_TRUE(has(what, "out of range")) << what;
  EXPECT_TRUE(has(what, "a.b")) << what;
}

TEST(StrictJson, SuiteWithNumberOutOfRangeIsAnError) {
  test::TempDir dir;
  put(dir / "tiny.json", R"({"format_version": 1, "name": "tiny", "cell_timeout_s": 1e400})");
  std::string what = error_of([&] { load_suite(dir / "tiny.json"); });
  EXPECT_TRUE(has(what, "tiny.json")) << what;
}

TEST(StrictJson, TraceWithNumberOutOfRangeNamesTheLine) {
  std::string text = valid_header() + R"({"type":"timing","step":0,"ms":1e400})" + "\n";
  std::string what = error_of([&] { parse_trace(text, "t.jsonl"); });
  EXPECT_TRUE(has(what, "t.jsonl: line 2")) << what;
}

TEST(StrictJson, UnreadableTraceMakesTheCellCrashedNotTheRunAbort) {
  test::TempDir dir;
  put(dir / "trace.jsonl",
      valid_header() + valid_step(0) + R"({"type":"end","steps":1e400})" + "\n");
  Cell cell;
  cell.id = "threads=1";
  ProcessResult exited;
  exited.started = true;
  exited.exit_code = 0;
  CellRun run;
  ASSERT_NO_THROW(run = cell_run_from_exit(cell, dir.path(), exited, std::chrono::seconds(5)));
  EXPECT_EQ(run.status, RunStatus::crashed);
  EXPECT_TRUE(has(run.reason, "out of range")) << run.reason;
}

TEST(StrictJson, TensorDumpManifestWithNumberOutOfRangeIsAnError) {
  test::TempDir dir;
  put(dir / "manifest.json", R"({"format_version": 1, "step": 1e400, "tensors": []})");
  std::string what = error_of([&] { read_tensor_dump(dir.path()); });
  EXPECT_TRUE(has(what, "manifest.json")) << what;
}

// Finding 8: duplicate keys would let the last value silently win.
TEST(StrictJson, DuplicateKeysAreRejectedWithTheirPath) {
  std::string what = error_of([] { parse_json(R"({"w": {"x": 1, "x": 2}})", "in.json"); });
  EXPECT_TRUE(has(what, "w.x")) << what;
  EXPECT_TRUE(has(what, "duplicate key")) << what;
  EXPECT_NO_THROW(parse_json(R"([{"x": 1}, {"x": 2}])", "in.json"));
}

TEST(StrictJson, DuplicateKeyInASuiteIsRejected) {
  test::TempDir dir;
  put(dir / "tiny.json", R"({"format_version": 1, "name": "tiny", "name": "tiny"})");
  EXPECT_TRUE(has(error_of([&] { load_suite(dir / "tiny.json"); }), "duplicate key"));
}

TEST(StrictJson, DuplicateKeyInATraceIsRejected) {
  std::string text =
      valid_header() + valid_step(0) + R"({"type":"end","steps":1,"steps":1})" + "\n";
  EXPECT_TRUE(has(error_of([&] { parse_trace(text, "t.jsonl"); }), "duplicate key"));
}

TEST(StrictJson, DeepNestingIsRejected) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_TRUE(has(error_of([&] { parse_json(deep, "in.json"); }), "nested deeper"));
}

TEST(StrictJson, IntegerAboveInt64IsOutOfRangeNotNegative) {
  auto j = parse_json(R"({"steps": 9223372036854775808})", "in.json");
  std::string what = error_of([&] { get_int(j, "steps", {"in.json", ""}); });
  EXPECT_TRUE(has(what, "9223372036854775808")) << what;
  EXPECT_FALSE(has(what, "-9223372036854775808")) << what;
}

// Finding 2: nothing read from a trace can make the checker allocate without bound.
TEST(TraceBounds, TimingForAStepNotYetReadIsRejected) {
  std::string text =
      valid_header() + valid_step(0) + R"({"type":"timing","step":2000000000,"ms":1})" + "\n";
  std::string what = error_of([&] { parse_trace(text, "t.jsonl"); });
  EXPECT_TRUE(has(what, "line 3")) << what;
  EXPECT_TRUE(has(what, "2000000000")) << what;
}

TEST(TraceBounds, StepNumberIsNotTruncatedToInt) {
  std::string line = valid_step(0);
  line.replace(line.find("\"step\":0"), 8, "\"step\":4294967296");
  std::string what = error_of([&] { parse_trace(valid_header() + line, "t.jsonl"); });
  EXPECT_TRUE(has(what, "out of range")) << what;
}

TEST(TraceBounds, OverlongLineIsRejectedBeforeParsing) {
  std::string text = valid_header() + "{\"type\":\"eval\",\"metrics\":{\"x\":\"" +
                     std::string(k_max_trace_line_bytes, 'a') + "\"}}\n";
  std::string what = error_of([&] { parse_trace(text, "t.jsonl"); });
  EXPECT_TRUE(has(what, "line 2")) << what;
  EXPECT_TRUE(has(what, "longer than the limit")) << what;
}

TEST(TraceBounds, TimingAfterItsStepIsStillRead) {
  std::string text = valid_header() + valid_step(0) + timing_line(0, 12.5) + end_line(1, "ok");
  Trace t = parse_trace(text, "t.jsonl");
  ASSERT_EQ(t.step_time_ms.size(), 1u);
  EXPECT_EQ(t.step_time_ms[0], 12.5);
}

TEST(FileBounds, NonRegularFilesAreRefusedWithoutBlocking) {
  test::TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_TRUE(has(error_of([&] { read_file(dir / "fifo"); }), "a FIFO"));
  EXPECT_TRUE(has(error_of([] { read_file("/dev/zero"); }), "a character device"));
  EXPECT_TRUE(has(error_of([&] { read_file(dir.path()); }), "a directory"));
}

TEST(FileBounds, GoldenThatIsAFifoIsAnErrorNotAHang) {
  test::TempDir dir;
  GoldenStore store(dir.path());
  auto path = store.path_for("smoke", "libtorch-1.13.0_reference_default_cpu");
  std::filesystem::create_directories(path.parent_path());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::string what =
      error_of([&] { store.load("smoke", "libtorch-1.13.0_reference_default_cpu"); });
  EXPECT_TRUE(has(what, path.string())) << what;
  EXPECT_TRUE(has(what, "a FIFO")) << what;
}

TEST(FileBounds, FileLargerThanTheLimitIsRefused) {
  test::TempDir dir;
  put(dir / "big", std::string(100, 'x'));
  EXPECT_TRUE(has(error_of([&] { read_file(dir / "big", 99); }), "too large"));
  EXPECT_EQ(read_file(dir / "big", 100).size(), 100u);
}

// Finding 3: a manifest cannot send the checker outside its dump folder or overflow.
void write_one_tensor_dump(const std::filesystem::path& dir) {
  TensorDump dump;
  dump.step = 1;
  DumpedTensor t;
  t.name = "w";
  t.dtype = "float32";
  t.shape = {2};
  t.bytes.resize(8);
  dump.tensors.push_back(t);
  write_tensor_dump(dir, dump);
}

void set_manifest_field(const std::filesystem::path& dir, const std::string& key,
                        const nlohmann::json& value) {
  auto j = nlohmann::json::parse(read_file(dir / "manifest.json"));
  j["tensors"][0][key] = value;
  put(dir / "manifest.json", j.dump());
}

TEST(TensorDumpBounds, FileOutsideTheDumpFolderIsRefused) {
  for (const std::string name : {"../0.bin", "/dev/zero", "sub/0.bin", "..", ""}) {
    test::TempDir dir;
    write_one_tensor_dump(dir.path());
    set_manifest_field(dir.path(), "file", name);
    std::string what = error_of([&] { read_tensor_dump(dir.path()); });
    EXPECT_TRUE(has(what, "tensors[0].file")) << name << ": " << what;
  }
}

TEST(TensorDumpBounds, SymlinkToADeviceIsRefused) {
  test::TempDir dir;
  write_one_tensor_dump(dir.path());
  std::filesystem::remove(dir / "0.bin");
  std::filesystem::create_symlink("/dev/zero", dir / "0.bin");
  EXPECT_TRUE(has(error_of([&] { read_tensor_dump(dir.path()); }), "not a regular file"));
}

TEST(TensorDumpBounds, ShapeThatOverflowsIsRefused) {
  test::TempDir dir;
  write_one_tensor_dump(dir.path());
  set_manifest_field(dir.path(), "shape", {std::int64_t{1} << 62, 4});
  std::string what = error_of([&] { read_tensor_dump(dir.path()); });
  EXPECT_TRUE(has(what, "tensors[0].shape")) << what;
  set_manifest_field(dir.path(), "shape", {std::uint64_t{1} << 63});
  EXPECT_TRUE(has(error_of([&] { read_tensor_dump(dir.path()); }), "tensors[0].shape"));
}

TEST(TensorDumpBounds, EmptyTensorRoundTrips) {
  test::TempDir dir;
  TensorDump dump;
  DumpedTensor t;
  t.name = "empty";
  t.dtype = "float32";
  t.shape = {0, 3};
  dump.tensors.push_back(t);
  write_tensor_dump(dir.path(), dump);
  TensorDump back = read_tensor_dump(dir.path());
  ASSERT_EQ(back.tensors.size(), 1u);
  EXPECT_TRUE(back.tensors[0].bytes.empty());
}

// Finding 8: worker text cannot drive the terminal; a full disk is not a config error.
TEST(WorkerText, ControlCharactersAreMadeVisible) {
  EXPECT_EQ(printable("a\x1b[31mb\nc"), "a\\x1b[31mb\\x0ac");
  EXPECT_EQ(printable("pet \xc3\xa9t\xff"), "pet \xc3\xa9t\\xff");
  test::TempDir dir;
  put(dir / "stderr", "boom \x1b]0;title\x07 here\n");
  std::string summary = stderr_summary(dir / "stderr");
  EXPECT_FALSE(has(summary, "\x1b")) << summary;
  EXPECT_TRUE(has(summary, "\\x1b]0;title\\x07")) << summary;
}

TEST(WorkerText, SuiteAxisValueWithAnEscapeIsRejected) {
  nlohmann::json j = {{"format_version", 1},
                      {"name", "tiny"},
                      {"workload", {{"train", {{"steps", 2}}}}},
                      {"axes", {{{"name", "worker"}, {"values", {"/bin/\x1b[2Jworker"}}}}}};
  std::string what = error_of([&] { parse_suite(j, "suites/tiny.json"); });
  EXPECT_TRUE(has(what, "axes[0].values[0]")) << what;
  EXPECT_FALSE(has(what, "\x1b")) << what;
}

TEST(WorkerText, WriteFailureIsAWriteErrorNotAConfigError) {
  test::TempDir dir;
  std::filesystem::create_symlink("/dev/full", dir / "t.jsonl.partial");
  AppendOnlyFile file(dir / "t.jsonl");
  EXPECT_THROW(file.append("{}\n"), WriteError);
}

TEST(WorkerText, WorkerExitTwoIsAnInputErrorAndThreeIsNot) {
  test::TempDir dir;
  Cell cell;
  cell.id = "fault=bogus";
  ProcessResult exited;
  exited.started = true;
  exited.exit_code = 2;
  CellRun run = cell_run_from_exit(cell, dir.path(), exited, std::chrono::seconds(5));
  EXPECT_TRUE(run.input_error);
  EXPECT_TRUE(has(run.reason, "input error")) << run.reason;
  exited.exit_code = 3;
  run = cell_run_from_exit(cell, dir.path(), exited, std::chrono::seconds(5));
  EXPECT_FALSE(run.input_error);
  EXPECT_FALSE(has(run.reason, "config")) << run.reason;
}

}  // namespace
}  // namespace repro
