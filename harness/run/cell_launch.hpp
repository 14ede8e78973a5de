// CellLaunch: how one cell becomes a worker process: its config, argv and complete environment.
//
// No shell is involved, ever: the program is started by path with an explicit argv and an
// explicit, complete environment. The environment is built from scratch: a small whitelist
// of the parent's variables (see k_inherited_variables) plus what the cell decides, so
// nothing the user happens to have exported (OMP_*, MKL_*, ATEN_CPU_CAPABILITY, ...) can
// change a cell's bits silently.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/plan/blas_locator.hpp"
#include "harness/plan/cell.hpp"
#include "harness/plan/worker_environment.hpp"
#include "harness/trace/fingerprint.hpp"
#include "harness/trace/worker_config.hpp"

namespace repro {

using Environment = std::map<std::string, std::string>;

// Parent variables a worker inherits (plus every LC_* variable). OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE are kept because older OpenBLAS builds crash without them on some
// machines; CUDA_VISIBLE_DEVICES picks the GPU a gpu cell uses.
inline constexpr std::string_view k_inherited_variables[] = {
    "PATH",
    "HOME",
    "LANG",
    "LANGUAGE",
    "TMPDIR",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "CUDA_VISIBLE_DEVICES",
};

// Thread-count variables set to the cell's `threads` (read once at library start-up).
inline constexpr std::string_view k_thread_variables[] = {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                                          "BLIS_NUM_THREADS", "MKL_NUM_THREADS"};

// True for a parent variable the worker inherits (the whitelist, LC_*).
bool is_inherited_variable(std::string_view name);

// Where the launcher finds things.
struct LaunchContext {
  std::filesystem::path default_worker;  // used unless the cell has a `worker` setting
  Environment parent_env;                // the environment repro-check was started with
  BlasLocator blas;
  // What each `worker` value runs (default: default_worker, no other environment).
  std::optional<WorkerEnvironments> environments;
  // The suite's per-axis-value variables (Suite::axis_env): axis -> value -> NAME -> VALUE.
  std::map<std::string, std::map<std::string, Environment>> axis_env;
};

struct CellLaunch {
  WorkerConfig config;            // the suite workload with the cell's settings overlaid
  std::filesystem::path program;  // the worker executable, or the wrapper that enters its root
  std::vector<std::string> args;  // argv[1..]: wrapper_args, then the worker's own
  std::vector<std::string> wrapper_args;  // empty unless the worker runs wrapped (bwrap)
  Environment env;                        // the complete environment
};

// The suite workload with the config-target settings (threads, interop_threads, seed,
// deterministic, device) overlaid.
WorkerConfig cell_config(const WorkerConfig& workload, const Settings& settings);

// The complete environment for a cell whose config says `config.settings.threads`:
//   inherited whitelist; thread variables = threads; ATEN_CPU_CAPABILITY = the
//   cpu_capability setting when the cell has one (and absent otherwise, even if the parent
//   set it); LD_LIBRARY_PATH = the blas setting's folder, then the parent's LD_LIBRARY_PATH.
// Throws repro::Error when the cell names a BLAS build that is not installed.
Environment cell_environment(const Settings& settings, const WorkerConfig& config,
                             const LaunchContext& context);

// Everything needed to start `cell`: `--config CONFIG --trace TRACE`, in the worker
// environment its `worker` setting names (default: context.default_worker). Throws
// repro::Error when that environment is unknown or cannot run here.
CellLaunch plan_cell_launch(const Cell& cell, const WorkerConfig& workload,
                            const LaunchContext& context, const std::filesystem::path& config_path,
                            const std::filesystem::path& trace_path);

// The argv for re-running a cell to dump step `step`'s tensors into `dump_dir`.
std::vector<std::string> dump_args(const std::filesystem::path& config_path,
                                   const std::filesystem::path& trace_path, int step,
                                   const std::filesystem::path& dump_dir);

// Checks that the settings reached the worker, from the fingerprint in its trace header:
// the BLAS build it loaded, the ATen CPU capability it dispatched to, its device. Returns a
// description of the first mismatch ("asked for blas=atlas, the worker loaded
// openblas-pthread (...)"), nullopt when everything matches or cannot be told.
std::optional<std::string> settings_mismatch(const Settings& settings, const Fingerprint& fp);

}  // namespace repro
