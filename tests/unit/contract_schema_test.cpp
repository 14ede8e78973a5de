// JSON Schemas (docs/schemas/): every file we write conforms; violations name field and rule.
#include "harness/trace/contract_schemas.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include "harness/trace/fingerprint.hpp"
#include "harness/trace/tensor_dump.hpp"
#include "harness/trace/trace.hpp"
#include "harness/trace/worker_config.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/verdict/trace_validation.hpp"
#include "tests/support/synthetic_traces.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void expect_valid(std::string_view schema, const nlohmann::json& document,
                  const std::string& what) {
  auto found = contract_schema(schema).violations(document);
  for (const auto& v : found) {
    ADD_FAILURE() << what << " breaks " << schema << ": " << v.field << ": " << v.rule;
  }
}

Fingerprint full_fingerprint() {
  Fingerprint fp;
  fp.libtorch_version = "1.13.0";
  fp.blas_build = "openblas-pthread";
  fp.blas_library = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3";
  fp.blas_version = "OpenBLAS 0.3.21";
  fp.blas_core = "Haswell";
  fp.cpu_capability = "avx2";
  fp.cpu_capabilities_supported = {"default", "avx2"};
  fp.device = "cpu";
  fp.intra_op_threads = 1;
  fp.env = {{"OMP_NUM_THREADS", "1"}};
  return fp;
}

Error rejection(const std::function<void()>& read) {
  try {
    read();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "accepted";
  return Error("", "", "");
}

TEST(ContractSchema, EverySchemaIsEmbeddedAsInDocs) {
  auto names = contract_schema_names();
  for (const char* name :
       {"trace-record.schema.json", "fingerprint.schema.json", "tensor-dump.schema.json",
        "suite.schema.json", "golden.schema.json", "worker-config.schema.json"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  for (const auto& name : names) {
    EXPECT_EQ(contract_schema_text(name), read_text(test::source_dir() / "docs/schemas" / name))
        << name << " is stale: re-run cmake";
    EXPECT_NO_THROW(contract_schema(name)) << name;
  }
}

TEST(ContractSchema, TraceLinesWeWriteConform) {
  Trace trace = test::make_trace(3);
  TraceHeader header;
  header.producer = "test";
  header.config = to_json(WorkerConfig{});
  header.fingerprint = to_json(full_fingerprint());
  expect_valid("trace-record.schema.json", nlohmann::json::parse(header_line(header)), "header");
  trace.steps[1].tensors[2].non_finite = true;
  for (const auto& step : trace.steps) {
    expect_valid("trace-record.schema.json", nlohmann::json::parse(step_line(step)), "step");
  }
  expect_valid("trace-record.schema.json", nlohmann::json::parse(timing_line(0, 12.5)), "timing");
  expect_valid("trace-record.schema.json",
               nlohmann::json::parse(eval_line({{"split", "validation"}})), "eval");
  expect_valid("trace-record.schema.json", nlohmann::json::parse(end_line(3, "ok")), "end");
  expect_valid("fingerprint.schema.json", header.fingerprint, "fingerprint");
}

TEST(ContractSchema, ConfigsAndSuitesConform) {
  WorkerConfig config;
  expect_valid("worker-config.schema.json", to_json(config), "default config");
  config.settings.fault = "ulp-flip@2";
  config.train.mode = "strict";
  expect_valid("worker-config.schema.json", to_json(config), "config with a fault");
  int suites = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::source_dir() / "suites")) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    auto suite = nlohmann::json::parse(read_text(entry.path()));
    expect_valid("suite.schema.json", suite, entry.path().string());
    expect_valid("worker-config.schema.json", suite["workload"], entry.path().string());
    ++suites;
  }
  EXPECT_GE(suites, 4);
}

TEST(ContractSchema, CommittedGoldensConform) {
  int goldens = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(test::source_dir() / "golden")) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    auto golden = nlohmann::json::parse(read_text(entry.path()));
    expect_valid("golden.schema.json", golden, entry.path().string());
    for (auto& [key, cell] : golden["cells"].items()) {
      expect_valid("fingerprint.schema.json", cell["provenance"]["fingerprint"],
                   entry.path().string() + " " + key);
    }
    ++goldens;
  }
  EXPECT_GE(goldens, 10);
}

TEST(ContractSchema, DumpManifestWeWriteConforms) {
  test::TempDir dir;
  TensorDump dump;
  dump.step = 1;
  DumpedTensor t;
  t.name = "w";
  t.kind = TensorKind::param;
  t.dtype = "float32";
  t.shape = {2};
  t.bytes.assign(8, std::byte{0});
  dump.tensors.push_back(t);
  write_tensor_dump(dir.path(), dump);
  expect_valid("tensor-dump.schema.json",
               nlohmann::json::parse(read_text(dir.path() / "manifest.json")), "manifest");
}

