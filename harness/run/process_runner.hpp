// ProcessRunner: the real CellRunner: one worker process per cell, in parallel, with time limits.
//
// Each cell gets a folder RUN_DIR/NN-<sanitized cell id>/ with config.json (the worker
// config), trace.jsonl (written by the worker), stdout and stderr; how the worker ended
// becomes the cell's status as worker_exit.hpp describes. A cell whose settings cannot run
// here (skip_reason) is skipped without starting a worker.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/run/cell_launch.hpp"
#include "harness/run/fork_server.hpp"
#include "harness/run/runner.hpp"
#include "harness/run/worker_exit.hpp"
#include "harness/trace/worker_config.hpp"
#include "harness/util/subprocess.hpp"
#include "harness/verdict/dump_provider.hpp"

namespace repro {

class WorkerProcess;

// Worker runs started beside the cells, within the same --jobs and thread budget: the
// diagnosis re-runs of divergent pairs (harness/run/rerun_batch.hpp), which can start as
// soon as a pair's two cells have ended instead of after the last cell. Cells come first:
// side work starts only when no pending cell is waiting for a free core (a cell held back
// only by the repeat's start stagger does not count).
class SideWork {
 public:
  virtual ~SideWork() = default;
  // A cell ended: runs[i] is final where finished[i].
  virtual void cells_ended(const std::vector<CellRun>& runs, const std::vector<bool>& finished) = 0;
  // Starts ready runs, each only while `may_start(threads)` says yes.
  virtual void start_ready(const std::function<bool(int threads)>& may_start) = 0;
  // Collects runs that ended; true when one did.
  virtual bool poll() = 0;
  virtual int running_threads() const = 0;
  virtual size_t running() const = 0;
  // Kills every running run (an interrupt).
  virtual void kill_all() = 0;
};

struct ProcessRunnerOptions {
  WorkerConfig workload;  // the suite's workload; cells overlay their settings
  LaunchContext launch;
  std::filesystem::path run_dir;  // created if missing; cell folders go inside
  int jobs = 1;                   // worker processes at a time
  // At most this many threads (the sum of the running workers' `threads` settings) at a
  // time, so that a threads=2 cell gets two cores of its own; a worker that alone needs
  // more still runs, alone. 0: no limit (only `jobs`).
  int thread_budget = 0;
  std::chrono::milliseconds cell_timeout{std::chrono::seconds(600)};
  // A reason for cells that cannot run on this machine (they are skipped unstarted); may be
  // empty (every cell is started).
  std::function<std::optional<std::string>(const Cell&)> skip_reason;
  // Polled while cells run; once it returns true (Ctrl-C, say) running workers are killed
  // (their process groups) and every unfinished cell ends `not_run`, with reason
  // "interrupted while running (worker killed)" or "interrupted before it started". May
  // be empty.
  std::function<bool()> cancelled;
  // Fork servers for the cells, their dump and op-trace re-runs (harness/run/fork_server.hpp);
  // null: every run is a fresh process.
  std::shared_ptr<ForkServerPool> fork_servers;
  // First-step records: every cell run by our own worker (the default `repro-worker`, not
  // wrapped, not an outside worker) also writes the raw tensors (`first_step_dump`) and the
  // op trace (`first_step_op_trace`) of step 0 into CELL_DIR/first-step/ while it trains
  // (--dump-step 0 --op-trace-step 0, the same bits: docs/benchmarks.md). Most divergences
  // start at step 0 (threads, seed, ISA, BLAS), and then the diagnosis needs no re-run of
  // either cell (harness/run/rerun_batch.hpp reads these instead).
  bool first_step_dump = false;
  bool first_step_op_trace = false;
};

class ProcessRunner : public CellRunner, public DumpProvider {
 public:
  explicit ProcessRunner(ProcessRunnerOptions options);

  // See CellRunner. Throws repro::Error when a cell folder cannot be created.
  std::vector<CellRun> run(const std::vector<Cell>& cells,
                           const ProgressCallback& progress) override;

  // Re-runs `cell`'s worker (same config and environment) with --dump-step `step`
  // --stop-after-dump into CELL_DIR/dump-step-K/ and reads the dump; results are cached.
  // nullopt with `*error` set when the worker fails or the dump is unreadable.
  std::optional<TensorDump> dump(const Cell& cell, int step, std::string* error) override;

  // Stores a dump of `cell` at `step` made elsewhere (harness/run/rerun_batch.hpp) in the
  // cache dump() answers from.
  void store_dump(const Cell& cell, int step, TensorDump dump);

  // Work that run() starts beside the cells (may be null; not owned; must outlive run()).
  void set_side_work(SideWork* side_work) { m_side_work = side_work; }
  // The options it was made with (for other re-runs of its cells).
  const ProcessRunnerOptions& options() const { return m_options; }

  // The folder of `cell` (known once run() has seen it; else derived from its id).
  std::filesystem::path cell_dir(const Cell& cell) const;
  // Where `cell`'s first-step records are (k_first_step_folder in its folder), when its
  // run wrote them; what each holds is whatever the options asked for.
  std::optional<std::filesystem::path> first_step_records(const Cell& cell) const;

 private:
  ProcessRunnerOptions m_options;
  std::map<std::string, std::filesystem::path> m_cell_dirs;   // by cell id
  std::map<std::pair<std::string, int>, TensorDump> m_dumps;  // by (cell id, step)
  std::map<std::string, std::filesystem::path> m_first_step;  // by cell id, cells that ran
  SideWork* m_side_work = nullptr;
};

// The folder in a cell's folder that holds its first-step records: dump/ and ops.jsonl.
inline constexpr const char* k_first_step_folder = "first-step";

// A file-name-safe form of a cell id: letters, digits and ._=+- kept, anything else '_',
// at most 80 characters.
std::string sanitize_cell_id(std::string_view id);

// Creates and returns ROOT/.repro/runs/<UTC time as YYYYmmddTHHMMSSZ>-<suite>, adding -2,
// -3, ... when that folder already exists. Throws repro::Error when it cannot.
std::filesystem::path create_run_directory(const std::filesystem::path& root,
                                           const std::string& suite,
                                           std::chrono::system_clock::time_point now);

// The CPUs this process may run on (sched_getaffinity), at least 1.
int available_cores();

// Whether a worker of `threads` threads may start while workers using `running` threads in
// all run: always when nothing runs or `budget` is 0, else when running + threads <= budget.
bool within_thread_budget(int running, int threads, int budget);

}  // namespace repro
