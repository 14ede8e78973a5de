// Helpers for the lifecycle tests: fake worker scripts and a repro-check started in the
// background so that a test can signal it (process liveness: tests/support/process_probe.hpp).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/util/subprocess.hpp"
#include "tests/support/process_probe.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro::test {

// An executable /bin/sh script at PATH.
std::filesystem::path write_script(const std::filesystem::path& path, const std::string& body);

// repro-check started in the background (so a test can signal it), with this process's
// environment plus `extra_env`; its output goes to files in `logs`.
struct BackgroundCheck {
  BackgroundCheck(const std::vector<std::string>& args,
                  std::map<std::string, std::string> extra_env = {});
  // Its stdout and stderr so far.
  std::string output() const;
  // SIGKILLs it (nothing it can catch) and waits until it is gone.
  void sigkill();
  TempDir logs;
  Process process;
};

}  // namespace repro::test
