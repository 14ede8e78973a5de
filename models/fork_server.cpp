// Fork server: a request loop over two FIFOs, a signalfd for ended children, fork per request.
#include "models/fork_server.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/util/exit_codes.hpp"
#include "harness/util/write_all.hpp"

namespace repro {
namespace {

constexpr int k_protocol_version = 1;
constexpr size_t k_max_request_bytes = 1 << 20;

bool write_line(int fd, const nlohmann::json& message) {
  return write_all(fd, message.dump() + "\n");
}

// In the forked child: become the worker run the request describes. Never returns.
[[noreturn]] void become_worker(const nlohmann::json& request, const std::string& argv0,
                                WorkerEntry entry, const sigset_t& original_mask, pid_t server) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != server) {
    std::_Exit(k_exit_infrastructure);  // the server died between fork and prctl
  }
  ::sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  auto redirect = [](const std::string& path, int target, int flags) {
    int fd = ::open(path.empty() ? "/dev/null" : path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd < 0 || ::dup2(fd, target) < 0) {
      std::_Exit(k_exit_infrastructure);
    }
    ::close(fd);
  };
  redirect("", STDIN_FILENO, O_RDONLY);
  redirect(request.value("stdout", std::string()), STDOUT_FILENO, O_WRONLY | O_CREAT | O_TRUNC);
  redirect(request.value("stderr", std::string()), STDERR_FILENO, O_WRONLY | O_CREAT | O_TRUNC);
  ::clearenv();
  for (const auto& [name, value] : request.at("env").items()) {
    ::setenv(name.c_str(), value.get<std::string>().c_str(), 1);
  }
  std::vector<std::string> args = {argv0};
  for (const auto& arg : request.at("args")) {
    args.push_back(arg.get<std::string>());
  }
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  const int code = entry(static_cast<int>(args.size()), argv.data());
  std::cout.flush();
  std::cerr.flush();
  std::exit(code);  // static destructors and atexit handlers run, as at the end of main
}

nlohmann::json start_child(const nlohmann::json& request, const std::string& argv0,
                           WorkerEntry entry, const sigset_t& original_mask,
                           const std::vector<int>& server_fds) {
  nlohmann::json reply = {{"id", request.value("id", -1)}};
  if (request.value("format_version", 0) != k_protocol_version || !request.contains("args") ||
      !request.at("args").is_array() || !request.contains("env") ||
      !request.at("env").is_object()) {
    reply["error"] = "malformed request (format_version 1 with args and env expected)";
    return reply;
  }
  // OpenBLAS (pthread build) starts its thread pool at load time. Its own fork handler
  // (pthread_atfork) shuts the pool down in fork() anyway, and the library starts it again,
  // with the thread count it read at load, on its first call in the child.
  using ShutdownFn = int (*)();
  if (auto shutdown =
          reinterpret_cast<ShutdownFn>(::dlsym(RTLD_DEFAULT, "blas_thread_shutdown_"))) {
    shutdown();
  }
  // fork() copies only the calling thread: any other pool started at load time would be
  // missing in the child without its library knowing.
  if (const int threads = process_thread_count(); threads != 1) {
    reply["error"] = "the server has " + std::to_string(threads) + " threads; forking needs 1";
    return reply;
  }
  std::fflush(nullptr);
  const pid_t server = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    reply["error"] = std::string("fork: ") + std::strerror(errno);
    return reply;
  }
  if (pid == 0) {
    for (int fd : server_fds) {
      ::close(fd);
    }
    try {
      become_worker(request, argv0, entry, original_mask, server);
    } catch (const std::exception& e) {
      std::cerr << "repro-worker: failure: fork server request: " << e.what() << "\n";
      std::_Exit(k_exit_infrastructure);
    }
  }
  ::setpgid(pid, pid);  // also from this side: a kill of the group cannot race the child
  reply["pid"] = pid;
  return reply;
}

}  // namespace

int process_thread_count() {
  std::error_code ec;
  int count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return ec ? 0 : count;
}

int run_fork_server(const std::string& requests_path, const std::string& replies_path,
                    const std::string& argv0, WorkerEntry entry) {
  const int requests = ::open(requests_path.c_str(), O_RDONLY | O_CLOEXEC);
  const int replies = ::open(replies_path.c_str(), O_WRONLY | O_CLOEXEC);
  if (requests < 0 || replies < 0) {
    std::cerr << "repro-worker: failure: --serve: cannot open " << requests_path << " or "
              << replies_path << ": " << std::strerror(errno) << "\n";
    return k_exit_infrastructure;
  }
  sigset_t child_signal;
  sigset_t original_mask;
  sigemptyset(&child_signal);
  sigaddset(&child_signal, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &child_signal, &original_mask);
  const int children = ::signalfd(-1, &child_signal, SFD_CLOEXEC | SFD_NONBLOCK);
  if (children < 0) {
    std::cerr << "repro-worker: failure: --serve: signalfd: " << std::strerror(errno) << "\n";
    return k_exit_infrastructure;
  }
  const std::vector<int> server_fds = {requests, replies, children};
  std::string pending;
  for (;;) {
    pollfd fds[2] = {{requests, POLLIN, 0}, {children, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      return k_exit_infrastructure;
    }
    if (fds[1].revents != 0) {
      signalfd_siginfo info;
      while (::read(children, &info, sizeof info) > 0) {
      }
      int status = 0;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        write_line(replies, {{"pid", pid}, {"status", status}});
      }
    }
    if (fds[0].revents == 0) {
      continue;
    }
    char buffer[65536];
    const ssize_t n = ::read(requests, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return k_exit_ok;  // the checker closed its end: nothing more to run
    }
    pending.append(buffer, static_cast<size_t>(n));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      const auto request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (request.is_object() && request.value("quit", false)) {
        return k_exit_ok;
      }
      nlohmann::json reply =
          request.is_object()
              ? start_child(request, argv0, entry, original_mask, server_fds)
              : nlohmann::json{{"id", -1}, {"error", "a request is not a JSON object"}};
      if (!write_line(replies, reply)) {
        return k_exit_infrastructure;
      }
    }
    if (pending.size() > k_max_request_bytes) {
      std::cerr << "repro-worker: failure: --serve: a request line over 1 MiB\n";
      return k_exit_infrastructure;
    }
  }
}

}  // namespace repro
