// Worker environments: names vs paths, the bwrap command, and reasons when one cannot run.
#include "harness/plan/worker_environment.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/plan/axis.hpp"
#include "harness/plan/axis_availability.hpp"
#include "harness/run/cell_launch.hpp"
#include "harness/util/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

bool contains_sequence(const std::vector<std::string>& args, const std::vector<std::string>& seq) {
  return std::search(args.begin(), args.end(), seq.begin(), seq.end()) != args.end();
}

TEST(WorkerEnvironment, AxisTakesRegisteredNamesAndPaths) {
  const AxisDefinition& worker = *find_axis("worker");
  EXPECT_EQ(normalize_axis_value(worker, "debian13", "s.json", "axes[0]"), "debian13");
  EXPECT_EQ(normalize_axis_value(worker, "default", "s.json", "axes[0]"), "default");
  EXPECT_EQ(normalize_axis_value(worker, "./my-worker", "s.json", "axes[0]"), "./my-worker");
  try {
    normalize_axis_value(worker, "debian12", "s.json", "axes[0]");
    FAIL() << "accepted an unknown environment name";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("known: default, debian13"), std::string::npos)
        << e.what();
  }
}

TEST(WorkerEnvironment, DefaultAndPathsRunDirectly) {
  WorkerEnvironments envs("/opt/repro/bin/repro-worker", "", {});
  const WorkerEnvironment& def = envs.resolve("default");
  EXPECT_TRUE(def.unavailable.empty());
  WorkerCommand c = def.command({"--config", "c.json"}, {"/runs/x"}, {});
  EXPECT_EQ(c.program, "/opt/repro/bin/repro-worker");
  EXPECT_EQ(c.args, (std::vector<std::string>{"--config", "c.json"}));
  // A missing path is not something this machine lacks: its cells crash with "could not
  // start" (exit 3), so it is never reported as unavailable (skipped).
  EXPECT_EQ(envs.resolve("/no/such/worker").unavailable, "");
  EXPECT_THROW(envs.resolve("debian99"), Error);
}

TEST(WorkerEnvironment, Debian13WithoutItsScriptSaysWhy) {
  test::TempDir empty_source;
  WorkerEnvironments envs("repro-worker", empty_source.path(), {{"PATH", "/usr/bin:/bin"}});
  const WorkerEnvironment& env = envs.resolve("debian13");
  EXPECT_NE(env.unavailable.find("no ci/debian13-env.sh"), std::string::npos) << env.unavailable;
}

TEST(WorkerEnvironment, PythonWithoutItsScriptSaysWhy) {
  test::TempDir empty_source;
  WorkerEnvironments envs("repro-worker", empty_source.path(), {{"PATH", "/usr/bin:/bin"}});
  const WorkerEnvironment& env = envs.resolve("python");
  EXPECT_NE(env.unavailable.find("no python/examples/unet_worker.py"), std::string::npos)
      << env.unavailable;
}

TEST(WorkerEnvironment, PythonRunsTheCheckoutsScriptWithTheInterpreter) {
  WorkerEnvironments envs("repro-worker", REPRO_SOURCE_DIR, {{"PATH", "/usr/bin:/bin"}});
  const WorkerEnvironment& env = envs.resolve("python");
  EXPECT_EQ(env.unavailable, "") << "ci/install-deps.sh installs python3-torch and "
                                    "python3-xxhash";
  WorkerCommand c = env.command({"--config", "c.json"}, {"/runs/x"}, {});
  EXPECT_EQ(c.program, REPRO_PYTHON);
  EXPECT_EQ(c.args, (std::vector<std::string>{
                        std::string(REPRO_SOURCE_DIR) + "/python/examples/unet_worker.py",
                        "--config", "c.json"}));
}

