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

void BackgroundCheck::sigkill() {
  ::kill(process.pid(), SIGKILL);
  process.wait();
}

}  // namespace repro::test
