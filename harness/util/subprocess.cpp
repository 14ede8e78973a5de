// Subprocess with fork + exec: explicit argv and environment, own process group,
// parent-death signal, orphans reaped through the child-subreaper mechanism.
#include "harness/util/subprocess.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "harness/util/run_guard.hpp"

extern char** environ;

namespace repro {
namespace {

// What the child reports through its close-on-exec pipe when it cannot exec.
struct ChildFailure {
  int stage = 0;  // index into k_stages
  int error = 0;  // errno
};
constexpr const char* k_stages[] = {"cannot open /dev/null", "cannot open the stdout file",
                                    "cannot open the stderr file",
                                    "cannot enter the working folder", "cannot execute"};

std::mutex g_live_mutex;
std::set<pid_t> g_live;  // children started by a live Process, not yet reaped
std::atomic<bool> g_reaping{false};

void register_live(pid_t pid) {
  std::lock_guard lock(g_live_mutex);
  g_live.insert(pid);
}

// Removes `pid`; true when no live child is left.
bool unregister_live(pid_t pid) {
  std::lock_guard lock(g_live_mutex);
  g_live.erase(pid);
  return g_live.empty();
}

// Pids whose parent is this process, from /proc/PID/stat ("pid (comm) state ppid ...").
std::vector<pid_t> children_of_this_process() {
  std::vector<pid_t> out;
  const pid_t self = ::getpid();
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) {
    return out;
  }
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') {
      continue;
    }
    std::ifstream in(std::string("/proc/") + entry->d_name + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size()) {
      continue;
    }
    // After ") " come the state letter, a space, and the parent pid.
    long ppid = std::strtol(stat.c_str() + close + 4, nullptr, 10);
    if (ppid == self) {
      out.push_back(static_cast<pid_t>(pid));
    }
  }
  ::closedir(proc);
  return out;
}

}  // namespace

