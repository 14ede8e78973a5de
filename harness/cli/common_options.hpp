// Options and locations shared by every subcommand (project root, worker path).
#pragma once

#include <filesystem>
#include <string>

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

}  // namespace repro