TEST(WorkerEnvironment, Debian13ReportsAnUnbuiltRootFromTheScript) {
  test::TempDir cache;
  WorkerEnvironments envs("repro-worker", REPRO_SOURCE_DIR,
                          {{"PATH", "/usr/bin:/bin"}, {"REPRO_CHECK_ENV_CACHE", cache.path()}});
  const WorkerEnvironment& env = envs.resolve("debian13");
  if (find_on_path("bwrap", "/usr/bin:/bin").empty()) {
    EXPECT_NE(env.unavailable.find("bwrap not found"), std::string::npos) << env.unavailable;
    return;
  }
  EXPECT_NE(env.unavailable.find("the Debian 13 root is not built"), std::string::npos)
      << env.unavailable;
  // Availability speaks through the registry.
  MachineFacts facts;
  facts.environments = envs;
  AxisAvailability availability(facts);
  auto reason = availability.skip_reason({{"worker", "debian13"}});
  ASSERT_TRUE(reason);
  EXPECT_EQ(reason->rfind("worker=debian13: the Debian 13 root is not built", 0), 0u) << *reason;
}

TEST(WorkerEnvironment, WrappedWorkerSeesTheRootAndOnlyTheBoundFolders) {
  test::TempDir root;
  std::filesystem::create_directories(root / "usr");
  std::filesystem::create_symlink("usr/lib", root / "lib");
  WorkerEnvironment env;
  env.name = "debian13";
  env.wrapper = "/usr/bin/bwrap";
  env.root = root.path();
  env.worker_dir = "/cache/worker-2";
  env.worker = "/build/bin/repro-worker";
  WorkerCommand c = env.command({"--config", "/runs/x/config.json"}, {"/runs/x"}, {"/data/pets"});
  EXPECT_EQ(c.program, "/usr/bin/bwrap");
  // The root's folders read-only, its links as links; never the root itself at / (then
  // bwrap could not create the mount points of the cell's folders).
  EXPECT_TRUE(contains_sequence(c.args, {"--ro-bind", (root / "usr").string(), "/usr"}));
  EXPECT_TRUE(contains_sequence(c.args, {"--symlink", "usr/lib", "/lib"}));
  EXPECT_FALSE(contains_sequence(c.args, {root.path().string(), "/"}));
  EXPECT_TRUE(contains_sequence(c.args, {"--ro-bind", "/cache/worker-2", "/build"}));
  EXPECT_TRUE(contains_sequence(c.args, {"--bind", "/runs/x", "/runs/x"}));
  EXPECT_TRUE(contains_sequence(c.args, {"--ro-bind", "/data/pets", "/data/pets"}));
  EXPECT_TRUE(contains_sequence(
      c.args, {"--", "/build/bin/repro-worker", "--config", "/runs/x/config.json"}));
  EXPECT_EQ(c.args.back(), "/runs/x/config.json");
}

TEST(WorkerEnvironment, CellLaunchWithAnUnavailableEnvironmentThrowsTheReason) {
  test::TempDir cache;
  LaunchContext context;
  context.default_worker = "/opt/repro-worker";
  context.environments =
      WorkerEnvironments(context.default_worker, REPRO_SOURCE_DIR,
                         {{"PATH", "/usr/bin:/bin"}, {"REPRO_CHECK_ENV_CACHE", cache.path()}});
  Cell cell;
  cell.id = "worker=debian13";
  cell.settings = {{"worker", "debian13"}};
  try {
    plan_cell_launch(cell, WorkerConfig{}, context, "/runs/c/config.json", "/runs/c/trace.jsonl");
    FAIL() << "launched an unavailable environment";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "worker");
  }
  Cell baseline;
  baseline.settings = {{"worker", "default"}};
  CellLaunch launch =
      plan_cell_launch(baseline, WorkerConfig{}, context, "/runs/b/config.json", "/runs/b/t.jsonl");
  EXPECT_EQ(launch.program, "/opt/repro-worker");
  EXPECT_TRUE(launch.wrapper_args.empty());
}

}  // namespace
}  // namespace repro
