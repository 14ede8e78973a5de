// Options and locations shared by every subcommand (project root, worker path).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "harness/plan/worker_environment.hpp"

namespace CLI {
class App;
}

namespace repro {

struct CommonOptions {
  std::string root;    // project root holding suites/ and golden/ ("" = auto)
  std::string worker;  // worker executable ("" = repro-worker beside repro-check)
  bool quiet = false;
};

// Adds --root, --worker and --quiet to `app` (inherited by subcommands).
void add_common_options(CLI::App& app, CommonOptions& options);

// The project root: --root, else the current directory if it has suites/, else the
// source tree this binary was built from.
std::filesystem::path project_root(const CommonOptions& options);

// The default worker: --worker, else $REPRO_WORKER, else repro-worker beside this binary.
std::filesystem::path worker_path(const CommonOptions& options);

// The worker environments: `default` is worker_path(); `debian13` is located through the
// ci/debian13-env.sh of the source tree this binary was built from.
WorkerEnvironments worker_environments(const CommonOptions& options,
                                       const std::map<std::string, std::string>& parent_env);

}  // namespace repro
