// Run guard: the run token finds a run's processes (daemons included) and only those; a
// normal end removes the run's temporary folder and reaps the guard.
#include "harness/util/run_guard.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "harness/util/atomic_file.hpp"
#include "harness/util/str_cat.hpp"
#include "harness/util/subprocess.hpp"
#include "tests/support/process_probe.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

using namespace std::chrono_literals;

using test::ends;
using test::is_dead;
using test::wait_for_pid;

class RunGuardTest : public ::testing::Test {
 protected:
  // `sh -c BODY` with REPRO_RUN_TOKEN=token (no variable when token is "").
  std::unique_ptr<Process> start(const std::string& body, const std::string& name,
                                 const std::string& value) {
    ProcessSpec spec;
    spec.program = "/bin/sh";
    spec.args = {"-c", body};
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    if (!value.empty()) {
      spec.env[name] = value;
    }
    return std::make_unique<Process>(spec);
  }
  test::TempDir m_dir;
};

TEST_F(RunGuardTest, KillsEveryProcessListingTheTokenDaemonsIncluded) {
  ASSERT_TRUE(std::ifstream("/proc/self/environ")) << "/proc/PID/environ is not readable";
  const auto daemon_file = m_dir.path() / "daemon.pid";
  const auto child_file = m_dir.path() / "child.pid";
  // A token of this test process only (tests may run side by side).
  const std::string token = "test" + std::to_string(::getpid());
  // A shell, its child and a daemon (setsid + double fork) all inherit the token.
  auto tree = start("setsid sh -c 'sh -c \"echo \\$\\$ > " + daemon_file.string() +
                        "; exec sleep 60\" &' </dev/null >/dev/null 2>&1\n"
                        "sh -c 'echo $$ > " +
                        child_file.string() +
                        "; exec sleep 60' &\n"
                        "wait",
                    k_run_token_variable, token);
  // The token among inherited ones (a run started by a guarded run) counts too.
  auto listed = start("exec sleep 60", k_run_token_variable, "outer," + token + ",inner");
  // Another run's token, a longer one, another variable: all spared.
  auto other = start("exec sleep 60", k_run_token_variable, token + "0");
  auto unrelated = start("exec sleep 60", "XREPRO_RUN_TOKEN", token);
  const pid_t daemon = wait_for_pid(daemon_file);
  const pid_t child = wait_for_pid(child_file);
  ASSERT_GT(daemon, 0);
  ASSERT_GT(child, 0);

  EXPECT_EQ(kill_processes_with_token(token), 4);
  EXPECT_TRUE(ends(daemon)) << "the daemon " << daemon << " survived";
  EXPECT_TRUE(ends(child));
  EXPECT_EQ(tree->wait().signal, SIGKILL);
  EXPECT_EQ(listed->wait().signal, SIGKILL);
  EXPECT_FALSE(other->poll()) << "a process of another run was killed";
  EXPECT_FALSE(unrelated->poll()) << "a process without the token was killed";
  EXPECT_EQ(kill_processes_with_token(token), 0);
  if (!is_dead(daemon)) {
    ::kill(daemon, SIGKILL);
  }
}

TEST_F(RunGuardTest, NormalEndRemovesTheRunFolderAndReapsTheGuard) {
  ASSERT_EQ(run_guard_pid(), -1);
  EXPECT_EQ(run_temp_directory(), std::filesystem::temp_directory_path());
  ASSERT_TRUE(start_run_guard());
  const pid_t guard = run_guard_pid();
  const std::filesystem::path dir = run_temp_directory();
  ASSERT_GT(guard, 0);
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  EXPECT_EQ(dir.parent_path(), std::filesystem::temp_directory_path());
  EXPECT_EQ(dir.filename().string().rfind("repro-run-", 0), 0u) << dir;
  EXPECT_EQ(run_token().size(), 32u) << run_token();
  write_file_atomic(dir / "left-over", "x");
  // Children of the run carry the token.
  ProcessSpec spec;
  spec.program = "/bin/sh";
  spec.args = {"-c", "echo \"$REPRO_RUN_TOKEN\""};
  spec.stdout_path = m_dir.path() / "token";
  EXPECT_EQ(run_process(spec).exit_code, 0);
  std::ifstream token_file(spec.stdout_path);
  std::string seen;
  token_file >> seen;
  EXPECT_EQ(seen, run_token());
  // Where a cgroup v2 group could be made, children of the run are in it.
  const std::filesystem::path group = run_cgroup();
  if (!group.empty()) {
    auto in_group = start("cat /proc/self/cgroup > " + (m_dir.path() / "cgroup").string(), "PATH",
                          "/usr/bin:/bin");
    EXPECT_EQ(in_group->wait().exit_code, 0);
    EXPECT_NE(read_file(m_dir.path() / "cgroup").find(str_cat("/", group.filename().string())),
              std::string::npos)
        << read_file(m_dir.path() / "cgroup");
  }
  // The guard is no orphan: reaping leaves it alone.
  enable_orphan_reaping();
  reap_orphans();
  EXPECT_FALSE(is_dead(guard));

  finish_run_guard();
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_TRUE(group.empty() || !std::filesystem::exists(group)) << group;
  EXPECT_EQ(run_cgroup(), "");
  EXPECT_EQ(::waitpid(guard, nullptr, WNOHANG), -1) << "the guard was not reaped";
  EXPECT_EQ(run_guard_pid(), -1);
  EXPECT_EQ(run_token(), "");
}

}  // namespace
}  // namespace repro
