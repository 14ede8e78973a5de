// Process lifecycle of a real repro-check: no process started for a run outlives it, a
// worker that cannot start is an infrastructure failure, and an interrupted run still
// reports the cells that finished.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "harness/report/history.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/subprocess.hpp"
#include "tests/integration/cli_process.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

using namespace std::chrono_literals;
using test::CliResult;
using test::ScratchProject;

// An executable /bin/sh script at PATH.
std::filesystem::path write_script(const std::filesystem::path& path, const std::string& body) {
  write_file_atomic(path, "#!/bin/sh\n" + body + "\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

// Waits up to `limit` for `done`; true when it became true.
bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit = 60s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

// The pid written to FILE, 0 while there is none.
pid_t pid_in(const std::filesystem::path& file) {
  std::ifstream in(file);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

// True when process PID no longer runs (gone, or a zombie nobody reaped yet).
bool is_dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) {
    return true;
  }
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() &&
         (text[close + 2] == 'Z' || text[close + 2] == 'X');
}

// Kills PID if it still runs (cleanup after a failed expectation).
void kill_if_alive(pid_t pid) {
  if (pid > 0 && !is_dead(pid)) {
    ::kill(pid, SIGKILL);
  }
}

// repro-check started in the background (so a test can signal it).
struct BackgroundCheck {
  BackgroundCheck(const std::vector<std::string>& args,
                  std::map<std::string, std::string> extra_env = {})
      : process([&] {
          ProcessSpec spec;
          spec.program = test::bin_dir() / "repro-check";
          spec.args = args;
          spec.env = current_environment();
          for (auto& [k, v] : extra_env) {
            spec.env[k] = v;
          }
          spec.stdout_path = logs / "stdout";
          spec.stderr_path = logs / "stderr";
          spec.timeout = std::chrono::minutes(10);
          return spec;
        }()) {}
  std::string output() const {
    return file_tail(logs / "stdout", 1 << 16) + file_tail(logs / "stderr", 1 << 16);
  }
  test::TempDir logs;
  Process process;
};

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
  ::kill(check.process.pid(), SIGKILL);
  check.process.wait();
  EXPECT_TRUE(wait_for([&] { return is_dead(worker_pid); }, 10s))
      << "worker " << worker_pid << " outlived the SIGKILLed checker";
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
  EXPECT_TRUE(wait_for([&] { return is_dead(probe_pid); }, 10s)) << "the probe outlived the run";
  kill_if_alive(probe_pid);
  EXPECT_TRUE(std::filesystem::is_empty(tmp)) << "left in " << tmp;
  ASSERT_TRUE(std::filesystem::exists(json)) << check.output();
  nlohmann::json report = parse_json(read_file(json), json.string());
  EXPECT_EQ(report["verdict"], "interrupted");
  for (const auto& cell : report["cells"]) {
    EXPECT_EQ(cell["verdict"], "not run") << cell.dump(2);
  }
}

// Skips unless /proc shows other processes' environments: the run guard finds what a run
// started by the run token in their environment (harness/util/run_guard.hpp).
#define SKIP_UNLESS_PROC_ENVIRON_READABLE()                                          \
  if (!std::ifstream("/proc/self/environ")) {                                        \
    GTEST_SKIP() << "/proc/PID/environ is not readable here: no run guard can work"; \
  }

// The names in `dir`, each after a space.
std::string listing(const std::filesystem::path& dir) {
  std::string names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    names += " " + entry.path().filename().string();
  }
  return names;
}

