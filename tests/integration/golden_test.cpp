// Real bless and run against golden files: matches, and corrupt goldens end as exit 2.
#include <gtest/gtest.h>

#include "harness/util/atomic_file.hpp"
#include "tests/integration/cli_process.hpp"

namespace repro::test {
namespace {

TEST(Golden, BlessThenRunMatchesTheGolden) {
  ScratchProject project;
  project.write_suite("blessed", {{{"name", "seed"}, {"values", {1, 2}}}});
  CliResult bless =
      project.repro_check({"bless", "--suite", "blessed", "--reason", "integration test"});
  ASSERT_EQ(bless.exit_code, 0) << bless.out << bless.err;
  auto dir = project.root() / "golden" / "blessed";
  ASSERT_TRUE(std::filesystem::is_directory(dir));
  nlohmann::json report;
  CliResult run = project.run("blessed", {"--require-golden"}, &report);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(report["golden_found"], true);
  for (const auto& [id, status] : report["golden"].items()) {
    EXPECT_EQ(status, "match") << id;
  }
}

TEST(Golden, CorruptGoldenGivesExit2AndStaysUntouched) {
  ScratchProject project;
  project.write_suite("corrupt", {{{"name", "threads"}, {"values", {1}}}});
  // The golden this machine's run would be compared with, truncated.
  auto golden =
      project.root() / "golden" / "corrupt" / (environment_class(worker_fingerprint()) + ".json");
  std::string text = "{\"format_version\": 1, \"suite\": \"corrupt\", \"cells\": {";
  write_file_atomic(golden, text);
  CliResult run = project.run("corrupt", {}, nullptr);
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_NE(run.err.find("repro-check: error: " + golden.string()), std::string::npos) << run.err;
  EXPECT_EQ(read_file(golden), text);
  CliResult bless = project.repro_check({"bless", "--suite", "corrupt"});
  EXPECT_EQ(bless.exit_code, 2) << bless.out << bless.err;
  EXPECT_EQ(read_file(golden), text);
  // Only an explicit --force replaces it.
  bless = project.repro_check({"bless", "--suite", "corrupt", "--force"});
  EXPECT_EQ(bless.exit_code, 0) << bless.out << bless.err;
  EXPECT_NE(read_file(golden), text);
  EXPECT_EQ(project.run("corrupt", {"--require-golden"}, nullptr).exit_code, 0);
}

TEST(Golden, CorruptGoldenOfAnotherEnvironmentClassGivesExit2) {
  ScratchProject project;
  project.write_suite("corrupt", {{{"name", "threads"}, {"values", {1}}}});
  auto golden = project.root() / "golden" / "corrupt" / "libtorch-0.1_other_cpu.json";
  write_file_atomic(golden, "not json");
  CliResult run = project.run("corrupt", {}, nullptr);
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_NE(run.err.find(golden.string()), std::string::npos) << run.err;
  EXPECT_EQ(project.repro_check({"bless", "--suite", "corrupt"}).exit_code, 2);
  EXPECT_EQ(read_file(golden), "not json");
}

}  // namespace
}  // namespace repro::test
