// CellLaunch: the worker's config overlay, argv, and its complete, explicit environment.
#include "harness/run/cell_launch.hpp"

#include <gtest/gtest.h>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

struct CellLaunchTest : ::testing::Test {
  void SetUp() override {
    write_file_atomic(m_dir / "lib/atlas/libblas.so.3", "");
    write_file_atomic(m_dir / "lib/openblas-pthread/libblas.so.3", "");
    context.default_worker = "/opt/repro/bin/repro-worker";
    context.blas = BlasLocator({m_dir / "lib"});
    context.parent_env = {{"PATH", "/usr/bin:/bin"},
                          {"HOME", "/home/me"},
                          {"LANG", "C.UTF-8"},
                          {"LC_NUMERIC", "de_DE.UTF-8"},
                          {"TMPDIR", "/tmp/me"},
                          {"OPENBLAS_CORETYPE", "Haswell"},
                          {"OPENBLAS_L2_SIZE", "1048576"},
                          {"LD_LIBRARY_PATH", "/opt/lib"},
                          {"ATEN_CPU_CAPABILITY", "default"},
                          {"OMP_NUM_THREADS", "16"},
                          {"OMP_PROC_BIND", "true"},
                          {"MKL_CBWR", "AVX2"},
                          {"SECRET_TOKEN", "x"}};
  }
  test::TempDir m_dir;
  LaunchContext context;
};

TEST_F(CellLaunchTest, InheritsOnlyTheWhitelist) {
  WorkerConfig config;
  config.settings.threads = 2;
  Environment env = cell_environment({{"threads", "2"}}, config, context);
  EXPECT_EQ(env, (Environment{{"PATH", "/usr/bin:/bin"},
                              {"HOME", "/home/me"},
                              {"LANG", "C.UTF-8"},
                              {"LC_NUMERIC", "de_DE.UTF-8"},
                              {"TMPDIR", "/tmp/me"},
                              {"OPENBLAS_CORETYPE", "Haswell"},
                              {"OPENBLAS_L2_SIZE", "1048576"},
                              {"LD_LIBRARY_PATH", "/opt/lib"},
                              {"OMP_NUM_THREADS", "2"},
                              {"OPENBLAS_NUM_THREADS", "2"},
                              {"BLIS_NUM_THREADS", "2"},
                              {"MKL_NUM_THREADS", "2"}}));
  // The parent's ATEN_CPU_CAPABILITY must not leak into a cell that does not set it.
  EXPECT_FALSE(env.contains("ATEN_CPU_CAPABILITY"));
  EXPECT_FALSE(env.contains("OMP_PROC_BIND"));
  EXPECT_FALSE(env.contains("SECRET_TOKEN"));
}

TEST_F(CellLaunchTest, EnvironmentAxesSetTheirVariables) {
  WorkerConfig config;
  Environment env =
      cell_environment({{"cpu_capability", "avx512"}, {"blas", "atlas"}}, config, context);
  EXPECT_EQ(env.at("ATEN_CPU_CAPABILITY"), "avx512");
  EXPECT_EQ(env.at("LD_LIBRARY_PATH"), (m_dir / "lib/atlas").string() + ":/opt/lib");
  EXPECT_EQ(env.at("OMP_NUM_THREADS"), "1");
  context.parent_env.erase("LD_LIBRARY_PATH");
  env = cell_environment({{"blas", "openblas-pthread"}}, config, context);
  EXPECT_EQ(env.at("LD_LIBRARY_PATH"), (m_dir / "lib/openblas-pthread").string());
  env = cell_environment({}, config, context);
  EXPECT_FALSE(env.contains("LD_LIBRARY_PATH"));
}

TEST_F(CellLaunchTest, MissingBlasBuildIsAnError) {
  try {
    cell_environment({{"blas", "blis"}}, WorkerConfig{}, context);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("apt-get install libblis4-pthread"), std::string::npos)
        << e.what();
  }
}

TEST_F(CellLaunchTest, PlansConfigArgvAndProgram) {
  WorkerConfig workload;
  workload.train.steps = 3;
  workload.settings.threads = 1;
  Cell cell;
  cell.id = "seed=9,threads=2";
  cell.settings = {{"seed", "9"}, {"threads", "2"}};
  CellLaunch launch =
      plan_cell_launch(cell, workload, context, "/r/c/config.json", "/r/c/trace.jsonl");
  EXPECT_EQ(launch.program, "/opt/repro/bin/repro-worker");
  EXPECT_EQ(launch.args, (std::vector<std::string>{"--config", "/r/c/config.json", "--trace",
                                                   "/r/c/trace.jsonl"}));
  EXPECT_EQ(launch.config.train.steps, 3);
  EXPECT_EQ(launch.config.train.seed, 9u);
  EXPECT_EQ(launch.config.settings.threads, 2);
  EXPECT_EQ(launch.env.at("OMP_NUM_THREADS"), "2");

  cell.settings["worker"] = "/other/repro-worker";
  EXPECT_EQ(plan_cell_launch(cell, workload, context, "c", "t").program, "/other/repro-worker");
}

TEST_F(CellLaunchTest, WorkloadThreadsApplyWithoutAThreadsAxis) {
  WorkerConfig workload;
  workload.settings.threads = 3;
  EXPECT_EQ(cell_environment({}, cell_config(workload, {}), context).at("MKL_NUM_THREADS"), "3");
}

TEST(CellLaunch, DumpArgs) {
  EXPECT_EQ(dump_args("c.json", "d/trace.jsonl", 2, "d"),
            (std::vector<std::string>{"--config", "c.json", "--trace", "d/trace.jsonl",
                                      "--dump-step", "2", "--dump-dir", "d", "--stop-after-dump"}));
}

TEST(CellLaunch, DetectsSettingsThatDidNotTakeEffect) {
  Fingerprint fp;
  fp.blas_build = "openblas-pthread";
  fp.cpu_capability = "avx2";
  fp.device = "cpu";
  EXPECT_EQ(settings_mismatch({{"blas", "openblas-pthread"}, {"cpu_capability", "avx2"}}, fp),
            std::nullopt);
  auto blas = settings_mismatch({{"blas", "atlas"}}, fp);
  ASSERT_TRUE(blas.has_value());
  EXPECT_NE(blas->find("loaded openblas-pthread"), std::string::npos);
  EXPECT_TRUE(settings_mismatch({{"cpu_capability", "avx512"}}, fp).has_value());
  EXPECT_TRUE(settings_mismatch({{"device", "gpu"}}, fp).has_value());
  fp.blas_build = "blis-pthread";  // the folder name stands for the `blis` value
  EXPECT_EQ(settings_mismatch({{"blas", "blis"}}, fp), std::nullopt);
  EXPECT_EQ(settings_mismatch({{"threads", "2"}}, Fingerprint{}), std::nullopt);
}

}  // namespace
}  // namespace repro
