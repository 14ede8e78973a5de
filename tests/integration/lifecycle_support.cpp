// Helpers for the lifecycle tests (see lifecycle_support.hpp).
#include "tests/integration/lifecycle_support.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "harness/util/atomic_file.hpp"
#include "tests/support/test_paths.hpp"

namespace repro::test {

std::filesystem::path write_script(const std::filesystem::path& path, const std::string& body) {
  write_file_atomic(path, "#!/bin/sh\n" + body + "\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

pid_t pid_in(const std::filesystem::path& file) {
  std::ifstream in(file);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

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

void kill_if_alive(pid_t pid) {
  if (pid > 0 && !is_dead(pid)) {
    ::kill(pid, SIGKILL);
  }
}

BackgroundCheck::BackgroundCheck(const std::vector<std::string>& args,
                                 std::map<std::string, std::string> extra_env)
    : process([&] {
        ProcessSpec spec;
        spec.program = bin_dir() / "repro-check";
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

std::string BackgroundCheck::output() const {
  return file_tail(logs / "stdout", 1 << 16) + file_tail(logs / "stderr", 1 << 16);
}

}  // namespace repro::test
