// Run guard: fork a watcher on a pipe; on the checker's death kill by run token and clean up.
#include "harness/util/run_guard.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <set>
#include <thread>
#include <vector>

#include "harness/util/run_cgroup.hpp"

namespace repro {
namespace {

constexpr char k_done = 'd';
constexpr size_t k_max_environ_bytes = 1 << 20;

std::string g_token;  // this run's own token
std::string g_value;  // what children get: inherited tokens, then ours
std::filesystem::path g_dir;
std::filesystem::path g_cgroup;  // the run's cgroup v2 group, "" where none can be made
std::string g_cgroup_procs;      // its cgroup.procs
int g_done_fd = -1;
pid_t g_guard = -1;

// 32 hex digits from the kernel's random source (the time and pid where it has none).
std::string fresh_token() {
  unsigned char bytes[16] = {};
  if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    std::memcpy(bytes, &now, sizeof now);
    const pid_t pid = ::getpid();
    std::memcpy(bytes + sizeof now, &pid, sizeof pid);
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += k_hex[b >> 4];
    token += k_hex[b & 15];
  }
  return token;
}

// True when the NUL-separated environment `environ` has k_run_token_variable listing `token`.
bool environment_lists_token(const std::string& environ, const std::string& token) {
  const std::string prefix = std::string(k_run_token_variable) + "=";
  size_t start = 0;
  while (start < environ.size()) {
    size_t end = environ.find('\0', start);
    if (end == std::string::npos) {
      end = environ.size();
    }
    if (environ.compare(start, prefix.size(), prefix) == 0) {
      size_t item = start + prefix.size();
      while (item <= end) {
        size_t comma = environ.find(',', item);
        size_t stop = comma == std::string::npos || comma > end ? end : comma;
        if (environ.compare(item, stop - item, token) == 0 && stop - item == token.size()) {
          return true;
        }
        item = stop + 1;
      }
    }
    start = end + 1;
  }
  return false;
}

// The first k_max_environ_bytes of /proc/PID/environ ("" for a zombie or when unreadable).
std::string environ_of(const char* pid) {
  std::string path = std::string("/proc/") + pid + "/environ";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return "";
  }
  std::string out;
  char chunk[4096];
  ssize_t n;
  while (out.size() < k_max_environ_bytes && (n = ::read(fd, chunk, sizeof chunk)) > 0) {
    out.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// Sends `signal` to the process a pidfd names (exactly that process, even if its pid was
// reused meanwhile), or by pid where pidfds are not available.
void send_signal(int pidfd, pid_t pid, int signal) {
  if (pidfd >= 0) {
    ::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
  } else {
    ::kill(pid, signal);
  }
}

// The guard's life after fork: wait for the checker's word or its death, then clean up.
[[noreturn]] void guard_main(int done_fd) {
  ::setsid();  // signals to the checker's group (Ctrl-C, `timeout`, kill -- -PGID) miss it
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU}) {
    ::signal(sig, SIG_IGN);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::prctl(PR_SET_NAME, "repro-guard");
  // Nothing of the checker's stays open: a reader of its output sees EOF when it ends.
  int null = ::open("/dev/null", O_RDWR);
  ::dup2(done_fd, 3);
  for (int fd = 0; fd < 3; ++fd) {
    ::dup2(null, fd);
  }
  ::close_range(4, ~0U, 0);
  [[maybe_unused]] int rc = ::chdir("/");
  char word = 0;
  ssize_t n;
  do {
    n = ::read(3, &word, 1);
  } while (n < 0 && errno == EINTR);
  if (n == 1 && word == k_done) {
    ::_exit(0);
  }
  kill_and_remove_cgroup(g_cgroup);
  kill_processes_with_token(g_token);
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
  ::_exit(0);
}

}  // namespace

bool start_run_guard() {
  if (g_guard > 0) {
    return true;
  }
  std::error_code ec;
  std::filesystem::path system_tmp = std::filesystem::temp_directory_path(ec);
  std::string dir =
      ((ec ? std::filesystem::path("/tmp") : system_tmp) / "repro-run-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) {
    return false;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ::rmdir(dir.c_str());
    return false;
  }
  g_token = fresh_token();
  g_dir = dir;
  g_cgroup = create_run_cgroup("repro-run-" + g_token.substr(0, 12));
  g_cgroup_procs = g_cgroup.empty() ? "" : (g_cgroup / "cgroup.procs").string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    guard_main(fds[0]);
  }
  ::close(fds[0]);
  if (pid < 0) {
    ::close(fds[1]);
    ::rmdir(dir.c_str());
    kill_and_remove_cgroup(g_cgroup);
    g_token.clear();
    g_dir.clear();
    g_cgroup.clear();
    g_cgroup_procs.clear();
    return false;
  }
  const char* inherited = std::getenv(k_run_token_variable);
  g_value =
      (inherited != nullptr && *inherited != '\0' ? std::string(inherited) + "," : "") + g_token;
  g_done_fd = fds[1];
  g_guard = pid;
  return true;
}

void finish_run_guard() {
  if (g_guard <= 0) {
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
  kill_and_remove_cgroup(g_cgroup);  // empty by now: every child was reaped
  [[maybe_unused]] ssize_t written = ::write(g_done_fd, &k_done, 1);
  ::close(g_done_fd);
  while (::waitpid(g_guard, nullptr, 0) < 0 && errno == EINTR) {
  }
  g_done_fd = -1;
  g_guard = -1;
  g_token.clear();
  g_value.clear();
  g_dir.clear();
  g_cgroup.clear();
  g_cgroup_procs.clear();
}

const std::string& run_token() {
  return g_value;
}

const std::string& run_cgroup_procs() {
  return g_cgroup_procs;
}

std::filesystem::path run_cgroup() {
  return g_cgroup;
}

int run_guard_pid() {
  return g_guard;
}

std::filesystem::path run_temp_directory() {
  return g_guard > 0 ? g_dir : std::filesystem::temp_directory_path();
}

int kill_processes_with_token(const std::string& token) {
  std::set<pid_t> killed;
  const pid_t self = ::getpid();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    std::vector<std::pair<pid_t, int>> found;  // pid, pidfd
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) {
      break;
    }
    while (dirent* entry = ::readdir(proc)) {
      char* end = nullptr;
      long pid = std::strtol(entry->d_name, &end, 10);
      if (pid <= 0 || *end != '\0' || pid == self) {
        continue;
      }
      // The pidfd first: the environment read next belongs to it or to nothing.
      int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
      if (environment_lists_token(environ_of(entry->d_name), token)) {
        send_signal(pidfd, static_cast<pid_t>(pid), SIGSTOP);  // it forks no more
        found.emplace_back(static_cast<pid_t>(pid), pidfd);
      } else if (pidfd >= 0) {
        ::close(pidfd);
      }
    }
    ::closedir(proc);
    if (found.empty()) {
      break;
    }
    for (auto [pid, pidfd] : found) {
      send_signal(pidfd, pid, SIGKILL);
      if (pidfd >= 0) {
        ::close(pidfd);
      }
      killed.insert(pid);
    }
    // A killed process keeps its environment until it has exited: give it that moment.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return static_cast<int>(killed.size());
}

}  // namespace repro
