// `repro-check worker conformance` and `trace validate` against stand-in Python workers.
//
// tests/contract/fake_worker.py follows the protocol with python/repro_trace.py (no torch);
// `--break RULE` makes it break exactly that rule. Each broken worker must fail with a
// message naming its rule, and the unbroken one must pass every rule.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <string>

#include "harness/util/atomic_file.hpp"
#include "harness/util/subprocess.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

struct Result {
  int exit_code = -1;
  std::string out;
};

Result repro_check(const std::vector<std::string>& args) {
  test::TempDir logs;
  ProcessSpec spec;
  spec.program = test::bin_dir() / "repro-check";
  spec.args = args;
  spec.env = current_environment();
  spec.stdout_path = logs.path() / "stdout";
  spec.stderr_path = logs.path() / "stderr";
  spec.timeout = std::chrono::minutes(3);
  ProcessResult r = run_process(spec);
  Result result;
  result.exit_code = r.started && r.signal == 0 && !r.timed_out ? r.exit_code : -1;
  result.out = read_file(spec.stdout_path) + read_file(spec.stderr_path);
  return result;
}

// A wrapper script that runs the fake worker breaking `rule` ("" = none).
std::filesystem::path fake_worker(const test::TempDir& dir, const std::string& rule) {
  auto path = dir.path() / "worker.sh";
  std::string fake = (test::source_dir() / "tests/contract/fake_worker.py").string();
  std::string args = rule.empty() ? "" : " --break " + rule;
  write_file_atomic(path, "#!/bin/sh\nexec " REPRO_PYTHON " '" + fake + "'" + args + " \"$@\"\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(WorkerConformance, FakeWorkerFollowingTheProtocolPasses) {
  test::TempDir dir;
  Result r = repro_check({"worker", "conformance", fake_worker(dir, "").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(has(r.out, "PASS: all 19 rules hold")) << r.out;
  EXPECT_FALSE(has(r.out, "FAIL")) << r.out;
}

class BrokenWorker : public ::testing::TestWithParam<std::string> {};

TEST_P(BrokenWorker, FailsNamingTheRule) {
  test::TempDir dir;
  Result r = repro_check({"worker", "conformance", fake_worker(dir, GetParam()).string()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(has(r.out, "  FAIL  " + GetParam() + " ")) << r.out;
  EXPECT_TRUE(has(r.out, "FAIL: ")) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    EveryRule, BrokenWorker,
    ::testing::Values("fingerprint.exit", "fingerprint.schema", "fingerprint.device", "run.exit",
                      "run.trace", "trace.schema", "trace.fingerprint", "trace.reader",
                      "trace.order", "trace.loss", "trace.steps", "trace.settings",
                      "repeat.identical", "seed.honoured", "dump.exit", "dump.stop",
                      "dump.manifest", "dump.matches-trace", "config.rejected"),
    [](const ::testing::TestParamInfo<std::string>& param) {
      std::string name;
      bool upper = true;
      for (char c : param.param) {
        if (c == '.' || c == '-') {
          upper = true;
          continue;
        }
        name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
      }
      return name;
    });

TEST(WorkerConformance, MissingExecutableIsExit3) {
  Result r = repro_check({"worker", "conformance", "/nonexistent/worker"});
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_TRUE(has(r.out, "not an executable file")) << r.out;
}

TEST(TraceValidate, NamesEveryDeviationWithItsRule) {
  test::TempDir dir;
  auto good = dir.path() / "good.jsonl";
  auto bad = dir.path() / "bad.jsonl";
  // The fake worker's own trace conforms; the same with a bad kind and fingerprint does not.
  Result run = repro_check({"worker", "conformance", fake_worker(dir, "").string(), "--keep",
                            (dir.path() / "runs").string()});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  std::string text = read_file(dir.path() / "runs/run/trace.jsonl");
  write_file_atomic(good, text);
  Result ok = repro_check({"trace", "validate", good.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_TRUE(has(ok.out, "conforms to the trace format")) << ok.out;

  std::string broken = text;
  broken.replace(broken.find("\"libtorch_version\""), 18, "\"torch_version\"");
  broken.replace(broken.find("\"grad\""), 6, "\"gradient\"");
  write_file_atomic(bad, broken);
  Result no = repro_check({"trace", "validate", bad.string()});
  EXPECT_EQ(no.exit_code, 2) << no.out;
  EXPECT_TRUE(has(no.out, "line 2.tensors[2][1]: value not allowed")) << no.out;
  EXPECT_TRUE(has(no.out, "[trace.schema]")) << no.out;
  EXPECT_TRUE(has(no.out, "line 1.fingerprint.libtorch_version: missing required field")) << no.out;
  EXPECT_TRUE(has(no.out, "line 1.fingerprint.torch_version: unknown field")) << no.out;
  EXPECT_TRUE(has(no.out, "[trace.fingerprint]")) << no.out;
}

}  // namespace
}  // namespace repro
