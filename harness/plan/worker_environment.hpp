// WorkerEnvironment: a named, reproducible way to run our worker against another library stack.
//
// The `worker` axis takes these names: `default` is this build's repro-worker; `debian13`
// is the worker built by ci/debian13-env.sh inside a cached Debian 13 root (libtorch 2.6),
// entered with bubblewrap with the cell's folders bound at the same paths. Cell ids, goldens
// and reports carry the name, never a machine path. A value containing '/' is an outside
// worker executable, run directly (docs/worker-environments.md).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace repro {

inline constexpr std::string_view k_default_worker_environment = "default";

// A registered environment name and what it is, for --help, `axes` and errors.
struct WorkerEnvironmentName {
  std::string_view name;
  std::string_view description;
};

// Every registered name, `default` first.
const std::vector<WorkerEnvironmentName>& worker_environment_names();

// True when a `worker` value is an outside worker given by path (it contains '/').
bool is_worker_path(std::string_view value);

// "default, debian13".
std::string known_worker_environments();

// The program and argv that run the worker with given arguments.
struct WorkerCommand {
  std::filesystem::path program;
  std::vector<std::string> args;
};

// One environment as found on this machine.
struct WorkerEnvironment {
  std::string name;                   // "default", "debian13", or the outside worker's path
  std::filesystem::path worker;       // the worker executable (inside the root when wrapped)
  std::filesystem::path wrapper;      // bwrap; empty when the worker runs directly
  std::filesystem::path interpreter;  // runs `interpreter worker ARGS` (python); else empty
  std::filesystem::path root;         // wrapped: the root folder mounted read-only at /
  std::filesystem::path worker_dir;   // wrapped: the worker's build folder, mounted at /build
  std::string unavailable;            // why it cannot run here; "" when it can

  // The command running the worker with `worker_args`. A wrapped worker sees `binds`
  // (the cell's config, trace and dump folders) read-write and `read_only` (a dataset)
  // read-only, each at its own path; nothing else of this machine.
  WorkerCommand command(const std::vector<std::string>& worker_args,
                        const std::vector<std::filesystem::path>& binds,
                        const std::vector<std::filesystem::path>& read_only) const;
};

// The registry: resolves a `worker` value to its environment once, on first use (copies
// share what was resolved).
class WorkerEnvironments {
 public:
  // Nothing resolvable but `default` = "repro-worker" and outside workers by path.
  WorkerEnvironments();
  // `source_dir`: the checkout whose ci/debian13-env.sh builds and locates `debian13`;
  // `parent_env`: the checker's environment (PATH for bwrap, REPRO_CHECK_ENV_CACHE).
  WorkerEnvironments(std::filesystem::path default_worker, std::filesystem::path source_dir,
                     std::map<std::string, std::string> parent_env);

  // The environment of a canonical `worker` value. Throws repro::Error for a value that is
  // neither a registered name nor a path.
  const WorkerEnvironment& resolve(const std::string& value) const;

  const std::filesystem::path& default_worker() const { return m_default_worker; }

 private:
  WorkerEnvironment find_debian13() const;
  WorkerEnvironment find_python() const;

  std::filesystem::path m_default_worker;
  std::filesystem::path m_source_dir;
  std::map<std::string, std::string> m_parent_env;
  struct Cache;
  std::shared_ptr<Cache> m_cache;
};

// The absolute path of `program` found on `path_list` (a PATH value); empty when absent.
std::filesystem::path find_on_path(std::string_view program, std::string_view path_list);

}  // namespace repro
