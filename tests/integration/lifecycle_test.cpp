// Process lifecycle of a real repro-check: a worker that cannot start is an infrastructure
// failure, a killed checker takes its workers along, and an interrupted run still reports
// the cells that finished. checker_kill_test.cpp: what a SIGKILLed checker leaves.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "harness/report/history.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/subprocess.hpp"
#include "tests/integration/cli_process.hpp"
#include "tests/integration/lifecycle_support.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

using namespace std::chrono_literals;
using test::BackgroundCheck;
using test::CliResult;
using test::ends;
using test::is_dead;
using test::kill_if_alive;
using test::pid_in;
using test::ScratchProject;
using test::wait_for;
using test::write_script;

TEST(Lifecycle, MissingOrNonExecutableWorkerIsAnInfrastructureFailure) {
  ScratchProject project;
  auto missing = project.root() / "no-such-worker";
  auto not_executable = project.root() / "not-executable";
  write_file_atomic(not_executable, "#!/bin/sh\nexit 0\n");
  project.write_suite(
      "workers",
      {{{"name", "worker"},
        {"values",
         {test::worker_executable().string(), missing.string(), not_executable.string()}}}});
  nlohmann::json report;
  CliResult r = project.run("workers", {}, &report);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  nlohmann::json a = test::cell_with(report, "worker", missing.string());
  EXPECT_EQ(a["verdict"], "crashed") << a.dump(2);
  EXPECT_NE(a.value("reason", "").find("no such file"), std::string::npos) << a.dump(2);
  nlohmann::json b = test::cell_with(report, "worker", not_executable.string());
  EXPECT_EQ(b["verdict"], "crashed") << b.dump(2);
  EXPECT_NE(b.value("reason", "").find("not executable"), std::string::npos) << b.dump(2);
}

TEST(Lifecycle, MissingDefaultWorkerIsAnInfrastructureFailure) {
  ScratchProject project;
  project.write_suite("gone", {{{"name", "threads"}, {"values", {1}}}});
  CliResult r = test::run_repro_check({"--root", project.root().string(), "--worker",
                                       (project.root() / "no-such-worker").string(), "run",
                                       "--suite", "gone", "--no-history"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("no such file"), std::string::npos) << r.out;
}

TEST(Lifecycle, KillingTheCheckerKillsItsWorkers) {
  ScratchProject project;
  project.write_suite("hang", {{{"name", "threads"}, {"values", {1}}}});
  auto pid_file = project.root() / "worker.pid";
  auto worker = write_script(project.root() / "worker",
                             "[ \"$1\" = --fingerprint ] && exit 1\n"
                             "echo $$ > '" +
                                 pid_file.string() + "'\nexec sleep 120");
  BackgroundCheck check({"--root", project.root().string(), "--worker", worker.string(), "run",
                         "--suite", "hang", "--no-history", "--jobs", "1"});
  ASSERT_TRUE(wait_for([&] { return pid_in(pid_file) > 0; })) << check.output();
  pid_t worker_pid = pid_in(pid_file);
  check.sigkill();
  EXPECT_TRUE(ends(worker_pid)) << "worker " << worker_pid << " outlived the SIGKILLed checker";
  kill_if_alive(worker_pid);
}

TEST(Lifecycle, TermDuringTheProbeKillsItAndLeavesNoTemporaryFolder) {
  ScratchProject project;
  project.write_suite("probe", {{{"name", "threads"}, {"values", {1}}}});
  auto pid_file = project.root() / "probe.pid";
  auto worker = write_script(project.root() / "worker",
                             "echo $$ > '" + pid_file.string() + "'\nexec sleep 120");
  auto tmp = project.root() / "tmp";
  std::filesystem::create_directories(tmp);
  auto json = project.root() / "probe.json";
  BackgroundCheck check({"--root", project.root().string(), "--worker", worker.string(), "run",
                         "--suite", "probe", "--no-history", "--json", json.string()},
                        {{"TMPDIR", tmp.string()}});
  ASSERT_TRUE(wait_for([&] { return pid_in(pid_file) > 0; })) << check.output();
  pid_t probe_pid = pid_in(pid_file);
  ::kill(check.process.pid(), SIGTERM);
  ProcessResult ended = check.process.wait();
  EXPECT_EQ(ended.exit_code, 143) << ended.describe() << check.output();
  EXPECT_TRUE(ends(probe_pid)) << "the probe outlived the run";
  kill_if_alive(probe_pid);
  EXPECT_TRUE(std::filesystem::is_empty(tmp)) << "left in " << tmp;
  ASSERT_TRUE(std::filesystem::exists(json)) << check.output();
  nlohmann::json report = parse_json(read_file(json), json.string());
  EXPECT_EQ(report["verdict"], "interrupted");
  for (const auto& cell : report["cells"]) {
    EXPECT_EQ(cell["verdict"], "not run") << cell.dump(2);
  }
}

// Both halves of "nothing lost on interrupt": the finished cell is compared and reported
// in every format, the others are listed as not run, the history row says interrupted.
TEST(Lifecycle, InterruptReportsTheFinishedCellsEverywhere) {
  ScratchProject project;
  project.write_suite("interrupt", {{{"name", "threads"}, {"values", {1, 2}}},
                                    {{"name", "seed"}, {"values", {1, 2}}}});
  auto out = [&](const std::string& name) { return project.root() / name; };
  BackgroundCheck check({"--root", project.root().string(), "--worker",
                         test::worker_executable().string(), "run", "--suite", "interrupt",
                         "--jobs", "1", "--json", out("r.json").string(), "--junit",
                         out("r.xml").string(), "--markdown", out("r.md").string(), "--html",
                         out("r.html").string()});
  // The second cell's config appears once the runner has collected the first (--jobs 1).
  auto runs = project.root() / ".repro" / "runs";
  auto second_started = [&] {
    std::error_code ec;
    for (const auto& run : std::filesystem::directory_iterator(runs, ec)) {
      for (const auto& cell : std::filesystem::directory_iterator(run.path(), ec)) {
        if (cell.path().filename().string().rfind("01-", 0) == 0 &&
            std::filesystem::exists(cell.path() / "config.json")) {
          return true;
        }
      }
    }
    return false;
  };
  ASSERT_TRUE(wait_for(second_started, 120s)) << check.output();
  ::kill(check.process.pid(), SIGINT);
  ProcessResult ended = check.process.wait();
  ASSERT_EQ(ended.exit_code, 130) << ended.describe() << check.output();
  EXPECT_NE(check.output().find("INTERRUPTED (exit 130)"), std::string::npos) << check.output();

  nlohmann::json report = parse_json(read_file(out("r.json")), "r.json");
  EXPECT_EQ(report["verdict"], "interrupted");
  EXPECT_EQ(report["interrupted"], true);
  EXPECT_EQ(report["exit_code"], 130);
  ASSERT_EQ(report["cells"].size(), 4u);
  EXPECT_EQ(report["cells"][0]["role"], "baseline");
  EXPECT_EQ(report["cells"][0]["verdict"], "identical") << report["cells"][0].dump(2);
  // On an idle machine the tiny cells may all finish before SIGINT lands (the signal then
  // stops the run during its checks): each cell is a real verdict or "not run".
  bool any_not_run = false;
  for (size_t i = 1; i < report["cells"].size(); ++i) {
    const std::string verdict = report["cells"][i]["verdict"];
    EXPECT_TRUE(verdict == "not run" || verdict == "diverged" || verdict == "identical")
        << report["cells"][i].dump(2);
    any_not_run = any_not_run || verdict == "not run";
  }
  std::string junit = read_file(out("r.xml"));
  if (any_not_run) {
    EXPECT_NE(junit.find("not run: interrupted"), std::string::npos) << junit;
  }
  EXPECT_NE(junit.find("name=\"verdict\" value=\"interrupted\""), std::string::npos) << junit;
  EXPECT_NE(read_file(out("r.md")).find("interrupted by SIGINT"), std::string::npos);
  EXPECT_NE(read_file(out("r.html")).find("INTERRUPTED"), std::string::npos);

  History history(default_history_path(project.root()), History::Mode::read_only);
  auto rows = history.last("interrupt", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].verdict, "interrupted");
  EXPECT_EQ(rows[0].exit_code, 130);
}

