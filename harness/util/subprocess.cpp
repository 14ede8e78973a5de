// Subprocess with posix_spawn: explicit argv and environment, own process group.
#include "harness/util/subprocess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

extern char** environ;

namespace repro {

std::string ProcessResult::describe() const {
  if (!started) {
    return "could not start: " + error;
  }
  if (timed_out) {
    return "timed out after " + std::to_string(static_cast<int>(wall_seconds)) + " s";
  }
  if (signal != 0) {
    return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
  return "exit " + std::to_string(exit_code);
}

Process::Process(const ProcessSpec& spec) : m_spec(spec) {
  m_start = std::chrono::steady_clock::now();
  if (!std::filesystem::exists(spec.program)) {
    m_error = spec.program.string() + ": no such file";
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  auto redirect = [&](int fd, const std::filesystem::path& path) {
    const char* target = path.empty() ? "/dev/null" : path.c_str();
    posix_spawn_file_actions_addopen(&actions, fd, target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  };
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  redirect(1, spec.stdout_path);
  redirect(2, spec.stderr_path);
  if (!spec.working_directory.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, spec.working_directory.c_str());
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group, so a time-out kills the worker and anything it started.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);

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
    env_store.push_back(k + "=" + v);
  }
  std::vector<char*> envp;
  for (auto& e : env_store) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, spec.program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    m_error = std::strerror(rc);
    return;
  }
  m_pid = pid;
}

Process::~Process() {
  if (m_pid > 0 && !m_result) {
    ::kill(-m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
  }
}

std::optional<ProcessResult> Process::poll() {
  if (m_result) {
    return m_result;
  }
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  };
  if (m_pid <= 0) {
    ProcessResult r;
    r.error = m_error;
    m_result = r;
    return m_result;
  }
  int status = 0;
  pid_t got = ::waitpid(m_pid, &status, WNOHANG);
  if (got == m_pid) {
    ProcessResult r;
    r.started = true;
    r.wall_seconds = elapsed();
    if (WIFEXITED(status)) {
      r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      r.signal = WTERMSIG(status);
    }
    ::kill(-m_pid, SIGKILL);  // anything the worker left behind in its group
    m_result = r;
    return m_result;
  }
  if (m_spec.timeout.count() > 0 && std::chrono::steady_clock::now() - m_start > m_spec.timeout) {
    ::kill(-m_pid, SIGKILL);
    ::waitpid(m_pid, &status, 0);
    ProcessResult r;
    r.started = true;
    r.timed_out = true;
    r.signal = SIGKILL;
    r.wall_seconds = elapsed();
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

ProcessResult run_process(const ProcessSpec& spec) {
  Process p(spec);
  return p.wait();
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
