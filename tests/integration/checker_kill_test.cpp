// A SIGKILLed repro-check (ctest's time-out, the OOM killer, kill -9) leaves nothing of its
// run behind: the run guard (harness/util/run_guard.hpp) ends its workers' daemons, its
// fork servers and their children, and removes the run's temporary folder.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>

#include "harness/util/run_cgroup.hpp"
#include "tests/integration/cli_process.hpp"
#include "tests/integration/lifecycle_support.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

using namespace std::chrono_literals;
using test::BackgroundCheck;
using test::ends;
using test::is_dead;
using test::kill_if_alive;
using test::pid_in;
using test::ScratchProject;
using test::wait_for;
using test::write_script;

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
    names += ' ';
    names += entry.path().filename().string();
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
  check.sigkill();
  EXPECT_TRUE(ends(worker_pid)) << "worker " << worker_pid << " outlived the SIGKILLed checker";
  EXPECT_TRUE(ends(daemon_pid)) << "the worker's daemon " << daemon_pid
                                << " outlived the SIGKILLed checker";
  EXPECT_TRUE(wait_for([&] { return std::filesystem::is_empty(tmp); }, 10s))
      << "left in " << tmp << ":" << listing(tmp);
  kill_if_alive(worker_pid);
  kill_if_alive(daemon_pid);
}

// Where the run can have a cgroup v2 group (root, a delegated subtree), even a daemon that
// clears its environment (no run token) ends with a SIGKILLed checker.
TEST(Lifecycle, SigkillOfTheCheckerEndsADaemonThatClearedItsEnvironment) {
  const std::filesystem::path probe = create_run_cgroup("repro-test-" + std::to_string(::getpid()));
  if (probe.empty()) {
    GTEST_SKIP() << "no cgroup v2 group can be created here (needs root or a delegated "
                    "cgroup2 subtree): such a daemon is out of the run guard's reach";
  }
  kill_and_remove_cgroup(probe);
  ScratchProject project;
  project.write_suite("daemon", {{{"name", "threads"}, {"values", {1}}}});
  auto daemon_pid_file = project.root() / "daemon.pid";
  auto worker =
      write_script(project.root() / "worker",
                   "[ \"$1\" = --fingerprint ] && exit 1\n"
                   "setsid env -i /bin/sh -c '/bin/sh -c \"echo \\$\\$ > " +
                       daemon_pid_file.string() + ".new; mv " + daemon_pid_file.string() + ".new " +
                       daemon_pid_file.string() + "; exec sleep 120\" &'\nexec sleep 120");
  BackgroundCheck check({"--root", project.root().string(), "--worker", worker.string(), "run",
                         "--suite", "daemon", "--no-history", "--jobs", "1"});
  ASSERT_TRUE(wait_for([&] { return pid_in(daemon_pid_file) > 0; })) << check.output();
  const pid_t daemon_pid = pid_in(daemon_pid_file);
  ASSERT_FALSE(is_dead(daemon_pid)) << "the daemon did not start";
  check.sigkill();
  EXPECT_TRUE(ends(daemon_pid)) << "the daemon " << daemon_pid
                                << " (no environment) outlived the SIGKILLed checker";
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
  check.sigkill();
  for (pid_t pid : served) {
    EXPECT_TRUE(ends(pid)) << "fork server process " << pid << " outlived the SIGKILLed checker";
  }
  EXPECT_TRUE(wait_for([&] { return std::filesystem::is_empty(tmp); }, 10s))
      << "left in " << tmp << ":" << listing(tmp);
  for (pid_t pid : served) {
    kill_if_alive(pid);
  }
}

}  // namespace
}  // namespace repro
