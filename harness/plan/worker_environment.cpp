// WorkerEnvironment registry: default, debian13 (bwrap into ci/debian13-env.sh's root), paths.
#include "harness/plan/worker_environment.hpp"

#include <unistd.h>

#include <algorithm>
#include <mutex>

#include "harness/util/error.hpp"
#include "harness/util/run_guard.hpp"
#include "harness/util/subprocess.hpp"

namespace repro {
namespace {

constexpr std::string_view k_debian13 = "debian13";
constexpr std::string_view k_python = "python";
#ifndef REPRO_PYTHON
#define REPRO_PYTHON "/usr/bin/python3"
#endif
// Where the worker's build folder is mounted inside the root (ci/debian13-env.sh builds there).
constexpr std::string_view k_root_build_dir = "/build";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

// The script's "debian13-env: cannot build here: " prefix says nothing a skip reason needs.
std::string script_reason(std::string err) {
  err = trim(std::move(err));
  if (auto last = err.rfind('\n'); last != std::string::npos) {
    err = err.substr(last + 1);
  }
  for (std::string_view prefix : {"debian13-env: cannot build here: ", "debian13-env: "}) {
    if (err.rfind(prefix, 0) == 0) {
      return err.substr(prefix.size());
    }
  }
  return err;
}

}  // namespace

struct WorkerEnvironments::Cache {
  std::mutex mutex;
  std::map<std::string, WorkerEnvironment> resolved;
};

const std::vector<WorkerEnvironmentName>& worker_environment_names() {
  static const std::vector<WorkerEnvironmentName> k_names = {
      {"default", "this build's repro-worker (beside repro-check, or --worker)"},
      {"debian13",
       "libtorch 2.6 from Debian 13: the worker built by ci/debian13-env.sh in a cached Debian "
       "13 root, run through bubblewrap"},
      {"python",
       "the PyTorch worker python/examples/unet_worker.py of this checkout, run by Debian's "
       "python3 with python3-torch (1.13) and python3-xxhash"},
  };
  return k_names;
}

bool is_worker_path(std::string_view value) {
  return value.find('/') != std::string_view::npos;
}

std::string known_worker_environments() {
  std::string out;
  for (const auto& n : worker_environment_names()) {
    out += (out.empty() ? "" : ", ") + std::string(n.name);
  }
  return out;
}

std::filesystem::path find_on_path(std::string_view program, std::string_view path_list) {
  size_t begin = 0;
  while (begin <= path_list.size()) {
    size_t end = path_list.find(':', begin);
    if (end == std::string_view::npos) {
      end = path_list.size();
    }
    std::string_view dir = path_list.substr(begin, end - begin);
    if (!dir.empty()) {
      std::filesystem::path candidate = std::filesystem::path(dir) / program;
      if (::access(candidate.c_str(), X_OK) == 0) {
        return candidate;
      }
    }
    begin = end + 1;
  }
  return {};
}

WorkerCommand WorkerEnvironment::command(
    const std::vector<std::string>& worker_args, const std::vector<std::filesystem::path>& binds,
    const std::vector<std::filesystem::path>& read_only) const {
  WorkerCommand c;
  if (!interpreter.empty()) {
    c.program = interpreter;
    c.args = {worker.string()};
    c.args.insert(c.args.end(), worker_args.begin(), worker_args.end());
    return c;
  }
  if (wrapper.empty()) {
    c.program = worker;
    c.args = worker_args;
    return c;
  }
  c.program = wrapper;
  // The root's top-level folders read-only on bwrap's own (writable, empty) /, so the
  // cell's folders can be mounted at their own paths without writing into the root.
  std::vector<std::filesystem::directory_entry> entries;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(root, ec)) {
    entries.push_back(e);
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) {
    const std::string name = e.path().filename().string();
    if (name == "proc" || name == "dev" || name == "tmp" || name == "sys" ||
        name == k_root_build_dir.substr(1)) {
      continue;
    }
    if (e.is_symlink(ec)) {
      c.args.insert(
          c.args.end(),
          {"--symlink", std::filesystem::read_symlink(e.path(), ec).string(), "/" + name});
    } else if (e.is_directory(ec)) {
      c.args.insert(c.args.end(), {"--ro-bind", e.path().string(), "/" + name});
    }
  }
  c.args.insert(c.args.end(),
                {"--ro-bind", worker_dir.string(), std::string(k_root_build_dir), "--proc", "/proc",
                 "--dev", "/dev", "--tmpfs", "/tmp", "--die-with-parent"});
  for (const auto& dir : read_only) {
    c.args.insert(c.args.end(), {"--ro-bind", dir.string(), dir.string()});
  }
  for (const auto& dir : binds) {
    c.args.insert(c.args.end(), {"--bind", dir.string(), dir.string()});
  }
  c.args.insert(c.args.end(), {"--chdir", binds.empty() ? std::string("/") : binds.front().string(),
                               "--", worker.string()});
  c.args.insert(c.args.end(), worker_args.begin(), worker_args.end());
  return c;
}