std::string ProcessResult::describe() const {
  if (!started) {
    return "could not start: " + error;
  }
  if (timed_out) {
    return "timed out after " + std::to_string(static_cast<int>(wall_seconds)) + " s";
  }
  if (cancelled) {
    return "interrupted";
  }
  if (signal != 0) {
    return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
  return "exit " + std::to_string(exit_code);
}

Process::Process(const ProcessSpec& spec) : m_spec(spec) {
  m_start = std::chrono::steady_clock::now();
  std::error_code ec;
  auto status = std::filesystem::status(spec.program, ec);
  if (!std::filesystem::exists(status)) {
    m_error = spec.program.string() + ": no such file";
    return;
  }
  if (!std::filesystem::is_regular_file(status)) {
    m_error = spec.program.string() + ": not a regular file";
    return;
  }
  if (::access(spec.program.c_str(), X_OK) != 0) {
    m_error = spec.program.string() + ": not executable (" + std::strerror(errno) + ")";
    return;
  }

  // Everything the child needs is prepared before fork: between fork and exec the child
  // only makes async-signal-safe calls.
  std::vector<std::string> argv_store;
  argv_store.push_back(spec.program.string());
  argv_store.insert(argv_store.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_store;
  for (const auto& [k, v] : spec.env) {
    if (k != k_run_token_variable || run_token().empty()) {
      env_store.push_back(k + "=" + v);
    }
  }
  if (!run_token().empty()) {
    // What the run guard finds this child and its descendants by (run_guard.hpp).
    env_store.push_back(std::string(k_run_token_variable) + "=" + run_token());
  }
  std::vector<char*> envp;
  for (auto& e : env_store) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  const std::string program = spec.program.string();
  const std::string out_path = spec.stdout_path.empty() ? "/dev/null" : spec.stdout_path.string();
  const std::string err_path = spec.stderr_path.empty() ? "/dev/null" : spec.stderr_path.string();
  const std::string work_dir = spec.working_directory.string();
  const std::string cgroup_procs = run_cgroup_procs();

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    m_error = std::string("pipe: ") + std::strerror(errno);
    return;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto fail = [&](int stage) {
      ChildFailure failure{stage, errno};
      [[maybe_unused]] auto written = ::write(pipe_fds[1], &failure, sizeof failure);
      ::_exit(127);
    };
    ::setpgid(0, 0);
    // Dies with the thread that started it, even when that one is SIGKILLed. If the parent
    // is already gone (it died between fork and prctl), nobody would deliver it: leave.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(127);
    }
    // Into the run's cgroup (run_guard.hpp), where there is one; the run token still finds
    // the child if this fails.
    if (!cgroup_procs.empty()) {
      int group = ::open(cgroup_procs.c_str(), O_WRONLY | O_CLOEXEC);
      if (group >= 0) {
        [[maybe_unused]] auto moved = ::write(group, "0", 1);
        ::close(group);
      }
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int in = ::open("/dev/null", O_RDONLY);
    if (in < 0 || ::dup2(in, 0) < 0) {
      fail(0);
    }
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || ::dup2(out, 1) < 0) {
      fail(1);
    }
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err < 0 || ::dup2(err, 2) < 0) {
      fail(2);
    }
    for (int fd : {in, out, err}) {
      if (fd > 2) {
        ::close(fd);
      }
    }
    if (!work_dir.empty() && ::chdir(work_dir.c_str()) != 0) {
      fail(3);
    }
    ::execve(program.c_str(), argv.data(), envp.data());
    fail(4);
  }
  ::close(pipe_fds[1]);
  if (pid < 0) {
    m_error = std::string("fork: ") + std::strerror(errno);
    ::close(pipe_fds[0]);
    return;
  }
  // Also from this side, so that a kill of the group cannot race the child's own setpgid.
  ::setpgid(pid, pid);
  register_live(pid);
  ChildFailure failure;
  ssize_t got = 0;
  do {
    got = ::read(pipe_fds[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  ::close(pipe_fds[0]);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    ::waitpid(pid, nullptr, 0);
    if (unregister_live(pid)) {
      reap_orphans();
    }
    int stage = failure.stage >= 0 && failure.stage < 5 ? failure.stage : 4;
    m_error = program + ": " + k_stages[stage] + ": " + std::strerror(failure.error);
    return;
  }
  m_pid = pid;
}

Process::~Process() {
  if (m_pid > 0 && !m_result) {
    kill();
  }
}

ProcessResult ended_process_result(int status, bool timed_out, bool cancelled,
                                   std::chrono::steady_clock::time_point start) {
  ProcessResult r;
  r.started = true;
  r.timed_out = timed_out;
  r.cancelled = cancelled;
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  return r;
}

ProcessResult Process::ended(int status, bool timed_out, bool cancelled) {
  ProcessResult r = ended_process_result(status, timed_out, cancelled, m_start);
  ::kill(-m_pid, SIGKILL);  // anything the child left behind in its group
  if (unregister_live(m_pid)) {
    reap_orphans();
  }
  m_result = r;
  return r;
}

ProcessResult Process::kill() {
  if (m_result) {
    return *m_result;
  }
  if (m_pid <= 0) {
    return *poll();
  }
  ::kill(-m_pid, SIGKILL);
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  return ended(status, false, true);
}

std::optional<ProcessResult> Process::poll() {
  if (m_result) {
    return m_result;
  }
  if (m_pid <= 0) {
    ProcessResult r;
    r.error = m_error;
    m_result = r;
    return m_result;
  }
  int status = 0;
  pid_t got = ::waitpid(m_pid, &status, WNOHANG);
  if (got == m_pid) {
    return ended(status, false, false);
  }
  if (m_spec.timeout.count() > 0 && std::chrono::steady_clock::now() - m_start > m_spec.timeout) {
    ::kill(-m_pid, SIGKILL);
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
    ProcessResult r = ended(status, true, false);
    r.signal = SIGKILL;
    m_result = r;
    return m_result;
  }
  return std::nullopt;
}

ProcessResult Process::wait() {
  while (true) {
    if (auto r = poll()) {
      return *r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

ProcessResult run_process(const ProcessSpec& spec, const std::function<bool()>& cancelled) {
  Process p(spec);
  while (true) {
    if (auto r = p.poll()) {
      return *r;
    }
    if (cancelled && cancelled()) {
      return p.kill();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void enable_orphan_reaping() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) {
    g_reaping = true;
  }
}

int reap_orphans() {
  if (!g_reaping) {
    return 0;
  }
  int killed = 0;
  // A killed orphan's children are reparented here in turn; a bounded number of rounds.
  for (int round = 0; round < 64; ++round) {
    std::vector<pid_t> orphans;
    {
      std::lock_guard lock(g_live_mutex);
      for (pid_t pid : children_of_this_process()) {
        if (g_live.count(pid) == 0 && pid != run_guard_pid()) {
          orphans.push_back(pid);
        }
      }
    }
    if (orphans.empty()) {
      break;
    }
    for (pid_t pid : orphans) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      ++killed;
    }
  }
  return killed;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) {
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  return env;
}

std::string file_tail(const std::filesystem::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "";
  }
  in.seekg(0, std::ios::end);
  auto size = static_cast<size_t>(in.tellg());
  size_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string out(size - start, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  return out;
}

}  // namespace repro
