// repro-worker as a separate process: identical runs, seeds, strict mode, dumps, exit codes.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/trace/fingerprint.hpp"
#include "harness/trace/tensor_dump.hpp"
#include "harness/trace/trace.hpp"
#include "harness/trace/worker_config.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/subprocess.hpp"
#include "models/data/dataset_listing.hpp"
#include "models/data/pet_dataset.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

struct WorkerResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class Worker : public ::testing::Test {
 protected:
  // A tiny workload: a few hundred milliseconds per run, process start included.
  static WorkerConfig tiny_config() {
    WorkerConfig config;
    config.model.width = 4;
    config.model.depth = 2;
    config.data.count = 32;
    config.data.image_size = 16;
    config.train.steps = 3;
    config.train.batch_size = 4;
    config.train.shards = 2;
    return config;
  }

  std::filesystem::path write_config(const std::string& name, const nlohmann::json& json) {
    const auto path = m_dir / name;
    write_file_atomic(path, json.dump());
    return path;
  }

  WorkerResult run(const std::vector<std::string>& args) {
    ProcessSpec spec;
    spec.program = test::bin_dir() / "repro-worker";
    spec.args = args;
    spec.env = current_environment();
    spec.stdout_path = m_dir / ("out" + std::to_string(m_runs));
    spec.stderr_path = m_dir / ("err" + std::to_string(m_runs));
    spec.timeout = std::chrono::seconds(120);
    ++m_runs;
    const ProcessResult result = run_process(spec);
    EXPECT_TRUE(result.started) << result.error;
    return {result.exit_code, read_file(spec.stdout_path), read_file(spec.stderr_path)};
  }

