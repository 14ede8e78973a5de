// Helpers for the lifecycle tests: fake worker scripts, polling waits, process liveness, and
// a repro-check started in the background so that a test can signal it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/util/subprocess.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro::test {

// An executable /bin/sh script at PATH.
std::filesystem::path write_script(const std::filesystem::path& path, const std::string& body);

// Waits up to `limit` for `done`, polling; true when it became true.
bool wait_for(const std::function<bool()>& done,
              std::chrono::milliseconds limit = std::chrono::seconds(60));

// The pid written to FILE, 0 while there is none.
pid_t pid_in(const std::filesystem::path& file);

// True when process PID no longer runs (gone, or a zombie nobody reaped yet).
bool is_dead(pid_t pid);

// Kills PID if it still runs (cleanup after a failed expectation).
void kill_if_alive(pid_t pid);

// repro-check started in the background (so a test can signal it), with this process's
// environment plus `extra_env`; its output goes to files in `logs`.
struct BackgroundCheck {
  BackgroundCheck(const std::vector<std::string>& args,
                  std::map<std::string, std::string> extra_env = {});
  // Its stdout and stderr so far.
  std::string output() const;
  TempDir logs;
  Process process;
};

}  // namespace repro::test
