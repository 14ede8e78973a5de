// The repro-check command line end to end: axes, configuration errors, crashed workers.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "harness/plan/axis.hpp"
#include "harness/util/atomic_file.hpp"
#include "tests/integration/cli_process.hpp"

namespace repro::test {
namespace {

TEST(Cli, AxesListsEveryAxisAndWhyValuesAreMissing) {
  CliResult r = run_repro_check({"--worker", worker_executable().string(), "axes", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["axes"].size(), axis_definitions().size());  // the fault axis included
  EXPECT_EQ(j["axes"][0]["name"], "device");
  EXPECT_TRUE(j["worker"].contains("libtorch_version")) << j["worker"].dump();
  if (!worker_fingerprint().cuda_available) {
    ASSERT_EQ(j["axes"][0]["missing"].size(), 1u);
    EXPECT_EQ(j["axes"][0]["missing"][0]["value"], "gpu");
    EXPECT_EQ(j["axes"][0]["missing"][0]["reason"], worker_fingerprint().cuda_unavailable_reason);
  }
  CliResult text = run_repro_check({"--worker", worker_executable().string(), "axes"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("cpu_capability"), std::string::npos) << text.out;
}

TEST(Cli, BadSuiteNamesTheFileAndFieldWithExit2) {
  ScratchProject project;
  project.write_suite("bad", {{{"name", "thread"}, {"values", {1}}}});
  CliResult r = project.run("bad", {}, nullptr);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("suites/bad.json: axes[0].name: unknown axis 'thread'"), std::string::npos)
      << r.err;
  project.write_suite("good", {{{"name", "threads"}, {"values", {1}}}});
  r = project.run("good", {"--axis", "threads=0"}, nullptr);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--axis threads"), std::string::npos) << r.err;
  r = project.run("good", {"--shard", "2/2"}, nullptr);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = project.run("missing", {}, nullptr);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("suites here: bad, good"), std::string::npos) << r.err;
}

TEST(Cli, CrashedWorkerIsAnInfrastructureFailure) {
  ScratchProject project;
  project.write_suite("crash", {{{"name", "threads"}, {"values", {1}}}});
  auto worker = project.root() / "crashing-worker";
  write_file_atomic(worker, "#!/bin/sh\necho 'worker: out of memory' >&2\nexit 3\n");
  ::chmod(worker.c_str(), 0755);
  auto json = project.root() / "crash.json";
  CliResult r =
      run_repro_check({"--root", project.root().string(), "--worker", worker.string(), "run",
                       "--suite", "crash", "--no-history", "--json", json.string()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  nlohmann::json report = nlohmann::json::parse(read_file(json));
  EXPECT_EQ(report["cells"][0]["verdict"], "crashed");
  EXPECT_NE(report["cells"][0]["reason"].get<std::string>().find("out of memory"),
            std::string::npos)
      << report.dump(2);
  // The evidence stays on disk.
  EXPECT_NE(r.err.find("logs kept in"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace repro::test
