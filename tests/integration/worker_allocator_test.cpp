// The worker's allocator (models/CMakeLists.txt, REPRO_WORKER_ALLOCATOR) is the one linked and
// leaves every digest as blessed: the committed smoke goldens were blessed under glibc's malloc.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "harness/util/subprocess.hpp"
#include "tests/integration/cli_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro::test {
namespace {

// The shared libraries the dynamic loader resolves for `program` (ldd's output).
std::string loaded_libraries(const std::filesystem::path& program, const TempDir& dir) {
  ProcessSpec spec;
  spec.program = "/usr/bin/ldd";
  spec.args = {program.string()};
  spec.env = current_environment();
  spec.stdout_path = dir.path() / "ldd.out";
  spec.timeout = std::chrono::seconds(60);
  ProcessResult result = run_process(spec);
  EXPECT_EQ(result.exit_code, 0) << result.describe();
  return file_tail(spec.stdout_path, 1 << 16);
}

TEST(WorkerAllocator, WorkerLoadsTheConfiguredAllocator) {
  TempDir dir;
  const std::string libraries = loaded_libraries(worker_executable(), dir);
#ifdef REPRO_WORKER_USES_TCMALLOC
  EXPECT_NE(libraries.find("libtcmalloc_minimal.so"), std::string::npos) << libraries;
#else
  EXPECT_EQ(libraries.find("libtcmalloc"), std::string::npos) << libraries;
#endif
}

// Fresh worker processes (no fork server), the committed smoke suite and goldens: every cell
// must match its golden bit for bit, whichever allocator the worker was linked with.
TEST(WorkerAllocator, CommittedSmokeGoldensStillMatch) {
  TempDir root;
  for (const char* folder : {"suites", "golden"}) {
    std::filesystem::create_directory_symlink(std::filesystem::path(REPRO_SOURCE_DIR) / folder,
                                              root.path() / folder);
  }
  const auto report_path = root.path() / "report.json";
  CliResult run =
      run_repro_check({"run", "--suite", "smoke", "--root", root.path().string(), "--worker",
                       worker_executable().string(), "--no-history", "--no-fork-server",
                       "--skip-without-golden", "--json", report_path.string(), "--quiet"});
  if (run.exit_code == 77) {
    GTEST_SKIP() << "no committed smoke golden of this machine's class: " << run.out;
  }
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto report = nlohmann::json::parse(file_tail(report_path, 1 << 24));
  ASSERT_FALSE(report.at("cells").empty());
  for (const auto& cell : report.at("cells")) {
    EXPECT_EQ(cell.at("golden"), "match") << cell.at("id");
  }
}

}  // namespace
}  // namespace repro::test
