// The `worker` axis by name: default, debian13 (skipped with the reason where not built), paths.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/integration/cli_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro::test {
namespace {

// Points ci/debian13-env.sh (through repro-check) at an empty cache for one test.
class EmptyEnvironmentCache {
 public:
  EmptyEnvironmentCache() { ::setenv("REPRO_CHECK_ENV_CACHE", m_dir.path().c_str(), 1); }
  ~EmptyEnvironmentCache() { ::unsetenv("REPRO_CHECK_ENV_CACHE"); }
  EmptyEnvironmentCache(const EmptyEnvironmentCache&) = delete;
  EmptyEnvironmentCache& operator=(const EmptyEnvironmentCache&) = delete;

 private:
  TempDir m_dir;
};

TEST(WorkerEnvironment, UnbuiltEnvironmentIsSkippedWithTheReason) {
  EmptyEnvironmentCache cache;
  ScratchProject project;
  project.write_suite("versions", {{{"name", "worker"}, {"values", {"default", "debian13"}}}});
  nlohmann::json report;
  CliResult r = project.run("versions", {}, &report);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json cell = cell_with(report, "worker", "debian13");
  EXPECT_EQ(cell["id"], "worker=debian13");
  EXPECT_EQ(cell["verdict"], "skipped") << cell.dump(2);
  const std::string reason = cell["reason"].get<std::string>();
  EXPECT_NE(reason.find("not built"), std::string::npos) << reason;
  EXPECT_NE(reason.find("ci/debian13-env.sh"), std::string::npos) << reason;
  EXPECT_EQ(cell_with(report, "worker", "default")["verdict"], "identical");
}

TEST(WorkerEnvironment, SuiteNeedingEveryCellExitsSkippedWhenOneCannotRun) {
  EmptyEnvironmentCache cache;
  ScratchProject project;
  project.write_suite("versions", {{{"name", "worker"}, {"values", {"default", "debian13"}}}},
                      {{"expect", {{"all_cells_run", true}}}});
  nlohmann::json report;
  CliResult r = project.run("versions", {}, &report);
  EXPECT_EQ(r.exit_code, 77) << r.out << r.err;
  EXPECT_NE(r.out.find("needs every cell to run"), std::string::npos) << r.out;
}

TEST(WorkerEnvironment, OutsideWorkerByPathRunsAndMatchesTheDefault) {
  ScratchProject project;
  project.write_suite(
      "outside", {{{"name", "worker"}, {"values", {"default", worker_executable().string()}}}});
  nlohmann::json report;
  CliResult r = project.run("outside", {}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json cell = cell_with(report, "worker", worker_executable().string());
  EXPECT_EQ(cell["verdict"], "identical") << cell.dump(2);
}

// Where ci/debian13-env.sh has built the environment (CI builds it): the upgrade is named
// with both libtorch versions, its first divergent step, tensor and op, and the op's
// magnitude, measured from dumps of the same op although the two libtorch versions run
// different numbers of ops before it.
TEST(WorkerEnvironment, TheUpgradeIsNamedDownToTheOpWithItsMagnitude) {
  ScratchProject project;
  project.write_suite("versions", {{{"name", "worker"}, {"values", {"default", "debian13"}}}});
  nlohmann::json report;
  CliResult r = project.run("versions", {"--localize"}, &report);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json cell = cell_with(report, "worker", "debian13");
  if (cell["verdict"] == "skipped") {
    GTEST_SKIP() << cell["reason"].get<std::string>();
  }
  std::string line;
  for (const auto& f : report["findings"]) {
    if (f["code"] == "library_versions") {
      line = f["message"].get<std::string>();
    }
  }
  EXPECT_NE(line.find("worker default → debian13 (libtorch 1.13."), std::string::npos) << line;
  EXPECT_NE(line.find(" → 2.6."), std::string::npos) << line;
  if (cell["verdict"] == "identical") {
    EXPECT_NE(line.find(": identical ("), std::string::npos) << line;
    return;
  }
  EXPECT_NE(line.find("differs from the baseline at step "), std::string::npos) << line;
  EXPECT_NE(line.find("; the first divergent op is aten::"), std::string::npos) << line;
  const nlohmann::json& op = cell["first_divergent_op"];
  ASSERT_TRUE(op.is_object()) << cell.dump(2);
  if (op["status"] == "op") {
    EXPECT_TRUE(op["max_abs_diff"].is_number()) << op.dump(2);
    EXPECT_NE(line.find(" differs by max |Δ| "), std::string::npos) << line;
  }
}

TEST(WorkerEnvironment, UnknownNameIsAUsageErrorNamingTheKnownOnes) {
  ScratchProject project;
  project.write_suite("bad", {{{"name", "worker"}, {"values", {"default", "debian99"}}}});
  CliResult r = project.run("bad", {}, nullptr);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("default, debian13"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace repro::test