// The acceptance: `timeout -s INT 5 repro-check run --suite pr --json j.json
// --junit j.xml` leaves both files, with the cells that finished and the rest not run.
TEST(Lifecycle, SigintAfterFiveSecondsOfThePrSuiteLeavesBothReports) {
  ScratchProject project;
  std::filesystem::create_directories(project.root() / "suites");
  std::filesystem::copy_file(test::source_dir() / "suites" / "pr.json",
                             project.root() / "suites" / "pr.json");
  auto json = project.root() / "j.json";
  auto junit = project.root() / "j.xml";
  BackgroundCheck check({"--root", project.root().string(), "--worker",
                         test::worker_executable().string(), "run", "--suite", "pr", "--no-history",
                         "--json", json.string(), "--junit", junit.string()});
  std::this_thread::sleep_for(5s);
  ::kill(check.process.pid(), SIGINT);
  ProcessResult ended = check.process.wait();
  ASSERT_EQ(ended.exit_code, 130) << ended.describe() << check.output();
  ASSERT_TRUE(std::filesystem::exists(json)) << check.output();
  ASSERT_TRUE(std::filesystem::exists(junit)) << check.output();
  nlohmann::json report = parse_json(read_file(json), json.string());
  EXPECT_EQ(report["verdict"], "interrupted");
  // Where the signal lands depends on the machine: among the cells, or (fork servers make
  // the pr cells fast) in the diagnosis re-runs after them. Either way the finished cells
  // are compared and reported, the others are `not run`, and nothing else is claimed.
  int finished = 0;
  for (const auto& cell : report["cells"]) {
    const std::string verdict = cell["verdict"];
    EXPECT_TRUE(verdict == "identical" || verdict == "diverged" || verdict == "skipped" ||
                verdict == "not run")
        << cell.dump(2);
    finished += verdict == "identical" || verdict == "diverged" ? 1 : 0;
  }
  EXPECT_GT(finished, 0) << report.dump(2);
  std::string xml = read_file(junit);
  EXPECT_NE(xml.find("tests=\"" + std::to_string(report["cells"].size()) + "\""), std::string::npos)
      << xml;
}

}  // namespace
}  // namespace repro
