// Fork servers (harness/run/fork_server.hpp) change how cells start, never their bits: forked
// and fresh workers give the same digests at every step, on every setting a library latches at
// load or first use (threads, ATen CPU capability, BLAS build), dumps and localization included.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/integration/cli_process.hpp"

namespace repro::test {
namespace {

// Each cell's verdict and steps (per-tensor digests, loss bits, step roots) by cell id, for
// the cells that ran.
std::map<std::string, nlohmann::json> steps_by_cell(const nlohmann::json& report) {
  std::map<std::string, nlohmann::json> steps;
  for (const auto& cell : report.at("cells")) {
    if (cell.at("verdict") != "skipped") {
      const auto& golden_cell = cell.at("golden_cell");
      steps[cell.at("id").get<std::string>()] = {
          {"verdict", cell.at("verdict")},
          {"steps", golden_cell.is_object() ? golden_cell.at("steps") : nlohmann::json()}};
    }
  }
  return steps;
}

TEST(ForkServer, ForkedCellsGiveTheBitsOfFreshProcesses) {
  ScratchProject project;
  // Settings latched at library load (OMP/OpenBLAS thread counts, the BLAS build) and at
  // first use (ATen's CPU capability, at::set_num_threads); values this machine lacks skip.
  project.write_suite("forked",
                      {{{"name", "threads"}, {"values", {1, 2}}},
                       {{"name", "cpu_capability"}, {"values", {"avx2", "default"}}},
                       {{"name", "blas"}, {"values", {"openblas-pthread", "reference"}}}});
  nlohmann::json forked;
  nlohmann::json fresh;
  CliResult a = project.run("forked", {"--no-localize"}, &forked);
  CliResult b = project.run("forked", {"--no-localize", "--no-fork-server"}, &fresh);
  ASSERT_NE(a.exit_code, 2) << a.err;
  ASSERT_NE(b.exit_code, 2) << b.err;
  // The first run really forked its cells (and the second did not).
  EXPECT_NE(a.err.find("worker runs forked from"), std::string::npos) << a.err;
  EXPECT_EQ(a.err.find("started fresh"), std::string::npos) << a.err;
  EXPECT_EQ(b.err.find("forked from"), std::string::npos) << b.err;
  EXPECT_EQ(a.exit_code, b.exit_code) << a.out << b.out;
  const auto forked_steps = steps_by_cell(forked);
  const auto fresh_steps = steps_by_cell(fresh);
  ASSERT_GE(forked_steps.size(), 3u) << a.out;  // baseline, repeat, threads=2 at least
  for (const auto& [id, cell] : forked_steps) {
    if (id.find("#repeat") == std::string::npos) {  // a repeat's bits are its verdict
      EXPECT_TRUE(cell.at("steps").is_array()) << id << " has no digests: " << cell << a.out;
    }
  }
  ASSERT_EQ(forked_steps.size(), fresh_steps.size());
  for (const auto& [id, steps] : forked_steps) {
    ASSERT_EQ(fresh_steps.count(id), 1u) << id;
    EXPECT_EQ(steps, fresh_steps.at(id))
        << id << ": a forked cell's digests differ from a fresh one";
  }
  // Magnitudes come from forked dump re-runs, which are used only when they reproduce the
  // cell's traced digests: the threads change must be measured in both runs alike.
  const auto forked_threads = cell_with(forked, "threads", "2");
  const auto fresh_threads = cell_with(fresh, "threads", "2");
  ASSERT_FALSE(forked_threads.is_null());
  EXPECT_EQ(forked_threads.at("first_divergence"), fresh_threads.at("first_divergence"));
}

TEST(ForkServer, LocalizationThroughForkedReRunsNamesTheSameOp) {
  ScratchProject project;
  project.write_suite("localized", {{{"name", "threads"}, {"values", {1, 2}}}});
  nlohmann::json forked;
  nlohmann::json fresh;
  CliResult a = project.run("localized", {"--localize"}, &forked);
  CliResult b = project.run("localized", {"--localize", "--no-fork-server"}, &fresh);
  ASSERT_EQ(a.exit_code, b.exit_code) << a.out << b.out;
  const auto forked_cell = cell_with(forked, "threads", "2");
  const auto fresh_cell = cell_with(fresh, "threads", "2");
  ASSERT_FALSE(forked_cell.is_null()) << a.out;
  ASSERT_FALSE(fresh_cell.is_null()) << b.out;
  auto op = [](const nlohmann::json& cell) {
    nlohmann::json o = cell.at("first_divergent_op");
    if (o.is_object()) {
      o.erase("seconds");  // how long it took is the only thing allowed to differ
    }
    return o;
  };
  EXPECT_EQ(op(forked_cell), op(fresh_cell));
}

}  // namespace
}  // namespace repro::test