// Pids of the processes whose command line mentions `needle`.
std::vector<pid_t> pids_with_cmdline(const std::string& needle) {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos || is_dead(std::stoi(name))) {
      continue;
    }
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(needle) != std::string::npos) {
      pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

// The finding: a daemon of a worker (setsid + double fork: no parent-death signal,
// not in the worker's group) used to outlive a SIGKILL of the checker, reparented to init.
TEST(Lifecycle, SigkillOfTheCheckerEndsTheDaemonsOfItsWorkers) {
  SKIP_UNLESS_PROC_ENVIRON_READABLE();
  ScratchProject project;
  project.write_suite("daemon", {{{"name", "threads"}, {"values", {1}}}});
  auto worker_pid_file = project.root() / "worker.pid";
  auto daemon_pid_file = project.root() / "daemon.pid";
  auto worker = write_script(project.root() / "worker",
                             "[ \"$1\" = --fingerprint ] && exit 1\n"
                             "setsid sh -c 'sh -c \"echo \\$\\$ > " +
                                 daemon_pid_file.string() + ".new; mv " + daemon_pid_file.string() +
                                 ".new " + daemon_pid_file.string() +
                                 "; exec sleep 120\" &'\n"
                                 "echo $$ > '" +
                                 worker_pid_file.string() + "'\nexec sleep 120");
  auto tmp = project.root() / "tmp";
  std::filesystem::create_directories(tmp);
  BackgroundCheck check({"--root", project.root().string(), "--worker", worker.string(), "run",
                         "--suite", "daemon", "--no-history", "--jobs", "1"},
                        {{"TMPDIR", tmp.string()}});
  ASSERT_TRUE(wait_for([&] { return pid_in(worker_pid_file) > 0 && pid_in(daemon_pid_file) > 0; }))
      << check.output();
  const pid_t worker_pid = pid_in(worker_pid_file);
  const pid_t daemon_pid = pid_in(daemon_pid_file);
  ASSERT_FALSE(is_dead(daemon_pid)) << "the daemon did not start";
  ::kill(check.process.pid(), SIGKILL);
  check.process.wait();
  EXPECT_TRUE(wait_for([&] { return is_dead(worker_pid); }, 10s))
      << "worker " << worker_pid << " outlived the SIGKILLed checker";
  EXPECT_TRUE(wait_for([&] { return is_dead(daemon_pid); }, 10s))
      << "the worker's daemon " << daemon_pid << " outlived the SIGKILLed checker";
  EXPECT_TRUE(wait_for([&] { return std::filesystem::is_empty(tmp); }, 10s))
      << "left in " << tmp << ":" << listing(tmp);
  kill_if_alive(worker_pid);
  kill_if_alive(daemon_pid);
}

// The same with the real worker: its fork server, the cell it forked and the run's
// temporary folders (the server's FIFOs and logs) end with a SIGKILLed checker.
TEST(Lifecycle, SigkillOfTheCheckerEndsItsForkServerAndRemovesItsTemporaryFolders) {
  SKIP_UNLESS_PROC_ENVIRON_READABLE();
  ScratchProject project;
  // Long enough that the cell still runs when the checker is killed.
  project.write_suite("long", {{{"name", "threads"}, {"values", {1}}}},
                      {{"workload", {{"train", {{"steps", 100000}}}}}});
  auto tmp = project.root() / "tmp";
  std::filesystem::create_directories(tmp);
  BackgroundCheck check(
      {"--root", project.root().string(), "--worker", test::worker_executable().string(), "run",
       "--suite", "long", "--no-history", "--jobs", "1", "--no-localize"},
      {{"TMPDIR", tmp.string()}});
  // The server's command line names its FIFOs under TMPDIR; its forked cells share it. Once
  // the cell's config is written the probe is over: a second such process is the cell.
  auto cell_started = [&] {
    std::error_code ec;
    for (const auto& run :
         std::filesystem::directory_iterator(project.root() / ".repro" / "runs", ec)) {
      for (const auto& cell : std::filesystem::directory_iterator(run.path(), ec)) {
        if (std::filesystem::exists(cell.path() / "config.json")) {
          return true;
        }
      }
    }
    return false;
  };
  std::vector<pid_t> served;
  ASSERT_TRUE(wait_for([&] {
    served = pids_with_cmdline(tmp.string());
    return cell_started() && served.size() >= 2;
  })) << "no fork server with a forked cell: "
      << check.output();
  ::kill(check.process.pid(), SIGKILL);
  check.process.wait();
  for (pid_t pid : served) {
    EXPECT_TRUE(wait_for([&] { return is_dead(pid); }, 10s))
        << "fork server process " << pid << " outlived the SIGKILLed checker";
  }
  EXPECT_TRUE(wait_for([&] { return std::filesystem::is_empty(tmp); }, 10s))
      << "left in " << tmp << ":" << listing(tmp);
  for (pid_t pid : served) {
    kill_if_alive(pid);
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