WorkerEnvironments::WorkerEnvironments()
    : m_default_worker("repro-worker"), m_cache(std::make_shared<Cache>()) {}

WorkerEnvironments::WorkerEnvironments(std::filesystem::path default_worker,
                                       std::filesystem::path source_dir,
                                       std::map<std::string, std::string> parent_env)
    : m_default_worker(std::move(default_worker)),
      m_source_dir(std::move(source_dir)),
      m_parent_env(std::move(parent_env)),
      m_cache(std::make_shared<Cache>()) {}

const WorkerEnvironment& WorkerEnvironments::resolve(const std::string& value) const {
  std::lock_guard<std::mutex> lock(m_cache->mutex);
  if (auto it = m_cache->resolved.find(value); it != m_cache->resolved.end()) {
    return it->second;
  }
  WorkerEnvironment env;
  if (value == k_default_worker_environment) {
    // Like a cell without a `worker` setting: a missing default worker is a crash, not a skip.
    env.name = value;
    env.worker = m_default_worker;
  } else if (is_worker_path(value)) {
    // A missing or non-executable path is not something this machine lacks: its cells
    // start, cannot, and end `crashed` with "could not start: PATH: ..." (exit 3).
    env.name = value;
    env.worker = value;
  } else if (value == k_debian13) {
    env = find_debian13();
  } else if (value == k_python) {
    env = find_python();
  } else {
    throw Error("", "worker",
                "unknown worker environment '" + value +
                    "' (known: " + known_worker_environments() +
                    "; an outside worker is given by a path containing '/', e.g. ./my-worker)");
  }
  return m_cache->resolved.emplace(value, std::move(env)).first->second;
}

WorkerEnvironment WorkerEnvironments::find_python() const {
  WorkerEnvironment env;
  env.name = std::string(k_python);
  env.interpreter = REPRO_PYTHON;
  env.worker = m_source_dir / "python" / "examples" / "unet_worker.py";
  std::error_code ec;
  if (m_source_dir.empty() || !std::filesystem::is_regular_file(env.worker, ec)) {
    env.unavailable =
        "no python/examples/unet_worker.py in the source tree this repro-check "
        "was built from";
    return env;
  }
  // One import check per run: the worker's own failures are verdicts, a missing package is
  // something this machine lacks (a skip with the remedy).
  ProcessSpec spec;
  spec.program = env.interpreter;
  spec.args = {"-c", "import torch, xxhash"};
  if (auto path = m_parent_env.find("PATH"); path != m_parent_env.end()) {
    spec.env["PATH"] = path->second;
  }
  spec.timeout = std::chrono::seconds(120);
  ProcessResult r = run_process(spec);
  if (!r.started || r.exit_code != 0) {
    env.unavailable = std::string(REPRO_PYTHON) +
                      " cannot import torch and xxhash (apt-get install python3-torch "
                      "python3-xxhash)";
  }
  return env;
}

WorkerEnvironment WorkerEnvironments::find_debian13() const {
  WorkerEnvironment env;
  env.name = std::string(k_debian13);
  const std::filesystem::path script = m_source_dir / "ci" / "debian13-env.sh";
  std::error_code ec;
  if (m_source_dir.empty() || !std::filesystem::is_regular_file(script, ec)) {
    env.unavailable = "no ci/debian13-env.sh in the source folder '" + m_source_dir.string() +
                      "' this checker was built from";
    return env;
  }
  auto path = m_parent_env.find("PATH");
  env.wrapper = find_on_path("bwrap", path == m_parent_env.end() ? "/usr/bin:/bin" : path->second);
  if (env.wrapper.empty()) {
    env.unavailable = "bwrap not found on PATH (Debian package bubblewrap; ci/install-deps.sh)";
    return env;
  }
  std::string pattern = (run_temp_directory() / "repro-env-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    env.unavailable = "cannot create a temporary folder to locate the environment";
    return env;
  }
  const std::filesystem::path tmp = pattern;
  ProcessSpec spec;
  spec.program = "/bin/bash";
  spec.args = {script.string(), "--locate"};
  spec.env = m_parent_env;
  spec.stdout_path = tmp / "stdout";
  spec.stderr_path = tmp / "stderr";
  spec.timeout = std::chrono::seconds(60);
  ProcessResult r = run_process(spec);
  std::string out = trim(file_tail(spec.stdout_path, 4096));
  std::string err = file_tail(spec.stderr_path, 2000);
  std::filesystem::remove_all(tmp, ec);
  if (!r.started || r.exit_code != 0 || out.empty()) {
    env.unavailable =
        err.empty() ? "ci/debian13-env.sh --locate: " + r.describe() : script_reason(err);
    return env;
  }
  env.worker_dir = out;
  env.root = std::filesystem::canonical(env.worker_dir / "root", ec);
  if (ec) {
    env.unavailable = "the environment " + out + " has no root: rerun ci/debian13-env.sh";
    return env;
  }
  env.worker = std::filesystem::path(k_root_build_dir) / "bin" / "repro-worker";
  return env;
}

}  // namespace repro
