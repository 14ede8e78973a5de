// Shared options: where the project and the worker are.
#include "harness/cli/common_options.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#ifndef REPRO_SOURCE_DIR
#define REPRO_SOURCE_DIR "."
#endif

namespace repro {

void add_common_options(CLI::App& app, CommonOptions& options) {
  app.add_option("--root", options.root,
                 "Project root holding suites/ and golden/ (default: the current directory if "
                 "it has suites/, else the source tree repro-check was built from)")
      ->envname("REPRO_ROOT");
  app.add_option("--worker", options.worker,
                 "Worker executable that runs one cell (default: repro-worker beside "
                 "repro-check)")
      ->envname("REPRO_WORKER");
  app.add_flag("-q,--quiet", options.quiet, "Print only the summary");
}

std::filesystem::path project_root(const CommonOptions& options) {
  if (!options.root.empty()) {
    return options.root;
  }
  if (std::filesystem::is_directory("suites")) {
    return std::filesystem::current_path();
  }
  return REPRO_SOURCE_DIR;
}

std::filesystem::path worker_path(const CommonOptions& options) {
  if (!options.worker.empty()) {
    return options.worker;
  }
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    return self.parent_path() / "repro-worker";
  }
  return "repro-worker";
}

WorkerEnvironments worker_environments(const CommonOptions& options,
                                       const std::map<std::string, std::string>& parent_env) {
  return WorkerEnvironments(worker_path(options), REPRO_SOURCE_DIR, parent_env);
}

}  // namespace repro