TEST(ContractSchema, FingerprintNamesEveryMissingFieldAtOnce) {
  nlohmann::json fp = {{"format_version", 1}, {"blas_build", "blis"}, {"devise", "cpu"}};
  Error e = rejection([&] { fingerprint_from_json(fp, "worker --fingerprint"); });
  EXPECT_EQ(e.file(), "worker --fingerprint");
  EXPECT_NE(e.message().find("fingerprint.schema.json"), std::string::npos) << e.message();
  // All at once, in one message: the three missing fields and the misspelt one.
  const std::string all = e.field() + ": " + e.message();
  for (const char* expected :
       {"fingerprint.libtorch_version: missing required field",
        "fingerprint.cpu_capability: missing required field",
        "fingerprint.device: missing required field", "fingerprint.devise: unknown field"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << " in " << all;
  }
}

TEST(ContractSchema, TraceFieldTheReaderIgnoresIsNamed) {
  Trace trace = test::make_trace(1);
  TraceHeader header;
  header.producer = "test";
  std::string step = step_line(trace.steps[0]);
  step.insert(step.find("\"root\""), "\"note\":\"x\",");
  Error e = rejection([&] { parse_trace(header_line(header) + step, "t.jsonl"); });
  EXPECT_EQ(e.file(), "t.jsonl");
  EXPECT_EQ(e.field(), "line 2.note");
  EXPECT_NE(e.message().find("unknown field"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("trace-record.schema.json"), std::string::npos) << e.message();
}

TEST(ContractSchema, TraceRangeTheReaderIgnoresIsNamed) {
  Trace trace = test::make_trace(1);
  TraceHeader header;
  std::string text = header_line(header) + step_line(trace.steps[0]) +
                     "{\"type\":\"timing\",\"step\":0,\"ms\":-1}\n";
  Error e = rejection([&] { parse_trace(text, "t.jsonl"); });
  EXPECT_EQ(e.field(), "line 3.ms");
  EXPECT_NE(e.message().find("out of range: must be at least 0, found -1"), std::string::npos)
      << e.message();
}

TEST(ContractSchema, ViolationsOfEveryLineAreListedByTraceValidation) {
  Trace trace = test::make_trace(2);
  TraceHeader header;
  header.fingerprint = to_json(full_fingerprint());
  std::string first = step_line(trace.steps[0]);
  first.replace(first.find("\"batch\""), 7, "\"input\"");
  std::string second = step_line(trace.steps[1]);
  second.replace(second.find("\"root\":\"") + 8, 2, "XY");
  auto found = validate_trace_text(header_line(header) + first + second, "t.jsonl");
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].rule, "trace.schema");
  EXPECT_EQ(found[0].where, "line 2.tensors[0][1]");
  EXPECT_NE(found[0].what.find("value not allowed, found \"input\""), std::string::npos)
      << found[0].what;
  EXPECT_EQ(found[1].where, "line 3.root");
  EXPECT_NE(found[1].what.find("malformed"), std::string::npos) << found[1].what;
}

TEST(ContractSchema, HugeStringsAreRejectedWithoutDeepRegexRecursion) {
  // libstdc++'s std::regex recurses per repetition of an unbounded `+`: the schemas bound
  // every pattern, so megabytes of hex in loss.bits are an input error, never a crash.
  Trace trace = test::make_trace(1);
  TraceHeader header;
  header.fingerprint = to_json(full_fingerprint());
  std::string step = step_line(trace.steps[0]);
  const std::string bits = "\"bits\":\"" + trace.steps[0].loss_bits + "\"";
  step.replace(step.find(bits), bits.size(), "\"bits\":\"" + std::string(4 << 20, 'a') + "\"");
  const std::string text = header_line(header) + step;
  EXPECT_THROW(parse_trace(text, "t.jsonl"), Error);
  auto found = validate_trace_text(text, "t.jsonl");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0].where, "line 2.loss.bits");
}

TEST(ContractSchema, NewerTraceVersionIsStillNamedTooNew) {
  TraceHeader header;
  header.format_version = 3;
  Error e = rejection([&] { parse_trace(header_line(header), "t.jsonl"); });
  EXPECT_NE(e.message().find("too new"), std::string::npos) << e.message();
}

TEST(ContractSchema, WorkerConfigUnknownSectionIsNamed) {
  nlohmann::json config = to_json(WorkerConfig{});
  config["train"]["fault"] = "x";
  Error e = rejection([&] { worker_config_from_json(config, "config.json"); });
  EXPECT_EQ(e.field(), "train.fault");
  EXPECT_NE(e.message().find("unknown field"), std::string::npos) << e.message();
}

}  // namespace
}  // namespace repro
