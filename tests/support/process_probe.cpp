// Process helpers for tests (see process_probe.hpp).
#include "tests/support/process_probe.hpp"

#include <signal.h>

#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace repro::test {

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

pid_t wait_for_pid(const std::filesystem::path& file) {
  wait_for([&] { return pid_in(file) > 0; }, std::chrono::seconds(10));
  return pid_in(file);
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

bool ends(pid_t pid) {
  return wait_for([&] { return is_dead(pid); }, std::chrono::seconds(10));
}

void kill_if_alive(pid_t pid) {
  if (pid > 0 && !is_dead(pid)) {
    ::kill(pid, SIGKILL);
  }
}

}  // namespace repro::test