  // Trains `config` and returns the trace path.
  std::filesystem::path train(const std::string& name, const WorkerConfig& config) {
    const auto trace = m_dir / (name + ".jsonl");
    const WorkerResult r =
        run({"--quiet", "--config", write_config(name + ".json", to_json(config)).string(),
             "--trace", trace.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return trace;
  }

  static std::string step_lines(const std::filesystem::path& trace) {
    std::istringstream in(read_file(trace));
    std::string line;
    std::string out;
    while (std::getline(in, line)) {
      if (line.find("\"type\":\"step\"") != std::string::npos) {
        out += line + "\n";
      }
    }
    return out;
  }

  test::TempDir m_dir;
  int m_runs = 0;
};

TEST_F(Worker, IdenticalRunsWriteIdenticalStepLines) {
  const auto a = train("a", tiny_config());
  const auto b = train("b", tiny_config());
  EXPECT_FALSE(step_lines(a).empty());
  EXPECT_EQ(step_lines(a), step_lines(b));
  const Trace trace = read_trace(a);
  EXPECT_TRUE(trace.complete);
  EXPECT_EQ(trace.end_status, "ok");
  EXPECT_EQ(trace.steps.size(), 3u);
  EXPECT_EQ(trace.step_time_ms.size(), 3u);
  ASSERT_TRUE(trace.eval.has_value());
  EXPECT_EQ((*trace.eval)["split"], "validation");
  EXPECT_EQ(trace.header.producer.rfind("repro-worker ", 0), 0u);
  EXPECT_EQ(worker_config_from_json(trace.header.config, "header"), tiny_config());
  EXPECT_EQ(trace.steps[0].batch_ids.size(), 4u);
}

TEST_F(Worker, DifferentSeedWritesDifferentTrace) {
  WorkerConfig other = tiny_config();
  other.train.seed = 2;
  const Trace a = read_trace(train("a", tiny_config()));
  const Trace b = read_trace(train("b", other));
  EXPECT_NE(a.steps[0].root, b.steps[0].root);
  EXPECT_NE(a.steps[0].loss_bits, b.steps[0].loss_bits);
}

TEST_F(Worker, StrictModeIsBitIdenticalForOneAndTwoThreads) {
  WorkerConfig one = tiny_config();
  one.train.mode = "strict";
  one.settings.threads = 1;
  WorkerConfig two = one;
  two.settings.threads = 2;
  const auto a = train("one", one);
  const auto b = train("two", two);
  EXPECT_FALSE(step_lines(a).empty());
  EXPECT_EQ(step_lines(a), step_lines(b));
  EXPECT_EQ(read_trace(a).eval, read_trace(b).eval);
}

TEST_F(Worker, DumpMatchesTheTraceDigests) {
  const auto config = write_config("c.json", to_json(tiny_config()));
  const auto trace_path = m_dir / "t.jsonl";
  const auto dump_dir = m_dir / "dump";
  const WorkerResult r = run({"-q", "--config", config.string(), "--trace", trace_path.string(),
                              "--dump-step", "1", "--dump-dir", dump_dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Trace trace = read_trace(trace_path);
  const TensorDump dump = read_tensor_dump(dump_dir);
  EXPECT_EQ(dump.step, 1);
  const auto& step = trace.steps.at(1);
  ASSERT_EQ(dump.tensors.size(), step.tensors.size());
  for (size_t i = 0; i < dump.tensors.size(); ++i) {
    const auto& t = dump.tensors[i];
    EXPECT_EQ(t.name, step.tensors[i].name);
    EXPECT_EQ(t.kind, step.tensors[i].kind);
    EXPECT_EQ(digest_tensor(t.dtype, t.shape, t.bytes), step.tensors[i].digest) << t.name;
  }
}

TEST_F(Worker, StopAfterDumpLeavesOnlyAPartialTrace) {
  const auto config = write_config("c.json", to_json(tiny_config()));
  const auto trace_path = m_dir / "t.jsonl";
  const WorkerResult r =
      run({"-q", "--config", config.string(), "--trace", trace_path.string(), "--dump-step", "0",
           "--dump-dir", (m_dir / "dump").string(), "--stop-after-dump"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(trace_path));
  EXPECT_TRUE(std::filesystem::exists(m_dir / "t.jsonl.partial"));
  EXPECT_EQ(read_tensor_dump(m_dir / "dump").step, 0);
}

TEST_F(Worker, FingerprintIsJsonTheCheckerAccepts) {
  const WorkerResult r = run({"--fingerprint"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Fingerprint fp = fingerprint_from_json(nlohmann::json::parse(r.out), "stdout");
  EXPECT_EQ(fp.device, "cpu");
  EXPECT_FALSE(fp.blas_build.empty());
}

TEST_F(Worker, BadConfigExitsTwoNamingFileAndField) {
  const auto config =
      write_config("bad.json", {{"format_version", 1}, {"model", {{"width", "x"}}}});
  const WorkerResult r = run({"--config", config.string(), "--trace", (m_dir / "t").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("repro-worker: error: " + config.string() + ": model.width"),
            std::string::npos)
      << r.err;
}

TEST_F(Worker, ImageSizeNotDivisibleByDepthIsAConfigError) {
  WorkerConfig config = tiny_config();
  config.model.depth = 5;
  const auto path = write_config("deep.json", to_json(config));
  const WorkerResult r = run({"--config", path.string(), "--trace", (m_dir / "t").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("model.depth"), std::string::npos) << r.err;
}

TEST_F(Worker, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}).exit_code, 2);
  EXPECT_EQ(run({"--trace", "x.jsonl"}).exit_code, 2);  // needs --config
  EXPECT_EQ(run({"--fingerprint", "--device", "tpu"}).exit_code, 2);
  EXPECT_EQ(run({"--help"}).exit_code, 0);
}

TEST_F(Worker, GpuWithoutCudaSkipsWith77) {
  WorkerConfig config = tiny_config();
  config.settings.device = "gpu";
  const auto path = write_config("gpu.json", to_json(config));
  const WorkerResult r = run({"--config", path.string(), "--trace", (m_dir / "t").string()});
  if (r.exit_code == 0) {
    GTEST_SKIP() << "this machine has CUDA";
  }
  EXPECT_EQ(r.exit_code, 77);
  EXPECT_EQ(r.err.rfind("skip: gpu: ", 0), 0u) << r.err;
}

TEST_F(Worker, ExportDataWritesAnOxfordLayoutTheReaderLoads) {
  WorkerConfig config = tiny_config();
  const auto path = write_config("c.json", to_json(config));
  const auto out = m_dir / "pets";
  const WorkerResult r = run({"-q", "--export-data", out.string(), "--config", path.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(list_dataset(out).size(), static_cast<size_t>(config.data.count));
  config.data.source = "oxford";
  config.data.path = out.string();
  config.data.count = 0;
  const PetSplits splits = load_pet_splits(config.data);
  EXPECT_FALSE(splits.train.empty());
  const auto trace = train("oxford", config);
  EXPECT_TRUE(read_trace(trace).complete);
}

}  // namespace
}  // namespace repro
