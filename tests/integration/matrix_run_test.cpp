// Real runs on this machine: which settings break bit-equality, and that they are named.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/plan/axis_availability.hpp"
#include "harness/plan/blas_locator.hpp"
#include "tests/integration/cli_process.hpp"

namespace repro::test {
namespace {

// A run that names `axis` from→to as breaking bit-equality at a step, with a repeatable
// baseline.
void expect_breaks(const nlohmann::json& report, const std::string& axis, const std::string& to) {
  EXPECT_EQ(report.value("repeatable", nlohmann::json()), true) << report.dump(2);
  nlohmann::json a = attribution_of(report, axis, to);
  ASSERT_FALSE(a.is_null()) << "no attribution for " << axis << " in " << report.dump(2);
  EXPECT_EQ(a["breaks"], true) << a.dump(2);
  ASSERT_TRUE(a["first_divergence"].is_object()) << a.dump(2);
  EXPECT_TRUE(a["first_divergence"]["step"].is_number_integer()) << a.dump(2);
  EXPECT_FALSE(a["first_divergence"]["tensor"].get<std::string>().empty()) << a.dump(2);
  EXPECT_EQ(cell_with(report, axis, to)["verdict"], "diverged");
}

TEST(MatrixRun, RepeatOfTheBaselineIsBitIdentical) {
  ScratchProject project;
  project.write_suite("repeat", {{{"name", "threads"}, {"values", {2}}}});
  nlohmann::json report;
  CliResult r = project.run("repeat", {}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(report["repeatable"], true);
  ASSERT_EQ(report["cells"].size(), 2u);
  for (const auto& cell : report["cells"]) {
    EXPECT_EQ(cell["verdict"], "identical") << cell.dump(2);
  }
  EXPECT_EQ(report["cells"][1]["role"], "repeat");
}

TEST(MatrixRun, ThreadsOneToTwoBreaksBitEqualityAndIsAttributed) {
  ScratchProject project;
  project.write_suite("threads", {{{"name", "threads"}, {"values", {1, 2}}}});
  nlohmann::json report;
  CliResult r = project.run("threads", {}, &report);
  // Divergence on an axis the suite does not declare invariant is reported, not failed.
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_breaks(report, "threads", "2");
  EXPECT_NE(r.out.find("threads 1→2 breaks bit-equality at step"), std::string::npos) << r.out;
}

TEST(MatrixRun, DeclaredInvariantAxisThatBreaksFailsTheRun) {
  ScratchProject project;
  project.write_suite("threads", {{{"name", "threads"}, {"values", {1, 2}}}},
                      {{"invariant", {"threads"}}});
  nlohmann::json report;
  CliResult r = project.run("threads", {}, &report);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(report["verdict"], "fail");
  EXPECT_EQ(attribution_of(report, "threads", "2")["must_hold"], true);
}

TEST(MatrixRun, StrictModeKeepsThreadsInvariant) {
  ScratchProject project;
  project.write_suite(
      "strict", {{{"name", "threads"}, {"values", {1, 2}}}},
      {{"invariant", {"threads"}}, {"workload", {{"train", {{"mode", "strict"}, {"shards", 4}}}}}});
  nlohmann::json report;
  CliResult r = project.run("strict", {}, &report);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(attribution_of(report, "threads", "2")["breaks"], false) << report.dump(2);
}

TEST(MatrixRun, CpuCapabilityAvx2ToAvx512BreaksBitEquality) {
  auto flags = read_cpu_flags();
  const auto& supported = worker_fingerprint().cpu_capabilities_supported;
  if (!flags.contains("avx512f") ||
      std::find(supported.begin(), supported.end(), "avx512") == supported.end()) {
    GTEST_SKIP() << "this CPU (or the worker's libtorch) lacks AVX-512";
  }
  ScratchProject project;
  project.write_suite("isa", {{{"name", "cpu_capability"}, {"values", {"avx2", "avx512"}}}});
  nlohmann::json report;
  CliResult r = project.run("isa", {}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_breaks(report, "cpu_capability", "avx512");
}

TEST(MatrixRun, BlasOpenblasPthreadToAtlasBreaksBitEquality) {
  BlasLocator blas;
  if (!blas.find("openblas-pthread") || !blas.find("atlas")) {
    GTEST_SKIP() << blas.missing_reason("openblas-pthread") << blas.missing_reason("atlas");
  }
  ScratchProject project;
  project.write_suite("blas", {{{"name", "blas"}, {"values", {"openblas-pthread", "atlas"}}}});
  nlohmann::json report;
  CliResult r = project.run("blas", {}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_breaks(report, "blas", "atlas");
}

TEST(MatrixRun, SeedChangesResults) {
  ScratchProject project;
  project.write_suite("seed", {{{"name", "seed"}, {"values", {1, 2}}}},
                      {{"expect", {{"seed_changes_results", true}}}});
  nlohmann::json report;
  CliResult r = project.run("seed", {}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_breaks(report, "seed", "2");
}

TEST(MatrixRun, GpuCellSkipsWithAReasonWithoutCuda) {
  if (worker_fingerprint().cuda_available) {
    GTEST_SKIP() << "CUDA is available here";
  }
  ScratchProject project;
  project.write_suite("devices", {{{"name", "threads"}, {"values", {1}}}});
  nlohmann::json report;
  CliResult r = project.run("devices", {"--matrix", "gpu,cpu"}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json gpu = cell_with(report, "device", "gpu");
  ASSERT_FALSE(gpu.is_null()) << report.dump(2);
  EXPECT_EQ(gpu["verdict"], "skipped");
  EXPECT_NE(gpu["reason"].get<std::string>().find("CUDA"), std::string::npos) << gpu.dump(2);
  // The CPU is the baseline when the GPU cannot run, so the run still has a verdict.
  EXPECT_EQ(report["cells"][0]["settings"]["device"], "cpu");
  EXPECT_EQ(report["repeatable"], true);
}

TEST(MatrixRun, NothingRunnableGivesTheSkipCode) {
  if (worker_fingerprint().cuda_available) {
    GTEST_SKIP() << "CUDA is available here";
  }
  ScratchProject project;
  project.write_suite("gpu_only", {{{"name", "device"}, {"values", {"gpu"}}}});
  CliResult r = project.run("gpu_only", {}, nullptr);
  EXPECT_EQ(r.exit_code, 77) << r.out << r.err;
}

}  // namespace
}  // namespace repro::test
